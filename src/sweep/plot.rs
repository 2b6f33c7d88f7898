//! The sweep's phase diagrams.
//!
//! * The line view (`phase`, one-axis sweeps): against the axis, the divergence rate of each run,
//!   the median final test loss and sparsity metrics over the converged runs, and each
//!   observation's rate, every rate with its Wilson 95 % interval drawn as a vertical bar.
//! * The heatmap (`phase_map`; `phase` itself for sweeps over two or more axes): one panel per
//!   observation and one for divergence, each cell coloured by the rate and annotated with it, its
//!   n and its Wilson interval. Over two axes the cells are the grid (the first axis across, the
//!   others up); over one axis the rows are the observations (and runs, for divergence) side by
//!   side in one panel each.
//!
//! Axis labels are names (`η of decay10, decay30, decay50`), not the override keys.

use super::tables::Text;
use super::Plan;
use crate::plot::{Figure, Heatmap, Panel, PlotOptions, Series, Style};
use anyhow::{anyhow, Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

/// Adds the lines, coloured from palette index `first` on (runs and observations differ).
fn add(panel: &mut Panel, lines: &Lines, legend: bool, first: usize) {
    for (i, (label, pts)) in lines.iter().enumerate() {
        let i = first + i;
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
    let x_label = plan.axes.first().map_or("cell".to_string(), |a| axis_field(&a.1));
    let others = |r: &[String]| -> String {
        plan.axes.iter().zip(&r[1..1 + na]).skip(1).map(|(a, v)| format!(", {} = {v}", axis_name(&a.1))).collect()
    };
    let run_col = 1 + na;
    let by_run = |r: &[String]| format!("{}{}", r[run_col], others(r));
    let by_obs = |r: &[String]| format!("{}{}", r[run_col], others(r));
    let mut panels = Vec::new();
    let mut p = Panel::new("P(diverge), Wilson 95 %", x_label.clone(), "P(diverge)");
    let run_lines = lines(plan, cells, by_run, "p_diverge", Some(("p_diverge_lo", "p_diverge_hi")));
    let n_runs = run_lines.len();
    add(&mut p, &run_lines, true, 0);
    panels.push(p);
    let mut p = Panel::new("Final test loss (median of converged)", x_label.clone(), "Test loss").log_y();
    add(&mut p, &lines(plan, cells, by_run, "final_test_loss_median", None), false, 0);
    panels.push(p);
    for (col, title) in [
        ("final_support_size_median", "‖u⊙v‖₀ (median of converged)"),
        ("final_jacobian_rank_median", "Jacobian rank (median of converged)"),
    ] {
        if cells.header.iter().any(|h| h == col) {
            let mut p = Panel::new(title, x_label.clone(), title.split(" (").next().unwrap_or(title));
            add(&mut p, &lines(plan, cells, by_run, col, None), false, 0);
            panels.push(p);
        }
    }
    if !obs.rows.is_empty() {
        let mut p = Panel::new("Observation rates, Wilson 95 %", x_label.clone(), "P(holds)");
        add(&mut p, &lines(plan, obs, by_obs, "rate", Some(("lo", "hi"))), true, n_runs);
        panels.push(p);
    }
    let cols = panels.len().min(5);
    Ok(Figure::new(title(plan), panels, cols))
}

/// The title of a phase figure: the sweep, its axes by full name, the seeds per cell.
fn title(plan: &Plan) -> String {
    let axes: Vec<String> = plan.axes.iter().map(|a| axis_name(&a.1)).collect();
    format!("{}: sweep over {} ({} seeds per cell)", plan.name, axes.join(" × "), plan.seeds)
}

/// The field of an axis alone (`η`, `d`): the axis label of the line view, where the runs it
/// applies to would not fit (they are in the title).
pub fn axis_field(keys: &[String]) -> String {
    let name = axis_name(keys);
    name.split(" of ").next().unwrap_or(&name).to_string()
}

/// A readable name of an axis from its override keys: the field (`η` for a schedule's step,
/// else the last part of the key) and, for keys of named runs, which runs.
///
/// `["runs.decay10.schedule.step", "runs.decay30.schedule.step"]` → `η of decay10, decay30`;
/// `["data.d"]` → `d`; `["runs.*.schedule.step"]` → `η`.
pub fn axis_name(keys: &[String]) -> String {
    let field = |k: &str| -> String {
        let tail = k.strip_prefix("runs.").and_then(|r| r.split_once('.')).map_or(k, |(_, t)| t);
        match tail {
            "schedule.step" | "step" => "η".into(),
            t => t.rsplit('.').next().unwrap_or(t).to_string(),
        }
    };
    let mut fields: Vec<String> = keys.iter().map(|k| field(k)).collect();
    fields.dedup();
    let runs: Vec<&str> = keys
        .iter()
        .filter_map(|k| k.strip_prefix("runs.")?.split('.').next())
        .filter(|r| *r != "*" && !r.starts_with('['))
        .collect();
    let name = fields.join(" + ");
    if runs.is_empty() {
        name
    } else {
        format!("{name} of {}", runs.join(", "))
    }
}

/// A rate's cell notes: the rate, n and the Wilson interval, short.
fn notes(rate: f64, n: u64, lo: f64, hi: f64) -> Vec<String> {
    let short = |v: f64| {
        let s = format!("{v:.2}");
        s.strip_prefix("0.").map_or(s.clone(), |t| format!(".{t}"))
    };
    if !rate.is_finite() {
        return vec!["–".into()];
    }
    vec![format!("{rate:.2}"), format!("n={n}"), format!("{}–{}", short(lo), short(hi))]
}

/// The rows of `t` as maps column → value.
fn records(t: &Text) -> Vec<BTreeMap<&str, &str>> {
    t.rows.iter().map(|r| t.header.iter().map(String::as_str).zip(r.iter().map(String::as_str)).collect()).collect()
}

fn number(r: &BTreeMap<&str, &str>, k: &str) -> f64 {
    r.get(k).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
}

/// A rate with its n and Wilson interval: (rate, n, lo, hi).
type Rate = (f64, u64, f64, f64);

/// Successes and trials summed over `rows`, with the Wilson 95 % interval.
fn pooled(rows: &[&BTreeMap<&str, &str>], hits: &str, trials: &[&str]) -> Rate {
    let k: f64 = rows.iter().map(|r| number(r, hits)).sum();
    let n: f64 = rows.iter().map(|r| trials.iter().map(|t| number(r, t)).sum::<f64>()).sum();
    if n <= 0.0 || n.is_nan() {
        return (f64::NAN, 0, f64::NAN, f64::NAN);
    }
    let (lo, hi) = largestep_theory::verdict::wilson_interval(k as u64, n as u64, 1.959_963_984_540_054);
    (k / n, n as u64, lo, hi)
}

/// The heatmap figure (see the module doc).
pub fn phase_heatmap(plan: &Plan, cells: &Text, obs: &Text) -> Result<Figure> {
    let na = plan.axes.len();
    let axis = |i: usize| plan.axes.get(i).map(|a| (axis_field(&a.1), a.2.clone()));
    let x_name = axis(0).map(|a| a.0).unwrap_or_default();
    let (_, x_values) = axis(0).ok_or_else(|| anyhow!("{}: the sweep has no axis", plan.name))?;
    let cells = records(cells);
    let obs = records(obs);
    let key = |r: &BTreeMap<&str, &str>, i: usize| r.get(plan.axes[i].0.as_str()).map(|v| v.to_string());
    let rest =
        |r: &BTreeMap<&str, &str>| -> String { (1..na).filter_map(|i| key(r, i)).collect::<Vec<_>>().join(", ") };
    // Rows of a two-axis map: the combinations of the other axes, in grid order.
    let mut y_values: Vec<String> = Vec::new();
    for r in &cells {
        let y = rest(r);
        if !y_values.contains(&y) {
            y_values.push(y);
        }
    }
    let y_name = (1..na).filter_map(axis).map(|a| a.0).collect::<Vec<_>>().join(", ");
    let mut observations: Vec<String> = Vec::new();
    for r in &obs {
        let o = r.get("observation").copied().unwrap_or("").to_string();
        if !observations.contains(&o) {
            observations.push(o);
        }
    }
    let heat = |rows: &[String], pick: &dyn Fn(usize, &str) -> Rate| -> Heatmap {
        let mut h = Heatmap { x_labels: x_values.clone(), y_labels: rows.to_vec(), ..Default::default() };
        for y in rows {
            let cells: Vec<Rate> = (0..x_values.len()).map(|i| pick(i, y)).collect();
            h.values.push(cells.iter().map(|c| c.0).collect());
            h.notes.push(cells.iter().map(|&(p, n, lo, hi)| notes(p, n, lo, hi)).collect());
        }
        h
    };
    let at_x = |r: &BTreeMap<&str, &str>, i: usize| key(r, 0).as_deref() == Some(x_values[i].as_str());
    let mut panels = Vec::new();
    let mut panel = |title: String, y_label: &str, h: Heatmap| {
        let mut p = Panel::new(title, x_name.clone(), y_label);
        p.heatmap = Some(h);
        panels.push(p);
    };
    let obs_pick = |name: &str, i: usize, y: &str, by_rest: bool| {
        let rows: Vec<&BTreeMap<&str, &str>> = obs
            .iter()
            .filter(|r| at_x(r, i) && r.get("observation") == Some(&name) && (!by_rest || rest(r) == y))
            .collect();
        pooled(&rows, "holds", &["holds", "fails"])
    };
    if na >= 2 {
        for o in &observations {
            let h = heat(&y_values, &|i, y| obs_pick(o, i, y, true));
            panel(format!("{o}: rate, n, Wilson 95 %"), &y_name, h);
        }
        let h = heat(&y_values, &|i, y| {
            let rows: Vec<_> = cells.iter().filter(|r| at_x(r, i) && rest(r) == y).collect();
            pooled(&rows, "diverged", &["seeds"])
        });
        panel("P(diverge), any run: rate, n, Wilson 95 %".into(), &y_name, h);
    } else {
        if !observations.is_empty() {
            let h = heat(&observations, &|i, o| obs_pick(o, i, "", false));
            panel("Observation rates: rate, n, Wilson 95 %".into(), "observation", h);
        }
        let h = heat(&plan.order, &|i, run| {
            let rows: Vec<_> = cells.iter().filter(|r| at_x(r, i) && r.get("run") == Some(&run)).collect();
            pooled(&rows, "diverged", &["seeds"])
        });
        panel("P(diverge): rate, n, Wilson 95 %".into(), "run", h);
    }
    let cols = if na >= 2 { panels.len().min(2) } else { 1 };
    let mut fig = Figure::new(title(plan), panels, cols);
    fig.panel_size = if na >= 2 { (420, 380) } else { (840, 300) };
    Ok(fig)
}

/// The phase figures of a sweep folder, as (file stem, figure): the line view and the heatmap
/// for one axis, the heatmap alone (as `phase`) for more.
pub fn figures(plan: &Plan, cells: &Text, obs: &Text) -> Result<Vec<(String, Figure)>> {
    let map = phase_heatmap(plan, cells, obs)?;
    Ok(if plan.axes.len() >= 2 {
        vec![("phase".into(), map)]
    } else {
        vec![("phase".into(), phase_diagram(plan, cells, obs)?), ("phase_map".into(), map)]
    })
}

/// Renders the phase figures of the sweep folder `dir` (`grid.json`, `cells.csv`,
/// `observations.csv`) into `out` at `opts`; returns the files written.
pub fn write(dir: &Path, out: &Path, opts: &PlotOptions) -> Result<Vec<PathBuf>> {
    let grid = dir.join("grid.json");
    let text = std::fs::read_to_string(&grid).with_context(|| format!("reading {}", grid.display()))?;
    let plan: Plan = serde_json::from_str(&text).with_context(|| format!("{}: not a sweep grid", grid.display()))?;
    let cells = Text::read(&dir.join("cells.csv"))?;
    let obs = Text::read(&dir.join("observations.csv"))?;
    let mut written = Vec::new();
    for (stem, fig) in figures(&plan, &cells, &obs)? {
        written.extend(fig.render_with(&out.join(stem), opts)?);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_named_by_field_and_runs_not_by_key() {
        let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            axis_name(&keys(&["runs.decay10.schedule.step", "runs.decay30.schedule.step"])),
            "η of decay10, decay30"
        );
        assert_eq!(axis_name(&keys(&["data.d"])), "d");
        assert_eq!(axis_name(&keys(&["runs.*.schedule.step"])), "η");
        assert_eq!(axis_name(&keys(&["training.batch"])), "batch");
        assert_eq!(axis_field(&keys(&["runs.decay10.schedule.step", "runs.decay30.schedule.step"])), "η");
    }

    fn text(header: &[&str], rows: &[&[&str]]) -> Text {
        let own = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Text { header: own(header), rows: rows.iter().map(|r| own(r)).collect() }
    }

    #[test]
    fn a_two_axis_sweep_maps_each_observation_and_divergence_over_the_grid() {
        let plan = Plan {
            name: "fig2".into(),
            axes: vec![
                ("runs.*.schedule.step".into(), vec!["runs.*.schedule.step".into()], vec!["0.1".into(), "0.2".into()]),
                ("data.d".into(), vec!["data.d".into()], vec!["100".into(), "300".into()]),
            ],
            seed: 0,
            seeds: 4,
            vary_data: false,
            quick: true,
            order: vec!["a".into(), "b".into()],
            fit_below: 0.05,
            set: vec![],
            runs: vec!["a".into(), "b".into()],
            base: String::new(),
            cells: vec![],
        };
        let h = ["cell", "runs.*.schedule.step", "data.d", "run", "seeds", "diverged"];
        let cells = text(
            &h,
            &[
                &["0", "0.1", "100", "a", "4", "0"],
                &["0", "0.1", "100", "b", "4", "1"],
                &["1", "0.2", "100", "a", "4", "4"],
                &["1", "0.2", "100", "b", "4", "4"],
                &["2", "0.1", "300", "a", "4", "0"],
                &["2", "0.1", "300", "b", "4", "0"],
                &["3", "0.2", "300", "a", "4", "2"],
                &["3", "0.2", "300", "b", "4", "0"],
            ],
        );
        let oh = ["cell", "runs.*.schedule.step", "data.d", "observation", "holds", "fails", "undecided"];
        let obs = text(
            &oh,
            &[
                &["0", "0.1", "100", "O1", "4", "0", "0"],
                &["1", "0.2", "100", "O1", "0", "0", "4"],
                &["2", "0.1", "300", "O1", "1", "3", "0"],
                &["3", "0.2", "300", "O1", "2", "2", "0"],
            ],
        );
        let fig = phase_heatmap(&plan, &cells, &obs).unwrap();
        assert_eq!(fig.panels.len(), 2, "one panel per observation and one for divergence");
        let o1 = fig.panels[0].heatmap.as_ref().unwrap();
        assert_eq!(
            (o1.x_labels.clone(), o1.y_labels.clone()),
            (vec!["0.1".into(), "0.2".into()], vec!["100".into(), "300".into()])
        );
        assert_eq!(o1.values[0][0], 1.0);
        assert!(o1.values[0][1].is_nan(), "a cell with no decided seed has no rate");
        assert_eq!(o1.values[1], vec![0.25, 0.5]);
        assert_eq!(o1.notes[1][0][1], "n=4");
        let div = fig.panels[1].heatmap.as_ref().unwrap();
        assert_eq!(div.values, vec![vec![1.0 / 8.0, 1.0], vec![0.0, 0.25]]);
        assert_eq!(fig.panels[0].x_label, "η");
        assert_eq!(fig.panels[0].y_label, "d");
        assert!(figures(&plan, &cells, &obs).unwrap().len() == 1, "two axes: the heatmap is the phase figure");
    }

    #[test]
    fn pooled_rates_sum_successes_and_trials() {
        let a: BTreeMap<&str, &str> = [("holds", "3"), ("fails", "1")].into_iter().collect();
        let b: BTreeMap<&str, &str> = [("holds", "1"), ("fails", "3")].into_iter().collect();
        let (p, n, lo, hi) = pooled(&[&a, &b], "holds", &["holds", "fails"]);
        assert_eq!((p, n), (0.5, 8));
        assert!(lo < 0.5 && hi > 0.5 && lo > 0.0 && hi < 1.0);
        assert!(pooled(&[], "holds", &["holds"]).0.is_nan());
        assert_eq!(notes(0.5, 8, 0.215, 0.785), ["0.50", "n=8", ".21–.79"]);
    }
}
