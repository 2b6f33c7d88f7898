//! Experiment configuration (TOML, serde; unknown keys rejected) and its validation.
//!
//! Every error names the file, the field and the allowed range, in one line.

use crate::data::csv::{DataError, FileData};
use crate::data::{Dataset, Relu1d, SparseRegression, Teacher};
use crate::loss::Loss;
use crate::metrics::MetricsSpec;
use crate::model::{DiagonalNet, MlpInit, Model, Precision, ReluMlp};
use crate::optim::{Gd, Optimizer, Sgd};
use crate::rng::{RandomSource, RngKind};
use crate::schedule::ScheduleSpec;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// A configuration error: where, which field, what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or embedded config name).
    pub file: String,
    /// The field, dotted (e.g. `runs[1].schedule.step`).
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: field `{}`: {}", self.file, self.field, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The data of an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DataSpec {
    /// §3.1 sparse regression (see [`SparseRegression`]).
    SparseRegression {
        /// Training points n ≥ 1.
        n: usize,
        /// Dimension d ≥ 1.
        d: usize,
        /// Support size 1 ≤ r ≤ d.
        r: usize,
        /// Test points ≥ 1.
        n_test: usize,
        /// Base data seed (the run's seed offset is added).
        #[serde(default)]
        seed: u64,
    },
    /// The 12-point 1-D task of Figs. 4, 12, 13 (see [`Relu1d`]).
    Relu1d {
        /// Seed of the rank points.
        #[serde(default)]
        seed: u64,
    },
    /// Teacher–student regression on the unit sphere (see [`Teacher`]).
    Teacher {
        /// Training points n ≥ 1.
        n: usize,
        /// Dimension d ≥ 1.
        d: usize,
        /// Test points ≥ 1.
        n_test: usize,
        /// Hidden widths of the teacher (each ≥ 1, at least one layer).
        hidden: Vec<usize>,
        /// Biases in every teacher layer.
        #[serde(default)]
        biases: bool,
        /// Unit-norm first-layer rows and ±1 output weights (two-layer teacher).
        #[serde(default)]
        unit_rows: bool,
        /// Base data seed.
        #[serde(default)]
        seed: u64,
    },
    /// A regression dataset from CSV or `.npy` files (see [`FileData`], docs/DESIGN.md §8;
    /// the format follows each file's extension, `kind = "npy"` is a synonym).
    #[serde(alias = "npy")]
    Csv(FileData),
}

impl DataSpec {
    /// Base data seed.
    pub fn seed(&self) -> u64 {
        match self {
            DataSpec::SparseRegression { seed, .. } | DataSpec::Relu1d { seed } | DataSpec::Teacher { seed, .. } => {
                *seed
            }
            DataSpec::Csv(f) => f.seed,
        }
    }
    /// Input dimension.
    pub fn dim(&self) -> usize {
        match self {
            DataSpec::SparseRegression { d, .. } | DataSpec::Teacher { d, .. } => *d,
            DataSpec::Relu1d { .. } => 1,
            // Unreadable files are reported by `generate`.
            DataSpec::Csv(f) => f.dim().unwrap_or(0),
        }
    }
    fn validate(&self) -> Result<(), (String, String)> {
        match *self {
            DataSpec::SparseRegression { n, d, r, n_test, .. } => {
                positive("n", n)?;
                positive("d", d)?;
                positive("n_test", n_test)?;
                if r == 0 || r > d {
                    return Err(("r".into(), format!("must be in [1, d = {d}], got {r}")));
                }
                Ok(())
            }
            DataSpec::Relu1d { .. } => Ok(()),
            DataSpec::Teacher { n, d, n_test, ref hidden, unit_rows, .. } => {
                positive("n", n)?;
                positive("d", d)?;
                positive("n_test", n_test)?;
                if hidden.is_empty() || hidden.contains(&0) {
                    return Err(("hidden".into(), format!("needs ≥ 1 layer, each width ≥ 1, got {hidden:?}")));
                }
                if unit_rows && hidden.len() != 1 {
                    return Err(("unit_rows".into(), "needs exactly one hidden layer (`hidden = [m]`)".into()));
                }
                Ok(())
            }
            DataSpec::Csv(ref f) => f.validate(),
        }
    }
    /// Draws (or, for files, loads) the dataset from `rng`, with `rank_points` rank-evaluation
    /// points; only file data can fail, with an error naming file, row and column.
    pub fn generate(&self, rng: &mut dyn RandomSource, rank_points: usize) -> Result<Dataset, DataError> {
        self.generate_in(Precision::F64, rng, rank_points)
    }
    /// As [`generate`](Self::generate) for a model computing in `precision` (the ReLU tasks
    /// round their data to it and label in it, as the release's float32 tensors; the sparse
    /// regression and file data are f64).
    pub fn generate_in(
        &self,
        precision: Precision,
        rng: &mut dyn RandomSource,
        rank_points: usize,
    ) -> Result<Dataset, DataError> {
        Ok(match *self {
            DataSpec::SparseRegression { n, d, r, n_test, .. } => {
                SparseRegression { n, d, r, n_test }.generate(rng, rank_points)
            }
            DataSpec::Relu1d { .. } => Relu1d.generate_in(precision, rng, rank_points),
            DataSpec::Teacher { n, d, n_test, ref hidden, biases, unit_rows, .. } => {
                Teacher { n, d, n_test, hidden: hidden.clone(), biases, unit_rows, precision }
                    .generate(rng, rank_points)
            }
            DataSpec::Csv(ref f) => f.load(rng, rank_points)?,
        })
    }
}

