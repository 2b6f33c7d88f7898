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
    /// (what, value) of the release's code run on this machine (not the notebooks' digits).
    #[serde(default)]
    pub rerun: Vec<[String; 2]>,
}

/// The numbers the release notebooks print (`experiments/report/release.toml`, embedded).
pub const RELEASE: &str = include_str!("../../experiments/report/release.toml");

/// The release file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// One entry per figure.
    pub figure: Vec<ReleaseFigure>,
}

/// One notebook's printed numbers for one figure.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseFigure {
    /// Registry name.
    pub name: String,
    /// The notebook (path in tml-epfl/sgd-sparse-features).
    pub notebook: String,
    /// The printed values.
    pub lines: Vec<ReleaseLine>,
}

/// One printed value.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseLine {
    /// What it is, with the runs in order.
    pub what: String,
    /// The digits as printed, joined by " / ".
    pub value: String,
    /// The notebook cell (0-based).
    pub cell: usize,
    /// An excerpt of the printed text.
    pub printed: String,
}

/// The parsed embedded release numbers.
pub fn release() -> anyhow::Result<Release> {
    toml::from_str(RELEASE).map_err(|e| anyhow::anyhow!("experiments/report/release.toml (embedded): {e}"))
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
        let release = release().expect("release.toml parses");
        for f in &release.figure {
            let cfg = crate::experiment::registry::get(&f.name).unwrap_or_else(|| panic!("{}", f.name)).unwrap();
            for l in &f.lines {
                // "… (run, run, …)": as many printed values as runs named, each a run of the figure.
                let named = l.what.rsplit_once('(').and_then(|(_, r)| r.split_once(')')).map(|(inside, _)| inside);
                let runs: Vec<&str> = named.map(|n| n.split(", ").collect()).unwrap_or_default();
                if runs.iter().all(|r| cfg.runs.iter().any(|s| s.name == *r)) && !runs.is_empty() {
                    assert_eq!(l.value.split(" / ").count(), runs.len(), "{}: {}", f.name, l.what);
                }
                assert!(!l.value.trim().is_empty() && !l.printed.is_empty(), "{}: {}", f.name, l.what);
            }
        }
    }
}
