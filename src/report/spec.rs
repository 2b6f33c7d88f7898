//! The per-figure text of the report (`experiments/report/figures.toml`, embedded): the paper's
//! claim beside each figure and the release's printed numbers. The claims a figure decides are
//! the registry's ([`crate::claims::registry`]).

use serde::Deserialize;

/// The embedded specification.
pub const FIGURES: &str = include_str!("../../experiments/report/figures.toml");

/// The file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// One entry per figure, in paper order.
    pub figure: Vec<FigureSpec>,
}

/// One figure.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureSpec {
    /// Registry name.
    pub name: String,
    /// The paper's claim.
    pub claim: String,
    /// (what, value) printed by the authors' release.
    #[serde(default)]
    pub release: Vec<[String; 2]>,
}

/// The parsed embedded specification (an error names the file and the field).
pub fn figures() -> anyhow::Result<Spec> {
    toml::from_str(FIGURES).map_err(|e| anyhow::anyhow!("experiments/report/figures.toml (embedded): {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_of_the_registry_has_a_spec() {
        let spec = figures().expect("parses");
        for name in crate::experiment::registry::names() {
            assert!(spec.figure.iter().any(|f| f.name == name), "{name} has no spec");
        }
    }
}
