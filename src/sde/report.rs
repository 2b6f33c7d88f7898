//! The Markdown report of `largestep sde-vs-sgd`: per model, the Fig. 9 panels, a table of
//! plateau and final values of SGD / SDE / gradient flow over seeds, and the verdict on
//! Appendix C's claims.

use super::compare::{Calibration, Comparison};
use crate::linalg::median;
use crate::record::RunLog;
use statrs::statistics::Statistics;
use std::fmt::Write;

/// A structure metric reduces "noticeably" when its final value is at least this fraction below
/// its value at θ₀.
pub const REDUCTION: f64 = 0.05;

/// Per-seed values of a run: plateau train loss, final train loss, final test loss, then the final
/// metric columns (last grid row, the release's "final").
fn values(log: &RunLog, columns: usize) -> Vec<f64> {
    let mut v = vec![log.plateau_train_loss()];
    match log.last() {
        Some(r) => {
            v.extend([r.train_loss, r.test_loss]);
            v.extend(&r.metrics);
        }
        None => v.extend(std::iter::repeat_n(f64::NAN, 2 + columns)),
    }
    v
}

/// Seeds (indices) whose SGD run did not diverge: a diverged SGD run leaves the SDE without its
/// reference δ_t, so those seeds are left out of the table and the verdicts (and reported).
fn kept_seeds(c: &Comparison) -> Vec<usize> {
    let o = &c.outcome;
    let runs = o.config.runs.len();
    (0..o.logs.len() / runs).filter(|k| o.logs[k * runs].diverged_at.is_none()).collect()
}

/// Per run (SGD, SDE, GF) the per-seed values (outer: value index, inner: kept seeds).
fn per_run(c: &Comparison) -> Vec<Vec<Vec<f64>>> {
    let o = &c.outcome;
    let runs = o.config.runs.len();
    let keep = kept_seeds(c);
    let width = 3 + o.columns.len();
    (0..runs)
        .map(|r| {
            let seeds: Vec<Vec<f64>> = keep.iter().map(|k| values(&o.logs[k * runs + r], o.columns.len())).collect();
            (0..width).map(|i| seeds.iter().map(|s| s[i]).collect()).collect()
        })
        .collect()
}

fn num(v: f64) -> String {
    if !v.is_finite() || (v == v.trunc() && v.abs() < 1e6) {
        format!("{v}")
    } else if (1e-2..1e4).contains(&v.abs()) {
        format!("{v:.3}")
    } else {
        format!("{v:.2e}")
    }
}

/// "mean ± sd [min, max]" over seeds (statrs; sample standard deviation).
fn cell(v: &[f64]) -> String {
    let v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return "–".into();
    }
    if v.len() == 1 {
        return num(v[0]);
    }
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{} ± {} [{}, {}]", num((&v).mean()), num((&v).std_dev()), num(lo), num(hi))
}

/// Whether a metric column measures structure whose reduction Appendix C discusses.
fn is_structure(column: &str) -> bool {
    column == "jacobian_rank" || column == "support_size" || column.starts_with("feature_sparsity")
}

/// The peak of a metric along a run (max over its logged rows).
fn peak(log: &RunLog, j: usize) -> f64 {
    log.rows.iter().map(|r| r.metrics[j]).filter(|v| v.is_finite()).fold(f64::NAN, f64::max)
}

/// One verdict per structure metric and the overall line, from medians over the kept seeds.
///
/// Gradient flow is the noise-free reference: the reduction of SGD and of the SDE is measured
/// against its final value m_GF, r = (m_GF − m)/m_GF. SGD reduces when r_SGD ≥ [`REDUCTION`]; the
/// SDE reproduces it (judged on the metrics SGD reduces) when r_SDE ≥ ½·r_SGD and its final value
/// is at least half of SGD's, m_SDE ≥ ½·m_SGD ("similar levels of decrease", Appendix C; otherwise
/// too little, or over-regularized / collapsed). Gradient flow shows no reduction when its final
/// value is less than [`REDUCTION`] below its peak along the run (so a metric that starts at 0, like
/// ‖u⊙v‖₀ with v₀ = 0, is judged by its rise and fall, not by θ₀).
pub fn verdicts(c: &Comparison) -> (Vec<String>, String) {
    let o = &c.outcome;
    let runs = per_run(c);
    let nr = o.config.runs.len();
    let keep = kept_seeds(c);
    let mut lines = Vec::new();
    let (mut sde_ok, mut gf_none, mut any, mut sgd_any) = (true, true, false, false);
    if keep.is_empty() || runs.len() < 3 {
        return (lines, "no seed with a finished SGD run and gradient flow: no verdict".into());
    }
    for (j, col) in o.columns.iter().enumerate() {
        if !is_structure(col) {
            continue;
        }
        any = true;
        let fin = |r: usize| median(&runs[r][3 + j]);
        let (s, d, g) = (fin(0), fin(1), fin(2));
        let gpeak = median(&keep.iter().map(|k| peak(&o.logs[k * nr + 2], j)).collect::<Vec<_>>());
        let red = |m: f64| if g != 0.0 { (g - m) / g } else { f64::NAN };
        let (rs, rd) = (red(s), red(d));
        let rg = if gpeak > 0.0 { (gpeak - g) / gpeak } else { 0.0 };
        let sgd_reduces = rs >= REDUCTION;
        sgd_any |= sgd_reduces;
        let sde_verdict = if !sgd_reduces {
            "SGD itself does not reduce it below gradient flow, so there is no reduction to reproduce".to_string()
        } else if rd < 0.5 * rs {
            sde_ok = false;
            "the SDE does NOT reproduce SGD's reduction (too little)".to_string()
        } else if d < 0.5 * s || d.is_nan() {
            sde_ok = false;
            "the SDE does NOT match SGD's level: it ends below half of SGD's value (over-regularized or collapsed)"
                .to_string()
        } else {
            "the SDE reproduces SGD's reduction".to_string()
        };
        let gf_no = rg < REDUCTION || rg.is_nan();
        gf_none &= gf_no;
        lines.push(format!(
            "`{col}` (final, median): SGD {} ({:.0} % below GF), SDE {} ({:.0} % below GF), GF {} (peak {} along its run): {sde_verdict}; {}.",
            num(s),
            100.0 * rs,
            num(d),
            100.0 * rd,
            num(g),
            num(gpeak),
            if gf_no {
                "gradient flow shows no reduction"
            } else {
                "gradient flow DOES reduce it (the claim of no reduction fails)"
            }
        ));
    }
    let overall = if !any {
        "no rank or sparsity metric is recorded for this model".to_string()
    } else if !sgd_any {
        format!(
            "SGD shows no rank/sparsity reduction below gradient flow in these runs, so the SDE claim is not tested; \
             claim (gradient flow shows none): {}.",
            if gf_none { "HOLDS in our runs" } else { "DOES NOT HOLD in our runs" }
        )
    } else {
        format!(
            "Appendix C claim (the SDE shows SGD's rank/sparsity reduction at a similar level): {}; claim (gradient \
             flow shows none): {}.",
            if sde_ok { "HOLDS in our runs" } else { "DOES NOT HOLD in our runs" },
            if gf_none { "HOLDS in our runs" } else { "DOES NOT HOLD in our runs" }
        )
    };
    (lines, overall)
}

