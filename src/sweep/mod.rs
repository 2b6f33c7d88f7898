//! Sweeps: a configuration over a grid of field values × seeds, with each outcome as a rate.
//!
//! The paper's small-model figures sit at the edge of divergence, so their outcomes are chaotic
//! in the seed; a sweep turns each of them into a rate k/n with its Wilson 95 % interval
//! (`largestep_theory::verdict::wilson_interval`). For every cell of the [`grid::Grid`] (the base
//! config with that cell's [`crate::overrides`]) the experiment runs over K seeds through the one
//! generic path [`crate::experiment::simulate`] (in memory); the sweep records
//!
//! * `runs.csv` — one row per cell, run and seed: diverged, fits, the final values;
//! * `seeds.csv` — one row per cell and seed: O1–O3 decided on that seed
//!   ([`observations`]; empty = undecided because a compared run diverged);
//! * `cells.csv`, `observations.csv`, `phase.png`/`.svg` — computed from the two files above
//!   ([`tables::summarize`], [`plot`]);
//! * `grid.json` (the grid and options) and `config.toml` (the base config).
//!
//! `--shard I/N` runs the cells ≡ I (mod N) and writes only `runs.csv`, `seeds.csv`, `grid.json`,
//! `config.toml` and `shard.json`; [`merge()`] checks every row of the shards against the grid
//! ([`merge`] module doc), concatenates them in cell order and summarizes: the result is
//! byte-identical to the unsharded sweep (each cell's runs are seeded by the cell's config and
//! the seed alone, never by the shard or the thread count).
//!
//! Every output folder is written as a whole ([`crate::output::OutputDir`]): a second sweep
//! into the same folder refuses, a killed one leaves the previous set. Each finished cell is
//! also kept in the folder's resume state ([`resume`]): a sweep rerun after a kill reuses the
//! cells whose inputs (the cell's effective config, its data file, the seeds and options, the
//! binary) hash to the same key, and writes the same bytes as an uninterrupted sweep.

pub mod grid;
pub mod merge;
pub mod observations;
pub mod plot;
pub mod resume;
pub mod tables;

pub use grid::{Axis, Grid, Shard};
pub use merge::merge;
pub use observations::ObservationSpec;

use crate::config::ExperimentConfig;
use crate::experiment::{self, diverged, RunOptions};
use crate::output::{atomic_write, fmt_f64, OutputDir};
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tables::{flag_text, Text};

/// The base configuration of a sweep: its TOML text, where it came from, and the `--set`
/// overrides applied to it before each cell's own.
#[derive(Debug, Clone)]
pub struct Base {
    /// TOML text.
    pub text: String,
    /// Source named in errors (`experiments/fig2.toml (embedded)` or a path).
    pub file: String,
    /// The folder relative paths of the config (its data files) are taken from: the config
    /// file's folder (`None` for an embedded figure).
    pub dir: Option<PathBuf>,
    /// `--set KEY=VALUE` overrides of the base, applied before the grid's.
    pub set: Vec<String>,
}

impl Base {
    /// An embedded figure (`largestep list`) or a TOML file.
    pub fn resolve(name: &str) -> Result<Self> {
        if let Some((n, text)) = experiment::registry::EMBEDDED.iter().find(|(n, _)| *n == name) {
            return Ok(Self {
                text: text.to_string(),
                file: format!("experiments/{n}.toml (embedded)"),
                dir: None,
                set: Vec::new(),
            });
        }
        let path = Path::new(name);
        if path.exists() {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {name}"))?;
            let dir = Some(path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf());
            return Ok(Self { text, file: name.to_string(), dir, set: Vec::new() });
        }
        bail!("`{name}` is neither an embedded figure ({}) nor a config file", experiment::registry::names().join(", "))
    }

    /// The base with `--set` overrides.
    pub fn with_set(mut self, set: &[String]) -> Self {
        self.set = set.to_vec();
        self
    }

    /// The config of one cell: the base with the `--set` overrides and then `overrides`,
    /// validated, its data paths taken relative to the config file.
    pub fn config(&self, overrides: &[String]) -> Result<ExperimentConfig> {
        let all: Vec<String> = self.set.iter().chain(overrides).cloned().collect();
        ExperimentConfig::parse_in(&self.text, &self.file, &all, self.dir.as_deref()).map_err(|e| anyhow!("{e}"))
    }
}

