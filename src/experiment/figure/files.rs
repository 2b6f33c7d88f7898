//! A result folder's figure files, written from an [`Outcome`] and read back into one.
//!
//! [`write`] renders every figure of the outcome's layout and writes `bands.csv` (what the curve
//! panels draw) and, for layouts drawn from parameters (trajectories, learned functions,
//! neurons), `theta.csv` (θ₀, the final θ and any snapshots of every run and seed). [`load`]
//! rebuilds the outcome from `config.toml`, `metrics.csv`, `summary.csv` (where runs diverged)
//! and `theta.csv` (the datasets are drawn again from the config: deterministic, no training),
//! so `largestep plot DIR` draws the figures with the same code as `reproduce`, byte for byte at
//! the same options.

use super::figures;
use crate::config::ExperimentConfig;
use crate::experiment::{datasets, Outcome};
use crate::metrics::log_grid;
use crate::output::{atomic_write_with, fmt_f64};
use crate::plot::PlotOptions;
use crate::record::{Row, RunLog};
use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};

/// Renders the figures of `o` into `dir` at `opts` and writes `bands.csv` (and `theta.csv` for
/// the layouts drawn from θ); returns the figure files written.
pub fn write(o: &Outcome, dir: &Path, opts: &PlotOptions) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (stem, fig) in figures(o)? {
        written.extend(fig.render_with(&dir.join(stem), opts)?);
    }
    super::curves::bands_table(o).write(&dir.join("bands.csv"))?;
    if o.config.figure.draws_theta() {
        write_theta(o, &dir.join("theta.csv"))?;
    }
    Ok(written)
}

/// `theta.csv`: `run,seed,at,theta_0,…` with `at` = `initial`, `final` or the iteration of a
/// snapshot; values in [`fmt_f64`] form (they read back bit for bit).
fn write_theta(o: &Outcome, path: &Path) -> Result<()> {
    let p = o.logs.iter().map(|l| l.initial.len()).max().unwrap_or(0);
    atomic_write_with(path, |w| {
        let mut header = vec!["run".to_string(), "seed".into(), "at".into()];
        header.extend((0..p).map(|i| format!("theta_{i}")));
        writeln!(w, "{}", header.join(","))?;
        for l in &o.logs {
            let mut line = |at: &str, th: &[f64]| -> std::io::Result<()> {
                let vals: Vec<String> = th.iter().map(|v| fmt_f64(*v)).collect();
                writeln!(w, "{},{},{at},{}", l.run, l.seed, vals.join(","))
            };
            line("initial", &l.initial)?;
            line("final", &l.final_theta)?;
            for (t, th) in &l.snapshots {
                line(&t.to_string(), th)?;
            }
        }
        Ok(())
    })
}

/// Which runs and seeds of a result folder to draw (empty: all).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Run names, in the order to draw them.
    pub runs: Vec<String>,
    /// Seed offsets.
    pub seeds: Vec<u64>,
}

fn num(path: &Path, line: usize, field: &str, v: &str) -> Result<f64> {
    v.parse().map_err(|_| anyhow!("{}: line {line}: field `{field}`: {v:?} is not a number", path.display()))
}

/// The outcome of the result folder `dir` (see the module doc), restricted to `sel`.
pub fn load(dir: &Path, sel: &Selection) -> Result<Outcome> {
    let config_path = dir.join("config.toml");
    if !config_path.exists() {
        bail!("{}: no config.toml: not an experiment result folder", dir.display());
    }
    let cfg = ExperimentConfig::load(&config_path).map_err(|e| anyhow!("{e}"))?;
    let first = cfg.training.first_seed;
    let offsets: Vec<u64> = (0..cfg.training.seeds.max(1) as u64).map(|k| first.wrapping_add(k)).collect();
    load_with(dir, cfg, &offsets, sel)
}

