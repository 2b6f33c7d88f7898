//! The paper's observations decided per seed, so that a set of seeds gives each one as a rate.
//!
//! The ordered runs (`order`) are the small-step reference first, then large-step runs with
//! longer and longer large-step phases (Fig. 2: constant 0.25, decay at 10 / 30 / 50 %). On one
//! seed, with every ordered run converged:
//!
//! * **O1 plateau** (§3 (O1)): over [e/4, e/2) of the last ordered run's large-step phase
//!   [0, e), its median train loss is more than 10× the reference's, and already more than 5× on
//!   [e/8, e/4): the loss is held at a level while the small step keeps converging;
//! * **O2 ordering** (§3 (O2)): final test losses strictly decrease along the order;
//! * **O3 sparsity** (§3 (O3)): each sparsity metric recorded (‖u⊙v‖₀, Jacobian rank, feature
//!   sparsity) is non-increasing along the order and ends strictly below the reference.
//!
//! A seed on which an ordered run diverged leaves the observation *undecided*: it is counted
//! apart, never as holding or failing. Per run, **fits** means a final train loss below
//! `fit_below` (Fig. 12's failure to fit sits at ≈ 0.27); undecided when the run diverged.

use crate::experiment::{diverged, Outcome};
use crate::linalg::median;
use crate::record::RunLog;
use anyhow::{bail, Result};

/// Names of the per-seed observations, in column order.
pub const NAMES: [&str; 3] = ["O1_plateau", "O2_ordering", "O3_sparsity"];

/// Which runs the observations compare, and the fit threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservationSpec {
    /// Indices of the ordered runs (empty: no O1–O3).
    pub order: Vec<usize>,
    /// A converged run fits when its final train loss is below this.
    pub fit_below: f64,
}

impl ObservationSpec {
    /// `order`: run names; default (None) every run when the config has 3 to 5 runs (the
    /// figures whose runs are a reference and growing large-step phases), else none.
    pub fn new(runs: &[String], order: Option<&[String]>, fit_below: f64) -> Result<Self> {
        if !(fit_below > 0.0 && fit_below.is_finite()) {
            bail!("--fit-below {fit_below}: must be a positive finite loss");
        }
        let order = match order {
            Some(names) => names
                .iter()
                .map(|n| match runs.iter().position(|r| r == n) {
                    Some(i) => Ok(i),
                    None => bail!("--order: no run named `{n}`; runs: {}", runs.join(", ")),
                })
                .collect::<Result<Vec<_>>>()?,
            None if (3..=5).contains(&runs.len()) => (0..runs.len()).collect(),
            None => Vec::new(),
        };
        if order.len() == 1 {
            bail!("--order: give at least two runs (a reference and a large-step run)");
        }
        Ok(Self { order, fit_below })
    }

    /// Whether O1–O3 are decided at all.
    pub fn has_order(&self) -> bool {
        self.order.len() >= 2
    }
}

fn window(log: &RunLog, a: usize, b: usize) -> f64 {
    median(&log.rows.iter().filter(|r| r.iteration >= a && r.iteration < b).map(|r| r.train_loss).collect::<Vec<_>>())
}

/// The last grid row's test loss (`None`) or metric column `c`.
fn final_value(log: &RunLog, column: Option<usize>) -> f64 {
    match (log.last(), column) {
        (Some(r), Some(c)) => r.metrics[c],
        (Some(r), None) => r.test_loss,
        (None, _) => f64::NAN,
    }
}

/// O1–O3 on seed index `k` of `o` ([`NAMES`] order); `None` = undecided.
pub fn per_seed(o: &Outcome, spec: &ObservationSpec, k: usize) -> [Option<bool>; 3] {
    if !spec.has_order() {
        return [None; 3];
    }
    let logs = o.seed_logs(k);
    let ordered: Vec<&RunLog> = spec.order.iter().map(|&r| &logs[r]).collect();
    if ordered.iter().any(|l| diverged(l)) {
        return [None; 3];
    }
    let (first, last) = (ordered[0], ordered[ordered.len() - 1]);
    let e = last.large_phase_end;
    let late = window(last, e / 4, e / 2) / window(first, e / 4, e / 2);
    let early = window(last, e / 8, e / 4) / window(first, e / 8, e / 4);
    let o1 = late > 10.0 && early > 5.0;
    let test: Vec<f64> = ordered.iter().map(|l| final_value(l, None)).collect();
    let o2 = test.windows(2).all(|w| w[0] > w[1]);
    let sparsity: Vec<usize> = o
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| *c == "support_size" || *c == "jacobian_rank" || c.starts_with("feature_sparsity"))
        .map(|(i, _)| i)
        .collect();
    let o3 = !sparsity.is_empty()
        && sparsity.iter().all(|&c| {
            let v: Vec<f64> = ordered.iter().map(|l| final_value(l, Some(c))).collect();
            v.windows(2).all(|w| w[0] >= w[1]) && v[v.len() - 1] < v[0]
        });
    [Some(o1), Some(o2), Some(o3)]
}

/// Whether run `log` fits (final train loss below the threshold); `None` when it diverged.
pub fn fits(log: &RunLog, spec: &ObservationSpec) -> Option<bool> {
    if diverged(log) {
        None
    } else {
        log.last().map(|r| r.train_loss < spec.fit_below)
    }
}

/// Counts of one observation over seeds: held, failed, undecided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Count {
    /// Seeds where it held.
    pub holds: u64,
    /// Seeds where it failed.
    pub fails: u64,
    /// Seeds where it could not be decided (a run diverged).
    pub undecided: u64,
}

impl Count {
    /// Adds one seed's outcome.
    pub fn add(&mut self, v: Option<bool>) {
        match v {
            Some(true) => self.holds += 1,
            Some(false) => self.fails += 1,
            None => self.undecided += 1,
        }
    }
    /// The rate holds / decided with its Wilson 95 % interval.
    pub fn rate(&self, name: &str) -> largestep_theory::verdict::Statistic {
        largestep_theory::verdict::Statistic::rate(name, self.holds, self.holds + self.fails)
    }
}

/// The observation rates of an outcome over its seeds: (name, count), O1–O3 then, per run,
/// `diverged:RUN` (over all seeds) and `fits:RUN` (over the converged seeds).
pub fn rates(o: &Outcome, spec: &ObservationSpec) -> Vec<(String, Count)> {
    let mut out: Vec<(String, Count)> = Vec::new();
    if spec.has_order() {
        let mut c = [Count::default(); 3];
        for k in 0..o.datasets.len() {
            for (ci, v) in c.iter_mut().zip(per_seed(o, spec, k)) {
                ci.add(v);
            }
        }
        out.extend(NAMES.iter().zip(c).map(|(n, c)| (n.to_string(), c)));
    }
    for (r, run) in o.config.runs.iter().enumerate() {
        let mut d = Count::default();
        let mut f = Count::default();
        for l in o.run_logs(r) {
            d.add(Some(diverged(l)));
            f.add(fits(l, spec));
        }
        out.push((format!("diverged:{}", run.name), d));
        out.push((format!("fits:{}", run.name), f));
    }
    out
}
