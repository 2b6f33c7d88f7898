//! Outputs in the layout of Figs. 6/7: one CSV row per (run, epoch), and panels of train loss,
//! test error and, per block, the sparsity coefficient (solid) with the positive fraction (dashed).
//!
//! [`write`] writes `deep.csv`, `figure.toml` (the figure's title) and the figure through
//! [`render`]; `largestep plot DIR` reads the first two back ([`read`]: the values the figure
//! draws are in the shortest round-trip form) and calls the same [`render`], so a re-plot
//! reproduces the SVG byte for byte.

use super::metric::BlockSparsity;
use super::train::EpochRecord;
use crate::output::{atomic_write, fmt_f64, Table};
use crate::plot::{Figure, Panel, PlotOptions, Series, Style};
use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};

/// The CSV of `runs` (label, log): run, epoch, step size, losses, errors, then for each block
/// `positive_<block>` and `sparsity_<block>` (empty when not measured that epoch).
pub fn table(runs: &[(String, Vec<EpochRecord>)], blocks: &[String]) -> Table {
    let mut header: Vec<String> =
        ["run", "epoch", "step_size", "train_loss", "train_error", "test_loss", "test_error", "seconds"]
            .map(String::from)
            .to_vec();
    for b in blocks {
        header.push(format!("positive_{b}"));
        header.push(format!("sparsity_{b}"));
    }
    let mut t = Table::new(header);
    for (label, log) in runs {
        for r in log {
            let mut row = vec![
                label.clone(),
                r.epoch.to_string(),
                fmt_f64(r.step_size),
                fmt_f64(r.train_loss),
                fmt_f64(r.train_error),
                fmt_f64(r.test_loss),
                fmt_f64(r.test_error),
                format!("{:.3}", r.seconds),
            ];
            for b in blocks {
                match r.sparsity.iter().find(|s| &s.block == b) {
                    Some(s) => row.extend([fmt_f64(s.positive), fmt_f64(s.coefficient)]),
                    None => row.extend([String::new(), String::new()]),
                }
            }
            t.push(row);
        }
    }
    t
}

/// The figure of `runs`: train loss (log scale), test error, one sparsity panel per block.
pub fn figure(title: &str, runs: &[(String, Vec<EpochRecord>)], blocks: &[String]) -> Figure {
    let curve = |log: &[EpochRecord], f: &dyn Fn(&EpochRecord) -> Option<f64>| -> Vec<(f64, f64)> {
        log.iter().filter_map(|r| f(r).map(|v| (r.epoch as f64, v))).collect()
    };
    let mut loss = Panel::new("train loss", "epoch", "cross-entropy").log_y();
    let mut err = Panel::new("test error", "epoch", "error");
    let mut sp: Vec<Panel> =
        blocks.iter().map(|b| Panel::new(format!("feature sparsity, {b}"), "epoch", "fraction")).collect();
    for (c, (label, log)) in runs.iter().enumerate() {
        loss = loss.with(Series::styled(label.clone(), Some(c), Style::cycle(c), curve(log, &|r| Some(r.train_loss))));
        err = err.with(Series::styled(label.clone(), Some(c), Style::cycle(c), curve(log, &|r| Some(r.test_error))));
        for (p, b) in sp.iter_mut().zip(blocks) {
            let get = |pos: bool| {
                move |r: &EpochRecord| {
                    r.sparsity.iter().find(|s| &s.block == b).map(|s| if pos { s.positive } else { s.coefficient })
                }
            };
            p.series.push(Series::line(format!("{label} coefficient"), c, curve(log, &get(false))));
            p.series.push(Series::styled(format!("{label} positive"), Some(c), Style::Dashed, curve(log, &get(true))));
        }
    }
    let mut panels = vec![loss, err];
    panels.extend(sp);
    Figure::new(title, panels, 4)
}

/// `figure.toml`: what the figure needs beyond `deep.csv`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FigureToml {
    /// The figure's title.
    title: String,
}

