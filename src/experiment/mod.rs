//! Experiments: the runs × seeds of a configuration, their outputs and their figure.
//!
//! [`simulate`] is the one generic path: it draws each seed's dataset once and trains every run
//! on it, as one [`Job`] per (seed, run), in parallel (each job has its own seeded stream, so
//! results do not depend on the thread count), and returns the [`Outcome`] in memory. [`write`]
//! writes an outcome as one whole result set (`metrics.csv`, `summary.csv`, `aggregate.csv` over
//! seeds, `config.toml`, `run.json`, the figure); [`run`] is the two in turn.

pub mod fig8;
pub mod figure;
mod job;
pub mod registry;
mod summary;
mod train;

pub use job::Job;
pub use summary::{aggregate_table, diverged, status, summary_table, Aggregate};
pub(crate) use summary::{finals as summary_finals, value_names as summary_value_names};
pub use train::train;

use crate::config::ExperimentConfig;
use crate::data::Dataset;
use crate::metrics::{log_grid, Column};
use crate::model::Model;
use crate::output::OutputDir;
use crate::record::{Recorder, RunLog};
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::path::PathBuf;
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
    /// The effective configuration's TOML (what `config.toml` holds).
    pub config_text: String,
    /// When and how the computation started (written as `run.json`).
    pub provenance: Option<crate::provenance::Provenance>,
}

