//! The comparison's extra outputs: the sharpness trace (CSV and the γ·λ_max figure) and the
//! calibration curve c ↦ SDE plateau train loss (CSV and figure).

use super::compare::{Calibration, Comparison};
use super::sharpness::Probe;
use crate::experiment::Outcome;
use crate::output::{fmt_f64, Table};
use crate::plot::{Figure, Panel, Series, Style};

/// One row per probe: run, seed, iteration, η_t, γ, λ_max, γ·λ_max.
pub fn sharpness_csv(c: &Comparison) -> Table {
    let header = ["run", "seed", "iteration", "step_size", "gamma", "lambda_max", "gamma_lambda"];
    let mut t = Table::new(header);
    for (log, trace) in c.outcome.logs.iter().zip(&c.sharpness) {
        for p in trace {
            t.push(vec![
                log.run.clone(),
                log.seed.to_string(),
                p.iteration.to_string(),
                fmt_f64(p.step_size),
                fmt_f64(p.gamma),
                fmt_f64(p.lambda),
                fmt_f64(p.gamma_lambda()),
            ]);
        }
    }
    t
}

/// Two panels against the SGD iteration (first seed): λ_max with SGD's edge of stability 2/η_t,
/// and γ·λ_max of every run with the stability bound 2. `sharpness[i]` is the trace of
/// `o.logs[i]` (as in [`Comparison`] and `sharpness.csv`).
pub fn sharpness_figure(o: &Outcome, sharpness: &[Vec<Probe>], title: &str) -> Figure {
    let nr = o.config.runs.len();
    let mut lam = Panel::new("sharpness λ_max(∇²L)", "SGD iteration", "λ_max").log_y();
    let mut gl = Panel::new("γ·λ_max (unstable ≥ 2)", "SGD iteration", "γ·λ_max").log_y();
    for (r, trace) in sharpness.iter().enumerate().take(nr) {
        let label = o.logs[r].label.clone();
        let pos = |v: f64| v.is_finite() && v > 0.0;
        let pts = |f: &dyn Fn(&super::sharpness::Probe) -> f64| -> Vec<(f64, f64)> {
            trace.iter().map(|p| (p.iteration as f64, f(p))).filter(|&(_, y)| pos(y)).collect()
        };
        lam = lam.with(Series::line(label.clone(), r, pts(&|p| p.lambda)));
        gl = gl.with(Series::line(label, r, pts(&|p| p.gamma_lambda())));
        if r == 0 {
            lam = lam.with(Series::styled("2/η_t", None, Style::Line, pts(&|p| 2.0 / p.step_size)));
            let span: Vec<(f64, f64)> = trace.iter().map(|p| (p.iteration as f64, 2.0)).collect();
            gl = gl.with(Series::styled("2", None, Style::Line, span));
        }
    }
    Figure::new(
        format!("{title}: sharpness along the runs (seed {})", o.logs.first().map_or(0, |l| l.seed)),
        vec![lam, gl],
        2,
    )
}

/// What the calibration figure draws: every evaluation of the search, SGD's plateau and the
/// chosen c (from a [`Calibration`], or read back from `calibration.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationCurve {
    /// The chosen c.
    pub c: f64,
    /// SGD's plateau train loss (median over seeds).
    pub target: f64,
    /// (c, SDE plateau train loss) of every evaluation, in order (+∞: diverged; NaN: none).
    pub history: Vec<(f64, f64)>,
}

impl From<&Calibration> for CalibrationCurve {
    fn from(cal: &Calibration) -> Self {
        Self { c: cal.c, target: cal.target, history: cal.history.clone() }
    }
}

/// `calibration.csv`: `what,c,plateau_train_loss` with one `evaluation` row per SDE run of the
/// search (c, its median plateau), one `sgd` row (SGD's plateau) and one `chosen` row (the c).
pub fn calibration_table(cal: &CalibrationCurve) -> Table {
    let mut t = Table::new(["what", "c", "plateau_train_loss"]);
    for &(c, p) in &cal.history {
        t.push(["evaluation".to_string(), fmt_f64(c), fmt_f64(p)]);
    }
    t.push(["sgd".to_string(), String::new(), fmt_f64(cal.target)]);
    t.push(["chosen".to_string(), fmt_f64(cal.c), String::new()]);
    t
}

/// The calibration curve c ↦ SDE plateau train loss (log–log), SGD's plateau and the chosen c.
pub fn calibration_figure(cal: &CalibrationCurve, name: &str) -> Figure {
    let mut curve: Vec<(f64, f64)> = cal.history.iter().copied().filter(|(_, p)| p.is_finite() && *p > 0.0).collect();
    curve.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (lo, hi) = (curve.first().map_or(cal.c, |p| p.0), curve.last().map_or(cal.c, |p| p.0));
    let panel = Panel::new(format!("{name}: calibration of c"), "c", "plateau train loss")
        .log_x()
        .log_y()
        .with(Series::styled("SDE plateau (median over seeds)", Some(1), Style::Markers, curve.clone()))
        .with(Series::line("", 1, curve))
        .with(Series::styled("SGD plateau", Some(0), Style::Line, vec![(lo, cal.target), (hi, cal.target)]))
        .with(Series::styled(format!("chosen c = {:.3e}", cal.c), Some(2), Style::Markers, vec![(cal.c, cal.target)]));
    Figure::new(format!("{name}: c ↦ SDE plateau train loss"), vec![panel], 1)
}