/// The outcome of the result folder `dir` run with `cfg` over the seed offsets `offsets`, from
/// its `metrics.csv` (and `theta.csv`), restricted to `sel`: [`load`] once the config is known
/// (a comparison folder's config.toml holds more than the experiment, see
/// [`crate::sde::folder`]).
pub fn load_with(dir: &Path, mut cfg: ExperimentConfig, offsets: &[u64], sel: &Selection) -> Result<Outcome> {
    let config_path = dir.join("config.toml");
    let first = offsets.first().copied().unwrap_or(0);
    let run_names: Vec<String> = cfg.runs.iter().map(|r| r.name.clone()).collect();
    let metrics = dir.join("metrics.csv");
    if !metrics.exists() {
        bail!("{}: missing; the figures are drawn from it", metrics.display());
    }
    let mut logs = read_metrics(&metrics, &cfg, offsets)?;
    let summary = dir.join("summary.csv");
    if summary.exists() {
        read_diverged(&summary, &mut logs, &run_names, offsets)?;
    }
    let theta = dir.join("theta.csv");
    if theta.exists() {
        read_theta(&theta, &mut logs, &run_names, offsets)?;
    }
    if cfg.figure.draws_theta() {
        if !theta.exists() {
            bail!(
                "{}: missing; layout {:?} is drawn from the parameters θ (reproduce writes it)",
                theta.display(),
                cfg.figure
            );
        }
        if let Some(l) = logs.iter().find(|l| l.initial.is_empty() || l.final_theta.is_empty()) {
            bail!("{}: no initial or final θ of run {:?}, seed {}", theta.display(), l.run, l.seed);
        }
    }
    let data = datasets(&cfg, offsets, cfg.training.vary_data)
        .with_context(|| format!("{}: drawing the datasets of config.toml", dir.display()))?;
    // The selection: runs in the given order, seeds as given.
    let runs: Vec<usize> = if sel.runs.is_empty() {
        (0..run_names.len()).collect()
    } else {
        sel.runs
            .iter()
            .map(|n| {
                run_names.iter().position(|r| r == n).ok_or_else(|| {
                    anyhow!("--runs: no run {n:?} in {}; runs: {}", config_path.display(), run_names.join(", "))
                })
            })
            .collect::<Result<_>>()?
    };
    let seeds: Vec<usize> = if sel.seeds.is_empty() {
        (0..offsets.len()).collect()
    } else {
        sel.seeds
            .iter()
            .map(|s| {
                offsets.iter().position(|o| o == s).ok_or_else(|| {
                    anyhow!(
                        "--seeds: no seed {s} in {}; seeds: {first}..={}",
                        dir.display(),
                        first + offsets.len() as u64 - 1
                    )
                })
            })
            .collect::<Result<_>>()?
    };
    let nr = run_names.len();
    let mut picked = Vec::new();
    for &k in &seeds {
        for &r in &runs {
            picked.push(std::mem::take(&mut logs[k * nr + r]));
        }
    }
    let datasets = seeds.iter().map(|&k| data[k].clone()).collect();
    cfg.runs = runs.iter().map(|&r| cfg.runs[r].clone()).collect();
    let total = cfg.training.total(false);
    let grid = log_grid(total, cfg.metrics.grid_dense, cfg.metrics.grid_points);
    let columns = cfg.metrics.columns();
    let config_text = cfg.to_toml();
    Ok(Outcome {
        config: cfg,
        datasets,
        logs: picked,
        columns,
        total,
        grid,
        out: dir.to_path_buf(),
        config_text,
        provenance: None,
    })
}

