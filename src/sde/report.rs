//! The Markdown report of `largestep sde-vs-sgd`: per model, the Fig. 9 panels, a table of
//! plateau and final values of SGD / SDE / gradient flow over seeds, and the verdict on
//! Appendix C's claims.

use super::compare::{Calibration, Comparison};
use super::sharpness::{first_unstable, Probe};
use super::Arm;
use crate::metrics::Column;
use crate::record::RunLog;
use crate::stats::median;
use largestep_theory::criterion::Criterion;
use largestep_theory::verdict::{Statistic, Verdict};
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
    (0..o.logs.len() / runs).filter(|k| o.logs[k * runs + Arm::Sgd.index()].diverged_at.is_none()).collect()
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

use crate::number::short as num;

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
    Column::parse(column).is_some()
}

/// The peak of a metric along a run (max over its logged rows).
fn peak(log: &RunLog, j: usize) -> f64 {
    log.rows.iter().map(|r| r.metrics[j]).filter(|v| v.is_finite()).fold(f64::NAN, f64::max)
}

/// The verdicts on Appendix C's two claims for one model, with the per-metric lines behind them.
#[derive(Debug, Clone)]
pub struct Verdicts {
    /// One line per structure metric: medians over the kept seeds, in words.
    pub lines: Vec<String>,
    /// "The SDE shows SGD's rank/sparsity reduction at a similar level."
    pub sde: Verdict,
    /// "Gradient flow shows no rank/sparsity reduction" (judged on the stable flow).
    pub gf: Verdict,
}

impl Verdicts {
    /// The summary line: both claims with their verdict kind and evidence.
    pub fn overall(&self) -> String {
        format!("SDE reproduces SGD's reduction: {}; gradient flow shows none: {}", show(&self.sde), show(&self.gf))
    }
}

/// A verdict in one line: its kind and its evidence.
pub fn show(v: &Verdict) -> String {
    match v {
        Verdict::Simulated { statistic, criterion, .. } => format!("{} ({statistic}; {criterion})", v.kind()),
        Verdict::Undecided { reason, statistic: Some(statistic), criterion } => {
            format!("{} ({reason}; {statistic}; {})", v.kind(), criterion.as_deref().unwrap_or_default())
        }
        Verdict::Undecided { reason, .. } => format!("{} ({reason})", v.kind()),
        other => other.kind().to_string(),
    }
}

/// The rule that turns k of n seeds into a verdict: the one claim criterion
/// ([`crate::claims::CRITERION`]).
pub const CRITERION: Criterion = crate::claims::CRITERION;

/// k of n seeds satisfy `what`: [`CRITERION`].
fn rate_verdict(what: &str, k: u64, n: u64) -> Verdict {
    if n == 0 {
        return Verdict::undecided(format!("no seed to judge “{what}” on"));
    }
    CRITERION.decide(format!("P({what})"), k, n)
}

/// Why a run's data cannot back a verdict: it diverged, or a final structure value is NaN.
fn unusable(log: &RunLog, structure: &[usize]) -> Option<String> {
    if let Some(t) = log.diverged_at {
        return Some(format!("run `{}` (seed {}) diverged at iteration {t}", log.run, log.seed));
    }
    match log.last() {
        None => Some(format!("run `{}` (seed {}) logged no row", log.run, log.seed)),
        Some(r) if structure.iter().any(|&j| !r.metrics[j].is_finite()) || !r.train_loss.is_finite() => {
            Some(format!("run `{}` (seed {}) ends with a NaN value", log.run, log.seed))
        }
        _ => None,
    }
}

