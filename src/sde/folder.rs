//! A comparison folder of `largestep sde-vs-sgd` (`OUT/<model>/`): its `config.toml` (the
//! comparison spec, then its base experiment), its CSVs, and its figures.
//!
//! [`write_figures`] draws every figure of a comparison: the curves of the `losses` layout
//! (with `bands.csv`), the sharpness panels and, when c was calibrated, the calibration curve.
//! `sde-vs-sgd` calls it on the comparison it ran; `largestep plot` calls it on [`load`]'s
//! reading of the folder (`config.toml`, `metrics.csv`, `sharpness.csv`, `calibration.csv`:
//! every value in the shortest round-trip form, so the figures come out byte for byte).

use super::compare::Calibration;
use super::figures::{calibration_figure, calibration_table, sharpness_figure, CalibrationCurve};
use super::sharpness::Probe;
use super::spec::SdeSpec;
use crate::config::ExperimentConfig;
use crate::experiment::{figure, Outcome};
use crate::plot::PlotOptions;
use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};

/// The first line of a comparison's `config.toml`.
const SPEC_MARKER: &str = "# comparison\n";
/// The line between the comparison spec and its base experiment in `config.toml`.
const BASE_MARKER: &str = "# base experiment (runs: sgd, sde, gf on the followed run's schedule)\n";

/// The text of a comparison's `config.toml`: the effective spec, then the base experiment as run.
pub fn config_text(spec: &SdeSpec, cfg: &ExperimentConfig) -> String {
    format!("{SPEC_MARKER}{}\n{BASE_MARKER}{}", toml::to_string_pretty(spec).unwrap_or_default(), cfg.to_toml())
}

/// Whether `dir` is a comparison folder (its `config.toml` starts with the comparison spec).
pub fn is_folder(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("config.toml")).is_ok_and(|t| t.starts_with(SPEC_MARKER))
}

/// Everything the figures of one comparison are drawn from.
#[derive(Clone, Copy)]
pub struct Drawn<'a> {
    /// The runs (SGD, SDE, the flows) over the seeds, seed-major.
    pub outcome: &'a Outcome,
    /// The sharpness probes of each log of `outcome`, in its order.
    pub sharpness: &'a [Vec<Probe>],
    /// The calibration of c, when it was calibrated.
    pub calibration: Option<&'a CalibrationCurve>,
    /// The comparison's name (file stem of the calibration figure).
    pub name: &'a str,
    /// The title of the sharpness figure (the spec's title, or its name).
    pub title: &'a str,
}

/// Renders every figure of `d` into `dir` at `opts` and writes `bands.csv` (what the curve
/// panels draw); returns the figure files.
pub fn write_figures(d: &Drawn<'_>, dir: &Path, opts: &PlotOptions) -> Result<Vec<PathBuf>> {
    let mut files = figure::write(d.outcome, dir, opts)?;
    let path = dir.join("sharpness");
    files.extend(
        sharpness_figure(d.outcome, d.sharpness, d.title)
            .render_with(&path, opts)
            .with_context(|| format!("writing {}", path.display()))?,
    );
    if let Some(cal) = d.calibration {
        let path = dir.join("calibration");
        files.extend(
            calibration_figure(cal, d.name)
                .render_with(&path, opts)
                .with_context(|| format!("writing {}", path.display()))?,
        );
    }
    Ok(files)
}

/// Writes `calibration.csv` of `cal` into `dir` (what the calibration figure draws).
pub fn write_calibration(cal: &Calibration, dir: &Path) -> Result<()> {
    calibration_table(&CalibrationCurve::from(cal)).write(&dir.join("calibration.csv"))
}

/// A comparison folder read back: what [`write_figures`] draws.
pub struct Loaded {
    /// The effective comparison spec (`config.toml`'s first part).
    pub spec: SdeSpec,
    /// The runs, from `metrics.csv` under the base experiment of `config.toml`.
    pub outcome: Outcome,
    /// The probes of each log, from `sharpness.csv`.
    pub sharpness: Vec<Vec<Probe>>,
    /// The calibration curve, from `calibration.csv` when there is one.
    pub calibration: Option<CalibrationCurve>,
    /// The sharpness figure's title.
    pub title: String,
}

impl Loaded {
    /// The figures' inputs.
    pub fn drawn(&self) -> Drawn<'_> {
        Drawn {
            outcome: &self.outcome,
            sharpness: &self.sharpness,
            calibration: self.calibration.as_ref(),
            name: &self.spec.name,
            title: &self.title,
        }
    }
}