/// The model of an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelSpec {
    /// Diagonal linear network, u₀ = init_scale·𝟙, v₀ = 0.
    Diagonal {
        /// α > 0.
        init_scale: f64,
    },
    /// ReLU network d → hidden[0] → … → 1 (see [`ReluMlp`]).
    ReluMlp {
        /// Hidden widths (each ≥ 1, at least one layer).
        hidden: Vec<usize>,
        /// One bias flag per layer (hidden layers, then the output): `hidden.len() + 1` values.
        biases: Vec<bool>,
        /// Initialization.
        init: MlpInit,
        /// Arithmetic: "f64" (default) or "f32" (the release's float32 tensors; the data are
        /// then rounded to f32 too).
        #[serde(default)]
        precision: Precision,
    },
}

impl ModelSpec {
    fn validate(&self) -> Result<(), (String, String)> {
        match *self {
            ModelSpec::Diagonal { init_scale } => {
                if !(init_scale.is_finite() && init_scale > 0.0) {
                    return Err(("init_scale".into(), format!("must be finite and > 0, got {init_scale}")));
                }
                Ok(())
            }
            ModelSpec::ReluMlp { ref hidden, ref biases, ref init, .. } => {
                if hidden.is_empty() || hidden.contains(&0) {
                    return Err(("hidden".into(), format!("needs ≥ 1 layer, each width ≥ 1, got {hidden:?}")));
                }
                if biases.len() != hidden.len() + 1 {
                    return Err((
                        "biases".into(),
                        format!("needs {} flags (hidden layers + output), got {}", hidden.len() + 1, biases.len()),
                    ));
                }
                match init {
                    MlpInit::Blanc if hidden.len() != 1 => {
                        Err(("init.kind".into(), "\"blanc\" needs exactly one hidden layer".into()))
                    }
                    MlpInit::Gaussian { scales } if scales.len() != hidden.len() + 1 => Err((
                        "init.scales".into(),
                        format!("needs {} scales (one per layer), got {}", hidden.len() + 1, scales.len()),
                    )),
                    MlpInit::Gaussian { scales } if scales.iter().any(|s| !(s.is_finite() && *s >= 0.0)) => {
                        Err(("init.scales".into(), format!("each scale must be finite and ≥ 0, got {scales:?}")))
                    }
                    _ => Ok(()),
                }
            }
        }
    }
    /// The model on inputs of dimension `dim`.
    pub fn build(&self, dim: usize) -> Box<dyn Model> {
        match *self {
            ModelSpec::Diagonal { init_scale } => Box::new(DiagonalNet::new(dim, init_scale)),
            ModelSpec::ReluMlp { ref hidden, ref biases, ref init, precision } => {
                Box::new(ReluMlp::new(dim, hidden, biases, init.clone()).with_precision(precision))
            }
        }
    }
    /// The format of the model's arithmetic.
    pub fn precision(&self) -> Precision {
        match *self {
            ModelSpec::Diagonal { .. } => Precision::F64,
            ModelSpec::ReluMlp { precision, .. } => precision,
        }
    }
}

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

