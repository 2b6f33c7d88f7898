//! A sweep's resume state: each finished cell's rows, stored under a key of its inputs, in the
//! output folder's resume folder ([`crate::output::OutputDir::resume_dir`]).
//!
//! A file `cell-<i>.json` holds the key and the cell's rows of `runs.csv` and `seeds.csv`; it is
//! written atomically once the cell has finished, so a killed sweep leaves whole cells only. The
//! next sweep into the same folder reuses a cell when its key is the same: the SHA-256 of the
//! cell's input digest ([`super::Plan::cells`]: effective config, data file bytes, seeds and
//! options) and of the binary's build ([`crate::provenance::build_id`]). A file that does not
//! parse or holds another key is ignored and recomputed. The commit of the sweep's set removes
//! the folder.

use super::tables::Text;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A cell's rows of `runs.csv` and `seeds.csv`, each with its header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellRows {
    /// The cell's rows of `runs.csv`.
    pub runs: Text,
    /// The cell's rows of `seeds.csv`.
    pub seeds: Text,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    key: String,
    rows: CellRows,
}

/// The resume key of a cell: its input digest and the binary that computes it (its build id; for
/// a build outside git, the executable's size and modification time).
pub fn key(cell_digest: &str) -> String {
    let build = crate::provenance::build_id().unwrap_or_else(|| {
        let exe = std::env::current_exe().and_then(std::fs::metadata).ok();
        let stamp = exe.map(|m| format!("{} {:?}", m.len(), m.modified().ok()));
        format!("{} (no commit) {stamp:?}", env!("CARGO_PKG_VERSION"))
    });
    super::digest(&[b"largestep sweep cell v1", build.as_bytes(), cell_digest.as_bytes()])
}

/// The store of finished cells in one folder.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store in `dir`.
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    fn path(&self, cell: usize) -> PathBuf {
        self.dir.join(format!("cell-{cell}.json"))
    }

    /// The stored rows of `cell` when stored under `key`.
    pub fn load(&self, cell: usize, key: &str) -> Option<CellRows> {
        let text = std::fs::read_to_string(self.path(cell)).ok()?;
        let s: Stored = serde_json::from_str(&text).ok()?;
        (s.key == key).then_some(s.rows)
    }

    /// Stores the rows of `cell` under `key`, atomically.
    pub fn save(&self, cell: usize, key: &str, rows: &CellRows) -> Result<()> {
        let s = Stored { key: key.to_string(), rows: rows.clone() };
        let path = self.path(cell);
        crate::output::atomic_write(&path, serde_json::to_string(&s)?.as_bytes())
            .with_context(|| format!("saving the resume state of cell {cell}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_is_reused_only_under_its_own_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        let rows = CellRows {
            runs: Text { header: vec!["cell".into()], rows: vec![vec!["3".into()]] },
            seeds: Text { header: vec!["cell".into()], rows: vec![] },
        };
        store.save(3, &key("abc"), &rows).unwrap();
        assert_eq!(store.load(3, &key("abc")), Some(rows));
        assert_eq!(store.load(3, &key("abd")), None, "other inputs: recomputed");
        assert_eq!(store.load(4, &key("abc")), None);
        std::fs::write(dir.path().join("cell-3.json"), "{truncated").unwrap();
        assert_eq!(store.load(3, &key("abc")), None, "a damaged file is recomputed");
    }
}
