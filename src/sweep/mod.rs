//! Sweeps: a configuration over a grid of field values × seeds, with each outcome as a rate.
//!
//! The paper's small-model figures sit at the edge of divergence, so their outcomes are chaotic
//! in the seed; a sweep turns each of them into a rate k/n with its Wilson 95 % interval
//! (`largestep_theory::verdict::wilson_interval`). For every cell of the [`grid::Grid`] (the base
//! config with that cell's [`crate::overrides`]) the experiment runs over K seeds through the one
//! generic path [`crate::experiment::run`]; the sweep records
//!
//! * `runs.csv` — one row per cell, run and seed: diverged, fits, the final values;
//! * `seeds.csv` — one row per cell and seed: O1–O3 decided on that seed
//!   ([`observations`]; empty = undecided because a compared run diverged);
//! * `cells.csv`, `observations.csv`, `phase.png`/`.svg` — computed from the two files above
//!   ([`tables::summarize`], [`plot`]);
//! * `grid.json` (the grid and options) and `config.toml` (the base config).
//!
//! `--shard I/N` runs the cells ≡ I (mod N) and writes only `runs.csv`, `seeds.csv`, `grid.json`,
//! `config.toml` and `shard.json`; [`merge`] checks that the shards belong to one sweep and
//! cover each cell once, concatenates their rows in cell order and summarizes: the result is
//! byte-identical to the unsharded sweep (each cell's runs are seeded by the cell's config and
//! the seed alone, never by the shard or the thread count).

pub mod grid;
pub mod observations;
pub mod plot;
pub mod tables;

pub use grid::{Axis, Grid, Shard};
pub use observations::ObservationSpec;

use crate::config::ExperimentConfig;
use crate::experiment::{self, diverged, RunOptions};
use crate::output::{atomic_write, fmt_f64, Table};
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tables::{flag_text, Text};

/// The base configuration of a sweep: its TOML text and where it came from.
#[derive(Debug, Clone)]
pub struct Base {
    /// TOML text.
    pub text: String,
    /// Source named in errors (`experiments/fig2.toml (embedded)` or a path).
    pub file: String,
}

impl Base {
    /// An embedded figure (`largestep list`) or a TOML file.
    pub fn resolve(name: &str) -> Result<Self> {
        if let Some((n, text)) = experiment::registry::EMBEDDED.iter().find(|(n, _)| *n == name) {
            return Ok(Self { text: text.to_string(), file: format!("experiments/{n}.toml (embedded)") });
        }
        let path = Path::new(name);
        if path.exists() {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {name}"))?;
            return Ok(Self { text, file: name.to_string() });
        }
        bail!("`{name}` is neither an embedded figure ({}) nor a config file", experiment::registry::names().join(", "))
    }

    /// The config of one cell: the base with `overrides`, validated.
    pub fn config(&self, overrides: &[String]) -> Result<ExperimentConfig> {
        ExperimentConfig::parse_with_overrides(&self.text, &self.file, overrides).map_err(|e| anyhow!("{e}"))
    }
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
}

