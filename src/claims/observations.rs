//! The one operational definition of the paper's observations (§3):
//!
//! - **(O1) loss stabilization**: "training loss stabilizes around a high level set until step
//!   size is decayed";
//! - **(O2) generalization benefit**: "longer loss stabilization leads to better generalization";
//! - **(O3) sparse feature learning**: "longer loss stabilization leads to sparser features".
//!
//! Each is decided on one seed, over an *order* of runs of one figure: a reference first (the
//! small step, or the shortest large-step phase), then runs with longer and longer large-step
//! phases (Fig. 2: constant 0.25, then η = 0.282 decayed at 10 / 30 / 50 %). On seed k, with
//! every ordered run finished (none diverged):
//!
//! * **O1** holds when every run after the reference stabilizes on its plateau window
//!   W = [e/2, e) of its large-step phase [0, e) (the window of
//!   [`RunLog::plateau_train_loss`]): W holds at least [`O1_MIN_ROWS`] logged rows, the
//!   least-squares slope of ln L_train against the iteration, times |W|, is above −ln 10 (the
//!   fitted loss falls by less than an order of magnitude across W: it stays at its level on
//!   the log scale the paper reads its plateaus on, e.g. "around 10^-1.5"), and the plateau
//!   median is more than [`O1_MIN_DROP`]× (another order of magnitude) the run's own final train
//!   loss (the level is high *until the step size is decayed*: the decay, not the plateau,
//!   brings the loss down);
//! * **O2** holds when the final test losses strictly decrease along the order;
//! * **O3** holds when every sparsity metric the figure records (‖u⊙v‖₀, the Jacobian rank, the
//!   feature-sparsity coefficients) is non-increasing along the order and ends strictly below
//!   the reference.
//!
//! A seed on which an ordered run diverged, or whose windows are too short, leaves the
//! observation undecided on that seed (`None`): it is counted apart, never as holding or failing.
//! Over seeds, the count becomes a verdict by the one [`crate::claims::CRITERION`].

use crate::experiment::{diverged, Outcome};
use crate::metrics::Column;
use crate::record::{Row, RunLog};
use crate::stats::median;
use serde::{Deserialize, Serialize};

/// One of the paper's three observations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Observation {
    /// (O1) loss stabilization.
    O1,
    /// (O2) generalization benefit.
    O2,
    /// (O3) sparse feature learning.
    O3,
}

impl Observation {
    /// The three, in the paper's order.
    pub const ALL: [Observation; 3] = [Observation::O1, Observation::O2, Observation::O3];

    /// Column name in per-seed tables (`seeds.csv` of a sweep).
    pub const fn column(self) -> &'static str {
        match self {
            Observation::O1 => "O1_plateau",
            Observation::O2 => "O2_ordering",
            Observation::O3 => "O3_sparsity",
        }
    }

    /// The paper's sentence (§3).
    pub fn sentence(self) -> &'static str {
        match self {
            Observation::O1 => "training loss stabilizes around a high level set until step size is decayed",
            Observation::O2 => "longer loss stabilization leads to better generalization",
            Observation::O3 => "longer loss stabilization leads to sparser features",
        }
    }

    /// The operational definition in one line (printed beside every rate).
    pub fn definition(self) -> String {
        match self {
            Observation::O1 => format!(
                "every large-step run: on W = [e/2, e) of its large-step phase, ≥ {O1_MIN_ROWS} rows, fitted Δln L > −ln 10, \
                 median > {O1_MIN_DROP}× its final train loss"
            ),
            Observation::O2 => "final test losses strictly decrease along the order".into(),
            Observation::O3 => {
                "every sparsity metric non-increasing along the order, the last strictly below the reference".into()
            }
        }
    }

    /// This observation on seed index `k` of `o` over the runs `order` (indices into the
    /// config's runs, reference first); `None` when undecided on this seed.
    pub fn on_seed(self, o: &Outcome, order: &[usize], k: usize) -> Option<bool> {
        if order.len() < 2 {
            return None;
        }
        let logs = o.seed_logs(k);
        let ordered: Vec<&RunLog> = order.iter().map(|&r| &logs[r]).collect();
        self.on_runs(&ordered, &sparsity_columns(o))
    }

    /// This observation on one seed's runs `ordered` (reference first), O3 judging the metric
    /// columns `sparsity` of their last rows: the one definition behind [`Self::on_seed`], also
    /// used on runs that are not an [`Outcome`] (the deep protocol, [`crate::claims::deep_small`]).
    pub fn on_runs(self, ordered: &[&RunLog], sparsity: &[usize]) -> Option<bool> {
        if ordered.len() < 2 || ordered.iter().any(|l| diverged(l)) {
            return None;
        }
        match self {
            Observation::O1 => {
                ordered[1..].iter().map(|l| stabilizes(l)).collect::<Option<Vec<bool>>>().map(|v| v.iter().all(|&b| b))
            }
            Observation::O2 => {
                let test: Vec<f64> = ordered.iter().map(|l| l.last().map_or(f64::NAN, |r| r.test_loss)).collect();
                Some(decreasing(&test))
            }
            Observation::O3 => {
                if sparsity.is_empty() {
                    return None;
                }
                Some(sparsity.iter().all(|&c| {
                    let v: Vec<f64> = ordered.iter().map(|l| l.last().map_or(f64::NAN, |r| r.metrics[c])).collect();
                    v.windows(2).all(|w| w[0] >= w[1]) && v[v.len() - 1] < v[0]
                }))
            }
        }
    }
}