/// A whole experiment: one paper figure or a user's config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentConfig {
    /// Name (output folder `results/<name>`).
    pub name: String,
    /// Figure title.
    #[serde(default)]
    pub title: String,
    /// Figure layout (see `experiment::figure`); default "losses".
    #[serde(default = "default_figure")]
    pub figure: String,
    /// Random generator.
    #[serde(default)]
    pub rng: RngKind,
    /// Data.
    pub data: DataSpec,
    /// Model.
    pub model: ModelSpec,
    /// Training settings.
    pub training: TrainingSpec,
    /// Metrics and grid.
    pub metrics: MetricsSpec,
    /// The runs (at least one).
    pub runs: Vec<RunSpec>,
}

fn default_figure() -> String {
    "losses".into()
}

fn positive(field: &str, v: usize) -> Result<(), (String, String)> {
    if v == 0 {
        Err((field.into(), "must be ≥ 1, got 0".into()))
    } else {
        Ok(())
    }
}

impl ExperimentConfig {
    /// Parses and validates TOML text; `file` names the source in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, ConfigError> {
        let cfg: ExperimentConfig = toml::from_str(text).map_err(|e| {
            let field = e.span().map(|s| field_at(text, s, e.message())).unwrap_or_else(|| "?".into());
            ConfigError { file: file.into(), field, message: e.message().replace('\n', " ") }
        })?;
        cfg.validate(file)?;
        Ok(cfg)
    }

    /// Parses TOML text, applies `KEY=VALUE` overrides (see [`crate::overrides`]), then
    /// validates; errors name `file` and the overridden key.
    pub fn parse_with_overrides(text: &str, file: &str, overrides: &[String]) -> Result<Self, ConfigError> {
        Self::parse(&apply_overrides(text, file, overrides)?, file)
    }

    /// Reads, parses and validates a TOML file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: file.clone(),
            field: "-".into(),
            message: format!("cannot read: {e}"),
        })?;
        let mut cfg = Self::parse(&text, &file)?;
        if let DataSpec::Csv(f) = &mut cfg.data {
            f.resolve(path.parent().unwrap_or(Path::new(".")));
        }
        Ok(cfg)
    }

    /// Checks every range; the error names the field.
    pub fn validate(&self, file: &str) -> Result<(), ConfigError> {
        let fail = |prefix: &str, (field, message): (String, String)| ConfigError {
            file: file.into(),
            field: if prefix.is_empty() { field } else { format!("{prefix}.{field}") },
            message,
        };
        self.data.validate().map_err(|e| fail("data", e))?;
        self.model.validate().map_err(|e| fail("model", e))?;
        let t = &self.training;
        match (t.iterations, t.iterations_log10) {
            (Some(0), _) => return Err(fail("training", ("iterations".into(), "must be ≥ 1, got 0".into()))),
            (None, Some(p)) if !(p.is_finite() && (0.0..=9.0).contains(&p)) => {
                return Err(fail("training", ("iterations_log10".into(), format!("must be in [0, 9], got {p}"))))
            }
            (None, None) => {
                return Err(fail("training", ("iterations".into(), "give `iterations` or `iterations_log10`".into())))
            }
            _ => {}
        }
        if t.quick_iterations == Some(0) {
            return Err(fail("training", ("quick_iterations".into(), "must be ≥ 1, got 0".into())));
        }
        positive("batch", t.batch).map_err(|e| fail("training", e))?;
        let m = &self.metrics;
        if m.grid_points < 2 {
            return Err(fail("metrics", ("grid_points".into(), format!("must be ≥ 2, got {}", m.grid_points))));
        }
        if let Some(r) = &m.jacobian_rank {
            positive("points", r.points).map_err(|e| fail("metrics.jacobian_rank", e))?;
            if !(0.0..1.0).contains(&r.tol) {
                return Err(fail("metrics.jacobian_rank", ("tol".into(), format!("must be in [0, 1), got {}", r.tol))));
            }
        }
        if let Some(s) = &m.feature_sparsity {
            if !(s.tau > 0.0 && s.tau < 1.0) {
                return Err(fail(
                    "metrics.feature_sparsity",
                    ("tau".into(), format!("must be in (0, 1), got {}", s.tau)),
                ));
            }
            if s.layers.contains(&0) {
                return Err(fail("metrics.feature_sparsity", ("layers".into(), "layers are 1-based (≥ 1)".into())));
            }
        }
        if self.runs.is_empty() {
            return Err(fail("", ("runs".into(), "at least one [[runs]] entry is required".into())));
        }
        for (i, r) in self.runs.iter().enumerate() {
            if r.name.is_empty() || r.name.contains([',', '"', '\n']) {
                return Err(fail(
                    &format!("runs[{i}]"),
                    ("name".into(), "must be non-empty without commas or quotes".into()),
                ));
            }
            r.schedule.validate().map_err(|e| fail(&format!("runs[{i}].schedule"), e))?;
        }
        Ok(())
    }

    /// The optimizer of run `run`.
    pub fn optimizer(&self, run: &RunSpec) -> Box<dyn Optimizer> {
        match run.algorithm.unwrap_or(self.training.algorithm) {
            Algorithm::Sgd => Box::new(Sgd::new(self.training.batch, self.training.loss)),
            Algorithm::Gd => Box::new(Gd::new(self.training.loss)),
        }
    }

    /// The config as TOML (written next to the results).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|e| format!("# could not serialize the config: {e}\n"))
    }
}

