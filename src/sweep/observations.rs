//! The paper's observations per seed for a sweep, so that a set of seeds gives each one as a rate.
//!
//! The ordered runs (`order`) are the small-step reference first, then large-step runs with
//! longer and longer large-step phases (Fig. 2: constant 0.25, decay at 10 / 30 / 50 %). O1–O3
//! are decided on each seed by the one definition, [`crate::claims::observations`]; a seed on
//! which an ordered run diverged leaves the observation *undecided*: it is counted apart, never
//! as holding or failing. Per run, **fits** means a final train loss below `fit_below` (Fig. 12's
//! failure to fit sits at ≈ 0.27); undecided when the run diverged.

use crate::claims::Observation;
use crate::experiment::{diverged, Outcome};
use crate::record::RunLog;
use anyhow::{bail, Result};

/// Names of the per-seed observations, in column order.
pub const NAMES: [&str; 3] = [Observation::O1.column(), Observation::O2.column(), Observation::O3.column()];

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
            // The paper's order when the runs are a figure's (the claim registry's O1–O3 order),
            // else every run when there are 3 to 5.
            None => match registry_order(runs) {
                Some(order) => order,
                None if (3..=5).contains(&runs.len()) => (0..runs.len()).collect(),
                None => Vec::new(),
            },
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

/// The O1–O3 order of the claim registry whose runs are all among `runs`, as indices.
fn registry_order(runs: &[String]) -> Option<Vec<usize>> {
    crate::claims::CLAIMS.iter().find_map(|c| match c.check {
        crate::claims::Check::Observation(_, order) => {
            order.iter().map(|n| runs.iter().position(|r| r == n)).collect::<Option<Vec<usize>>>()
        }
        _ => None,
    })
}

/// O1–O3 on seed index `k` of `o` ([`NAMES`] order); `None` = undecided.
pub fn per_seed(o: &Outcome, spec: &ObservationSpec, k: usize) -> [Option<bool>; 3] {
    if !spec.has_order() {
        return [None; 3];
    }
    Observation::ALL.map(|obs| obs.on_seed(o, &spec.order, k))
}

/// Whether run `log` fits (final train loss below the threshold); `None` when it diverged.
pub fn fits(log: &RunLog, spec: &ObservationSpec) -> Option<bool> {
    if diverged(log) {
        None
    } else {
        log.last().map(|r| r.train_loss < spec.fit_below)
    }
}

pub use crate::claims::Count;

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
