//! Experiments: the runs × seeds of a configuration, their outputs and their figure.
//!
//! [`run`] is the one generic path: it draws each seed's dataset once, trains every run on it
//! (in parallel over runs and seeds; each job has its own seeded stream, so results do not
//! depend on the thread count), streams each job's rows to a part file, then writes
//! `metrics.csv`, `summary.csv` (and `aggregate.csv` over seeds), `config.toml` and the figure,
//! each atomically.

pub mod figure;
pub mod registry;
mod summary;
mod train;

pub use summary::{aggregate_table, summary_table, Aggregate};
pub use train::train;

use crate::config::ExperimentConfig;
use crate::data::Dataset;
use crate::metrics::log_grid;
use crate::record::{Recorder, RunLog};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Options of one invocation.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Output folder.
    pub out: PathBuf,
    /// First seed offset (added to the config's data and training seeds).
    pub seed: u64,
    /// Number of seeds K (offsets seed, seed + 1, …).
    pub seeds: usize,
    /// Also vary the data seed with the seed offset (default: only the training stream —
    /// SGD indices and initialization — varies, on the config's dataset).
    pub vary_data: bool,
    /// Reduced run length (`--quick`).
    pub quick: bool,
    /// Show a progress bar.
    pub progress: bool,
    /// Write the figure (PNG + SVG).
    pub plot: bool,
}

impl RunOptions {
    /// Defaults: one seed, full size, no progress bar, figure written.
    pub fn new(out: impl Into<PathBuf>) -> Self {
        Self { out: out.into(), seed: 0, seeds: 1, vary_data: false, quick: false, progress: false, plot: true }
    }
}

/// What an experiment produced.
pub struct Outcome {
    /// The effective configuration.
    pub config: ExperimentConfig,
    /// The dataset of each seed.
    pub datasets: Vec<Arc<Dataset>>,
    /// One log per (seed, run), seed-major.
    pub logs: Vec<RunLog>,
    /// Extra metric columns.
    pub columns: Vec<String>,
    /// Run length N.
    pub total: usize,
    /// The logging grid.
    pub grid: Vec<usize>,
    /// Output folder.
    pub out: PathBuf,
}

impl Outcome {
    /// Logs of seed index `k` (one per run, in config order).
    pub fn seed_logs(&self, k: usize) -> &[RunLog] {
        let r = self.config.runs.len();
        &self.logs[k * r..(k + 1) * r]
    }
    /// Index of a metric column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
    /// One warning per seed whose training labels are nearly constant (see
    /// [`Dataset::degenerate_labels`]), naming the experiment and the seed offset.
    pub fn data_warnings(&self) -> Vec<String> {
        let seeds = self.logs.iter().step_by(self.config.runs.len().max(1)).map(|l| l.seed);
        seeds
            .zip(&self.datasets)
            .filter_map(|(s, d)| d.degenerate_labels().map(|w| format!("{}: seed {s}: {w}", self.config.name)))
            .collect()
    }
    /// Runs that diverged, as (run, seed, iteration).
    pub fn diverged(&self) -> Vec<(String, u64, usize)> {
        self.logs.iter().filter_map(|l| l.diverged_at.map(|t| (l.run.clone(), l.seed, t))).collect()
    }
}

/// The dataset of each seed offset: drawn from the config's data seed, plus the offset when
/// `vary_data` (otherwise every seed shares the config's dataset), with the rank points the
/// metrics need.
pub fn datasets(cfg: &ExperimentConfig, seeds: &[u64], vary_data: bool) -> Vec<Arc<Dataset>> {
    let rank_points = cfg.metrics.jacobian_rank.map_or(0, |r| r.points);
    seeds
        .iter()
        .map(|s| {
            let data_seed = cfg.data.seed() + if vary_data { *s } else { 0 };
            Arc::new(cfg.data.generate_in(cfg.model.precision(), cfg.rng.source(data_seed).as_mut(), rank_points))
        })
        .collect()
}

