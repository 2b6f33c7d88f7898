//! Results are inputs: a step's result is stored as `DIR/data/<step>.json` together with the
//! SHA-256 of its inputs and of the code version; a later report with the same key reads it back
//! instead of recomputing.

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
}

impl Cache {
    /// The store of a report folder.
    pub fn new(out: &Path, disabled: bool) -> Self {
        Self { dir: out.join("data"), disabled }
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
        (s.key == key).then_some((s.result, s.seconds))
    }

    /// Stores `result` under `key`, atomically.
    pub fn store<T: Serialize>(&self, step: &str, key: &str, seconds: f64, result: &T) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let s = Stored { key: key.to_string(), seconds, result };
        crate::output::atomic_write(&self.path(step), serde_json::to_string(&s)?.as_bytes())
    }
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
}