/// Reads the comparison folder `dir` (see the module doc); a missing file is an error naming it.
pub fn load(dir: &Path) -> Result<Loaded> {
    let path = dir.join("config.toml");
    let file = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| anyhow!("{file}: cannot read: {e}"))?;
    let (spec_text, base_text) = text
        .strip_prefix(SPEC_MARKER)
        .and_then(|t| t.split_once(BASE_MARKER))
        .ok_or_else(|| anyhow!("{file}: not a comparison's config (no {:?} line)", BASE_MARKER.trim_end()))?;
    let spec = SdeSpec::parse(spec_text, &file)?;
    let cfg = ExperimentConfig::parse_with_overrides(base_text, &file, &[])?;
    let offsets = seeds_of(&dir.join("metrics.csv"))?;
    let outcome = figure::load_with(dir, cfg, &offsets, &Default::default())?;
    let sharpness = read_sharpness(&dir.join("sharpness.csv"), &outcome)?;
    let cal = dir.join("calibration.csv");
    let calibration = if cal.exists() { Some(read_calibration(&cal)?) } else { None };
    let title = if spec.title.is_empty() { spec.name.clone() } else { spec.title.clone() };
    Ok(Loaded { spec, outcome, sharpness, calibration, title })
}

/// The seed offsets of `metrics.csv`, in their order (the comparison's `--seed`, `--seeds`).
fn seeds_of(path: &Path) -> Result<Vec<u64>> {
    if !path.exists() {
        bail!("{}: missing; the figures are drawn from it", path.display());
    }
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let mut seeds = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.with_context(|| format!("reading {}", path.display()))?;
        let v = rec.get(1).unwrap_or("");
        let s: u64 =
            v.parse().map_err(|_| anyhow!("{}: line {}: field `seed`: {v:?} is not a seed", path.display(), i + 2))?;
        if !seeds.contains(&s) {
            seeds.push(s);
        }
    }
    if seeds.is_empty() {
        bail!("{}: no rows", path.display());
    }
    Ok(seeds)
}

fn number(path: &Path, line: usize, field: &str, v: &str) -> Result<f64> {
    v.parse().map_err(|_| anyhow!("{}: line {line}: field `{field}`: {v:?} is not a number", path.display()))
}

/// The probes of each log of `o` from `sharpness.csv` (`run,seed,iteration,step_size,gamma,
/// lambda_max,gamma_lambda`).
fn read_sharpness(path: &Path, o: &Outcome) -> Result<Vec<Vec<Probe>>> {
    if !path.exists() {
        bail!("{}: missing; the sharpness figure is drawn from it", path.display());
    }
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let mut traces = vec![Vec::new(); o.logs.len()];
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.with_context(|| format!("reading {}", path.display()))?;
        let f = |j: usize| rec.get(j).unwrap_or("");
        let at = o.logs.iter().position(|l| l.run == f(0) && l.seed.to_string() == f(1)).ok_or_else(|| {
            anyhow!("{}: line {line}: run {:?}, seed {:?} is not one of metrics.csv's", path.display(), f(0), f(1))
        })?;
        let iteration =
            f(2).parse().map_err(|_| anyhow!("{}: line {line}: field `iteration`: {:?}", path.display(), f(2)))?;
        traces[at].push(Probe {
            iteration,
            step_size: number(path, line, "step_size", f(3))?,
            gamma: number(path, line, "gamma", f(4))?,
            lambda: number(path, line, "lambda_max", f(5))?,
        });
    }
    Ok(traces)
}

/// The calibration curve of `calibration.csv` (see [`calibration_table`]).
fn read_calibration(path: &Path) -> Result<CalibrationCurve> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let (mut c, mut target, mut history) = (None, None, Vec::new());
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.with_context(|| format!("reading {}", path.display()))?;
        let f = |j: usize| rec.get(j).unwrap_or("");
        match f(0) {
            "evaluation" => {
                history.push((number(path, line, "c", f(1))?, number(path, line, "plateau_train_loss", f(2))?))
            }
            "sgd" => target = Some(number(path, line, "plateau_train_loss", f(2))?),
            "chosen" => c = Some(number(path, line, "c", f(1))?),
            other => {
                bail!("{}: line {line}: field `what`: {other:?}; allowed: evaluation, sgd, chosen", path.display())
            }
        }
    }
    let missing = |what: &str| anyhow!("{}: no `{what}` row", path.display());
    Ok(CalibrationCurve {
        c: c.ok_or_else(|| missing("chosen"))?,
        target: target.ok_or_else(|| missing("sgd"))?,
        history,
    })
}
