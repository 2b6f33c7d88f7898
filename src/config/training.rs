//! The `[training]` settings shared by the runs, and one `[[runs]]` entry.

use crate::loss::Loss;
use crate::schedule::ScheduleSpec;
use serde::{Deserialize, Serialize};

/// Training algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// SGD with the configured batch size.
    #[default]
    Sgd,
    /// Full-batch gradient descent.
    Gd,
}

/// Training settings shared by the runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSpec {
    /// Iterations N ≥ 1 (or give `iterations_log10` p: N = ⌊10^p⌋ + 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<usize>,
    /// p with N = ⌊10^p⌋ + 1 (the release's convention).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations_log10: Option<f64>,
    /// N under `--quick` (default N/10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_iterations: Option<usize>,
    /// Default algorithm.
    #[serde(default)]
    pub algorithm: Algorithm,
    /// SGD batch size B ≥ 1.
    #[serde(default = "one")]
    pub batch: usize,
    /// Loss.
    #[serde(default)]
    pub loss: Loss,
    /// Base training seed (the run's seed offset is added).
    #[serde(default)]
    pub seed: u64,
    /// Keep θ at every grid point (trajectory figures).
    #[serde(default)]
    pub snapshots: bool,
    /// First seed offset (`--seed`).
    #[serde(default)]
    pub first_seed: u64,
    /// Repetitions K over seed offsets `first_seed`, `first_seed + 1`, … (`--seeds`).
    #[serde(default = "one")]
    pub seeds: usize,
    /// The seed offset also changes the data (`--vary-data`).
    #[serde(default)]
    pub vary_data: bool,
}

fn one() -> usize {
    1
}

impl TrainingSpec {
    /// The run length N.
    pub fn total(&self, quick: bool) -> usize {
        let n = match (self.iterations, self.iterations_log10) {
            (Some(n), _) => n,
            (None, Some(p)) => 10f64.powf(p) as usize + 1,
            (None, None) => 1,
        };
        if quick {
            self.quick_iterations.unwrap_or((n / 10).max(1))
        } else {
            n
        }
    }
}

/// One run of an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Short name (the `run` column).
    pub name: String,
    /// Legend label (default: the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Algorithm for this run (default: the training section's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<Algorithm>,
    /// Step-size schedule.
    pub schedule: ScheduleSpec,
}
