//! The metric-curves layout (Figs. 2, 5, 11, 14, …): train loss, test loss and each recorded
//! metric against the iteration, one line per run (median over seeds at each grid point, with the interquartile band).

use crate::experiment::Outcome;
use crate::linalg::median;
use crate::plot::{Figure, Panel, Series, Style};
use crate::record::Row;
use statrs::statistics::{Data, OrderStatistics};

/// Median over seeds of `value(row)` for run `r` at each logged iteration.
pub fn median_curve(o: &Outcome, r: usize, value: impl Fn(&Row) -> f64) -> Vec<(f64, f64)> {
    quartile_curves(o, r, value).into_iter().map(|(t, _, m, _)| (t, m)).collect()
}

/// (iteration, first quartile, median, third quartile) over seeds of `value(row)` for run `r`
/// at each logged iteration. A seed whose run diverged is left out entirely (its last rows
/// before the stop are exploding, not a trajectory: kept, they stretched Fig. 14's axis to
/// 10¹⁷); when every seed diverged, their rows up to the stop are drawn. Non-finite values are
/// left out, and the quartiles are those of statrs (R-8, median-unbiased) over the remaining
/// seeds.
pub fn quartile_curves(o: &Outcome, r: usize, value: impl Fn(&Row) -> f64) -> Vec<(f64, f64, f64, f64)> {
    let all: Vec<_> = o.run_logs(r).collect();
    let kept: Vec<_> = all.iter().copied().filter(|l| !crate::experiment::diverged(l)).collect();
    let logs = if kept.is_empty() { all } else { kept };
    let len = logs.iter().map(|l| l.rows.len()).max().unwrap_or(0);
    (0..len)
        .filter_map(|i| {
            let vals: Vec<f64> = logs.iter().filter_map(|l| l.rows.get(i)).map(&value).collect();
            let t = logs.iter().find_map(|l| l.rows.get(i))?.iteration as f64;
            let finite: Vec<f64> = vals.iter().copied().filter(|v| v.is_finite()).collect();
            if finite.len() < 2 {
                let m = median(&vals);
                return Some((t, m, m, m));
            }
            let mut data = Data::new(finite);
            Some((t, data.lower_quartile(), median(&vals), data.upper_quartile()))
        })
        .collect()
}

/// A run's curve: the median line, with the interquartile band when there are several seeds.
/// Runs differ in line style as well as colour ([`Style::cycle`]), so a greyscale print keeps
/// them apart.
fn run_series(o: &Outcome, label: String, r: usize, value: impl Fn(&Row) -> f64) -> Series {
    let q = quartile_curves(o, r, value);
    let lost = o.diverged_count(r);
    let label = if lost > 0 && !label.is_empty() {
        format!("{label} ({lost}/{} diverged, left out)", o.datasets.len())
    } else {
        label
    };
    let points = q.iter().map(|&(t, _, m, _)| (t, m)).collect();
    let mut s = Series::styled(label, Some(r), Style::cycle(r), points);
    if o.datasets.len() > 1 {
        s.band = q.iter().map(|&(t, lo, _, hi)| (t, lo, hi)).collect();
    }
    s
}

fn pretty(column: &str) -> String {
    match column {
        "jacobian_rank" => "Rank of the Jacobian".into(),
        "support_size" => "‖u⊙v‖₀".into(),
        c if c.starts_with("feature_sparsity_l") => {
            format!("Feature sparsity, layer {}", &c["feature_sparsity_l".len()..])
        }
        c => c.replace('_', " "),
    }
}

/// Panels: train loss (log), test loss (log), then one per metric column.
pub fn curve_panels(o: &Outcome) -> Vec<Panel> {
    let mut panels = vec![
        Panel::new("Train loss", "Iteration", "Train loss").log_y(),
        Panel::new("Test loss", "Iteration", "Test loss").log_y(),
    ];
    panels.extend(o.columns.iter().map(|c| Panel::new(pretty(c), "Iteration", pretty(c))));
    for (r, spec) in o.config.runs.iter().enumerate() {
        let label = spec.label.clone().unwrap_or_else(|| spec.name.clone());
        panels[0].series.push(run_series(o, label, r, |row| row.train_loss));
        panels[1].series.push(run_series(o, String::new(), r, |row| row.test_loss));
        for (c, panel) in panels[2..].iter_mut().enumerate() {
            panel.series.push(run_series(o, String::new(), r, |row| row.metrics[c]));
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
