//! Configs of the SGD ↔ SDE ↔ gradient-flow comparisons (`experiments/sde/*.toml`, embedded).
//!
//! Each names an embedded experiment (`base`, e.g. `fig2`) and one of its runs; the comparison
//! uses that experiment's data, model, initialization, schedule, metrics and grid, so a model
//! joins as soon as its figure's config is embedded.

use crate::config::{ConfigError, ExperimentConfig, RunSpec};
use crate::experiment::registry;
use serde::{Deserialize, Serialize};

/// One comparison (one panel column of Fig. 9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SdeSpec {
    /// Name (`--model NAME`; figure stem).
    pub name: String,
    /// Title of the figure.
    #[serde(default)]
    pub title: String,
    /// The experiment whose data, model, metrics and grid are used: an embedded experiment's
    /// name, or (for `--config` files) a path ending in `.toml`, relative to the spec file.
    pub base: String,
    /// The SGD run of `base` to follow (default: the first run with the largest peak step size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// Noise constant c of δ_t = c·L(θ^SGD_t) (Eq. 58), ≥ 0.
    pub c: f64,
    /// Euler–Maruyama steps per SGD iteration (γ = η/substeps; the paper: 10), in [1, 1000].
    #[serde(default = "ten")]
    pub substeps: usize,
    /// `--calibrate` settings.
    #[serde(default)]
    pub calibrate: CalibrateSpec,
}

fn ten() -> usize {
    10
}

/// How `--calibrate` searches c: a bracketed secant (Illinois) search on ln c in [lo, hi] for the
/// c whose SDE plateau train loss equals SGD's, over short runs of `iterations` SGD iterations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrateSpec {
    /// SGD iterations of the calibration runs (default: the length the comparison runs, the base's
    /// full length, or its `--quick` length with `--quick`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<usize>,
    /// Lower end of the bracket, > 0.
    #[serde(default = "lo")]
    pub lo: f64,
    /// Upper end of the bracket, > lo.
    #[serde(default = "hi")]
    pub hi: f64,
    /// Number of SDE runs of the search, in [2, 50].
    #[serde(default = "evals")]
    pub evaluations: usize,
}

fn lo() -> f64 {
    1e-3
}
fn hi() -> f64 {
    10.0
}
fn evals() -> usize {
    10
}

impl Default for CalibrateSpec {
    fn default() -> Self {
        Self { iterations: None, lo: lo(), hi: hi(), evaluations: evals() }
    }
}

/// Names of the embedded comparisons ([`registry::SDE`]).
pub fn names() -> Vec<&'static str> {
    registry::SDE.names()
}

/// The embedded comparison `name`, parsed and validated.
pub fn get(name: &str) -> Option<Result<SdeSpec, ConfigError>> {
    get_with_overrides(name, &[])
}

/// The embedded comparison `name` with `KEY=VALUE` overrides of its own fields, parsed and validated.
pub fn get_with_overrides(name: &str, overrides: &[String]) -> Option<Result<SdeSpec, ConfigError>> {
    registry::SDE.text(name).map(|(file, text)| SdeSpec::parse_with_overrides(text, &file, overrides))
}

impl SdeSpec {
    /// Parses and validates TOML text; `file` names the source in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, ConfigError> {
        let err = |field: &str, message: String| ConfigError { file: file.into(), field: field.into(), message };
        let s: SdeSpec = toml::from_str(text).map_err(|e| ExperimentConfig::toml_error(text, file, &e))?;
        // The name is a folder of the report (`OUT/<name>/`): a plain file name, never a path.
        crate::config::check_name(&s.name).map_err(|m| err("name", m))?;
        if !(s.c.is_finite() && s.c >= 0.0) {
            return Err(err("c", format!("must be finite and ≥ 0, got {}", s.c)));
        }
        if !(1..=1000).contains(&s.substeps) {
            return Err(err("substeps", format!("must be in [1, 1000], got {}", s.substeps)));
        }
        let k = &s.calibrate;
        if !(k.lo.is_finite() && k.lo > 0.0) {
            return Err(err("calibrate.lo", format!("must be finite and > 0, got {}", k.lo)));
        }
        if !(k.hi.is_finite() && k.hi > k.lo) {
            return Err(err("calibrate.hi", format!("must be finite and > lo = {}, got {}", k.lo, k.hi)));
        }
        if !(2..=50).contains(&k.evaluations) {
            return Err(err("calibrate.evaluations", format!("must be in [2, 50], got {}", k.evaluations)));
        }
        if k.iterations == Some(0) {
            return Err(err("calibrate.iterations", "must be ≥ 1, got 0".into()));
        }
        Ok(s)
    }

    /// Parses TOML text, applies `KEY=VALUE` overrides ([`crate::overrides`]), then validates.
    pub fn parse_with_overrides(text: &str, file: &str, overrides: &[String]) -> Result<Self, ConfigError> {
        Self::parse(&crate::config::apply_overrides(text, file, overrides)?, file)
    }

    /// The base experiment and the SGD run to follow, or why they are not available (the base is
    /// not embedded yet, or has no such run).
    pub fn resolve(&self) -> Result<(ExperimentConfig, RunSpec), String> {
        self.resolve_with(None, &[])
    }

    /// As [`resolve`](Self::resolve), with `KEY=VALUE` overrides of the base experiment; a `base`
    /// ending in `.toml` is an experiment config file (relative to `dir`, the spec file's folder),
    /// otherwise an embedded experiment's name.
    pub fn resolve_with(
        &self,
        dir: Option<&std::path::Path>,
        overrides: &[String],
    ) -> Result<(ExperimentConfig, RunSpec), String> {
        let base = if self.base.ends_with(".toml") {
            let path = dir.map_or_else(|| std::path::PathBuf::from(&self.base), |d| d.join(&self.base));
            let file = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{file}: cannot read: {e}"))?;
            // The base's own data paths are relative to the base file (the one path rule).
            let base_dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            ExperimentConfig::parse_in(&text, &file, overrides, Some(base_dir)).map_err(|e| e.to_string())?
        } else {
            match registry::get_with_overrides(&self.base, overrides) {
                None => return Err(format!("base experiment {:?} is not embedded in this build", self.base)),
                Some(r) => r.map_err(|e| e.to_string())?,
            }
        };
        let total = base.training.total(false);
        let run = match &self.run {
            Some(name) => base.runs.iter().find(|r| &r.name == name).cloned().ok_or_else(|| {
                let known: Vec<&str> = base.runs.iter().map(|r| r.name.as_str()).collect();
                format!("{}: no run {name:?} in {} (runs: {})", self.name, self.base, known.join(", "))
            })?,
            None => {
                let peak = |r: &RunSpec| {
                    let sch = r.schedule.build(total);
                    (0..=1000).map(|i| sch.step_size(i * (total - 1) / 1000)).fold(0.0, f64::max)
                };
                let mut best: Option<(&RunSpec, f64)> = None;
                for r in &base.runs {
                    let p = peak(r);
                    if best.is_none_or(|(_, b)| p > b) {
                        best = Some((r, p));
                    }
                }
                best.map(|(r, _)| r.clone()).ok_or_else(|| format!("{} has no runs", self.base))?
            }
        };
        Ok((base, run))
    }
}
