//! `largestep merge`: the shard folders of one sweep combined into the unsharded sweep's files,
//! every row checked against the grid first.
//!
//! Each shard's `grid.json` must equal the first's (same base config digest, axes, seeds,
//! options and per-cell input digests), its `config.toml` must hash to the recorded base
//! digest, and its `shard.json` must name a valid shard. Every row of `runs.csv` and
//! `seeds.csv` must belong to a cell of that shard, carry the cell's axis values, a run of the
//! sweep and a seed of its seed set, and appear once; each cell must have all its rows
//! (runs × seeds and seeds), and the shards together must hold each cell once. A merge into one
//! of its own inputs is refused. Each failure is one line naming the file and the row or cell.

use super::tables::Text;
use super::{digest, finish, write_plan_bytes, Plan, Shard};
use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Combines shard folders into `out` (module doc): the same files as the unsharded sweep,
/// written as one set ([`crate::output::write_set`]).
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Plan> {
    if dirs.is_empty() {
        bail!("merge: no shard folder given");
    }
    let target = absolute(out);
    if let Some(d) = dirs.iter().find(|d| absolute(d) == target) {
        bail!("merge: --out {} is one of the shard folders ({}); merge into a new folder", out.display(), d.display());
    }
    let plan = read_plan(&dirs[0])?;
    let grid = plan.grid().with_context(|| format!("{}", dirs[0].join("grid.json").display()))?;
    let total = grid.len();
    if plan.cells.len() != total || plan.base.is_empty() {
        bail!(
            "merge: {} holds no digest of the base config and of each of its {total} cells \
             (written by an older largestep?); rerun the shards",
            dirs[0].join("grid.json").display()
        );
    }
    let mut owner: Vec<Option<usize>> = vec![None; total];
    let mut runs = Text::default();
    let mut seeds = Text::default();
    for (i, d) in dirs.iter().enumerate() {
        let p = read_plan(d)?;
        if p.base != plan.base {
            bail!(
                "merge: {} is a shard of another base config (digest {}) than {} (digest {})",
                d.display(),
                p.base,
                dirs[0].display(),
                plan.base
            );
        }
        if p != plan {
            bail!(
                "merge: {} is a shard of a different sweep than {} (grid.json differs)",
                d.display(),
                dirs[0].display()
            );
        }
        let config = d.join("config.toml");
        let text = std::fs::read(&config).with_context(|| format!("merge: reading {}", config.display()))?;
        if digest(&[&text]) != plan.base {
            bail!("merge: {} does not match the base config digest of its grid.json (edited?)", config.display());
        }
        let shard = read_shard(d)?;
        let cells = shard.cells(total);
        for &c in &cells {
            if let Some(j) = owner[c].replace(i) {
                bail!("merge: cell {c} is in both {} and {}", dirs[j].display(), d.display());
            }
        }
        let cells: BTreeSet<usize> = cells.into_iter().collect();
        let check = Rows { plan: &plan, grid: &grid, shard, cells: &cells };
        for (acc, file) in [(&mut runs, "runs.csv"), (&mut seeds, "seeds.csv")] {
            let path = d.join(file);
            let t = Text::read(&path)?;
            check.verify(&t, &path, file == "runs.csv")?;
            if acc.header.is_empty() {
                acc.header = t.header;
            } else if acc.header != t.header {
                bail!("merge: {} has other columns than the first shard's", path.display());
            }
            acc.rows.extend(t.rows);
        }
    }
    if let Some(c) = owner.iter().position(Option::is_none) {
        bail!("merge: no shard holds cell {c} of {total}");
    }
    let key = |r: &Vec<String>| r[0].parse::<usize>().unwrap_or(usize::MAX);
    runs.rows.sort_by_key(key);
    seeds.rows.sort_by_key(key);
    crate::output::write_set(out, |staging| {
        runs.table().write(&staging.join("runs.csv"))?;
        seeds.table().write(&staging.join("seeds.csv"))?;
        write_plan_bytes(staging, &dirs[0])?;
        finish(staging, &plan)
    })?;
    Ok(plan)
}

