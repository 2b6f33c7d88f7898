//! Results are inputs: a step's result is stored as `DIR/data/<step>.json` together with the
//! SHA-256 of its inputs and of the code version; a later report with the same key reads it back
//! instead of recomputing.
//!
//! Every stored key is salted with what changes every step's result whether or not the step
//! lists it: the seed offset, `--quick`, and the binary's own build
//! ([`crate::provenance::build_id`], recorded at compile time — never the working directory's
//! commit). So `report --seed 1` after `--seed 0` recomputes, and another binary reuses nothing.

use anyhow::Context;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The hex SHA-256 of the parts, each length-prefixed (so `["ab", "c"]` ≠ `["a", "bc"]`).
pub fn key(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Serialize, Deserialize)]
struct Stored<T> {
    key: String,
    seconds: f64,
    result: T,
}

/// The store under `dir/data/`.
pub struct Cache {
    dir: PathBuf,
    /// Never reuse (`--fresh`, or an unknown code version).
    pub disabled: bool,
    /// Mixed into every key (module doc).
    salt: String,
}

impl Cache {
    /// The store of a report folder, unsalted (for a caller whose keys hold every input).
    pub fn new(out: &Path, disabled: bool) -> Self {
        Self { dir: out.join("data"), disabled, salt: String::new() }
    }

    /// The store of the report of `opts` (in `opts.out`), its keys salted with the seed offset,
    /// `--quick` and the binary's build ([`report_salt`]).
    pub fn for_report(opts: &super::Options, disabled: bool) -> Self {
        Self { salt: report_salt(opts.seed, opts.quick), ..Self::new(&opts.out, disabled) }
    }

    /// The key stored for the caller's `key`.
    fn salted(&self, key: &str) -> String {
        if self.salt.is_empty() {
            key.to_string()
        } else {
            self::key(&[&self.salt, key])
        }
    }

    fn path(&self, step: &str) -> PathBuf {
        self.dir.join(format!("{step}.json"))
    }

    /// The stored result of `step` and its original wall time, if its key is `key`.
    pub fn load<T: DeserializeOwned>(&self, step: &str, key: &str) -> Option<(T, f64)> {
        if self.disabled {
            return None;
        }
        let text = std::fs::read_to_string(self.path(step)).ok()?;
        let s: Stored<T> = serde_json::from_str(&text).ok()?;
        (s.key == self.salted(key)).then_some((s.result, s.seconds))
    }

    /// Stores `result` under `key`, atomically.
    pub fn store<T: Serialize>(&self, step: &str, key: &str, seconds: f64, result: &T) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.dir).with_context(|| format!("creating folder {}", self.dir.display()))?;
        let s = Stored { key: self.salted(key), seconds, result };
        crate::output::atomic_write(&self.path(step), serde_json::to_string(&s)?.as_bytes())
    }
}

/// What every step of a report depends on besides its own inputs: the seed offset of every
/// random draw, `--quick`, and the binary's build (`unknown` outside a git build).
pub fn report_salt(seed: u64, quick: bool) -> String {
    let build = crate::provenance::build_id().unwrap_or_else(|| "unknown".into());
    key(&["report", &format!("seed={seed}"), &format!("quick={quick}"), &build])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_separates_parts_and_reuse_needs_the_same_key() {
        assert_ne!(key(&["ab", "c"]), key(&["a", "bc"]));
        assert_eq!(key(&["x"]).len(), 64);
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::new(dir.path(), false);
        cache.store("s", "k1", 1.5, &vec![1.0, 2.0]).expect("stores");
        assert_eq!(cache.load::<Vec<f64>>("s", "k1"), Some((vec![1.0, 2.0], 1.5)));
        assert_eq!(cache.load::<Vec<f64>>("s", "k2"), None);
        assert_eq!(Cache::new(dir.path(), true).load::<Vec<f64>>("s", "k1"), None);
    }

    fn options(out: &Path, seed: u64, quick: bool) -> super::super::Options {
        super::super::Options {
            out: out.to_path_buf(),
            quick,
            seed,
            deep_results: "d".into(),
            deep_small_results: "r".into(),
            sweep_results: "s".into(),
            fresh: false,
            verbose: false,
        }
    }

    /// `report --seed 1` after `--seed 0` (same step, same listed inputs) finds nothing to reuse;
    /// the same seed does; so does not `--quick` after the full report.
    #[test]
    fn the_seed_offset_and_quick_are_part_of_every_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        Cache::for_report(&options(dir.path(), 0, true), false).store("figure-fig2", "k", 1.0, &7u32).unwrap();
        let load =
            |seed, quick| Cache::for_report(&options(dir.path(), seed, quick), false).load::<u32>("figure-fig2", "k");
        assert_eq!(load(0, true), Some((7, 1.0)));
        assert_eq!(load(1, true), None, "seed 1 reused seed 0's result");
        assert_eq!(load(0, false), None, "the full report reused the quick one");
        assert_ne!(report_salt(0, true), report_salt(1, true));
    }
}