impl Outcome {
    /// Logs of seed index `k` (one per run, in config order).
    pub fn seed_logs(&self, k: usize) -> &[RunLog] {
        let r = self.config.runs.len();
        &self.logs[k * r..(k + 1) * r]
    }
    /// Index of the run named `name` in the config's runs.
    pub fn run_index(&self, name: &str) -> Option<usize> {
        self.config.runs.iter().position(|r| r.name == name)
    }
    /// Index of a metric column.
    pub fn column(&self, column: Column) -> Option<usize> {
        let name = column.name();
        self.columns.iter().position(|c| *c == name)
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
    /// Runs that diverged or failed, as (run, seed, iteration); [`failures`](Self::failures)
    /// says which were failed evaluations.
    pub fn diverged(&self) -> Vec<(String, u64, usize)> {
        self.logs.iter().filter_map(|l| l.diverged_at.map(|t| (l.run.clone(), l.seed, t))).collect()
    }
    /// Runs stopped by a failed metric evaluation (an SVD that did not converge, NaN singular
    /// values), as (run, seed, iteration, error).
    pub fn failures(&self) -> Vec<(String, u64, usize, String)> {
        self.logs.iter().filter_map(|l| Some((l.run.clone(), l.seed, l.diverged_at?, l.failure.clone()?))).collect()
    }
}

/// The dataset of each seed offset: drawn from the config's data seed, plus the offset when
/// `vary_data` (otherwise every seed shares the one dataset of the config's data seed, drawn
/// once: memory does not grow with the number of seeds), with the rank points the metrics need.
pub fn datasets(cfg: &ExperimentConfig, seeds: &[u64], vary_data: bool) -> Result<Vec<Arc<Dataset>>> {
    let rank_points = cfg.metrics.jacobian_rank.map_or(0, |r| r.points);
    let draw = |offset: u64| -> Result<Arc<Dataset>> {
        let data_seed = cfg.data.seed().wrapping_add(offset);
        Ok(Arc::new(cfg.data.generate_in(cfg.model.precision(), cfg.rng.source(data_seed).as_mut(), rank_points)?))
    };
    if vary_data {
        seeds.iter().map(|s| draw(*s)).collect()
    } else {
        let shared = draw(0)?;
        Ok(seeds.iter().map(|_| Arc::clone(&shared)).collect())
    }
}

/// The seed offsets of `opts`: `seed, seed + 1, …` (`seeds` of them, at least one); see
/// [`check_seed_offsets`] for offsets that would pass 2⁶⁴ − 1 (they wrap here).
pub fn seed_offsets(opts: &RunOptions) -> Vec<u64> {
    (0..opts.seeds.max(1) as u64).map(|k| opts.seed.wrapping_add(k)).collect()
}

/// An error when the seed offsets `seed + k`, k < `seeds`, would pass 2⁶⁴ − 1 (they used to
/// wrap to 0 silently).
pub fn check_seed_offsets(opts: &RunOptions) -> Result<()> {
    let k = opts.seeds.max(1) as u64;
    if opts.seed.checked_add(k - 1).is_none() {
        anyhow::bail!("--seed {} with --seeds {k}: the seed offsets overflow 2^64 − 1", opts.seed);
    }
    Ok(())
}

/// The configuration that reproduces this invocation when run without flags: `--seed`,
/// `--seeds`, `--vary-data` are recorded in `[training]` (`first_seed`, `seeds`, `vary_data`),
/// and `--quick` is resolved into `iterations` (and `quick_iterations`, the same N).
pub fn effective_config(cfg: &ExperimentConfig, opts: &RunOptions) -> ExperimentConfig {
    let mut c = cfg.clone();
    let t = &mut c.training;
    let n = cfg.training.total(opts.quick);
    t.iterations = Some(n);
    t.iterations_log10 = None;
    // The same N with or without `--quick`.
    t.quick_iterations = Some(n);
    t.first_seed = opts.seed;
    t.seeds = opts.seeds.max(1);
    t.vary_data = opts.vary_data;
    c
}

/// Runs every run of `cfg` over `opts.seeds` seeds and writes the outputs into `opts.out`:
/// `metrics.csv`, `summary.csv`, `aggregate.csv` (K ≥ 2 seeds), `config.toml`, `run.json` and
/// the figure (docs/DESIGN.md §2): [`simulate`] then [`write`].
///
/// The output folder is locked for the whole call and replaced as a whole at the end; on any
/// error the previous contents of `opts.out` are left as they were.
///
/// ```no_run
/// use largestep::config::ExperimentConfig;
/// use largestep::experiment::{run, RunOptions};
///
/// let cfg = ExperimentConfig::load("experiments/fig2.toml".as_ref())?;
/// let mut opts = RunOptions::new("results/fig2");
/// opts.seeds = 5;
/// let outcome = run(&cfg, &opts)?;
/// println!("{} runs × seeds, N = {}", outcome.logs.len(), outcome.total);
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn run(cfg: &ExperimentConfig, opts: &RunOptions) -> Result<Outcome> {
    check_seed_offsets(opts)?;
    let datasets = datasets(cfg, &seed_offsets(opts), opts.vary_data)?;
    run_on_datasets(cfg, datasets, opts)
}

/// As [`run`], on datasets you provide (one per seed offset, in order, or one shared by every
/// seed), with the same outputs; `cfg.data` is only recorded. The model is built for the
/// inputs' dimension (docs/DESIGN.md §8).
///
/// ```
/// use largestep::config::ExperimentConfig;
/// use largestep::experiment::{datasets, registry, run_on_datasets, RunOptions};
///
/// // Fig. 3's config, shortened to 200 iterations.
/// let text = registry::get("fig3").unwrap()?.to_toml();
/// let cfg = ExperimentConfig::parse_with_overrides(&text, "fig3", &["training.iterations=200".into()])?;
/// let data = datasets(&cfg, &[0], false)?; // or datasets of your own
/// let dir = tempfile::tempdir()?;
/// let mut opts = RunOptions::new(dir.path());
/// opts.plot = false;
/// let outcome = run_on_datasets(&cfg, data, &opts)?;
/// assert_eq!(outcome.total, 200);
/// assert!(dir.path().join("summary.csv").exists() && dir.path().join("run.json").exists());
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn run_on_datasets(cfg: &ExperimentConfig, datasets: Vec<Arc<Dataset>>, opts: &RunOptions) -> Result<Outcome> {
    // Lock the folder before computing, so that a second run into it refuses at once.
    let dir = OutputDir::begin(&opts.out)?;
    let outcome = simulate_on_datasets(cfg, datasets, opts)?;
    write_into(&outcome, opts, dir)?;
    Ok(outcome)
}

/// Every run of `cfg` over `opts.seeds` seeds, in memory: nothing is written (`opts.out` is only
/// recorded in the outcome). The claims, sweeps and the report compute through this.
pub fn simulate(cfg: &ExperimentConfig, opts: &RunOptions) -> Result<Outcome> {
    check_seed_offsets(opts)?;
    let datasets = datasets(cfg, &seed_offsets(opts), opts.vary_data)?;
    simulate_on_datasets(cfg, datasets, opts)
}

/// As [`simulate`], on datasets you provide (see [`run_on_datasets`]), with the config's model.
pub fn simulate_on_datasets(cfg: &ExperimentConfig, datasets: Vec<Arc<Dataset>>, opts: &RunOptions) -> Result<Outcome> {
    let dim = datasets.first().map_or(0, |d| d.x.dim());
    let model = cfg.model.build(dim);
    simulate_model(cfg, model.as_ref(), datasets, opts)
}

/// As [`simulate_on_datasets`] with any [`Model`] of yours (the config's `[model]` is only
/// recorded): every run of `cfg` over the seeds, with the config's schedules, optimizer,
/// metrics and random stream.
pub fn simulate_model(
    cfg: &ExperimentConfig,
    model: &dyn Model,
    datasets: Vec<Arc<Dataset>>,
    opts: &RunOptions,
) -> Result<Outcome> {
    check_seed_offsets(opts)?;
    let seeds = seed_offsets(opts);
    let datasets = match datasets.len() {
        1 => vec![datasets[0].clone(); seeds.len()],
        n if n == seeds.len() => datasets,
        n => anyhow::bail!("run_on_datasets: {n} datasets for {} seeds (give one, or one per seed)", seeds.len()),
    };
    let dim = datasets[0].x.dim();
    if let Some(k) = datasets.iter().position(|d| d.x.dim() != dim || d.x_test.dim() != dim || d.is_empty()) {
        anyhow::bail!("run_on_datasets: dataset {k} is empty or its input dimension differs from {dim}");
    }
    for (s, d) in seeds.iter().zip(&datasets) {
        if let Some(w) = d.degenerate_labels() {
            eprintln!("warning: {}: seed {s}: {w}", cfg.name);
        }
        if let Some(w) = summary::rank_points_of(cfg, d).and_then(|r| r.shortfall(model.num_params())) {
            eprintln!("warning: {}: seed {s}: {w}", cfg.name);
        }
    }
    let flags = [("quick", opts.quick), ("vary_data", opts.vary_data)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let config_text = effective_config(cfg, opts).to_toml();
    let provenance = crate::provenance::Provenance::start(&cfg.name, &config_text, seeds.clone(), flags);
    // Runs are parallel; each SVD is small: threads inside faer only slow it down (docs/DESIGN.md §7).
    faer::set_global_parallelism(faer::Par::Seq);
    let total = cfg.training.total(opts.quick);
    let grid = log_grid(total, cfg.metrics.grid_dense, cfg.metrics.grid_points);

    let prepared = crate::metrics::Prepared::per_dataset(&datasets);
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
        .map(|&(k, r)| -> Result<RunLog> {
            let job = Job { cfg, model, data: &prepared[k], grid: &grid, total, stop: total, seed: seeds[k] };
            let mut opt = cfg.optimizer(&cfg.runs[r]);
            job.run(r, opt.as_mut(), &|n: u64| bar.inc(n))
        })
        .collect::<Result<_>>()?;
    bar.finish_and_clear();
    let columns = cfg.metrics.columns();
    Ok(Outcome {
        config: cfg.clone(),
        datasets,
        logs,
        columns,
        total,
        grid,
        out: opts.out.clone(),
        config_text,
        provenance: Some(provenance),
    })
}

/// Writes an outcome as one whole result set into `opts.out` (`metrics.csv`, `summary.csv`,
/// `aggregate.csv` with K ≥ 2 seeds, `config.toml`, `run.json`, the figure when `opts.plot`):
/// built in a staging folder and swapped in atomically.
pub fn write(outcome: &Outcome, opts: &RunOptions) -> Result<()> {
    let dir = OutputDir::begin(&opts.out)?;
    write_into(outcome, opts, dir)
}

fn write_into(outcome: &Outcome, opts: &RunOptions, dir: OutputDir) -> Result<()> {
    let stage = dir.staging().to_path_buf();
    let cfg = &outcome.config;
    crate::output::atomic_write_with(&stage.join("metrics.csv"), |w| {
        writeln!(w, "{}", Recorder::header(&cfg.metrics).join(","))?;
        for log in &outcome.logs {
            crate::record::write_rows(log, w)?;
        }
        Ok(())
    })?;
    summary_table(outcome).write(&stage.join("summary.csv"))?;
    if outcome.datasets.len() > 1 {
        aggregate_table(outcome).write(&stage.join("aggregate.csv"))?;
    }
    crate::output::atomic_write(&stage.join("config.toml"), outcome.config_text.as_bytes())?;
    if opts.plot {
        figure::write(outcome, &stage, &crate::plot::PlotOptions::default())?;
    }
    match &outcome.provenance {
        Some(p) => {
            p.clone().finish(&stage)?;
        }
        None => {
            let seeds = outcome.logs.iter().step_by(cfg.runs.len().max(1)).map(|l| l.seed).collect();
            crate::provenance::Provenance::start(&cfg.name, &outcome.config_text, seeds, Default::default())
                .finish(&stage)?;
        }
    }
    dir.commit()?;
    Ok(())
}