/// Applies `KEY=VALUE` overrides ([`crate::overrides`]) to TOML text; an error names `file` and
/// the overridden key. Shared by every config type that takes `--set`.
pub fn apply_overrides(text: &str, file: &str, overrides: &[String]) -> Result<String, ConfigError> {
    crate::overrides::apply_to_text(text, overrides).map_err(|e| ConfigError {
        file: file.into(),
        field: e.spec.split('=').next().unwrap_or("").to_string(),
        message: e.message,
    })
}

/// Inside a table (internally tagged enums report the table's header as the span), the start of the
/// line whose value the message quotes (`invalid type: string "x"`, `integer `5``, …).
fn value_line(text: &str, span: &std::ops::Range<usize>, message: &str) -> Option<usize> {
    let rest = message.strip_prefix("invalid type: ")?;
    let value = match rest.split_once('"') {
        Some((_, v)) if rest.starts_with("string") => format!("\"{}\"", v.split('"').next()?),
        _ => rest.split('`').nth(1)?.to_string(),
    };
    // The span is the table's header: search the table's body, up to the next header.
    let end = text[span.end.min(text.len())..].find("\n[").map_or(text.len(), |i| span.end + i);
    let body = text.get(span.start..end)?;
    let mut offset = span.start;
    for line in body.split_inclusive('\n') {
        if line.split_once('=').is_some_and(|(_, v)| v.trim().starts_with(&value)) {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// The dotted key path of the TOML key or table at byte offset `pos` (best effort): the last
/// table header at or before `pos`, then the key on the line of `pos`, or else the key that the
/// parser's `message` names (`unknown field `x``).
fn field_at(text: &str, span: std::ops::Range<usize>, message: &str) -> String {
    let pos = value_line(text, &span, message).unwrap_or(span.start).min(text.len());
    let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("").trim();
    let mut table = String::new();
    for l in text[..line_start].lines().map(str::trim).chain(std::iter::once(line)) {
        if l.starts_with('[') {
            table = l.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        }
    }
    let key = if line.starts_with('[') || line.is_empty() {
        message.split('`').nth(1).filter(|_| message.contains("field `")).unwrap_or("").to_string()
    } else {
        line.split('=').next().unwrap_or("").trim().to_string()
    };
    match (table.is_empty(), key.is_empty()) {
        (true, _) => key,
        (false, true) => table,
        (false, false) => format!("{table}.{key}"),
    }
}
