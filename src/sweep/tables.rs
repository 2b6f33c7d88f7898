//! The sweep's files and the statistics computed from them.
//!
//! Per-run and per-seed records are written by the cells as they finish (`runs.csv`,
//! `seeds.csv`); everything else — `cells.csv` (per cell and run: divergence rate, fit rate,
//! median and quartiles of each final value over the converged seeds), `observations.csv` (per
//! cell: each observation's rate with its Wilson 95 % interval) and the phase diagram — is
//! computed by [`summarize`] from those two files' text. An unsharded sweep and `largestep merge`
//! of its shards therefore go through the same bytes and produce the same files.

use super::grid::Grid;
use super::observations::Count;
use crate::experiment::Aggregate;
use crate::output::{fmt_f64, Table};
use crate::stats::quantile;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// A CSV read back: header and rows of text.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Text {
    /// Column names.
    pub header: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

impl Text {
    /// Reads `path`.
    pub fn read(path: &Path) -> Result<Self> {
        let mut r = csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
        let header = r.headers()?.iter().map(String::from).collect();
        let rows = r
            .records()
            .map(|rec| rec.map(|r| r.iter().map(String::from).collect()))
            .collect::<std::result::Result<_, _>>()
            .with_context(|| format!("reading {}", path.display()))?;
        Ok(Self { header, rows })
    }
    /// As a table to write.
    pub fn table(&self) -> Table {
        let mut t = Table::new(self.header.clone());
        for r in &self.rows {
            t.push(r.clone());
        }
        t
    }
    fn col(&self, name: &str) -> Result<usize> {
        match self.header.iter().position(|h| h == name) {
            Some(i) => Ok(i),
            None => bail!("column `{name}` missing"),
        }
    }
}

fn parse(v: &str) -> f64 {
    if v.is_empty() {
        f64::NAN
    } else {
        v.parse().unwrap_or(f64::NAN)
    }
}

fn flag(v: &str) -> Option<bool> {
    match v {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    }
}

/// Formats a per-seed outcome: 1 / 0 / empty (undecided).
pub fn flag_text(v: Option<bool>) -> String {
    v.map(|b| if b { "1" } else { "0" }.to_string()).unwrap_or_default()
}

/// `cells.csv` and `observations.csv` from `runs.csv` and `seeds.csv` (module doc).
pub fn summarize(grid: &Grid, runs: &Text, seeds: &Text) -> Result<(Table, Table)> {
    let na = grid.axes.len();
    let (c_cell, c_run, c_div, c_fits) =
        (runs.col("cell")?, runs.col("run")?, runs.col("diverged")?, runs.col("fits")?);
    let values: Vec<usize> = (0..runs.header.len())
        .filter(|&i| runs.header[i].starts_with("final_") || runs.header[i] == "plateau_train_loss")
        .collect();
    // (cell, run order of first appearance) → rows
    let mut groups: BTreeMap<(usize, usize), Vec<&Vec<String>>> = BTreeMap::new();
    let mut run_names: Vec<String> = Vec::new();
    for r in &runs.rows {
        let cell: usize = r[c_cell].parse().context("runs.csv: bad cell index")?;
        let ri = match run_names.iter().position(|n| *n == r[c_run]) {
            Some(i) => i,
            None => {
                run_names.push(r[c_run].clone());
                run_names.len() - 1
            }
        };
        groups.entry((cell, ri)).or_default().push(r);
    }
    let mut h: Vec<String> = vec!["cell".into()];
    h.extend(grid.axes.iter().map(|a| a.name.clone()));
    h.extend(
        [
            "run",
            "seeds",
            "diverged",
            "p_diverge",
            "p_diverge_lo",
            "p_diverge_hi",
            "fit",
            "fit_of",
            "p_fit",
            "p_fit_lo",
            "p_fit_hi",
        ]
        .map(String::from),
    );
    for &v in &values {
        h.extend(["median", "q1", "q3"].map(|s| format!("{}_{s}", runs.header[v])));
    }
    let mut cells = Table::new(h);
    for ((cell, ri), rows) in &groups {
        let mut d = Count::default();
        let mut f = Count::default();
        for r in rows {
            d.add(flag(&r[c_div]));
            f.add(flag(&r[c_fits]));
        }
        let pd = d.rate("P(diverge)");
        let pf = f.rate("P(fit)");
        let mut row = vec![cell.to_string()];
        row.extend(grid.values(*cell).into_iter().take(na));
        row.extend([run_names[*ri].clone(), rows.len().to_string(), d.holds.to_string()]);
        row.extend(interval(&pd));
        row.extend([f.holds.to_string(), (f.holds + f.fails).to_string()]);
        row.extend(interval(&pf));
        let kept: Vec<&&Vec<String>> = rows.iter().filter(|r| flag(&r[c_div]) == Some(false)).collect();
        for &v in &values {
            let a = Aggregate::of(&kept.iter().map(|r| parse(&r[v])).collect::<Vec<_>>(), d.holds as usize);
            row.extend([a.median, a.q1, a.q3].map(fmt_f64));
        }
        cells.push(row);
    }

    let obs_cols: Vec<usize> = (0..seeds.header.len()).filter(|&i| seeds.header[i].starts_with('O')).collect();
    let s_cell = seeds.col("cell")?;
    let mut by_cell: BTreeMap<usize, Vec<Count>> = BTreeMap::new();
    for r in &seeds.rows {
        let cell: usize = r[s_cell].parse().context("seeds.csv: bad cell index")?;
        let counts = by_cell.entry(cell).or_insert_with(|| vec![Count::default(); obs_cols.len()]);
        for (c, &i) in counts.iter_mut().zip(&obs_cols) {
            c.add(flag(&r[i]));
        }
    }
    let mut h: Vec<String> = vec!["cell".into()];
    h.extend(grid.axes.iter().map(|a| a.name.clone()));
    h.extend(["observation", "holds", "fails", "undecided", "rate", "lo", "hi", "verdict"].map(String::from));
    let mut obs = Table::new(h);
    for (cell, counts) in &by_cell {
        for (c, &i) in counts.iter().zip(&obs_cols) {
            let mut row = vec![cell.to_string()];
            row.extend(grid.values(*cell));
            row.extend([seeds.header[i].clone(), c.holds.to_string(), c.fails.to_string(), c.undecided.to_string()]);
            row.extend(interval(&c.rate(&seeds.header[i])));
            // The one criterion of the claims (`largestep verify`, `report`).
            row.push(crate::claims::CRITERION.decide(&seeds.header[i], c.holds, c.decided()).label().to_string());
            obs.push(row);
        }
    }
    Ok((cells, obs))
}

fn interval(s: &largestep_theory::verdict::Statistic) -> [String; 3] {
    let [lo, hi] = s.interval.unwrap_or([f64::NAN, f64::NAN]);
    [fmt_f64(s.estimate), fmt_f64(lo), fmt_f64(hi)]
}

/// Median and quartiles of `v` (NaN dropped), for printing.
pub fn quartiles(v: &[f64]) -> (f64, f64, f64) {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    s.sort_by(f64::total_cmp);
    (quantile(&s, 0.5), quantile(&s, 0.25), quantile(&s, 0.75))
}