/// The verdicts on Appendix C's claims, per seed then as rates over the seeds whose SGD run
/// finished.
///
/// Gradient flow is the noise-free reference, and the flow that decides is the stable one
/// ([`Arm::StableFlow`]; the γ = η/10 flow of Appendix C may leave the stable range, see the
/// sharpness table). Per seed and structure metric m, the reduction against the flow's final
/// value m_GF is r = (m_GF − m)/m_GF. SGD reduces m when r_SGD ≥ [`REDUCTION`]; the SDE reproduces
/// it when r_SDE ≥ ½·r_SGD and m_SDE ≥ ½·m_SGD ("similar levels of decrease", Appendix C;
/// otherwise too little, or over-regularized / collapsed). A seed supports the SDE claim when the
/// SDE reproduces every metric SGD reduces (seeds where SGD reduces none are not counted). The flow
/// shows no reduction on a seed when every metric falls from its peak along the run by less than
/// half of SGD's fall from SGD's own peak (and by less than [`REDUCTION`] at least: the same
/// "similar level" factor ½ as the SDE rule, mirrored; a fixed 5 % rule read 5–12 % drifts of the
/// flow as reductions against SGD's 17–86 %) (so a metric that starts at 0, like ‖u⊙v‖₀ with v₀ = 0, is judged by its rise and fall).
/// Each claim's verdict is [`rate_verdict`] of its seed count, the flow's counted over distinct
/// flows ([`Comparison::flow_of`]: seeds that share data and θ₀ share one deterministic flow, one
/// observation, not several). When every kept seed (two or more) shares one flow, that single
/// deterministic run decides the gradient-flow claim, and the verdict says so (one run, no
/// interval). UNDECIDED, with the reason, when an
/// SDE or flow run diverged or ends NaN, when the flow's peak is NaN or ≤ 0, or when no metric or no
/// seed is there to judge.
pub fn verdicts(c: &Comparison) -> Verdicts {
    let o = &c.outcome;
    let nr = o.config.runs.len();
    let keep = kept_seeds(c);
    let structure: Vec<usize> = (0..o.columns.len()).filter(|&j| is_structure(&o.columns[j])).collect();
    let undecided = |reason: String| Verdict::undecided(reason);
    let mut lines = Vec::new();
    if nr <= Arm::StableFlow.index() {
        let why = "the comparison has no stable gradient-flow run".to_string();
        return Verdicts { lines, sde: undecided(why.clone()), gf: undecided(why) };
    }
    if structure.is_empty() || keep.is_empty() {
        let why = if structure.is_empty() {
            "no rank or sparsity metric is recorded for this model".to_string()
        } else {
            "no seed has a finished SGD run".to_string()
        };
        return Verdicts { lines, sde: undecided(why.clone()), gf: undecided(why) };
    }
    let log = |k: usize, arm: Arm| &o.logs[k * nr + arm.index()];
    let fin = |k: usize, arm: Arm, j: usize| log(k, arm).last().map_or(f64::NAN, |row| row.metrics[j]);
    let bad = |arm: Arm| keep.iter().filter_map(|&k| unusable(log(k, arm), &structure)).collect::<Vec<_>>();
    let (bad_sde, bad_gf) = (bad(Arm::Sde), bad(Arm::StableFlow));
    let bad_peak: Vec<String> = keep
        .iter()
        .flat_map(|&k| structure.iter().map(move |&j| (k, j)))
        .filter(|&(k, j)| {
            let p = peak(log(k, Arm::StableFlow), j);
            p.is_nan() || p <= 0.0
        })
        .map(|(k, j)| {
            format!("the stable flow's peak of `{}` (seed {}) is NaN or ≤ 0", o.columns[j], log(k, Arm::Sgd).seed)
        })
        .collect();

    let (mut sde_k, mut sde_n, mut gf_k, mut gf_n) = (0u64, 0u64, 0u64, 0u64);
    let mut flows = std::collections::BTreeSet::new();
    for &k in &keep {
        let mut tested = false;
        let mut ok = true;
        let mut flat = true;
        for &j in &structure {
            let (s, d, g) = (fin(k, Arm::Sgd, j), fin(k, Arm::Sde, j), fin(k, Arm::StableFlow, j));
            let red = |m: f64| (g - m) / g;
            let (rs, rd) = (red(s), red(d));
            if rs >= REDUCTION {
                tested = true;
                ok &= rd >= 0.5 * rs && d >= 0.5 * s;
            }
            // The flow's fall from its own peak against SGD's fall from its own: "no such
            // reduction" is less than half of SGD's (the SDE's "similar level" threshold, mirrored),
            // and never less than REDUCTION (a drift within 5 % is no reduction at all).
            let p = peak(log(k, Arm::StableFlow), j);
            let ps = peak(log(k, Arm::Sgd), j);
            let sgd_fall = if ps > 0.0 { (ps - s) / ps } else { 0.0 };
            flat &= (p - g) / p < REDUCTION.max(0.5 * sgd_fall);
        }
        if tested {
            sde_n += 1;
            sde_k += u64::from(ok);
        }
        // One observation per distinct flow: its first kept seed.
        if flows.insert(c.flow_of[k]) {
            gf_n += 1;
            gf_k += u64::from(flat);
        }
    }

    let runs = per_run(c);
    for &j in &structure {
        let col = &o.columns[j];
        let med = |arm: Arm| median(&runs[arm.index()][3 + j]);
        let (s, d, g, g0) = (med(Arm::Sgd), med(Arm::Sde), med(Arm::StableFlow), med(Arm::GradientFlow));
        let gpeak = median(&keep.iter().map(|&k| peak(log(k, Arm::StableFlow), j)).collect::<Vec<_>>());
        let red = |m: f64| 100.0 * (g - m) / g;
        lines.push(format!(
            "`{col}` (final, median): SGD {} ({:.0} % below the stable flow), SDE {} ({:.0} % below), stable flow {} \
             (peak {} along its run), γ = η/10 flow {}.",
            num(s),
            red(s),
            num(d),
            red(d),
            num(g),
            num(gpeak),
            num(g0),
        ));
    }
    let sde = if !bad_sde.is_empty() {
        undecided(format!("no verdict on missing data: {}", bad_sde.join("; ")))
    } else if !bad_gf.is_empty() || !bad_peak.is_empty() {
        undecided(format!("no reference flow: {}", [bad_gf.clone(), bad_peak.clone()].concat().join("; ")))
    } else if sde_n == 0 {
        undecided("SGD reduces no rank/sparsity metric below the flow on any seed: nothing to reproduce".into())
    } else {
        rate_verdict("the SDE reproduces SGD's reduction on a seed", sde_k, sde_n)
    };
    let gf = if !bad_gf.is_empty() || !bad_peak.is_empty() {
        undecided(format!("no verdict on missing data: {}", [bad_gf, bad_peak].concat().join("; ")))
    } else if gf_n == 1 && keep.len() > 1 {
        let statistic = Statistic {
            name: "the stable flow shows no reduction".into(),
            runs: 1,
            estimate: gf_k as f64,
            interval: None,
            interval_kind: None,
        };
        let criterion = format!(
            "one deterministic run: gradient flow draws no random number and all {} seeds share its data and θ₀, \
             so this one flow is every seed's flow and decides",
            keep.len()
        );
        Verdict::Simulated { statistic, criterion, supports: gf_k == 1 }
    } else if gf_n < keep.len() as u64 {
        rate_verdict(
            "the stable flow shows no reduction on a distinct flow (seeds sharing data and θ₀ share one)",
            gf_k,
            gf_n,
        )
    } else {
        rate_verdict("the stable flow shows no reduction on a seed", gf_k, gf_n)
    };
    Verdicts { lines, sde, gf }
}

