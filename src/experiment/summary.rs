//! summary.csv (one row per run and seed) and aggregate.csv (median and range over seeds).

use super::Outcome;
use crate::linalg::median;
use crate::output::{fmt_f64, Table};

/// Per-run final values: the last grid row (the release's "final"), and the plateau.
fn finals(o: &Outcome, log: &crate::record::RunLog) -> Vec<f64> {
    let width = 2 + o.columns.len();
    let mut v = match log.last() {
        Some(r) => {
            let mut v = vec![r.train_loss, r.test_loss];
            v.extend(&r.metrics);
            v
        }
        None => vec![f64::NAN; width],
    };
    v.push(log.plateau_train_loss());
    v
}

fn value_names(o: &Outcome) -> Vec<String> {
    let mut h = vec!["final_train_loss".to_string(), "final_test_loss".to_string()];
    h.extend(o.columns.iter().map(|c| format!("final_{c}")));
    h.push("plateau_train_loss".into());
    h
}

/// `run,seed,final_train_loss,final_test_loss,final_<metric>…,plateau_train_loss,diverged_at`.
pub fn summary_table(o: &Outcome) -> Table {
    let mut h = vec!["run".to_string(), "seed".to_string()];
    h.extend(value_names(o));
    h.push("diverged_at".into());
    let mut t = Table::new(h);
    for log in &o.logs {
        let mut row = vec![log.run.clone(), log.seed.to_string()];
        row.extend(finals(o, log).into_iter().map(fmt_f64));
        row.push(log.diverged_at.map(|t| t.to_string()).unwrap_or_default());
        t.push(row);
    }
    t
}

/// Median and range over seeds of one value of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aggregate {
    /// Median over seeds.
    pub median: f64,
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
}

impl Outcome {
    /// Median/min/max over seeds of every summary value of run `r`, with the value names.
    pub fn aggregate(&self, r: usize) -> Vec<(String, Aggregate)> {
        let runs = self.config.runs.len();
        let per_seed: Vec<Vec<f64>> = self.logs.iter().skip(r).step_by(runs).map(|l| finals(self, l)).collect();
        value_names(self)
            .into_iter()
            .enumerate()
            .map(|(i, name)| {
                let v: Vec<f64> = per_seed.iter().map(|s| s[i]).collect();
                let fin = v.iter().copied().filter(|x| x.is_finite());
                let a = Aggregate {
                    median: median(&v),
                    min: fin.clone().fold(f64::NAN, f64::min),
                    max: fin.fold(f64::NAN, f64::max),
                };
                (name, a)
            })
            .collect()
    }
}

/// `run,seeds,<value>_median,<value>_min,<value>_max…`.
pub fn aggregate_table(o: &Outcome) -> Table {
    let names = value_names(o);
    let mut h = vec!["run".to_string(), "seeds".to_string()];
    for n in &names {
        h.extend([format!("{n}_median"), format!("{n}_min"), format!("{n}_max")]);
    }
    let mut t = Table::new(h);
    let k = o.datasets.len();
    for (r, spec) in o.config.runs.iter().enumerate() {
        let mut row = vec![spec.name.clone(), k.to_string()];
        for (_, a) in o.aggregate(r) {
            row.extend([fmt_f64(a.median), fmt_f64(a.min), fmt_f64(a.max)]);
        }
        t.push(row);
    }
    t
}