/// `path` made absolute (canonical where it exists; else its canonical parent and its name).
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let parent = std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf());
    path.file_name().map_or(parent.clone(), |n| parent.join(n))
}

fn read_plan(d: &Path) -> Result<Plan> {
    let p = d.join("grid.json");
    let text = std::fs::read_to_string(&p).with_context(|| format!("merge: {}: not a sweep shard", d.display()))?;
    serde_json::from_str(&text).with_context(|| format!("merge: {}: unreadable", p.display()))
}

fn read_shard(d: &Path) -> Result<Shard> {
    let p = d.join("shard.json");
    let text = std::fs::read_to_string(&p).with_context(|| format!("merge: {}: no shard.json", d.display()))?;
    let (index, count): (usize, usize) =
        serde_json::from_str(&text).with_context(|| format!("merge: {}: expected [I, N]", p.display()))?;
    Shard::new(index, count).with_context(|| format!("merge: {}", p.display()))
}

/// The checks of one shard's rows against the grid.
struct Rows<'a> {
    plan: &'a Plan,
    grid: &'a super::Grid,
    shard: Shard,
    cells: &'a BTreeSet<usize>,
}

impl Rows<'_> {
    /// Checks every row of `t` (`runs.csv` when `per_run`, else `seeds.csv`; module doc).
    fn verify(&self, t: &Text, path: &Path, per_run: bool) -> Result<()> {
        let col = |name: &str| {
            t.header
                .iter()
                .position(|h| h == name)
                .with_context(|| format!("merge: {}: no column `{name}`", path.display()))
        };
        let (c_cell, c_seed) = (col("cell")?, col("seed")?);
        let c_run = if per_run { Some(col("run")?) } else { None };
        let axes: Vec<usize> = self.grid.axes.iter().map(|a| col(&a.name)).collect::<Result<_>>()?;
        let first = self.plan.seed;
        let last = first.checked_add(self.plan.seeds as u64).context("merge: the seed range overflows")?;
        let mut seen = BTreeSet::new();
        for (i, r) in t.rows.iter().enumerate() {
            let at = || format!("merge: {} row {}", path.display(), i + 2);
            let cell: usize =
                r[c_cell].parse().map_err(|_| anyhow::anyhow!("{}: cell `{}` is not a cell index", at(), r[c_cell]))?;
            if cell >= self.grid.len() {
                bail!("{}: cell {cell} is outside the {}-cell grid", at(), self.grid.len());
            }
            if !self.cells.contains(&cell) {
                bail!("{}: cell {cell} does not belong to shard {}", at(), self.shard);
            }
            let values: Vec<&str> = axes.iter().map(|&j| r[j].as_str()).collect();
            let expected = self.grid.values(cell);
            if values.iter().ne(expected.iter()) {
                bail!("{}: values [{}] are not cell {cell}'s [{}]", at(), values.join(", "), expected.join(", "));
            }
            let seed: u64 =
                r[c_seed].parse().map_err(|_| anyhow::anyhow!("{}: seed `{}` is not a seed", at(), r[c_seed]))?;
            if !(first..last).contains(&seed) {
                bail!("{}: seed {seed} is not in the sweep's seeds {first}..{}", at(), last - 1);
            }
            let run = match c_run {
                Some(j) => {
                    if !self.plan.runs.contains(&r[j]) {
                        bail!("{}: run `{}` is not a run of the sweep ({})", at(), r[j], self.plan.runs.join(", "));
                    }
                    r[j].clone()
                }
                None => String::new(),
            };
            if !seen.insert((cell, run.clone(), seed)) {
                let what = if per_run { format!("run {run}, ") } else { String::new() };
                bail!("{}: cell {cell}, {what}seed {seed} appears twice", at());
            }
        }
        let per_cell = if per_run { self.plan.runs.len() * self.plan.seeds } else { self.plan.seeds };
        for &c in self.cells {
            let n = seen.range((c, String::new(), 0)..).take_while(|k| k.0 == c).count();
            if n != per_cell {
                bail!("merge: {}: cell {c} has {n} of its {per_cell} rows (truncated or incomplete?)", path.display());
            }
        }
        Ok(())
    }
}
