//! summary.csv (one row per run and seed) and aggregate.csv (median, quartiles and range over
//! the seeds whose run did not diverge, with the number that did).
//!
//! A run counts as diverged when training stopped on a NaN/±∞ or exploding loss
//! (`diverged_at`), or when its last logged row has a non-finite loss: such runs are never
//! dropped silently, they are excluded from every median and counted in `diverged`.

use super::Outcome;
use crate::config::{DataSpec, ExperimentConfig};
use crate::data::{Dataset, RankSource};
use crate::output::{fmt_f64, Table};
use crate::record::RunLog;
use crate::stats::quantile;

/// The Jacobian-rank points of a file dataset: how many, and from which source
/// ([`crate::data::rank_points`]). Generators draw as many fresh points as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRankPoints {
    /// Points the rank is counted on.
    pub count: usize,
    /// Their source.
    pub source: RankSource,
}

impl FileRankPoints {
    /// Fresh points among them (none from the training inputs).
    pub fn fresh(&self) -> usize {
        if self.source.fresh() {
            self.count
        } else {
            0
        }
    }

    /// A warning when fewer than |θ| = `params` fresh points exist: the rank of φ_θ(X)
    /// (n × |θ|) is then at most n, not the paper's count on |θ| fresh points.
    pub fn shortfall(&self, params: usize) -> Option<String> {
        (self.fresh() < params).then(|| {
            format!(
                "the Jacobian rank is counted on {} {} point(s) ({} fresh), fewer than |θ| = {params}: it is capped at {}; \
                 set data.rank_points = \"gaussian\" (fresh points matched to the inputs' scale), \"file\" (with \
                 data.rank_points_file) or \"train\" (the training inputs), docs/DESIGN.md §8",
                self.count,
                self.source.name(),
                self.fresh(),
                self.count
            )
        })
    }
}

/// The rank points of `data` when `cfg` reads file data and records the Jacobian rank.
pub fn rank_points_of(cfg: &ExperimentConfig, data: &Dataset) -> Option<FileRankPoints> {
    match (&cfg.data, cfg.metrics.jacobian_rank) {
        (DataSpec::Csv(f), Some(_)) => {
            Some(FileRankPoints { count: data.rank_points.as_ref().map_or(0, |p| p.len()), source: f.rank_points })
        }
        _ => None,
    }
}

/// Whether a run diverged: it stopped on NaN/±∞ (or a loss above
/// [`crate::record::DIVERGED_LOSS`]), or its last logged losses are not finite.
pub fn diverged(log: &RunLog) -> bool {
    log.diverged_at.is_some() || log.last().is_none_or(|r| !(r.train_loss.is_finite() && r.test_loss.is_finite()))
}

/// `converged`, `diverged` or `failed` (a failed metric evaluation stopped the run).
pub fn status(log: &RunLog) -> &'static str {
    if log.failure.is_some() {
        "failed"
    } else if diverged(log) {
        "diverged"
    } else {
        "converged"
    }
}