/// Where the calibration curve c ↦ SDE plateau crosses SGD's plateau (sign changes of
/// plateau/target − 1 over the evaluated c, in increasing c; each crossing interpolated
/// geometrically between its two evaluations). Crossings within a factor 2 of the previous one
/// are one crossing (the refinement's evaluations jitter around the root by common-random-number
/// noise).
pub fn crossings(cal: &Calibration) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for x in raw_crossings(cal) {
        if out.last().is_none_or(|&p| x > 2.0 * p) {
            out.push(x);
        }
    }
    out
}

fn raw_crossings(cal: &Calibration) -> Vec<f64> {
    let mut curve: Vec<(f64, f64)> =
        cal.history.iter().copied().filter(|(c, p)| c.is_finite() && !p.is_nan()).collect();
    curve.sort_by(|a, b| a.0.total_cmp(&b.0));
    curve
        .windows(2)
        .filter_map(|w| {
            let (fa, fb) = (w[0].1 / cal.target - 1.0, w[1].1 / cal.target - 1.0);
            ((fa <= 0.0) != (fb <= 0.0)).then(|| {
                let t = if fb.is_finite() && fa != fb { fa / (fa - fb) } else { 0.5 };
                (w[0].0.ln() + t.clamp(0.0, 1.0) * (w[1].0.ln() - w[0].0.ln())).exp()
            })
        })
        .collect()
}

