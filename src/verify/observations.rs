//! The observations of §3 — (O1) loss stabilization, (O2) better generalization for longer
//! large-step phases, (O3) sparser features — checked on a reduced Fig. 2
//! (`experiments/observations.toml`: the release's data, N = 3·10⁴ + 1, large step 0.275 divided
//! by 4 at 10 / 30 / 50 % of the run, against the constant step 0.25; four SGD seeds).
//!
//! Measured when written (seed offsets 0–3): final test loss medians 6.7e-3 (constant) > 4.6e-3
//! (10 %) > 3.5e-3 (30 %) > 2.0e-3 (50 %); final Jacobian rank 200 / 196.5 / 131 / 111;
//! ‖u⊙v‖₀ 200 / 200 / 189 / 166.5. At the full figure's 0.282, one run in three to five diverges
//! (the edge depends on the seed), which is why the reduced check stays a little below it.

use super::{Budget, Row, Verdict};
use crate::config::ExperimentConfig;
use crate::experiment::{run, Outcome, RunOptions};
use crate::linalg::median;
use crate::record::RunLog;
use std::time::Instant;

/// The reduced configuration.
pub const CONFIG: &str = include_str!("../../experiments/observations.toml");
/// SGD seeds of the check.
pub const SEEDS: usize = 4;

fn outcome(budget: &Budget) -> Result<Outcome, String> {
    let cfg = ExperimentConfig::parse(CONFIG, "experiments/observations.toml").map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut opts = RunOptions::new(dir.path());
    opts.seed = budget.seed;
    opts.seeds = SEEDS;
    opts.plot = false;
    run(&cfg, &opts).map_err(|e| format!("{e:#}"))
}

fn window(log: &RunLog, a: usize, b: usize) -> f64 {
    median(&log.rows.iter().filter(|r| r.iteration >= a && r.iteration < b).map(|r| r.train_loss).collect::<Vec<_>>())
}

fn final_median(o: &Outcome, run: usize, value: &str) -> f64 {
    o.aggregate(run).into_iter().find(|(n, _)| n == value).map_or(f64::NAN, |(_, a)| a.median)
}

fn strictly_decreasing(v: &[f64]) -> bool {
    v.windows(2).all(|w| w[0] > w[1])
}

fn verdict(ok: bool, why: String) -> Verdict {
    if ok {
        Verdict::Holds
    } else {
        Verdict::Failed(why)
    }
}

/// (O1) For every seed, over [e/4, e/2) of the 50 % run's large-step phase [0, e), its train
/// loss stays > 10× above the small constant step's (which keeps converging), and already > 5×
/// on [e/8, e/4): the loss is held at a level, not converging.
pub fn o1(o: &Outcome) -> (bool, String) {
    let mut detail = Vec::new();
    let mut ok = true;
    for k in 0..o.datasets.len() {
        let logs = o.seed_logs(k);
        let e = logs[3].large_phase_end;
        let late = window(&logs[3], e / 4, e / 2) / window(&logs[0], e / 4, e / 2);
        let early = window(&logs[3], e / 8, e / 4) / window(&logs[0], e / 8, e / 4);
        ok &= late > 10.0 && early > 5.0;
        detail.push(format!("seed {}: ×{early:.1} / ×{late:.1}", logs[0].seed));
    }
    (ok, format!("large-step / small-step train loss on [e/8, e/4) / [e/4, e/2): {}", detail.join(", ")))
}

/// (O2) Final test loss medians ordered constant > 10 % > 30 % > 50 %.
pub fn o2(o: &Outcome) -> (bool, String) {
    let v: Vec<f64> = (0..4).map(|r| final_median(o, r, "final_test_loss")).collect();
    let shown: Vec<String> = v.iter().map(|x| format!("{x:.2e}")).collect();
    (strictly_decreasing(&v), format!("final test loss medians (constant, 10 %, 30 %, 50 %): {}", shown.join(" > ")))
}

/// (O3) Final Jacobian rank and ‖u⊙v‖₀ medians non-increasing with the phase length, the 50 %
/// run's rank more than 50 below the constant run's full rank.
pub fn o3(o: &Outcome) -> (bool, String) {
    let rank: Vec<f64> = (0..4).map(|r| final_median(o, r, "final_jacobian_rank")).collect();
    let supp: Vec<f64> = (0..4).map(|r| final_median(o, r, "final_support_size")).collect();
    let mono = |v: &[f64]| v.windows(2).all(|w| w[0] >= w[1]);
    let ok = mono(&rank) && mono(&supp) && rank[3] < rank[0] - 50.0 && supp[3] < supp[0];
    (ok, format!("final medians (constant, 10 %, 30 %, 50 %): rank {rank:?}, ‖u⊙v‖₀ {supp:?}"))
}

/// The three observations as registry rows.
pub fn rows(budget: &Budget) -> Vec<Row> {
    let start = Instant::now();
    let o = outcome(budget);
    let secs = start.elapsed().as_secs_f64() / 3.0;
    type Check = fn(&Outcome) -> (bool, String);
    let claims: [(&str, &str, &str, Check); 3] = [
        ("O1-stabilization", "§3 (O1), Fig. 2", "the train loss stabilizes during the large-step phase", o1),
        ("O2-generalization", "§3 (O2), Fig. 2", "longer large-step phases give lower test loss", o2),
        ("O3-sparsity", "§3 (O3), Fig. 2", "the Jacobian rank and ‖u⊙v‖₀ fall during the large-step phase", o3),
    ];
    claims
        .into_iter()
        .map(|(id, reference, claim, check)| {
            let (verdict, detail) = match &o {
                Ok(o) if !o.diverged().is_empty() => {
                    (Verdict::Failed(format!("runs diverged: {:?}", o.diverged())), String::new())
                }
                Ok(o) => {
                    let (ok, detail) = check(o);
                    (verdict(ok, detail.clone()), detail)
                }
                Err(e) => (Verdict::Failed(e.clone()), String::new()),
            };
            Row {
                id: id.into(),
                claim: claim.into(),
                reference: reference.into(),
                method: format!("simulation (reduced Fig. 2, {SEEDS} seeds)"),
                cases: (4 * SEEDS) as u64,
                verdict,
                detail,
                seconds: secs,
            }
        })
        .collect()
}