/// Per-run final values: the last grid row (the release's "final"), and the plateau.
pub(crate) fn finals(o: &Outcome, log: &RunLog) -> Vec<f64> {
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

pub(crate) fn value_names(o: &Outcome) -> Vec<String> {
    let mut h = vec!["final_train_loss".to_string(), "final_test_loss".to_string()];
    h.extend(o.columns.iter().map(|c| format!("final_{c}")));
    h.push("plateau_train_loss".into());
    h
}

/// `run,seed,final_train_loss,final_test_loss,final_<metric>…,plateau_train_loss,status,diverged_at,
/// label_std,degenerate_labels`. `status` is `converged`, `diverged` (the loss became NaN/±∞ or
/// exceeded 1e30 at `diverged_at`) or `failed` (a metric evaluation failed at `diverged_at`); the
/// final values of a run that did not converge are empty (read as NaN), never its last logged
/// row. The last two columns describe the seed's training labels (their standard deviation, and
/// whether [`crate::data::Dataset::degenerate_labels`] flags them as nearly constant), so a
/// summary of a run on degenerate data says so itself. With file data and a Jacobian rank, three
/// more: `rank_points` (the points counted on), `rank_points_source` (`data.rank_points`) and
/// `rank_capped` (whether fewer than |θ| of them are fresh: [`FileRankPoints::shortfall`]).
pub fn summary_table(o: &Outcome) -> Table {
    let mut h = vec!["run".to_string(), "seed".to_string()];
    h.extend(value_names(o));
    h.extend(["status", "diverged_at", "label_std", "degenerate_labels"].map(String::from));
    let rank: Vec<Option<FileRankPoints>> = o.datasets.iter().map(|d| rank_points_of(&o.config, d)).collect();
    let with_rank = rank.iter().any(Option::is_some);
    if with_rank {
        h.extend(["rank_points", "rank_points_source", "rank_capped"].map(String::from));
    }
    let mut t = Table::new(h);
    let per_seed = o.config.runs.len().max(1);
    // Once per dataset, not per run.
    let labels: Vec<[String; 2]> =
        o.datasets.iter().map(|d| [fmt_f64(d.label_spread()), d.degenerate_labels().is_some().to_string()]).collect();
    for (i, log) in o.logs.iter().enumerate() {
        let mut row = vec![log.run.clone(), log.seed.to_string()];
        let status = status(log);
        if status == "converged" {
            row.extend(finals(o, log).into_iter().map(fmt_f64));
        } else {
            row.extend(std::iter::repeat_n(String::new(), value_names(o).len()));
        }
        row.push(status.into());
        row.push(log.diverged_at.map(|t| t.to_string()).unwrap_or_default());
        row.extend(labels.get(i / per_seed).cloned().unwrap_or_default());
        if with_rank {
            match rank.get(i / per_seed).copied().flatten() {
                Some(r) => row.extend([
                    r.count.to_string(),
                    r.source.name().to_string(),
                    r.shortfall(log.initial.len()).is_some().to_string(),
                ]),
                None => row.extend(std::iter::repeat_n(String::new(), 3)),
            }
        }
        t.push(row);
    }
    t
}

/// Median, quartiles and range over the converged seeds of one value of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aggregate {
    /// Seeds whose run did not diverge (the values below are over these).
    pub converged: usize,
    /// Seeds whose run diverged (excluded).
    pub diverged: usize,
    /// Median over the converged seeds.
    pub median: f64,
    /// First quartile (linear interpolation between order statistics, numpy's default).
    pub q1: f64,
    /// Third quartile.
    pub q3: f64,
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
}

impl Outcome {
    /// Logs of run `r` over the seeds.
    pub fn run_logs(&self, r: usize) -> impl Iterator<Item = &RunLog> {
        self.logs.iter().skip(r).step_by(self.config.runs.len())
    }

    /// Number of seeds on which run `r` diverged.
    pub fn diverged_count(&self, r: usize) -> usize {
        self.run_logs(r).filter(|l| diverged(l)).count()
    }

    /// Median, quartiles and range over the seeds where run `r` did not diverge, of every
    /// summary value, with the value names.
    pub fn aggregate(&self, r: usize) -> Vec<(String, Aggregate)> {
        let (kept, lost): (Vec<&RunLog>, Vec<&RunLog>) = self.run_logs(r).partition(|l| !diverged(l));
        let per_seed: Vec<Vec<f64>> = kept.iter().map(|l| finals(self, l)).collect();
        value_names(self)
            .into_iter()
            .enumerate()
            .map(|(i, name)| (name, Aggregate::of(&per_seed.iter().map(|s| s[i]).collect::<Vec<_>>(), lost.len())))
            .collect()
    }
}

impl Aggregate {
    /// Statistics of the converged runs' `values` (NaN entries — a metric the run could not
    /// evaluate — are left out of the order statistics), with `diverged` runs excluded.
    pub fn of(values: &[f64], diverged: usize) -> Self {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        v.sort_by(f64::total_cmp);
        Aggregate {
            converged: values.len(),
            diverged,
            median: quantile(&v, 0.5),
            q1: quantile(&v, 0.25),
            q3: quantile(&v, 0.75),
            min: v.first().copied().unwrap_or(f64::NAN),
            max: v.last().copied().unwrap_or(f64::NAN),
        }
    }
}

/// `run,seeds,diverged,<value>_median,<value>_q1,<value>_q3,<value>_min,<value>_max…`: every
/// statistic over the seeds whose run did not diverge; `diverged` says how many did.
pub fn aggregate_table(o: &Outcome) -> Table {
    let names = value_names(o);
    let mut h = vec!["run".to_string(), "seeds".to_string(), "diverged".to_string()];
    for n in &names {
        h.extend(["median", "q1", "q3", "min", "max"].map(|s| format!("{n}_{s}")));
    }
    let mut t = Table::new(h);
    let k = o.datasets.len();
    for (r, spec) in o.config.runs.iter().enumerate() {
        let mut row = vec![spec.name.clone(), k.to_string(), o.diverged_count(r).to_string()];
        for (_, a) in o.aggregate(r) {
            row.extend([a.median, a.q1, a.q3, a.min, a.max].map(fmt_f64));
        }
        t.push(row);
    }
    t
}
