//! The per-figure checks of the report (`experiments/report/figures.toml`, embedded): the paper's
//! claim beside each figure, the release's printed numbers, and run comparisons evaluated per
//! seed.

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
    /// Run comparisons.
    #[serde(default)]
    pub checks: Vec<Check>,
}

/// Which side of the baseline the runs must end on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Strictly below.
    Lower,
    /// Strictly above.
    Higher,
}

impl Relation {
    /// Whether `value` is on the required side of `baseline` (false when either is NaN).
    pub fn holds(self, value: f64, baseline: f64) -> bool {
        match self {
            Relation::Lower => value < baseline,
            Relation::Higher => value > baseline,
        }
    }
}

/// One comparison: for a seed, every run of `runs` ends on the `relation` side of `baseline` in
/// the summary value `metric`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Claim id.
    pub id: String,
    /// The comparison in words.
    pub what: String,
    /// Summary value (`final_test_loss`, `final_jacobian_rank`, …).
    pub metric: String,
    /// The reference run.
    pub baseline: String,
    /// The runs compared with it.
    pub runs: Vec<String>,
    /// Lower or higher.
    pub relation: Relation,
}

/// The parsed embedded specification (an error names the file and the field).
pub fn figures() -> anyhow::Result<Spec> {
    toml::from_str(FIGURES).map_err(|e| anyhow::anyhow!("experiments/report/figures.toml (embedded): {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_of_the_registry_has_a_spec_and_every_check_names_its_runs() {
        let spec = figures().expect("parses");
        for name in crate::experiment::registry::names() {
            let f = spec.figure.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("{name} has no spec"));
            let cfg = crate::experiment::registry::get(name).expect("exists").expect("valid");
            for c in &f.checks {
                for r in c.runs.iter().chain([&c.baseline]) {
                    assert!(cfg.runs.iter().any(|s| &s.name == r), "{}: run {r} not in {name}", c.id);
                }
            }
        }
    }
}
