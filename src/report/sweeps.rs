//! The robustness sweeps that `largestep sweep` wrote: read back, never recomputed.
//!
//! A sweep folder holds `observations.csv` (per cell: each observation's rate k/n with its
//! Wilson 95 % interval, see [`crate::sweep`]) and `phase.svg` (the phase diagram). The report
//! shows every sweep found under `--sweep-results` (default `results`, where `largestep sweep`
//! writes `sweep-<name>/`): its observation table as written, and its phase diagram copied beside
//! the report so the page stays self-contained.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Every sweep found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SweepSection {
    /// The folder searched.
    pub searched: String,
    /// One entry per folder holding an `observations.csv`.
    pub sweeps: Vec<SweepResult>,
}

/// One sweep's observation rates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    /// The sweep folder, as found.
    pub path: String,
    /// Folder name (`sweep-fig2`).
    pub name: String,
    /// The phase diagram copied into the report folder (relative path), when the sweep drew one.
    pub image: Option<String>,
    /// `observations.csv`: header and rows, as written.
    pub header: Vec<String>,
    /// Rows of `observations.csv`.
    pub rows: Vec<Vec<String>>,
}

/// Finds the sweeps under `dir` (the folder itself and two levels below) and copies each
/// phase diagram to `out/sweeps/<name>.svg`. A folder without a readable `observations.csv` is
/// skipped; an unreadable one that exists is an error naming the file.
pub fn section(dir: &Path, out: &Path) -> Result<SweepSection> {
    let mut found = Vec::new();
    collect(dir, 0, &mut found);
    found.sort();
    let mut sweeps = Vec::new();
    for folder in found {
        let file = folder.join("observations.csv");
        let text = crate::sweep::tables::Text::read(&file)?;
        let name = folder.file_name().map_or_else(|| "sweep".into(), |n| n.to_string_lossy().into_owned());
        let svg = folder.join("phase.svg");
        let image = if svg.is_file() {
            let rel = format!("sweeps/{}.svg", super::html::anchor(&name));
            let dest = out.join(&rel);
            std::fs::create_dir_all(out.join("sweeps"))?;
            std::fs::copy(&svg, &dest).with_context(|| format!("copying {} to {}", svg.display(), dest.display()))?;
            Some(rel)
        } else {
            None
        };
        sweeps.push(SweepResult {
            path: folder.display().to_string(),
            name,
            image,
            header: text.header,
            rows: text.rows,
        });
    }
    Ok(SweepSection { searched: dir.display().to_string(), sweeps })
}

fn collect(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if dir.join("observations.csv").is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && depth < 2 {
            collect(&p, depth + 1, out);
        }
    }
}