/// [`verdicts`], with c from `calibration` when there is one: a calibration whose curve crosses
/// SGD's plateau more than once does not identify c ("c selected … to match the training
/// dynamics", Appendix C, holds for several c), so the SDE claim is UNDECIDED, naming the
/// crossings, instead of decided at the first of them.
pub fn verdicts_calibrated(c: &Comparison, calibration: Option<&Calibration>) -> Verdicts {
    let mut v = verdicts(c);
    if let Some(cal) = calibration {
        let x = crossings(cal);
        if x.len() > 1 {
            let at: Vec<String> = x.iter().map(|c| num(*c)).collect();
            v.lines.push(format!(
                "The calibration does not identify c: the SDE's plateau equals SGD's at c ≈ {} (the curve above);                  the comparison ran at the first, c = {}, where the verdict would be {}.",
                at.join(", "),
                num(cal.c),
                show(&v.sde)
            ));
            v.sde = Verdict::undecided(format!(
                "c is not identified by the calibration (SGD's plateau is matched at c ≈ {}); the SDE claim depends on which",
                at.join(", ")
            ));
        }
    }
    v
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
         the SGD grid ({} points); {} seed(s); c = {}{}. Whole comparison: {:.1} s wall clock, of which the runs \
         {:.1} s; they go side by side on the thread pool, SGD jobs taking {:.1} s and SDE and flow jobs {:.1} s \
         (summed over jobs).\n",
        o.total,
        o.total * info.substeps,
        info.substeps,
        o.grid.len(),
        seeds,
        num(info.c),
        if info.calibration.is_some() { " (calibrated)" } else { " (from config)" },
        info.seconds,
        c.timing.wall,
        c.timing.sgd,
        c.timing.eq58,
    );
    let distinct = c.flow_of.iter().collect::<std::collections::BTreeSet<_>>().len();
    if distinct < c.flow_of.len() {
        let _ = writeln!(
            s,
            "Gradient flow draws no random number, and the {} seeds come in {distinct} group(s) with the same data \
             and θ₀: each group's flows (plain and stable) are one run, computed once and reported for every seed of \
             the group. The gradient-flow verdict counts {distinct} flow(s), not {} seeds.\n",
            c.flow_of.len(),
            c.flow_of.len(),
        );
    }
    let shared = c.gf_shared.iter().filter(|&&b| b).count();
    if shared > 0 {
        let _ = writeln!(
            s,
            "Gradient flow (γ = η/{}) is the stable flow's run for {shared} of {} seed(s): there the stable flow never \
             needed more than {} steps per iteration (its estimate η_t·λ̂ ≤ {} throughout), so both are the same \
             recursion, step for step and bit for bit; it was run once.\n",
            info.substeps,
            c.gf_shared.len(),
            info.substeps,
            info.substeps,
        );
    }
    if let Some(cal) = info.calibration {
        let mut curve = cal.history.clone();
        curve.sort_by(|a, b| a.0.total_cmp(&b.0));
        let _ = writeln!(
            s,
            "Calibration (median over {} seed(s), common random numbers): SGD plateau train loss {}; chosen c = {}{}. \
             The curve c ↦ SDE plateau train loss:\n\n| c | SDE plateau | / SGD plateau |\n|---|---|---|",
            cal.seeds,
            num(cal.target),
            num(cal.c),
            if cal.failure.is_some() { " (closest evaluation; the search failed, see below)" } else { "" }
        );
        for (c, p) in curve {
            let _ = writeln!(s, "| {} | {} | {} |", num(c), num(p), num(p / cal.target));
        }
        let _ = writeln!(s);
        if let Some(why) = &cal.failure {
            let _ = writeln!(s, "**Calibration failed:** {why}.\n");
        }
    }
    let _ = writeln!(s, "![{0}]({0}/{0}.png)\n\n![{0} sharpness]({0}/sharpness.png)\n", info.name);
    if info.calibration.is_some() {
        let _ = writeln!(s, "![{0} calibration]({0}/calibration.png)\n", info.name);
    }
    let mut names = vec!["plateau train loss".to_string(), "final train loss".into(), "final test loss".into()];
    names.extend(o.columns.iter().map(|c| format!("final {c}")));
    let runs = per_run(c);
    let has_gf = runs.len() > Arm::StableFlow.index();
    let _ = writeln!(
        s,
        "| value | SGD | SDE | GF (γ = η/{}) | stable GF | SDE/SGD | stable GF/SGD |\n|---|---|---|---|---|---|---|",
        info.substeps
    );
    for (i, n) in names.iter().enumerate() {
        let m = |arm: Arm| runs.get(arm.index()).map_or(f64::NAN, |v| median(&v[i]));
        let cellr = |arm: Arm| runs.get(arm.index()).map_or("–".to_string(), |v| cell(&v[i]));
        let _ = writeln!(
            s,
            "| {n} | {} | {} | {} | {} | {} | {} |",
            cellr(Arm::Sgd),
            cellr(Arm::Sde),
            cellr(Arm::GradientFlow),
            cellr(Arm::StableFlow),
            num(m(Arm::Sde) / m(Arm::Sgd)),
            if has_gf { num(m(Arm::StableFlow) / m(Arm::Sgd)) } else { "–".into() }
        );
    }
    let _ =
        writeln!(s, "\nCells: mean ± sample sd [min, max] over the seeds whose SGD run finished; ratios of medians.\n");
    for (run, seed, t) in o.diverged() {
        let extra = if run == Arm::Sgd.name() { "; this seed is left out of the table and verdicts" } else { "" };
        let _ = writeln!(s, "**Warning:** run `{run}` (seed {seed}) diverged at iteration {t}{extra}.\n");
    }
    sharpness_table(&mut s, o.config.runs.iter().map(|r| r.name.as_str()).collect(), &c.sharpness, info.substeps);
    let v = verdicts_calibrated(c, info.calibration);
    for l in &v.lines {
        let _ = writeln!(s, "- {l}");
    }
    let _ = writeln!(s, "\n**Verdict ({}), SDE claim:** {}\n", info.name, show(&v.sde));
    let _ = writeln!(s, "**Verdict ({}), gradient-flow claim:** {}\n", info.name, show(&v.gf));
    s
}

