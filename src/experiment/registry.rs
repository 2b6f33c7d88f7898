//! The experiment registry: one embedded TOML per paper figure.
//!
//! `largestep list`, `reproduce <name>` and `reproduce all` see every entry of [`EMBEDDED`];
//! adding a figure is adding a TOML file under `experiments/` and one line here.

use crate::config::{ConfigError, ExperimentConfig};

/// (name, TOML text) of every embedded experiment, in paper order.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("fig2", include_str!("../../experiments/fig2.toml")),
    ("fig3", include_str!("../../experiments/fig3.toml")),
    ("fig4", include_str!("../../experiments/fig4.toml")),
    ("fig5", include_str!("../../experiments/fig5.toml")),
    ("fig10", include_str!("../../experiments/fig10.toml")),
    ("fig11", include_str!("../../experiments/fig11.toml")),
    ("fig12", include_str!("../../experiments/fig12.toml")),
    ("fig13", include_str!("../../experiments/fig13.toml")),
    ("fig14", include_str!("../../experiments/fig14.toml")),
];

/// Names of the embedded experiments.
pub fn names() -> Vec<&'static str> {
    EMBEDDED.iter().map(|(n, _)| *n).collect()
}

/// The embedded config `name`, parsed and validated.
pub fn get(name: &str) -> Option<Result<ExperimentConfig, ConfigError>> {
    EMBEDDED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| ExperimentConfig::parse(text, &format!("experiments/{n}.toml (embedded)")))
}
