//! The embedded-config registry: one TOML per paper figure (`experiments/*.toml`) and one per
//! SGD ↔ SDE comparison (`experiments/sde/*.toml`), compiled into the binary.
//!
//! `largestep list`, `reproduce <name>` and `reproduce all` see every entry of [`EXPERIMENTS`]
//! and of [`STANDALONE`] (figures that are not a config of runs, such as Fig. 8), in paper order
//! ([`entries`]); `sde-vs-sgd --model` sees [`SDE`]. Adding a config is adding a TOML file and one
//! line here.

use crate::config::{ConfigError, ExperimentConfig};
use anyhow::Result;
use std::path::{Path, PathBuf};

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

/// A paper figure that is not a config of runs: a toy setting of its own with fixed constants
/// and its own producer (Fig. 8). `list` shows it, `reproduce NAME` and `reproduce all` make it,
/// `show NAME` prints its constants; `run`, `sweep` and `--set` do not apply.
#[derive(Debug, Clone, Copy)]
pub struct Standalone {
    /// Name (`reproduce NAME`; the output folder).
    pub name: &'static str,
    /// The random generator it draws with (the `rng` column of `list`).
    pub rng: &'static str,
    /// Its title, with its constants (the `title` column of `list`).
    pub title: fn() -> String,
    /// Its constants, one `name = value  # meaning` line each (`show NAME`).
    pub constants: fn() -> String,
    /// Writes its CSVs and, when the flag is set, its figure into the folder; returns the files.
    pub write: fn(&Path, bool) -> Result<Vec<PathBuf>>,
}

/// Every standalone figure, in paper order.
pub const STANDALONE: &[Standalone] = &[Standalone {
    name: "fig8",
    rng: "chacha",
    title: super::fig8::default_title,
    constants: super::fig8::constants_text,
    write: super::fig8::write_default,
}];

/// The standalone figure `name`.
pub fn standalone(name: &str) -> Option<&'static Standalone> {
    STANDALONE.iter().find(|s| s.name == name)
}

/// One paper figure of [`entries`].
#[derive(Debug, Clone, Copy)]
pub enum Entry {
    /// An embedded config of [`EXPERIMENTS`], by name.
    Config(&'static str),
    /// A figure of [`STANDALONE`].
    Standalone(&'static Standalone),
}

impl Entry {
    /// The figure's name.
    pub fn name(&self) -> &'static str {
        match self {
            Entry::Config(n) => n,
            Entry::Standalone(s) => s.name,
        }
    }
}

/// The figure number of `figN` (names without one sort last).
fn number(name: &str) -> u32 {
    name.strip_prefix("fig").and_then(|n| n.parse().ok()).unwrap_or(u32::MAX)
}

/// Every figure that `list` shows and `reproduce all` makes: the embedded configs and the
/// standalone figures, in paper order (by figure number; the configs' own order among equals).
pub fn entries() -> Vec<Entry> {
    let mut all: Vec<Entry> = EXPERIMENTS.names().into_iter().map(Entry::Config).collect();
    all.extend(STANDALONE.iter().map(Entry::Standalone));
    all.sort_by_key(|e| number(e.name()));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_hold_every_config_and_standalone_figure_once_in_paper_order() {
        let names: Vec<&str> = entries().iter().map(Entry::name).collect();
        assert_eq!(names.len(), EXPERIMENTS.entries.len() + STANDALONE.len());
        for n in EXPERIMENTS.names().into_iter().chain(STANDALONE.iter().map(|s| s.name)) {
            assert_eq!(names.iter().filter(|m| **m == n).count(), 1, "{n}");
        }
        let numbers: Vec<u32> = names.iter().map(|n| number(n)).collect();
        assert!(numbers.windows(2).all(|w| w[0] <= w[1]), "not in paper order: {names:?}");
        let at = |n: &str| names.iter().position(|m| *m == n).unwrap();
        assert!(at("fig5") < at("fig8") && at("fig8") < at("fig10"));
        // A standalone figure is not an embedded config (no `run`, `sweep` or `--set`).
        assert!(get("fig8").is_none() && standalone("fig8").is_some());
    }
}