/// Context of one model's section.
pub struct SectionInfo<'a> {
    /// Comparison name.
    pub name: &'a str,
    /// Base experiment and run.
    pub base: &'a str,
    /// The SGD run followed.
    pub run: &'a str,
    /// c used.
    pub c: f64,
    /// EM steps per SGD iteration.
    pub substeps: usize,
    /// The calibration, when `--calibrate` chose c.
    pub calibration: Option<&'a Calibration>,
    /// Seconds of the whole comparison (all seeds, metrics included).
    pub seconds: f64,
}

/// The Markdown section of one model.
pub fn section(info: &SectionInfo<'_>, c: &Comparison) -> String {
    let o = &c.outcome;
    let seeds = o.datasets.len();
    let mut s = String::new();
    let _ = writeln!(s, "## {} — `{}`, run `{}`\n", info.name, info.base, info.run);
    let _ = writeln!(
        s,
        "N = {} SGD iterations; SDE and gradient flow: {} Euler–Maruyama steps each (γ_t = η_t/{}), logged on \
         the SGD grid ({} points); {} seed(s); c = {}{}. Whole comparison: {:.1} s (SGD phase {:.1} s, SDE + GF \
         phase {:.1} s, wall clock).\n",
        o.total,
        o.total * info.substeps,
        info.substeps,
        o.grid.len(),
        seeds,
        num(info.c),
        if info.calibration.is_some() { " (calibrated)" } else { " (from config)" },
        info.seconds,
        c.seconds.0,
        c.seconds.1,
    );
    if let Some(cal) = info.calibration {
        let hist: Vec<String> = cal.history.iter().map(|(c, p)| format!("c = {} → {}", num(*c), num(*p))).collect();
        let _ = writeln!(
            s,
            "Calibration: SGD plateau train loss {} over the short run; SDE plateaus: {}{}.\n",
            num(cal.target),
            hist.join(", "),
            if cal.bracketed { "" } else { " (the bracket did not contain the target: c is the closer end)" }
        );
    }
    let _ = writeln!(s, "![{0}]({0}.png)\n", info.name);
    let mut names = vec!["plateau train loss".to_string(), "final train loss".into(), "final test loss".into()];
    names.extend(o.columns.iter().map(|c| format!("final {c}")));
    let runs = per_run(c);
    let has_gf = runs.len() > 2;
    let _ = writeln!(s, "| value | SGD | SDE | GF | SDE/SGD | GF/SGD |\n|---|---|---|---|---|---|");
    for (i, n) in names.iter().enumerate() {
        let m = |r: usize| runs.get(r).map_or(f64::NAN, |v| median(&v[i]));
        let cellr = |r: usize| runs.get(r).map_or("–".to_string(), |v| cell(&v[i]));
        let _ = writeln!(
            s,
            "| {n} | {} | {} | {} | {} | {} |",
            cellr(0),
            cellr(1),
            cellr(2),
            num(m(1) / m(0)),
            if has_gf { num(m(2) / m(0)) } else { "–".into() }
        );
    }
    let _ =
        writeln!(s, "\nCells: mean ± sample sd [min, max] over the seeds whose SGD run finished; ratios of medians.\n");
    for (run, seed, t) in o.diverged() {
        let extra = if run == "sgd" { "; this seed is left out of the table and verdicts" } else { "" };
        let _ = writeln!(s, "**Warning:** run `{run}` (seed {seed}) diverged at iteration {t}{extra}.\n");
    }
    let (lines, overall) = verdicts(c);
    for l in lines {
        let _ = writeln!(s, "- {l}");
    }
    let _ = writeln!(s, "\n**Verdict ({}):** {overall}\n", info.name);
    s
}
