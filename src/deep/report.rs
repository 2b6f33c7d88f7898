//! Outputs in the layout of Figs. 6/7: one CSV row per (run, epoch), and panels of train loss,
//! test error and, per block, the sparsity coefficient (solid) with the positive fraction (dashed).

use super::train::EpochRecord;
use crate::output::{fmt_f64, Table};
use crate::plot::{Figure, Panel, Series, Style};
use anyhow::Result;
use std::path::Path;

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

/// Writes `dir/deep.csv` and `dir/deep.{png,svg}`.
pub fn write(dir: &Path, title: &str, runs: &[(String, Vec<EpochRecord>)], blocks: &[String]) -> Result<()> {
    table(runs, blocks).write(&dir.join("deep.csv"))?;
    figure(title, runs, blocks).render(&dir.join("deep"))
}