/// Runs every run of `cfg` over `opts.seeds` seeds and writes the outputs into `opts.out`.
pub fn run(cfg: &ExperimentConfig, opts: &RunOptions) -> Result<Outcome> {
    // Runs are parallel; each SVD is small: threads inside faer only slow it down (DESIGN §7).
    faer::set_global_parallelism(faer::Par::Seq);
    let total = cfg.training.total(opts.quick);
    let grid = log_grid(total, cfg.metrics.grid_dense, cfg.metrics.grid_points);
    let seeds: Vec<u64> = (0..opts.seeds.max(1) as u64).map(|k| opts.seed + k).collect();
    let datasets = datasets(cfg, &seeds, opts.vary_data);
    for (s, d) in seeds.iter().zip(&datasets) {
        if let Some(w) = d.degenerate_labels() {
            eprintln!("warning: {}: seed {s}: {w}", cfg.name);
        }
    }
    let model = cfg.model.build(cfg.data.dim());
    std::fs::create_dir_all(&opts.out).with_context(|| format!("creating {}", opts.out.display()))?;
    let parts = opts.out.join(".parts");
    std::fs::create_dir_all(&parts)?;

    let jobs: Vec<(usize, usize)> = (0..seeds.len()).flat_map(|k| (0..cfg.runs.len()).map(move |r| (k, r))).collect();
    let bar = if opts.progress {
        let b = ProgressBar::new((jobs.len() * total) as u64);
        b.set_style(
            ProgressStyle::with_template("{msg} [{elapsed_precise}] {wide_bar} {percent}% eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b.set_message(cfg.name.clone());
        b
    } else {
        ProgressBar::hidden()
    };
    let logs: Vec<RunLog> = jobs
        .par_iter()
        .enumerate()
        .map(|(j, &(k, r))| -> Result<RunLog> {
            let spec = &cfg.runs[r];
            let data = &datasets[k];
            let schedule = spec.schedule.build(total);
            let mut rng = cfg.rng.source(cfg.training.seed + seeds[k]);
            let mut theta = model.init(rng.as_mut());
            let log = RunLog {
                run: spec.name.clone(),
                label: spec.label.clone().unwrap_or_else(|| spec.name.clone()),
                seed: seeds[k],
                initial: theta.clone(),
                large_phase_end: schedule.large_phase_end(total),
                total,
                ..Default::default()
            };
            let file = std::fs::File::create(parts.join(format!("{j}.csv")))?;
            let sink: Box<dyn Write + Send> = Box::new(std::io::BufWriter::new(file));
            let mut rec = Recorder::new(&cfg.metrics, cfg.training.loss, sink, cfg.training.snapshots, log);
            let mut opt = cfg.optimizer(spec);
            let tick = |n: u64| bar.inc(n);
            train(
                model.as_ref(),
                data,
                opt.as_mut(),
                schedule.as_ref(),
                total,
                &grid,
                &mut theta,
                &mut rec,
                rng.as_mut(),
                &tick,
            )?;
            rec.finish()
        })
        .collect::<Result<_>>()?;
    bar.finish_and_clear();

    let columns = cfg.metrics.columns();
    merge_parts(&parts, jobs.len(), &Recorder::header(&cfg.metrics), &opts.out.join("metrics.csv"))?;
    std::fs::remove_dir_all(&parts).ok();
    let outcome = Outcome { config: cfg.clone(), datasets, logs, columns, total, grid, out: opts.out.clone() };
    summary_table(&outcome).write(&opts.out.join("summary.csv"))?;
    if seeds.len() > 1 {
        aggregate_table(&outcome).write(&opts.out.join("aggregate.csv"))?;
    }
    crate::output::atomic_write(&opts.out.join("config.toml"), cfg.to_toml().as_bytes())?;
    if opts.plot {
        for (stem, fig) in figure::figures(&outcome)? {
            fig.render(&opts.out.join(stem))?;
        }
    }
    Ok(outcome)
}

/// Concatenates the part files in job order under one header into `dest`, atomically.
fn merge_parts(parts: &Path, n: usize, header: &[String], dest: &Path) -> Result<()> {
    crate::output::atomic_write_with(dest, |w| {
        writeln!(w, "{}", header.join(","))?;
        for j in 0..n {
            let mut f = std::fs::File::open(parts.join(format!("{j}.csv")))?;
            std::io::copy(&mut f, w)?;
        }
        Ok(())
    })
}
