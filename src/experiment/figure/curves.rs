//! The metric-curves layout (Figs. 2, 5, 11, 14, …): train loss, test loss and each recorded
//! metric against the iteration, one line per run (median over seeds at each grid point, with the interquartile band).

use crate::experiment::Outcome;
use crate::metrics::Column;
use crate::output::{fmt_f64, Table};
use crate::plot::{Figure, Panel, Series, Style};
use crate::record::Row;
use crate::stats::median;
use statrs::statistics::{Data, OrderStatistics};

/// Median over seeds of `value(row)` for run `r` at each logged iteration.
pub fn median_curve(o: &Outcome, r: usize, value: impl Fn(&Row) -> f64) -> Vec<(f64, f64)> {
    bands(o, r, value).into_iter().map(|b| (b.iteration as f64, b.median)).collect()
}

/// One grid point of a run's curve over seeds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Iteration t.
    pub iteration: usize,
    /// First quartile over the converged seeds.
    pub q1: f64,
    /// Median over the converged seeds.
    pub median: f64,
    /// Third quartile over the converged seeds.
    pub q3: f64,
    /// Seeds with a finite value here (not diverged).
    pub converged: usize,
    /// Seeds that logged this grid point.
    pub seeds: usize,
}

/// The [`Band`] of `value(row)` for run `r` at each logged iteration. A seed whose run diverged
/// is left out entirely (its last rows before the stop are exploding, not a trajectory: kept,
/// they stretched Fig. 14's axis to 10¹⁷); when every seed diverged, their rows up to the stop
/// are drawn. Non-finite values are left out, and the quartiles are those of statrs (R-8,
/// median-unbiased) over the remaining seeds (all three equal the median under two seeds).
pub fn bands(o: &Outcome, r: usize, value: impl Fn(&Row) -> f64) -> Vec<Band> {
    let all: Vec<_> = o.run_logs(r).collect();
    let kept: Vec<_> = all.iter().copied().filter(|l| !crate::experiment::diverged(l)).collect();
    let logs = if kept.is_empty() { all } else { kept };
    let len = logs.iter().map(|l| l.rows.len()).max().unwrap_or(0);
    (0..len)
        .filter_map(|i| {
            let vals: Vec<f64> = logs.iter().filter_map(|l| l.rows.get(i)).map(&value).collect();
            let iteration = logs.iter().find_map(|l| l.rows.get(i))?.iteration;
            let finite: Vec<f64> = vals.iter().copied().filter(|v| v.is_finite()).collect();
            let (converged, seeds, median) = (finite.len(), vals.len(), median(&vals));
            if converged < 2 {
                return Some(Band { iteration, q1: median, median, q3: median, converged, seeds });
            }
            let mut data = Data::new(finite);
            Some(Band { iteration, q1: data.lower_quartile(), median, q3: data.upper_quartile(), converged, seeds })
        })
        .collect()
}

/// A quantity of a logged row.
type Value = Box<dyn Fn(&Row) -> f64>;

/// The quantities of the curve panels: (column name, value of a row).
fn quantities(o: &Outcome) -> Vec<(String, Value)> {
    let mut q: Vec<(String, Value)> = vec![
        ("train_loss".into(), Box::new(|row: &Row| row.train_loss)),
        ("test_loss".into(), Box::new(|row: &Row| row.test_loss)),
    ];
    for (c, name) in o.columns.iter().enumerate() {
        q.push((name.clone(), Box::new(move |row: &Row| row.metrics.get(c).copied().unwrap_or(f64::NAN))));
    }
    q
}

/// `bands.csv`: what the curve panels draw, per quantity, run and grid point: the median, the
/// quartiles and the number of converged seeds (docs/DESIGN.md §2).
pub fn bands_table(o: &Outcome) -> Table {
    let mut t = Table::new(["quantity", "run", "iteration", "median", "q1", "q3", "n_converged", "n_seeds"]);
    for (name, value) in quantities(o) {
        for (r, spec) in o.config.runs.iter().enumerate() {
            for b in bands(o, r, &value) {
                t.push([
                    name.clone(),
                    spec.name.clone(),
                    b.iteration.to_string(),
                    fmt_f64(b.median),
                    fmt_f64(b.q1),
                    fmt_f64(b.q3),
                    b.converged.to_string(),
                    b.seeds.to_string(),
                ]);
            }
        }
    }
    t
}

/// A run's curve: the median line, with the interquartile band when there are several seeds.
/// Runs differ in line style as well as colour ([`Style::cycle`]), so a greyscale print keeps
/// them apart.
fn run_series(o: &Outcome, label: String, r: usize, value: impl Fn(&Row) -> f64) -> Series {
    let q = bands(o, r, value);
    let lost = o.diverged_count(r);
    let label = if lost > 0 && !label.is_empty() {
        format!("{label} ({lost}/{} diverged, left out)", o.datasets.len())
    } else {
        label
    };
    let points = q.iter().map(|b| (b.iteration as f64, b.median)).collect();
    let mut s = Series::styled(label, Some(r), Style::cycle(r), points);
    if o.datasets.len() > 1 {
        s.band = q.iter().map(|b| (b.iteration as f64, b.q1, b.q3)).collect();
    }
    s
}

fn pretty(column: &str) -> String {
    Column::parse(column).map_or_else(|| column.replace('_', " "), Column::title)
}

/// The y-axis label of a metric column: short (the panel title gives the full name).
fn axis_name(column: &str) -> String {
    Column::parse(column).map_or_else(|| pretty(column), Column::axis_label)
}

/// Panels: train loss (log), test loss (log), then one per metric column.
pub fn curve_panels(o: &Outcome) -> Vec<Panel> {
    let mut panels = vec![
        Panel::new("Train loss", "Iteration", "Train loss").log_y(),
        Panel::new("Test loss", "Iteration", "Test loss").log_y(),
    ];
    panels.extend(o.columns.iter().map(|c| Panel::new(pretty(c), "Iteration", axis_name(c))));
    for (r, spec) in o.config.runs.iter().enumerate() {
        let label = spec.label.clone().unwrap_or_else(|| spec.name.clone());
        for (k, (panel, (_, value))) in panels.iter_mut().zip(quantities(o)).enumerate() {
            let label = if k == 0 { label.clone() } else { String::new() };
            panel.series.push(run_series(o, label, r, value));
        }
    }
    panels
}

/// The curves figure.
pub fn figure(o: &Outcome) -> Figure {
    let panels = curve_panels(o);
    let cols = panels.len().min(5);
    let seeds = o.datasets.len();
    let title = if seeds > 1 {
        format!("{} (median and interquartile range over {seeds} seeds)", o.config.title)
    } else {
        o.config.title.clone()
    };
    Figure::new(title, panels, cols)
}