/// Hex SHA-256 (first 32 digits) of the length-prefixed parts.
pub(crate) fn digest(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The digest of a cell's inputs: its effective config (`to_toml`), the bytes of its data
/// files (each file hashed once per sweep, through `files`), and the sweep options that change
/// its rows.
fn cell_digest(
    cfg: &ExperimentConfig,
    plan_opts: &str,
    files: &mut std::collections::HashMap<PathBuf, String>,
) -> Result<String> {
    let mut data = Vec::new();
    if let crate::config::DataSpec::Csv(f) = &cfg.data {
        for p in std::iter::once(&f.train).chain(f.test.as_ref()) {
            if !files.contains_key(p) {
                let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
                files.insert(p.clone(), digest(&[&bytes]));
            }
            data.push(files[p].clone());
        }
    }
    Ok(digest(&[cfg.to_toml().as_bytes(), data.join(",").as_bytes(), plan_opts.as_bytes()]))
}

/// What identifies a sweep (written as `grid.json`; shards of one sweep carry the same).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Experiment name of the base config.
    pub name: String,
    /// The axes: (name, keys, values).
    pub axes: Vec<(String, Vec<String>, Vec<String>)>,
    /// First seed offset.
    pub seed: u64,
    /// Seeds per cell.
    pub seeds: usize,
    /// Data seed varies with the seed offset.
    pub vary_data: bool,
    /// Reduced run length.
    pub quick: bool,
    /// Ordered runs of O1–O3 (names).
    pub order: Vec<String>,
    /// Fit threshold.
    pub fit_below: f64,
    /// The `--set` overrides of the base config.
    #[serde(default)]
    pub set: Vec<String>,
    /// The runs of every cell (names, in order).
    #[serde(default)]
    pub runs: Vec<String>,
    /// Digest of the effective base config (`config.toml`, after `--set`).
    #[serde(default)]
    pub base: String,
    /// Digest of each cell's inputs (its effective config, data files and the options above).
    #[serde(default)]
    pub cells: Vec<String>,
}

impl Plan {
    /// The grid of the plan, checked like a parsed one (non-empty axes, a size that neither
    /// overflows nor exceeds the limit).
    pub fn grid(&self) -> Result<Grid> {
        Grid::new(
            self.axes
                .iter()
                .map(|(name, keys, values)| Axis { name: name.clone(), keys: keys.clone(), values: values.clone() })
                .collect(),
        )
    }

    /// The options that change a cell's rows, as text for [`cell_digest`].
    fn options_text(&self) -> String {
        format!(
            "seed={} seeds={} vary_data={} quick={} order={:?} fit_below={:?}",
            self.seed, self.seeds, self.vary_data, self.quick, self.order, self.fit_below
        )
    }
}

/// Options of a sweep.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// Output folder.
    pub out: PathBuf,
    /// First seed offset.
    pub seed: u64,
    /// Seeds per cell (K).
    pub seeds: usize,
    /// Vary the data seed with the seed offset.
    pub vary_data: bool,
    /// Reduced run length.
    pub quick: bool,
    /// Which part of the cells to run.
    pub shard: Shard,
    /// Ordered runs of O1–O3 (None: default, see [`ObservationSpec::new`]).
    pub order: Option<Vec<String>>,
    /// Fit threshold on the final train loss.
    pub fit_below: f64,
    /// Print one line per finished cell.
    pub progress: bool,
}

/// Runs the cells of `opts.shard` and writes the outputs (module doc) as one set. Every cell's
/// config is validated before anything runs, so a bad field or value stops the sweep at once.
pub fn run(base: &Base, grid: &Grid, opts: &SweepOptions) -> Result<Plan> {
    let configs: Vec<ExperimentConfig> =
        (0..grid.len()).map(|c| base.config(&grid.overrides(c))).collect::<Result<_>>()?;
    let first = &configs[0];
    let run_names: Vec<String> = first.runs.iter().map(|r| r.name.clone()).collect();
    if let Some(c) = configs.iter().find(|c| c.runs.iter().map(|r| &r.name).ne(run_names.iter())) {
        bail!("--vary: the cells must keep the base config's runs ({}), got {}", run_names.join(", "), c.runs.len());
    }
    let spec = ObservationSpec::new(&run_names, opts.order.as_deref(), opts.fit_below)?;
    let base_cfg = base.config(&[])?;
    let mut plan = Plan {
        name: first.name.clone(),
        axes: grid.axes.iter().map(|a| (a.name.clone(), a.keys.clone(), a.values.clone())).collect(),
        seed: opts.seed,
        seeds: opts.seeds.max(1),
        vary_data: opts.vary_data,
        quick: opts.quick,
        order: spec.order.iter().map(|&i| run_names[i].clone()).collect(),
        fit_below: opts.fit_below,
        set: base.set.clone(),
        runs: run_names.clone(),
        base: digest(&[base_cfg.to_toml().as_bytes()]),
        cells: Vec::new(),
    };
    let options = plan.options_text();
    let mut files = std::collections::HashMap::new();
    plan.cells = configs.iter().map(|c| cell_digest(c, &options, &mut files)).collect::<Result<_>>()?;
    let cells = opts.shard.cells(grid.len());
    if cells.is_empty() {
        bail!("shard {} of a {}-cell grid has no cell", opts.shard, grid.len());
    }

    let dir = OutputDir::begin(&opts.out)?;
    let store = resume::Store::new(dir.resume_dir()?);
    let scratch = tempfile::tempdir_in(dir.staging()).context("creating a scratch folder")?;
    let mut runs = Text::default();
    let mut seeds = Text::default();
    for &cell in &cells {
        let key = resume::key(&plan.cells[cell]);
        let rows = match store.load(cell, &key) {
            Some(rows) => {
                if opts.progress {
                    eprintln!("cell {cell} [{}]: reused (inputs unchanged)", grid.values(cell).join(", "));
                }
                rows
            }
            None => {
                let rows = run_cell(&configs[cell], cell, grid, &spec, &plan, scratch.path(), opts.progress)?;
                store.save(cell, &key, &rows)?;
                rows
            }
        };
        for (acc, t, file) in [(&mut runs, rows.runs, "runs.csv"), (&mut seeds, rows.seeds, "seeds.csv")] {
            if acc.header.is_empty() {
                acc.header = t.header;
            } else if acc.header != t.header {
                bail!("cell {cell}: the columns of its {file} rows differ from the first cell's");
            }
            acc.rows.extend(t.rows);
        }
    }
    drop(scratch);
    let out = dir.staging();
    runs.table().write(&out.join("runs.csv"))?;
    seeds.table().write(&out.join("seeds.csv"))?;
    write_plan(out, &plan, &base_cfg)?;
    if opts.shard == Shard::ALL {
        finish(out, &plan)?;
    } else {
        atomic_write(
            &out.join("shard.json"),
            serde_json::to_string(&(opts.shard.index, opts.shard.count))?.as_bytes(),
        )?;
    }
    dir.commit()?;
    Ok(plan)
}

