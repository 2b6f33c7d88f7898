//! Writing results: atomic file writes and the CSV conventions of docs/DESIGN.md §2.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, fsync, rename.
/// Creates the parent folder if needed.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = parent_dir(path);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating folder {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes).with_context(|| format!("writing {}", path.display()))?;
    tmp.as_file().sync_all().ok();
    persist(tmp, path)
}

/// Writes a file atomically through a writer callback (temporary file + rename).
pub fn atomic_write_with(path: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let dir = parent_dir(path);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating folder {}", dir.display()))?;
    let tmp = tempfile::NamedTempFile::new_in(&dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    let mut w = std::io::BufWriter::new(tmp);
    fill(&mut w)?;
    let tmp = w.into_inner().map_err(|e| e.into_error()).with_context(|| format!("writing {}", path.display()))?;
    tmp.as_file().sync_all().ok();
    persist(tmp, path)
}

/// Persists a temporary file at `path` with the usual permissions (0644 on Unix: temporary
/// files are created 0600).
pub(crate) fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644)).ok();
    }
    tmp.persist(path).map_err(|e| e.error).with_context(|| format!("renaming into {}", path.display()))?;
    Ok(())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A CSV table held in memory and written atomically: header plus rows of cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        Self { header: header.into_iter().map(Into::into).collect(), rows: Vec::new() }
    }
    /// Appends a row.
    pub fn push<S: Into<String>>(&mut self, row: impl IntoIterator<Item = S>) {
        self.rows.push(row.into_iter().map(Into::into).collect());
    }
    /// Writes the table as CSV, atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        atomic_write_with(path, |w| {
            let mut c = csv::Writer::from_writer(w);
            c.write_record(&self.header)?;
            for r in &self.rows {
                c.write_record(r)?;
            }
            c.flush()?;
            Ok(())
        })
    }
}

/// Formats a value for CSV: shortest round-trip decimal (`{}`), `NaN`, `inf`, `-inf`.
pub fn fmt_f64(v: f64) -> String {
    format!("{v}")
}
