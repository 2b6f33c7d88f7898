//! The embedded-config registry: one TOML per paper figure (`experiments/*.toml`) and one per
//! SGD ↔ SDE comparison (`experiments/sde/*.toml`), compiled into the binary.
//!
//! `largestep list`, `reproduce <name>` and `reproduce all` see every entry of [`EXPERIMENTS`];
//! `sde-vs-sgd --model` sees [`SDE`]. Adding a config is adding a TOML file and one line here.

use crate::config::{ConfigError, ExperimentConfig};

/// A table of embedded TOML configs of one kind.
#[derive(Debug, Clone, Copy)]
pub struct Registry {
    /// The folder the files come from (for error messages), e.g. `experiments/sde`.
    pub dir: &'static str,
    /// (name, TOML text), in paper order.
    pub entries: &'static [(&'static str, &'static str)],
}

impl Registry {
    /// Names of the entries.
    pub fn names(&self) -> Vec<&'static str> {
        self.entries.iter().map(|(n, _)| *n).collect()
    }
    /// The entry `name`: its file label for errors (`dir/name.toml (embedded)`) and its text.
    pub fn text(&self, name: &str) -> Option<(String, &'static str)> {
        self.entries.iter().find(|(n, _)| *n == name).map(|(n, t)| (format!("{}/{n}.toml (embedded)", self.dir), *t))
    }
}

/// Every embedded experiment (one per paper figure).
pub const EXPERIMENTS: Registry = Registry {
    dir: "experiments",
    entries: &[
        ("fig2", include_str!("../../experiments/fig2.toml")),
        ("fig3", include_str!("../../experiments/fig3.toml")),
        ("fig4", include_str!("../../experiments/fig4.toml")),
        ("fig5", include_str!("../../experiments/fig5.toml")),
        ("fig10", include_str!("../../experiments/fig10.toml")),
        ("fig11", include_str!("../../experiments/fig11.toml")),
        ("fig12", include_str!("../../experiments/fig12.toml")),
        ("fig13", include_str!("../../experiments/fig13.toml")),
        ("fig14", include_str!("../../experiments/fig14.toml")),
    ],
};

/// Every embedded SGD ↔ SDE comparison (Fig. 9 and Appendix C), see [`crate::sde::spec`].
pub const SDE: Registry = Registry {
    dir: "experiments/sde",
    entries: &[
        ("diagonal", include_str!("../../experiments/sde/diagonal.toml")),
        ("relu-1d", include_str!("../../experiments/sde/relu-1d.toml")),
        ("relu-two-layer", include_str!("../../experiments/sde/relu-two-layer.toml")),
        ("relu-three-layer", include_str!("../../experiments/sde/relu-three-layer.toml")),
    ],
};

/// Every embedded reduced-scale deep protocol (`reproduce deep-…`, needs `--features deep`), see
/// `crate::deep::small`.
pub const DEEP: Registry = Registry {
    dir: "experiments",
    entries: &[("deep-cifar10-small", include_str!("../../experiments/deep-cifar10-small.toml"))],
};

/// (name, TOML text) of every embedded experiment, in paper order.
pub const EMBEDDED: &[(&str, &str)] = EXPERIMENTS.entries;

/// Names of the embedded experiments.
pub fn names() -> Vec<&'static str> {
    EXPERIMENTS.names()
}

/// The embedded config `name`, parsed and validated.
pub fn get(name: &str) -> Option<Result<ExperimentConfig, ConfigError>> {
    get_with_overrides(name, &[])
}

/// The embedded config `name` with `KEY=VALUE` overrides, parsed and validated.
pub fn get_with_overrides(name: &str, overrides: &[String]) -> Option<Result<ExperimentConfig, ConfigError>> {
    EXPERIMENTS.text(name).map(|(file, text)| ExperimentConfig::parse_with_overrides(text, &file, overrides))
}
