//! The memory bound of a config (by the field that drives each term) against this machine's
//! memory: the loader refuses a config that would not fit.

use super::bytes::bytes;
use super::{DataSpec, ExperimentConfig, ModelSpec};

/// Parameters of a ReLU net `d → hidden… → 1` with biases (an upper bound).
fn widths_params(d: usize, hidden: &[usize]) -> f64 {
    let mut w = vec![d as f64];
    w.extend(hidden.iter().map(|&h| h as f64));
    w.push(1.0);
    w.windows(2).map(|p| p[0] * p[1] + p[1]).sum()
}

/// Physical memory of this machine in bytes (`/proc/meminfo`; 16 GiB where unknown).
pub fn machine_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            let line = m.lines().find(|l| l.starts_with("MemTotal:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(16 << 30, |kib| kib * 1024)
}

impl ExperimentConfig {
    /// Estimated peak memory (bytes) of a run of this config, by the field that drives each
    /// term (8 bytes a number; J = runs × seeds jobs, T = min(threads, J) at once, P parameters,
    /// W the widest layer, G = grid_points + min(grid_dense, N) rows per job):
    /// the dataset 8·(n + n_test + points)·(d + 1) (file data: [`crate::data::csv::load_memory`],
    /// 32 bytes a number and 97 a row, counted from the file; once per seed with `vary_data`); the
    /// parameters and buffers 8·P·(6J + 4T) + 8·(n + points)·W·T; the rank Jacobian and its SVD
    /// 24·points·P·T; the sparsity features 8·(n·W + W²)·T; the rows G·J·(80 + 8·columns); the
    /// snapshots 8·G·J·P. The loader refuses a config whose sum exceeds this machine's memory.
    pub fn memory_estimate(&self) -> Vec<(&'static str, f64)> {
        let f = |v: usize| v as f64;
        let dim = f(self.data.dim());
        let rank_points = f(self.metrics.jacobian_rank.map_or(0, |r| r.points));
        let (n, n_test) = match self.data {
            DataSpec::SparseRegression { n, n_test, .. } | DataSpec::Teacher { n, n_test, .. } => (f(n), f(n_test)),
            DataSpec::Relu1d { .. } => (12.0, 0.0),
            // File data: at most one row per 2·(d + 1) bytes (for the activation terms; the
            // data itself is measured against the file size below).
            DataSpec::Csv(ref c) => {
                let bytes = std::fs::metadata(&c.train).map_or(0.0, |m| m.len() as f64);
                (bytes / 2.0 / (dim + 1.0), 0.0)
            }
        };
        let copies = if self.training.vary_data { f(self.training.seeds) } else { 1.0 };
        let data = match self.data {
            DataSpec::Csv(ref c) => {
                crate::data::csv::load_memory(c) * copies + 8.0 * rank_points * (dim + 1.0) * copies
            }
            _ => 8.0 * (n + n_test + rank_points) * (dim + 1.0) * copies,
        };
        let teacher = match &self.data {
            DataSpec::Teacher { d, hidden, .. } => 8.0 * widths_params(*d, hidden),
            _ => 0.0,
        };
        let (params, widest) = match &self.model {
            // No hidden activations: the gradient is elementwise in (u, v).
            ModelSpec::Diagonal { .. } => (2.0 * dim, 0.0),
            ModelSpec::ReluMlp { hidden, .. } => {
                (widths_params(self.data.dim(), hidden), hidden.iter().copied().max().map_or(0.0, f))
            }
        };
        let jobs = f(self.runs.len()) * f(self.training.seeds);
        let threads = f(rayon::current_num_threads()).min(jobs);
        // θ, θ₀, θ_final, gradient, optimizer and activation buffers per job.
        let model = 8.0 * params * (6.0 * jobs + 4.0 * threads) + 8.0 * (n + rank_points) * widest * threads;
        let jacobian = 8.0 * 3.0 * rank_points * params * threads;
        let features =
            self.metrics.feature_sparsity.as_ref().map_or(0.0, |_| 8.0 * (n * widest + widest * widest) * threads);
        let total = self.training.total(false) as f64;
        let rows_per_job = f(self.metrics.grid_points) + f(self.metrics.grid_dense).min(total);
        let rows = rows_per_job * jobs * (80.0 + 8.0 * f(self.metrics.columns().len()));
        let snapshots = if self.training.snapshots { rows_per_job * jobs * 8.0 * params } else { 0.0 };
        let size_field = match self.data {
            DataSpec::SparseRegression { .. } | DataSpec::Teacher { .. } => "data.n",
            DataSpec::Relu1d { .. } => "metrics.jacobian_rank.points",
            DataSpec::Csv(_) => "data.train",
        };
        let width_field = match self.model {
            ModelSpec::Diagonal { .. } => "data.d",
            ModelSpec::ReluMlp { .. } => "model.hidden",
        };
        vec![
            (size_field, data),
            ("data.hidden", teacher),
            (width_field, model),
            ("metrics.jacobian_rank.points", jacobian),
            // The features and their correlations grow with the width.
            (width_field, features),
            ("metrics.grid_points", rows),
            ("training.snapshots", snapshots),
        ]
    }

    pub(super) fn check_memory(&self) -> Result<(), (String, String)> {
        let terms = self.memory_estimate();
        let total: f64 = terms.iter().map(|(_, b)| b).sum();
        let limit = machine_memory() as f64;
        if total <= limit {
            return Ok(());
        }
        let (field, biggest) = terms.iter().copied().fold(("", 0.0), |a, b| if b.1 > a.1 { b } else { a });
        Err((
            field.into(),
            format!(
                "the run needs about {} of memory ({} from this field); this machine has {}",
                bytes(total),
                bytes(biggest),
                bytes(limit)
            ),
        ))
    }
}
