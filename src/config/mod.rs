//! Experiment configuration (TOML, serde; unknown keys rejected) and its validation.
//!
//! Every error names the file, the field and the allowed range, in one line. Files: the error
//! type (`error.rs`); one spec per file (`data.rs`, `model.rs`, `training.rs`; the metrics' spec
//! lives in [`crate::metrics`]); the cross-field rules (`validate.rs`); the memory bound
//! (`memory.rs`, with `bytes.rs` for its messages); `KEY=VALUE` overrides (`overrides.rs`); TOML
//! error spans to field names (`spans.rs`).

mod bytes;
mod data;
mod error;
mod layout;
mod memory;
mod model;
mod overrides;
pub mod schema;
mod spans;
mod training;
mod validate;

pub use data::DataSpec;
pub use error::ConfigError;
pub use layout::Layout;
pub use memory::machine_memory;
pub use model::ModelSpec;
pub use overrides::apply_overrides;
pub use training::{Algorithm, RunSpec, TrainingSpec};
pub(crate) use validate::check_name;

use crate::metrics::MetricsSpec;
use crate::optim::{Gd, Optimizer, Sgd};
use crate::rng::RngKind;
use serde::{Deserialize, Serialize};
use spans::field_at;
use std::path::Path;

/// A whole experiment: one paper figure or a user's config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentConfig {
    /// Name (output folder `results/<name>`).
    pub name: String,
    /// Figure title.
    #[serde(default)]
    pub title: String,
    /// Figure layout; default "losses".
    #[serde(default)]
    pub figure: Layout,
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

impl ExperimentConfig {
    /// Parses and validates TOML text; `file` names the source in errors.
    ///
    /// Three stages, each error naming file and dotted key (with the `[[runs]]` index): TOML
    /// syntax; every key against the field table [`crate::config::schema::FIELDS`] (unknown keys, types,
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
        crate::config::schema::check_document(&doc).map_err(|(field, message)| ConfigError {
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