/// Runs one cell's experiment over the seeds and returns its rows of `runs.csv` and `seeds.csv`.
fn run_cell(
    cfg: &ExperimentConfig,
    cell: usize,
    grid: &Grid,
    spec: &ObservationSpec,
    plan: &Plan,
    scratch: &Path,
    progress: bool,
) -> Result<resume::CellRows> {
    let mut ro = RunOptions::new(scratch.join(cell.to_string()));
    ro.seed = plan.seed;
    ro.seeds = plan.seeds;
    ro.vary_data = plan.vary_data;
    ro.quick = plan.quick;
    ro.plot = false;
    // In memory: a cell writes only its rows (the sweep's files are written as one set).
    let o = experiment::simulate(cfg, &ro)?;
    let lead: Vec<String> = std::iter::once(cell.to_string()).chain(grid.values(cell)).collect();
    let mut h = vec!["cell".to_string()];
    h.extend(grid.axes.iter().map(|a| a.name.clone()));
    h.extend(["run", "seed", "diverged", "diverged_at", "fits"].map(String::from));
    h.extend(experiment::summary_value_names(&o));
    let mut runs = Text { header: h, rows: Vec::new() };
    for log in &o.logs {
        let mut row = lead.clone();
        row.extend([
            log.run.clone(),
            log.seed.to_string(),
            flag_text(Some(diverged(log))),
            log.diverged_at.map(|t| t.to_string()).unwrap_or_default(),
            flag_text(observations::fits(log, spec)),
        ]);
        row.extend(experiment::summary_finals(&o, log).into_iter().map(fmt_f64));
        runs.rows.push(row);
    }
    let mut h = vec!["cell".to_string()];
    h.extend(grid.axes.iter().map(|a| a.name.clone()));
    h.push("seed".into());
    if spec.has_order() {
        h.extend(observations::NAMES.map(String::from));
    }
    let mut seeds = Text { header: h, rows: Vec::new() };
    for k in 0..o.datasets.len() {
        let mut row = lead.clone();
        row.push(o.seed_logs(k)[0].seed.to_string());
        if spec.has_order() {
            row.extend(observations::per_seed(&o, spec, k).map(flag_text));
        }
        seeds.rows.push(row);
    }
    if progress {
        let d: usize = (0..cfg.runs.len()).map(|r| o.diverged_count(r)).sum();
        eprintln!("cell {cell} [{}]: {} runs, {d} diverged", grid.values(cell).join(", "), o.logs.len());
    }
    Ok(resume::CellRows { runs, seeds })
}

/// Copies `grid.json` and `config.toml` of folder `from` into `out` byte for byte.
pub(crate) fn write_plan_bytes(out: &Path, from: &Path) -> Result<()> {
    for f in ["grid.json", "config.toml"] {
        let p = from.join(f);
        atomic_write(&out.join(f), &std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?)?;
    }
    Ok(())
}

fn write_plan(out: &Path, plan: &Plan, base: &ExperimentConfig) -> Result<()> {
    atomic_write(&out.join("grid.json"), format!("{}\n", serde_json::to_string_pretty(plan)?).as_bytes())?;
    atomic_write(&out.join("config.toml"), base.to_toml().as_bytes())
}

/// Writes `cells.csv`, `observations.csv` and the phase diagram from `runs.csv` and `seeds.csv`.
pub(crate) fn finish(out: &Path, plan: &Plan) -> Result<()> {
    let grid = plan.grid()?;
    let runs = Text::read(&out.join("runs.csv"))?;
    let seeds = Text::read(&out.join("seeds.csv"))?;
    let (cells, obs) = tables::summarize(&grid, &runs, &seeds)?;
    cells.write(&out.join("cells.csv"))?;
    obs.write(&out.join("observations.csv"))?;
    plot::write(out, out, &crate::plot::PlotOptions::default()).map(|_| ())
}