/// Writes `dir/deep.csv`, `dir/figure.toml` and `dir/deep.{png,svg}` (default options).
pub fn write(dir: &Path, title: &str, runs: &[(String, Vec<EpochRecord>)], blocks: &[String]) -> Result<()> {
    table(runs, blocks).write(&dir.join("deep.csv"))?;
    let text = toml::to_string(&FigureToml { title: title.to_string() })?;
    atomic_write(
        &dir.join("figure.toml"),
        format!("# the title of deep.png (read by `largestep plot`)\n{text}").as_bytes(),
    )?;
    render(dir, title, runs, blocks, &PlotOptions::default()).map(|_| ())
}

/// Renders the figure of `runs` as `dir/deep.<ext>` at `opts`; returns the files.
pub fn render(
    dir: &Path,
    title: &str,
    runs: &[(String, Vec<EpochRecord>)],
    blocks: &[String],
    opts: &PlotOptions,
) -> Result<Vec<PathBuf>> {
    figure(title, runs, blocks).render_with(&dir.join("deep"), opts)
}

/// What [`read`] finds in a deep folder.
pub type Read = (Option<String>, Vec<(String, Vec<EpochRecord>)>, Vec<String>);

/// The title (from `figure.toml`, `None` when the folder has none), the runs in the order of
/// `deep.csv` and the blocks of its `positive_<block>` / `sparsity_<block>` columns.
pub fn read(dir: &Path) -> Result<Read> {
    let path = dir.join("deep.csv");
    if !path.exists() {
        bail!("{}: missing; the figure is drawn from it", path.display());
    }
    let mut reader = csv::Reader::from_path(&path).with_context(|| format!("reading {}", path.display()))?;
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    const FIXED: [&str; 8] =
        ["run", "epoch", "step_size", "train_loss", "train_error", "test_loss", "test_error", "seconds"];
    if header.len() < FIXED.len() || header[..FIXED.len()] != FIXED || (header.len() - FIXED.len()) % 2 != 0 {
        bail!(
            "{}: header {:?} is not {:?} then positive_<block>,sparsity_<block> pairs",
            path.display(),
            header.join(","),
            FIXED.join(",")
        );
    }
    let mut blocks = Vec::new();
    for pair in header[FIXED.len()..].chunks(2) {
        match (pair[0].strip_prefix("positive_"), pair[1].strip_prefix("sparsity_")) {
            (Some(a), Some(b)) if a == b => blocks.push(a.to_string()),
            _ => bail!(
                "{}: columns {:?}, {:?} are not positive_<block>, sparsity_<block>",
                path.display(),
                pair[0],
                pair[1]
            ),
        }
    }
    let mut runs: Vec<(String, Vec<EpochRecord>)> = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.with_context(|| format!("reading {}", path.display()))?;
        let f = |j: usize| rec.get(j).unwrap_or("");
        let num = |j: usize| -> Result<f64> {
            f(j).parse().map_err(|_| {
                anyhow!("{}: line {line}: field `{}`: {:?} is not a number", path.display(), header[j], f(j))
            })
        };
        let mut sparsity = Vec::new();
        for (b, block) in blocks.iter().enumerate() {
            let j = FIXED.len() + 2 * b;
            if f(j).is_empty() && f(j + 1).is_empty() {
                continue;
            }
            sparsity.push(BlockSparsity { block: block.clone(), positive: num(j)?, coefficient: num(j + 1)? });
        }
        let record = EpochRecord {
            epoch: f(1).parse().map_err(|_| anyhow!("{}: line {line}: field `epoch`: {:?}", path.display(), f(1)))?,
            step_size: num(2)?,
            train_loss: num(3)?,
            train_error: num(4)?,
            test_loss: num(5)?,
            test_error: num(6)?,
            sparsity,
            seconds: num(7)?,
        };
        match runs.iter_mut().find(|(label, _)| label == f(0)) {
            Some((_, log)) => log.push(record),
            None => runs.push((f(0).to_string(), vec![record])),
        }
    }
    let toml_path = dir.join("figure.toml");
    let title = match std::fs::read_to_string(&toml_path) {
        Ok(text) => Some(
            toml::from_str::<FigureToml>(&text).map_err(|e| anyhow!("{}: {}", toml_path.display(), e.message()))?.title,
        ),
        Err(_) => None,
    };
    Ok((title, runs, blocks))
}