/// One log per (seed, run), seed-major, from `metrics.csv`.
fn read_metrics(path: &Path, cfg: &ExperimentConfig, offsets: &[u64]) -> Result<Vec<RunLog>> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let want = crate::record::Recorder::header(&cfg.metrics);
    if header != want {
        bail!(
            "{}: header {:?} does not match config.toml's columns {:?}",
            path.display(),
            header.join(","),
            want.join(",")
        );
    }
    let nr = cfg.runs.len();
    let mut logs: Vec<RunLog> = offsets
        .iter()
        .flat_map(|&seed| {
            cfg.runs.iter().map(move |spec| RunLog {
                run: spec.name.clone(),
                label: spec.label.clone().unwrap_or_else(|| spec.name.clone()),
                seed,
                ..Default::default()
            })
        })
        .collect();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.with_context(|| format!("reading {}", path.display()))?;
        let f = |j: usize| rec.get(j).unwrap_or("");
        let r = cfg.runs.iter().position(|s| s.name == f(0));
        let k = f(1).parse::<u64>().ok().and_then(|s| offsets.iter().position(|o| *o == s));
        let (Some(r), Some(k)) = (r, k) else {
            bail!(
                "{}: line {line}: run {:?}, seed {:?} is not one of config.toml's runs and seeds",
                path.display(),
                f(0),
                f(1)
            );
        };
        let iteration =
            f(2).parse().map_err(|_| anyhow!("{}: line {line}: field `iteration`: {:?}", path.display(), f(2)))?;
        let metrics = (6..header.len()).map(|j| num(path, line, &header[j], f(j))).collect::<Result<_>>()?;
        logs[k * nr + r].rows.push(Row {
            iteration,
            step_size: num(path, line, "step_size", f(3))?,
            train_loss: num(path, line, "train_loss", f(4))?,
            test_loss: num(path, line, "test_loss", f(5))?,
            metrics,
        });
    }
    for l in &mut logs {
        l.total = cfg.training.total(false);
    }
    Ok(logs)
}

/// Sets the iteration at which each run diverged or failed from `summary.csv`'s `diverged_at`
/// (a diverged run's last rows may be finite, above the divergence threshold: the curves leave
/// the run out and the legend counts it, as when it ran).
fn read_diverged(path: &Path, logs: &mut [RunLog], runs: &[String], offsets: &[u64]) -> Result<()> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let (Some(col), Some(status)) =
        (header.iter().position(|h| h == "diverged_at"), header.iter().position(|h| h == "status"))
    else {
        bail!("{}: no `status` and `diverged_at` columns", path.display());
    };
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.with_context(|| format!("reading {}", path.display()))?;
        let f = |j: usize| rec.get(j).unwrap_or("");
        let r = runs.iter().position(|s| s == f(0));
        let k = f(1).parse::<u64>().ok().and_then(|s| offsets.iter().position(|o| *o == s));
        let (Some(r), Some(k)) = (r, k) else {
            bail!("{}: line {line}: run {:?}, seed {:?} is not one of config.toml's", path.display(), f(0), f(1));
        };
        if f(col).is_empty() {
            continue;
        }
        let t = f(col)
            .parse()
            .map_err(|_| anyhow!("{}: line {line}: field `diverged_at`: {:?}", path.display(), f(col)))?;
        let log = &mut logs[k * runs.len() + r];
        log.diverged_at = Some(t);
        if f(status) == "failed" {
            log.failure = Some("a metric evaluation failed (summary.csv)".into());
        }
    }
    Ok(())
}

/// Fills θ₀, the final θ and the snapshots of `logs` from `theta.csv`.
fn read_theta(path: &Path, logs: &mut [RunLog], runs: &[String], offsets: &[u64]) -> Result<()> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.with_context(|| format!("reading {}", path.display()))?;
        let f = |j: usize| rec.get(j).unwrap_or("");
        let r = runs.iter().position(|s| s == f(0));
        let k = f(1).parse::<u64>().ok().and_then(|s| offsets.iter().position(|o| *o == s));
        let (Some(r), Some(k)) = (r, k) else {
            bail!("{}: line {line}: run {:?}, seed {:?} is not one of config.toml's", path.display(), f(0), f(1));
        };
        let th: Vec<f64> = (3..rec.len()).map(|j| num(path, line, "theta", f(j))).collect::<Result<_>>()?;
        let log = &mut logs[k * runs.len() + r];
        match f(2) {
            "initial" => log.initial = th,
            "final" => log.final_theta = th,
            t => {
                let t = t.parse().map_err(|_| anyhow!("{}: line {line}: field `at`: {t:?}", path.display()))?;
                log.snapshots.push((t, th));
            }
        }
    }
    Ok(())
}