impl Observation {
    /// The numbers behind this observation on seed `k` (for the per-seed detail of a verdict).
    pub fn explain(self, o: &Outcome, order: &[usize], k: usize) -> String {
        let logs = o.seed_logs(k);
        let ordered: Vec<&RunLog> = order.iter().map(|&r| &logs[r]).collect();
        let columns: Vec<(usize, &str)> = sparsity_columns(o).into_iter().map(|c| (c, o.columns[c].as_str())).collect();
        self.explain_runs(&ordered, &columns)
    }

    /// The numbers behind [`Self::on_runs`] (O3's columns as (index, name)).
    pub fn explain_runs(self, ordered: &[&RunLog], sparsity: &[(usize, &str)]) -> String {
        if let Some(l) = ordered.iter().find(|l| diverged(l)) {
            return format!("{} diverged", l.run);
        }
        let short = crate::claims::compare::short;
        match self {
            Observation::O1 => ordered[1..]
                .iter()
                .map(|l| match stabilization(l) {
                    Some(s) => format!("{} Δln L {:+.2}, ×{}", l.run, s.fall, short(s.drop)),
                    None => format!("{} window too short", l.run),
                })
                .collect::<Vec<_>>()
                .join(", "),
            Observation::O2 => ordered
                .iter()
                .map(|l| short(l.last().map_or(f64::NAN, |r| r.test_loss)))
                .collect::<Vec<_>>()
                .join(" > "),
            Observation::O3 => sparsity
                .iter()
                .map(|&(c, name)| {
                    let v: Vec<String> =
                        ordered.iter().map(|l| short(l.last().map_or(f64::NAN, |r| r.metrics[c]))).collect();
                    format!("{name} {}", v.join(" ≥ "))
                })
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// O1: logged rows a plateau window needs.
pub const O1_MIN_ROWS: usize = 5;
/// O1: the fitted ln-loss may fall by at most ln 10 (one order of magnitude) across the
/// plateau window.
pub const O1_MAX_FALL: f64 = std::f64::consts::LN_10;
/// O1: the plateau median over the run's final train loss must exceed this.
pub const O1_MIN_DROP: f64 = 10.0;

/// The plateau window [e/2, e) of a run's large-step phase [0, e).
pub fn plateau_window(log: &RunLog) -> (usize, usize) {
    let e = log.large_phase_end;
    (e / 2, e)
}

fn window_rows(log: &RunLog) -> Vec<&Row> {
    let (a, b) = plateau_window(log);
    log.rows.iter().filter(|r| r.iteration >= a && r.iteration < b).collect()
}

/// O1 on one run: `None` when its plateau window holds fewer than [`O1_MIN_ROWS`] rows or a
/// non-positive loss, else whether it stabilizes (see the module documentation).
pub fn stabilizes(log: &RunLog) -> Option<bool> {
    stabilization(log).map(|s| s.holds())
}

/// The numbers behind O1 on one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stabilization {
    /// Fitted change of ln L_train across the window.
    pub fall: f64,
    /// Plateau median over the run's final train loss.
    pub drop: f64,
}

impl Stabilization {
    /// Whether the run stabilizes by the definition.
    pub fn holds(&self) -> bool {
        self.fall > -O1_MAX_FALL && self.drop > O1_MIN_DROP
    }
}

/// O1's numbers on one run (`None`: window too short, or a loss ≤ 0 or not finite in it).
pub fn stabilization(log: &RunLog) -> Option<Stabilization> {
    let rows = window_rows(log);
    if rows.len() < O1_MIN_ROWS || rows.iter().any(|r| !(r.train_loss > 0.0 && r.train_loss.is_finite())) {
        return None;
    }
    let (a, b) = plateau_window(log);
    let x: Vec<f64> = rows.iter().map(|r| r.iteration as f64).collect();
    let y: Vec<f64> = rows.iter().map(|r| r.train_loss.ln()).collect();
    let fall = crate::stats::slope(&x, &y) * (b - a) as f64;
    let level = median(&rows.iter().map(|r| r.train_loss).collect::<Vec<_>>());
    let last = log.last()?.train_loss;
    Some(Stabilization { fall, drop: level / last })
}

fn decreasing(v: &[f64]) -> bool {
    v.windows(2).all(|w| w[0] > w[1])
}

/// The metric columns O3 judges: ‖u⊙v‖₀, the Jacobian rank, the feature-sparsity coefficients.
pub fn sparsity_columns(o: &Outcome) -> Vec<usize> {
    o.columns.iter().enumerate().filter(|(_, c)| Column::parse(c).is_some()).map(|(i, _)| i).collect()
}

/// Counts of one per-seed test over seeds: held, failed, undecided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Count {
    /// Seeds where it held.
    pub holds: u64,
    /// Seeds where it failed.
    pub fails: u64,
    /// Seeds where it could not be decided (a run diverged, a window too short).
    pub undecided: u64,
}

impl Count {
    /// Counts a sequence of per-seed outcomes.
    pub fn of(values: impl IntoIterator<Item = Option<bool>>) -> Self {
        let mut c = Count::default();
        for v in values {
            c.add(v);
        }
        c
    }
    /// Adds one seed's outcome.
    pub fn add(&mut self, v: Option<bool>) {
        match v {
            Some(true) => self.holds += 1,
            Some(false) => self.fails += 1,
            None => self.undecided += 1,
        }
    }
    /// Decided seeds.
    pub fn decided(&self) -> u64 {
        self.holds + self.fails
    }
    /// The rate holds / decided with its Wilson 95 % interval.
    pub fn rate(&self, name: &str) -> largestep_theory::verdict::Statistic {
        largestep_theory::verdict::Statistic::rate(name, self.holds, self.decided())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run of N = 1000 whose large-step phase ends at e = 500, logged every 10 iterations,
    /// with train loss `f(t)`.
    fn log(f: impl Fn(usize) -> f64) -> RunLog {
        RunLog {
            large_phase_end: 500,
            total: 1000,
            rows: (0..=100)
                .map(|i| {
                    let t = i * 10;
                    Row { iteration: t, step_size: 0.1, train_loss: f(t), test_loss: 0.0, metrics: vec![] }
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_plateau_then_a_decay_stabilizes() {
        // Flat at 0.03 (with a wiggle) until e, then 1e-6.
        let l = log(|t| if t < 500 { 0.03 * (1.0 + 0.3 * ((t / 10) % 2) as f64) } else { 1e-6 });
        let s = stabilization(&l).expect("window long enough");
        assert!(s.holds(), "{s:?}");
    }

    #[test]
    fn a_steady_fall_does_not_stabilize() {
        // Falls by e^-6 over the window: a trend, not a plateau.
        let l = log(|t| 0.1 * (-(t as f64) / 40.0).exp().max(1e-12));
        assert_eq!(stabilizes(&l), Some(false));
    }

    #[test]
    fn the_window_is_the_second_half_of_the_phase() {
        // Flat on [0, e/2), falling on [e/2, e): a window shifted to [e/4, e/2) would pass.
        let l = log(|t| {
            if t < 250 {
                0.05
            } else if t < 500 {
                0.05 * (-((t - 250) as f64) / 30.0).exp()
            } else {
                1e-9
            }
        });
        assert_eq!(stabilizes(&l), Some(false));
        // Falling on [0, e/2), flat on [e/2, e): holds (only the window counts).
        let l = log(|t| {
            if t < 250 {
                (-(t as f64) / 30.0).exp()
            } else if t < 500 {
                0.02
            } else {
                1e-6
            }
        });
        assert_eq!(stabilizes(&l), Some(true));
    }

    #[test]
    fn the_fall_allowed_across_the_window_is_one_decade() {
        // ln L falling linearly by ln 5 across W = [250, 500) stabilizes; by ln 20 it does not.
        let falling = |factor: f64| {
            log(move |t| if t < 500 { 0.05 * factor.powf(-((t.max(250) - 250) as f64) / 250.0) } else { 1e-7 })
        };
        assert_eq!(stabilizes(&falling(5.0)), Some(true));
        assert_eq!(stabilizes(&falling(20.0)), Some(false));
    }

    #[test]
    fn a_level_not_left_by_the_decay_is_not_high() {
        // Flat at 0.03 throughout: nothing to say the level was high until the decay.
        let l = log(|_| 0.03);
        assert_eq!(stabilizes(&l), Some(false));
    }

    #[test]
    fn short_windows_are_undecided() {
        let mut l = log(|_| 0.03);
        l.rows.retain(|r| r.iteration < 250 || r.iteration > 290);
        l.rows.retain(|r| !(250..500).contains(&r.iteration) || r.iteration < 290);
        assert!(window_rows(&l).len() < O1_MIN_ROWS);
        assert_eq!(stabilizes(&l), None);
    }

    #[test]
    fn ordering_is_strict() {
        assert!(decreasing(&[3.0, 2.0, 1.0]));
        assert!(!decreasing(&[3.0, 3.0, 1.0]));
        assert!(!decreasing(&[1.0, 2.0]));
    }
}
