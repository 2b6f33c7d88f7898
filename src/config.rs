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
use crate::schema;
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
    /// Training points n (12 for the 1-D task; `None` for file data, known once loaded).
    pub fn train_points(&self) -> Option<usize> {
        match self {
            DataSpec::SparseRegression { n, .. } | DataSpec::Teacher { n, .. } => Some(*n),
            DataSpec::Relu1d { .. } => Some(12),
            DataSpec::Csv(_) => None,
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

fn bytes(b: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = b;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", units[u])
}

/// `name` becomes a folder under `results/`: a plain file name.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    let plain = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if plain {
        Ok(())
    } else {
        Err(format!(
            "must be a plain file name (1 to 100 of letters, digits, `_`, `-`, `.`; not starting with `.`), got {name:?}"
        ))
    }
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
    ///
    /// Three stages, each error naming file and dotted key (with the `[[runs]]` index): TOML
    /// syntax; every key against the field table [`crate::schema::FIELDS`] (unknown keys, types,
    /// ranges); deserialization and the cross-field rules of [`validate`](Self::validate).
    pub fn parse(text: &str, file: &str) -> Result<Self, ConfigError> {
        Self::parse_at(text, file, None)
    }

    /// A TOML syntax or deserialization error of `text` as a [`ConfigError`] naming the dotted
    /// key it is about (shared by every TOML the crate reads: experiment configs, SDE specs).
    pub(crate) fn toml_error(text: &str, file: &str, e: &toml::de::Error) -> ConfigError {
        let field = e.span().map(|s| field_at(text, s, e.message())).unwrap_or_else(|| "-".into());
        ConfigError { file: file.into(), field, message: e.message().replace('\n', " ") }
    }

    /// [`parse`](Self::parse) for a config whose relative data paths are relative to `dir`
    /// (its file's folder): the paths are resolved once, after deserialization and before
    /// validation, so every later step (validation, the memory bound, loading) sees the same
    /// file. `None`: paths are kept as written (an embedded config, or one built in code).
    fn parse_at(text: &str, file: &str, dir: Option<&Path>) -> Result<Self, ConfigError> {
        let located = |e: toml::de::Error| Self::toml_error(text, file, &e);
        let doc: toml::Table = toml::from_str(text).map_err(located)?;
        crate::schema::check_document(&doc).map_err(|(field, message)| ConfigError {
            file: file.into(),
            field,
            message,
        })?;
        let mut cfg: ExperimentConfig = toml::from_str(text).map_err(located)?;
        if let (Some(dir), DataSpec::Csv(f)) = (dir, &mut cfg.data) {
            f.resolve(dir);
        }
        cfg.validate(file)?;
        Ok(cfg)
    }

    /// Parses TOML text whose relative data paths are relative to the folder `dir` (the one
    /// path rule of every command and spec: a data path is relative to its config's file),
    /// applies `KEY=VALUE` overrides, resolves the paths, then validates.
    pub fn parse_in(text: &str, file: &str, overrides: &[String], dir: Option<&Path>) -> Result<Self, ConfigError> {
        Self::parse_at(&apply_overrides(text, file, overrides)?, file, dir)
    }

    /// Parses TOML text, applies `KEY=VALUE` overrides (see [`crate::overrides`]), then
    /// validates; errors name `file` and the overridden key.
    pub fn parse_with_overrides(text: &str, file: &str, overrides: &[String]) -> Result<Self, ConfigError> {
        Self::parse(&apply_overrides(text, file, overrides)?, file)
    }

    /// Reads, parses and validates a TOML file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        Self::load_with_overrides(path, &[])
    }

    /// Reads a TOML file (at most [`schema::MAX_FILE_BYTES`]), applies `KEY=VALUE` overrides,
    /// parses and validates it; file data paths are taken relative to the file's folder.
    pub fn load_with_overrides(path: &Path, overrides: &[String]) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        let io = |message: String| ConfigError { file: file.clone(), field: "-".into(), message };
        let size = std::fs::metadata(path).map_err(|e| io(format!("cannot read: {e}")))?.len();
        if size > schema::MAX_FILE_BYTES {
            return Err(io(format!("file of {size} bytes; at most {} bytes are read", schema::MAX_FILE_BYTES)));
        }
        let text = std::fs::read_to_string(path).map_err(|e| io(format!("cannot read: {e}")))?;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Self::parse_in(&text, &file, overrides, Some(dir))
    }

    /// Checks every range and cross-field rule, before any training; the error names the
    /// field (with its `[[runs]]` index) and what is allowed. Ranges of single fields are also
    /// checked on the document by [`crate::schema::check_document`]; these checks repeat the
    /// ones a config built in code needs.
    pub fn validate(&self, file: &str) -> Result<(), ConfigError> {
        let fail = |prefix: &str, (field, message): (String, String)| ConfigError {
            file: file.into(),
            field: if prefix.is_empty() { field } else { format!("{prefix}.{field}") },
            message,
        };
        let top = |field: &str, message: String| fail("", (field.into(), message));
        check_name(&self.name).map_err(|m| top("name", m))?;
        self.data.validate().map_err(|e| fail("data", e))?;
        self.model.validate().map_err(|e| fail("model", e))?;
        let t = &self.training;
        let train = |field: &str, message: String| fail("training", (field.into(), message));
        match (t.iterations, t.iterations_log10) {
            (Some(_), Some(_)) => {
                return Err(train("iterations_log10", "give `iterations` or `iterations_log10`, not both".into()))
            }
            (Some(n), None) if !(1..=schema::MAX_ITERATIONS as usize).contains(&n) => {
                return Err(train("iterations", format!("must be in [1, {}], got {n}", schema::MAX_ITERATIONS)))
            }
            (None, Some(p)) if !(p.is_finite() && (0.0..=9.0).contains(&p)) => {
                return Err(train("iterations_log10", format!("must be in [0, 9], got {p}")))
            }
            (None, None) => return Err(train("iterations", "give `iterations` or `iterations_log10`".into())),
            _ => {}
        }
        let total = t.total(false);
        if let Some(q) = t.quick_iterations {
            if q == 0 || q > total {
                return Err(train("quick_iterations", format!("must be in [1, N = {total}], got {q}")));
            }
        }
        positive("batch", t.batch).map_err(|e| fail("training", e))?;
        if let Some(n) = self.data.train_points().filter(|&n| t.batch > n) {
            return Err(train("batch", format!("must be ≤ the training points n = {n}, got {}", t.batch)));
        }
        if !(1..=schema::MAX_SEEDS as usize).contains(&t.seeds) {
            return Err(train("seeds", format!("must be in [1, {}], got {}", schema::MAX_SEEDS, t.seeds)));
        }
        if t.first_seed.checked_add(t.seeds as u64 - 1).is_none() {
            return Err(train(
                "seeds",
                format!("seed offsets first_seed = {} + (seeds − 1) = {} overflow 2^64 − 1", t.first_seed, t.seeds - 1),
            ));
        }
        let m = &self.metrics;
        let metric = |field: &str, message: String| fail("metrics", (field.into(), message));
        if m.grid_points < 2 {
            return Err(metric("grid_points", format!("must be ≥ 2, got {}", m.grid_points)));
        }
        if let Some(r) = &m.jacobian_rank {
            positive("points", r.points).map_err(|e| fail("metrics.jacobian_rank", e))?;
            if !(0.0..1.0).contains(&r.tol) {
                return Err(fail("metrics.jacobian_rank", ("tol".into(), format!("must be in [0, 1), got {}", r.tol))));
            }
        }
        // The capabilities the metrics need, asked of the built model (they do not depend on the
        // input dimension).
        let model = self.model.build(1);
        let hidden_layers = model.as_features().map_or(0, |f| f.hidden_layers());
        if m.support_size && model.as_linear().is_none() {
            return Err(metric("support_size", "needs a model linear in x (model.kind = \"diagonal\")".into()));
        }
        if let Some(s) = &m.feature_sparsity {
            let sp = |field: &str, message: String| fail("metrics.feature_sparsity", (field.into(), message));
            if !(s.tau > 0.0 && s.tau < 1.0) {
                return Err(sp("tau", format!("must be in (0, 1), got {}", s.tau)));
            }
            if hidden_layers == 0 {
                return Err(sp("layers", "needs a network with hidden layers (model.kind = \"relu_mlp\")".into()));
            }
            if let Some(l) = s.layers.iter().find(|&&l| l == 0 || l > hidden_layers) {
                return Err(sp("layers", format!("each must be in [1, {hidden_layers}] (the hidden layers), got {l}")));
            }
            if let Some(l) = s.layers.iter().enumerate().find(|(i, l)| s.layers[..*i].contains(l)).map(|(_, l)| l) {
                return Err(sp("layers", format!("layer {l} is listed twice")));
            }
        }
        self.check_layout().map_err(|m| top("figure", m))?;
        if self.runs.is_empty() || self.runs.len() > schema::MAX_RUNS {
            return Err(top(
                "runs",
                format!("needs 1 to {} [[runs]] entries, got {}", schema::MAX_RUNS, self.runs.len()),
            ));
        }
        for (i, r) in self.runs.iter().enumerate() {
            if r.name.is_empty() || r.name.contains([',', '"', '\n', '\r']) {
                return Err(fail(
                    &format!("runs[{i}]"),
                    ("name".into(), "must be non-empty without commas, quotes or line breaks".into()),
                ));
            }
            if let Some(j) = self.runs[..i].iter().position(|o| o.name == r.name) {
                return Err(fail(
                    &format!("runs[{i}]"),
                    ("name".into(), format!("{:?} is already the name of runs[{j}]; names must be distinct", r.name)),
                ));
            }
            r.schedule.validate().map_err(|e| fail(&format!("runs[{i}].schedule"), e))?;
        }
        self.check_memory().map_err(|(field, message)| fail("", (field, message)))
    }

    /// The figure layout against the data, the model and the snapshots it needs.
    fn check_layout(&self) -> Result<(), String> {
        let one_hidden = matches!(&self.model, ModelSpec::ReluMlp { hidden, .. } if hidden.len() == 1);
        let need = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(format!("layout {:?} needs {what}", self.figure))
            }
        };
        match self.figure.as_str() {
            "losses" => Ok(()),
            "trajectories" => {
                need(matches!(self.model, ModelSpec::Diagonal { .. }), "model.kind = \"diagonal\"")?;
                need(
                    matches!(self.data, DataSpec::SparseRegression { .. }),
                    "data.kind = \"sparse_regression\" (a ground truth β*)",
                )?;
                need(self.training.snapshots, "training.snapshots = true")
            }
            "functions" | "function_snapshots" => {
                need(one_hidden, "a one-hidden-layer ReLU net (model.kind = \"relu_mlp\", hidden = [m])")?;
                need(self.data.dim() == 1, "1-D inputs (data.kind = \"relu1d\", or d = 1)")?;
                need(self.figure == "functions" || self.training.snapshots, "training.snapshots = true")
            }
            "arrows" => {
                need(one_hidden, "a one-hidden-layer ReLU net (model.kind = \"relu_mlp\", hidden = [m])")?;
                need(
                    matches!(&self.data, DataSpec::Teacher { d: 2, hidden, .. } if hidden.len() == 1),
                    "a two-layer teacher on 2-D inputs (data.kind = \"teacher\", d = 2, hidden = [m])",
                )
            }
            other => {
                Err(format!("unknown layout {other:?}; allowed: {}", crate::experiment::figure::LAYOUTS.join(", ")))
            }
        }
    }

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

    fn check_memory(&self) -> Result<(), (String, String)> {
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
///
/// The run length has two spellings, `training.iterations` and `training.iterations_log10`, and a
/// config gives one: overriding one of them replaces the other (giving both stays a conflict),
/// and drops a `quick_iterations` of the file above the new N.
pub fn apply_overrides(text: &str, file: &str, overrides: &[String]) -> Result<String, ConfigError> {
    let fail = |e: crate::overrides::OverrideError| ConfigError {
        file: file.into(),
        field: e.spec.split('=').next().unwrap_or("").trim().to_string(),
        message: e.message,
    };
    let text = crate::overrides::apply_to_text(text, overrides).map_err(fail)?;
    let set = |key: &str| overrides.iter().any(|o| o.split('=').next().map(str::trim) == Some(key));
    let replaced = match (set("training.iterations"), set("training.iterations_log10")) {
        (true, false) => "iterations_log10",
        (false, true) => "iterations",
        _ => return Ok(text),
    };
    let mut doc: toml::Table = toml::from_str(&text).map_err(|e| ConfigError {
        file: file.into(),
        field: "-".into(),
        message: e.message().to_string(),
    })?;
    if let Some(toml::Value::Table(t)) = doc.get_mut("training") {
        t.remove(replaced);
        // A `quick_iterations` of the file that no longer fits the new N gives way to its
        // default N/10 (unless it is overridden too, then it is checked like the file).
        let n = match (t.get("iterations"), t.get("iterations_log10")) {
            (Some(toml::Value::Integer(n)), _) => Some(*n as f64),
            (_, Some(toml::Value::Float(p))) => Some(10f64.powf(*p).floor() + 1.0),
            (_, Some(toml::Value::Integer(p))) => Some(10f64.powf(*p as f64).floor() + 1.0),
            _ => None,
        };
        let quick = t.get("quick_iterations").and_then(toml::Value::as_integer);
        if let (Some(n), Some(q), false) = (n, quick, set("training.quick_iterations")) {
            if q as f64 > n {
                t.remove("quick_iterations");
            }
        }
    }
    toml::to_string(&doc).map_err(|e| ConfigError { file: file.into(), field: "-".into(), message: e.to_string() })
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
/// parser's `message` names (`unknown field `x``); a top-level line with no key is named by its
/// number (`line 2`).
fn field_at(text: &str, span: std::ops::Range<usize>, message: &str) -> String {
    let pos = value_line(text, &span, message).unwrap_or(span.start).min(text.len());
    let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("").trim();
    let mut table = String::new();
    let mut arrays: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for l in text[..line_start].lines().map(str::trim).chain(std::iter::once(line)) {
        if l.starts_with("[[") {
            // `[[runs]]`: the k-th entry is `runs[k]`.
            let name = l.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            let k = arrays.entry(name.clone()).or_insert(0);
            table = format!("{name}[{k}]");
            *k += 1;
        } else if l.starts_with('[') {
            table = l.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        }
    }
    if let Some(missing) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
        // The span of a missing field is its table (the whole document at the top level).
        let whole = span.start == 0 && span.end >= text.len();
        return match (!whole && line.starts_with('[') && span.start == line_start, table.is_empty()) {
            (true, false) => format!("{table}.{missing}"),
            _ => missing.to_string(),
        };
    }
    let key = if line.starts_with('[') || line.is_empty() {
        message.split('`').nth(1).filter(|_| message.contains("field `")).unwrap_or("").to_string()
    } else {
        line.split('=').next().unwrap_or("").trim().to_string()
    };
    match (table.is_empty(), key.is_empty()) {
        // No key on the line (a stray `= …`, a comment broken in two) at the top level: its line.
        (true, true) => format!("line {}", text[..line_start].lines().count() + 1),
        (true, false) => key,
        (false, true) => table,
        (false, false) => format!("{table}.{key}"),
    }
}
