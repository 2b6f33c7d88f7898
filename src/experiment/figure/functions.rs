//! Learned 1-D functions (Figs. 4, 12, 13): the predictor x ↦ h_θ(x) of each run with the
//! training points, next to the train-loss, rank and sparsity curves.

use super::curve_panels;
use crate::experiment::Outcome;
use crate::model::mlp::kinks_1d;
use crate::model::{Model, ReluMlp};
use crate::plot::{Figure, Panel, Series, Style};
use anyhow::{anyhow, Result};

/// Grid indices of Fig. 13's snapshots (docs/DESIGN.md §3).
pub const SNAPSHOT_INDICES: [usize; 6] = [99, 101, 105, 130, 170, 248];

/// Breakpoints closer than this (in x) count as one kink.
pub const KINK_TOL: f64 = 1e-3;

/// The one-hidden-layer net of the outcome (the layouts here need it).
fn net(o: &Outcome) -> Result<ReluMlp> {
    match &o.config.model {
        crate::config::ModelSpec::ReluMlp { hidden, biases, init, precision } if hidden.len() == 1 => {
            Ok(ReluMlp::new(o.config.data.dim(), hidden, biases, init.clone()).with_precision(*precision))
        }
        _ => Err(anyhow!("{}: the learned-function layouts need a one-hidden-layer ReLU net", o.config.name)),
    }
}

/// Distinct kinks of θ inside the range of the training inputs (see [`kinks_1d`]).
pub fn kink_count(o: &Outcome, theta: &[f64]) -> Result<usize> {
    let net = net(o)?;
    let (lo, hi) = range(o);
    Ok(kinks_1d(&net, theta, lo, hi, KINK_TOL).len())
}

fn range(o: &Outcome) -> (f64, f64) {
    let x = o.datasets[0].x.as_slice();
    x.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)))
}

/// A panel of learned functions: one (label, θ) per line, the training points as markers.
fn function_panel(o: &Outcome, title: String, thetas: &[(String, usize, &[f64])]) -> Result<Panel> {
    let net = net(o)?;
    let (lo, hi) = range(o);
    let pad = 0.04 * (hi - lo);
    let xs: Vec<f64> = (0..=400).map(|i| lo - pad + (hi - lo + 2.0 * pad) * i as f64 / 400.0).collect();
    let mut panel = Panel::new(title, "x", "h(x)");
    for (label, color, theta) in thetas {
        let pts = xs.iter().map(|&x| (x, net.predict(theta, &[x]))).collect();
        panel.series.push(Series::line(label.clone(), *color, pts));
    }
    let data = &o.datasets[0];
    let points = data.x.as_slice().iter().copied().zip(data.y.iter().copied()).collect();
    panel.series.push(Series::styled("training points", None, Style::Markers, points));
    Ok(panel)
}

/// Figs. 4 and 12: train loss, learned functions (seed 0, final θ; legend gives the kinks),
/// rank of the Jacobian, feature sparsity. The test set is the training set, so no test panel.
pub fn figure(o: &Outcome) -> Result<Figure> {
    let mut panels = curve_panels(o);
    panels.remove(1);
    let logs = o.seed_logs(0);
    let thetas: Vec<(String, usize, &[f64])> = logs
        .iter()
        .enumerate()
        .map(|(r, l)| Ok((format!("{} ({} kinks)", l.label, kink_count(o, &l.final_theta)?), r, &l.final_theta[..])))
        .collect::<Result<_>>()?;
    panels.insert(1, function_panel(o, "Learned functions".into(), &thetas)?);
    let cols = panels.len().min(4);
    Ok(Figure::new(o.config.title.clone(), panels, cols))
}

/// Fig. 13: the learned function of every run at the grid indices [`SNAPSHOT_INDICES`]
/// (those beyond the grid are skipped); needs `training.snapshots = true`.
pub fn snapshots_figure(o: &Outcome) -> Result<Figure> {
    let logs = o.seed_logs(0);
    if logs.iter().any(|l| l.snapshots.is_empty()) {
        return Err(anyhow!("{}: layout \"function_snapshots\" needs `training.snapshots = true`", o.config.name));
    }
    let mut panels = Vec::new();
    for &k in &SNAPSHOT_INDICES {
        let Some(&(t, _)) = logs[0].snapshots.get(k) else { continue };
        let thetas: Vec<(String, usize, &[f64])> = logs
            .iter()
            .enumerate()
            .filter_map(|(r, l)| l.snapshots.get(k).map(|(_, th)| (l.label.clone(), r, &th[..])))
            .collect();
        panels.push(function_panel(o, format!("Iteration {t} (grid index {k})"), &thetas)?);
    }
    Ok(Figure::new(o.config.title.clone(), panels, 3))
}