impl Plan {
    /// The grid of the plan.
    pub fn grid(&self) -> Grid {
        Grid {
            axes: self
                .axes
                .iter()
                .map(|(name, keys, values)| Axis { name: name.clone(), keys: keys.clone(), values: values.clone() })
                .collect(),
        }
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

/// Runs the cells of `opts.shard` and writes the outputs (module doc). Every cell's config is
/// validated before anything runs, so a bad field or value stops the sweep at once.
pub fn run(base: &Base, grid: &Grid, opts: &SweepOptions) -> Result<Plan> {
    let configs: Vec<ExperimentConfig> =
        (0..grid.len()).map(|c| base.config(&grid.overrides(c))).collect::<Result<_>>()?;
    let first = &configs[0];
    let run_names: Vec<String> = first.runs.iter().map(|r| r.name.clone()).collect();
    if let Some(c) = configs.iter().find(|c| c.runs.iter().map(|r| &r.name).ne(run_names.iter())) {
        bail!("--vary: the cells must keep the base config's runs ({}), got {}", run_names.join(", "), c.runs.len());
    }
    let spec = ObservationSpec::new(&run_names, opts.order.as_deref(), opts.fit_below)?;
    let plan = Plan {
        name: first.name.clone(),
        axes: grid.axes.iter().map(|a| (a.name.clone(), a.keys.clone(), a.values.clone())).collect(),
        seed: opts.seed,
        seeds: opts.seeds.max(1),
        vary_data: opts.vary_data,
        quick: opts.quick,
        order: spec.order.iter().map(|&i| run_names[i].clone()).collect(),
        fit_below: opts.fit_below,
    };
    std::fs::create_dir_all(&opts.out).with_context(|| format!("creating {}", opts.out.display()))?;
    let scratch = tempfile::tempdir_in(&opts.out).context("creating a scratch folder")?;

    let mut runs: Option<Table> = None;
    let mut seeds: Option<Table> = None;
    for cell in opts.shard.cells(grid.len()) {
        let cfg = &configs[cell];
        let mut ro = RunOptions::new(scratch.path().join(cell.to_string()));
        ro.seed = opts.seed;
        ro.seeds = plan.seeds;
        ro.vary_data = opts.vary_data;
        ro.quick = opts.quick;
        ro.plot = false;
        let o = experiment::run(cfg, &ro)?;
        std::fs::remove_dir_all(&ro.out).ok();
        let lead: Vec<String> = std::iter::once(cell.to_string()).chain(grid.values(cell)).collect();
        let runs_t = runs.get_or_insert_with(|| {
            let mut h = vec!["cell".to_string()];
            h.extend(grid.axes.iter().map(|a| a.name.clone()));
            h.extend(["run", "seed", "diverged", "diverged_at", "fits"].map(String::from));
            h.extend(experiment::summary_value_names(&o));
            Table::new(h)
        });
        for log in &o.logs {
            let mut row = lead.clone();
            row.extend([
                log.run.clone(),
                log.seed.to_string(),
                flag_text(Some(diverged(log))),
                log.diverged_at.map(|t| t.to_string()).unwrap_or_default(),
                flag_text(observations::fits(log, &spec)),
            ]);
            row.extend(experiment::summary_finals(&o, log).into_iter().map(fmt_f64));
            runs_t.push(row);
        }
        let seeds_t = seeds.get_or_insert_with(|| {
            let mut h = vec!["cell".to_string()];
            h.extend(grid.axes.iter().map(|a| a.name.clone()));
            h.push("seed".into());
            if spec.has_order() {
                h.extend(observations::NAMES.map(String::from));
            }
            Table::new(h)
        });
        for k in 0..o.datasets.len() {
            let mut row = lead.clone();
            row.push(o.seed_logs(k)[0].seed.to_string());
            if spec.has_order() {
                row.extend(observations::per_seed(&o, &spec, k).map(flag_text));
            }
            seeds_t.push(row);
        }
        if opts.progress {
            let d: usize = (0..cfg.runs.len()).map(|r| o.diverged_count(r)).sum();
            eprintln!("cell {cell} [{}]: {} runs, {d} diverged", grid.values(cell).join(", "), o.logs.len());
        }
    }
    let runs = runs.ok_or_else(|| anyhow!("shard {} of a {}-cell grid has no cell", opts.shard, grid.len()))?;
    let seeds = seeds.unwrap_or_else(|| Table::new(["cell"]));
    runs.write(&opts.out.join("runs.csv"))?;
    seeds.write(&opts.out.join("seeds.csv"))?;
    write_plan(&opts.out, &plan, &base.config(&[])?)?;
    if opts.shard == Shard::ALL {
        finish(&opts.out, &plan)?;
    } else {
        atomic_write(
            &opts.out.join("shard.json"),
            serde_json::to_string(&(opts.shard.index, opts.shard.count))?.as_bytes(),
        )?;
    }
    Ok(plan)
}

fn write_plan(out: &Path, plan: &Plan, base: &ExperimentConfig) -> Result<()> {
    atomic_write(&out.join("grid.json"), format!("{}\n", serde_json::to_string_pretty(plan)?).as_bytes())?;
    atomic_write(&out.join("config.toml"), base.to_toml().as_bytes())
}

/// Writes `cells.csv`, `observations.csv` and the phase diagram from `runs.csv` and `seeds.csv`.
fn finish(out: &Path, plan: &Plan) -> Result<()> {
    let grid = plan.grid();
    let runs = Text::read(&out.join("runs.csv"))?;
    let seeds = Text::read(&out.join("seeds.csv"))?;
    let (cells, obs) = tables::summarize(&grid, &runs, &seeds)?;
    cells.write(&out.join("cells.csv"))?;
    obs.write(&out.join("observations.csv"))?;
    plot::write(out, out, &crate::plot::PlotOptions::default()).map(|_| ())
}

/// Combines shard folders into `out` (module doc): the same files as the unsharded sweep.
/// Fails, naming the folder, when the shards are of different sweeps, overlap or leave a gap.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Plan> {
    if dirs.is_empty() {
        bail!("merge: no shard folder given");
    }
    let read_plan = |d: &Path| -> Result<Plan> {
        let p = d.join("grid.json");
        let text = std::fs::read_to_string(&p).with_context(|| format!("{}: not a sweep shard", d.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{}: unreadable", p.display()))
    };
    let plan = read_plan(&dirs[0])?;
    let total = plan.grid().len();
    let mut owner: Vec<Option<usize>> = vec![None; total];
    let mut runs = Text::default();
    let mut seeds = Text::default();
    for (i, d) in dirs.iter().enumerate() {
        if read_plan(d)? != plan {
            bail!("merge: {} is a shard of a different sweep than {}", d.display(), dirs[0].display());
        }
        let shard: (usize, usize) = serde_json::from_str(
            &std::fs::read_to_string(d.join("shard.json"))
                .with_context(|| format!("{}: no shard.json", d.display()))?,
        )
        .with_context(|| format!("{}: bad shard.json", d.display()))?;
        for c in (Shard { index: shard.0, count: shard.1 }).cells(total) {
            if let Some(j) = owner[c].replace(i) {
                bail!("merge: cell {c} is in both {} and {}", dirs[j].display(), d.display());
            }
        }
        for (acc, file) in [(&mut runs, "runs.csv"), (&mut seeds, "seeds.csv")] {
            let t = Text::read(&d.join(file))?;
            if acc.header.is_empty() {
                acc.header = t.header;
            } else if acc.header != t.header {
                bail!("merge: {} has other columns than the first shard's", d.join(file).display());
            }
            acc.rows.extend(t.rows);
        }
    }
    if let Some(c) = owner.iter().position(Option::is_none) {
        bail!("merge: no shard holds cell {c} of {total}");
    }
    let key = |r: &Vec<String>| r[0].parse::<usize>().unwrap_or(usize::MAX);
    runs.rows.sort_by_key(key);
    seeds.rows.sort_by_key(key);
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    runs.table().write(&out.join("runs.csv"))?;
    seeds.table().write(&out.join("seeds.csv"))?;
    for f in ["grid.json", "config.toml"] {
        atomic_write(&out.join(f), &std::fs::read(dirs[0].join(f))?)?;
    }
    finish(out, &plan)?;
    Ok(plan)
}