/// The sharpness table: per run, over seeds, the largest γ·λ_max of its probes, the share of probes
/// at γ·λ_max ≥ 2, and the first unstable probe; then a sentence on each flow.
fn sharpness_table(s: &mut String, runs: Vec<&str>, traces: &[Vec<Probe>], substeps: usize) {
    if traces.iter().all(Vec::is_empty) {
        return;
    }
    let nr = runs.len();
    let mut gf_unstable = false;
    let _ = writeln!(
        s,
        "Sharpness λ_max(∇²L) (the largest eigenvalue) by {} Lanczos steps on Hessian–vector products (the model's \
         exact ones where it has them, as the ReLU nets do by the R-operator, else central differences of its \
         gradient) at up to {} grid points per run; a gradient step γ is linearly unstable where γ·λ_max ≥ 2 \
         (SGD: γ = η, edge of stability at λ_max = 2/η).\n",
        super::sharpness::LANCZOS_STEPS,
        super::compare::PROBES
    );
    let _ = writeln!(s, "| run | max γ·λ_max (median over seeds) | probes with γ·λ_max ≥ 2 | first unstable iteration per seed |\n|---|---|---|---|");
    for (r, name) in runs.iter().enumerate() {
        let per_seed: Vec<&Vec<Probe>> = traces.iter().skip(r).step_by(nr).collect();
        let maxes: Vec<f64> =
            per_seed.iter().map(|t| t.iter().map(Probe::gamma_lambda).fold(f64::NAN, f64::max)).collect();
        let (bad, all) = per_seed.iter().fold((0, 0), |(b, a), t| {
            (b + t.iter().filter(|p| p.gamma_lambda().is_nan() || p.gamma_lambda() >= 2.0).count(), a + t.len())
        });
        let firsts: Vec<String> = per_seed
            .iter()
            .map(|t| {
                first_unstable(t).map_or("–".into(), |p| format!("{} (γ·λ = {})", p.iteration, num(p.gamma_lambda())))
            })
            .collect();
        let _ = writeln!(s, "| {name} | {} | {bad}/{all} | {} |", num(median(&maxes)), firsts.join(", "));
        gf_unstable |= *name == Arm::GradientFlow.name() && bad > 0;
    }
    let _ = writeln!(s);
    if gf_unstable {
        let _ = writeln!(
            s,
            "The γ = η/{substeps} discretization of gradient flow is **unstable** at some probes (γ·λ_max ≥ 2): there it is \
             not a flow. The gradient-flow verdict uses the stable flow (γ·λ_max ≤ 1 by refinement).\n"
        );
    }
}
