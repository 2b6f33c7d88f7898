//! The sweep's phase diagram: against the first axis of the grid, the divergence rate of each run,
//! the median final test loss and sparsity metrics over the converged runs, and each observation's
//! rate, every rate with its Wilson 95 % interval drawn as a vertical bar. Cells that differ in
//! the other axes are separate lines (labelled with their values).

use super::tables::Text;
use super::Plan;
use crate::plot::{Figure, Panel, Series, Style};
use anyhow::Result;
use std::collections::BTreeMap;

/// The x coordinate of a cell: its first-axis value if numeric, else its index on that axis.
fn x_of(plan: &Plan, values: &[String]) -> f64 {
    match (plan.axes.first(), values.first()) {
        (Some((_, _, axis)), Some(v)) => {
            v.parse().unwrap_or_else(|_| axis.iter().position(|a| a == v).unwrap_or(0) as f64)
        }
        _ => 0.0,
    }
}

type Lines = BTreeMap<String, Vec<(f64, f64, f64, f64)>>;

/// Groups rows into lines keyed by `label(row)`: (x, y, lo, hi).
fn lines(plan: &Plan, t: &Text, label: impl Fn(&[String]) -> String, y: &str, band: Option<(&str, &str)>) -> Lines {
    let na = plan.axes.len();
    let col = |n: &str| t.header.iter().position(|h| h == n);
    let (Some(yc), band) = (col(y), band.map(|(a, b)| (col(a), col(b)))) else { return Lines::new() };
    let mut out = Lines::new();
    for r in &t.rows {
        let num = |i: Option<usize>| i.and_then(|i| r[i].parse::<f64>().ok()).unwrap_or(f64::NAN);
        let (lo, hi) = band.map_or((f64::NAN, f64::NAN), |(a, b)| (num(a), num(b)));
        out.entry(label(r)).or_default().push((x_of(plan, &r[1..1 + na]), num(Some(yc)), lo, hi));
    }
    out
}

fn add(panel: &mut Panel, lines: &Lines, legend: bool) {
    for (i, (label, pts)) in lines.iter().enumerate() {
        let line: Vec<(f64, f64)> = pts.iter().filter(|p| p.1.is_finite()).map(|p| (p.0, p.1)).collect();
        let name = if legend { label.clone() } else { String::new() };
        panel.series.push(Series::line(name, i, line.clone()));
        panel.series.push(Series::styled("", Some(i), Style::Markers, line));
        let bars: Vec<(f64, f64)> =
            pts.iter().filter(|p| p.2.is_finite() && p.3.is_finite()).flat_map(|p| [(p.0, p.2), (p.0, p.3)]).collect();
        if !bars.is_empty() {
            panel.series.push(Series::styled("", Some(i), Style::Segments, bars));
        }
    }
}

/// The figure (see the module doc).
pub fn phase_diagram(plan: &Plan, cells: &Text, obs: &Text) -> Result<Figure> {
    let na = plan.axes.len();
    let x_label = plan.axes.first().map_or("cell".to_string(), |a| a.0.clone());
    let others = |r: &[String]| -> String {
        plan.axes.iter().zip(&r[1..1 + na]).skip(1).map(|(a, v)| format!(", {}={v}", a.0)).collect()
    };
    let run_col = 1 + na;
    let by_run = |r: &[String]| format!("{}{}", r[run_col], others(r));
    let by_obs = |r: &[String]| format!("{}{}", r[run_col], others(r));
    let mut panels = Vec::new();
    let mut p = Panel::new("P(diverge), Wilson 95 %", x_label.clone(), "P(diverge)");
    add(&mut p, &lines(plan, cells, by_run, "p_diverge", Some(("p_diverge_lo", "p_diverge_hi"))), true);
    panels.push(p);
    let mut p = Panel::new("Final test loss (median of converged)", x_label.clone(), "Test loss").log_y();
    add(&mut p, &lines(plan, cells, by_run, "final_test_loss_median", None), false);
    panels.push(p);
    for (col, title) in [
        ("final_support_size_median", "‖u⊙v‖₀ (median of converged)"),
        ("final_jacobian_rank_median", "Jacobian rank (median of converged)"),
    ] {
        if cells.header.iter().any(|h| h == col) {
            let mut p = Panel::new(title, x_label.clone(), title.split(" (").next().unwrap_or(title));
            add(&mut p, &lines(plan, cells, by_run, col, None), false);
            panels.push(p);
        }
    }
    if !obs.rows.is_empty() {
        let mut p = Panel::new("Observation rates, Wilson 95 %", x_label.clone(), "P(holds)");
        add(&mut p, &lines(plan, obs, by_obs, "rate", Some(("lo", "hi"))), true);
        panels.push(p);
    }
    let cols = panels.len().min(5);
    let title = format!("{}: sweep over {} seeds per cell", plan.name, plan.seeds);
    Ok(Figure::new(title, panels, cols))
}
