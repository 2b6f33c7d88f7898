//! O1–O3 on the reduced-scale deep protocol (`reproduce deep-cifar10-small`, issue 32), decided
//! by the one definition ([`Observation::on_runs`]) and the one [`CRITERION`], labelled
//! [`Scale::Reduced`] so that they never enter the paper's tally.
//!
//! A deep run becomes a [`RunLog`]: one row per chunk of `loss_every` steps (iteration = the
//! chunk's first step, train loss = the chunk's mean mini-batch cross-entropy, test loss = that
//! of the epoch the chunk ends in), its large-step phase [0, e) with e = ⌊sT⌋ the decay step of
//! the schedule, and on its last row the metrics `feature_sparsity_layer3` and
//! `feature_sparsity_layer4` (the de-duplicated coefficient at super-blocks 3 and 4, the
//! release's definition). So O1 reads the plateau window [e/2, e) on the chunk rows, O2 the
//! final test losses, O3 the final sparsity of blocks 3 and 4 along the order (reference first).
//! Nothing here needs candle: the report reads the `claims.json` the protocol writes.

use super::observations::Count;
use super::registry::{Check, Claim, REDUCED};
use super::{Decided, Scale, CRITERION};
use crate::record::{Row, RunLog};
use largestep_theory::verdict::Verdict;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The blocks O3 judges (super-blocks 3 and 4 of the ResNet).
pub const BLOCKS: [&str; 2] = ["layer3", "layer4"];

/// The file the protocol writes its decided claims into (and the report reads).
pub const CLAIMS_FILE: &str = "claims.json";

/// One (seed, run) of a deep protocol, as plain numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedRun {
    /// Run name.
    pub run: String,
    /// Training seed.
    pub seed: u64,
    /// (iteration, step size, mean train loss of the chunk, test loss of its epoch).
    pub rows: Vec<(usize, f64, f64, f64)>,
    /// Total iterations T.
    pub total: usize,
    /// End e of the large-step phase (T for a constant step).
    pub large_phase_end: usize,
    /// Stopped on a non-finite loss.
    pub diverged: bool,
    /// Test loss at the last epoch.
    pub final_test_loss: f64,
    /// Test error at the last epoch.
    pub final_test_error: f64,
    /// (block, sparsity coefficient) at the last epoch.
    pub sparsity: Vec<(String, f64)>,
}

impl SeedRun {
    /// The run as a [`RunLog`] with the metric columns `feature_sparsity_<block>` of [`BLOCKS`]
    /// (NaN except on the last row, where the final sparsity is).
    pub fn run_log(&self) -> RunLog {
        let n = self.rows.len();
        let rows = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, &(iteration, step_size, train_loss, test_loss))| Row {
                iteration,
                step_size,
                train_loss,
                test_loss: if i + 1 == n { self.final_test_loss } else { test_loss },
                metrics: BLOCKS
                    .iter()
                    .map(|b| {
                        if i + 1 == n {
                            self.sparsity.iter().find(|s| s.0 == *b).map_or(f64::NAN, |s| s.1)
                        } else {
                            f64::NAN
                        }
                    })
                    .collect(),
            })
            .collect();
        RunLog {
            run: self.run.clone(),
            label: self.run.clone(),
            seed: self.seed,
            rows,
            diverged_at: self.diverged.then(|| self.rows.last().map_or(0, |r| r.0)),
            large_phase_end: self.large_phase_end,
            total: self.total,
            ..Default::default()
        }
    }
}

/// The decided claims of one protocol, with the runs' final numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Protocol name.
    pub protocol: String,
    /// The claims of [`REDUCED`] for this protocol, decided.
    pub decided: Vec<Decided>,
}

impl Summary {
    /// Writes `claims.json` and `claims.csv` (id, verdict, held, decided, rate, Wilson bounds).
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        crate::output::atomic_write(&dir.join(CLAIMS_FILE), serde_json::to_string_pretty(self)?.as_bytes())?;
        let mut t = crate::output::Table::new(["id", "verdict", "rate", "wilson_low", "wilson_high", "seeds", "rule"]);
        for d in &self.decided {
            let (est, lo, hi, n) = rate_of(&d.verdict);
            t.push([
                d.id.clone(),
                d.verdict.label().to_string(),
                crate::output::fmt_f64(est),
                crate::output::fmt_f64(lo),
                crate::output::fmt_f64(hi),
                n.to_string(),
                d.definition.clone(),
            ]);
        }
        t.write(&dir.join("claims.csv"))
    }

    /// Reads a `claims.json` written by [`Summary::write`].
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }
}

/// (estimate, Wilson low, Wilson high, decided seeds) of a verdict's rate; NaNs without one.
pub fn rate_of(v: &Verdict) -> (f64, f64, f64, u64) {
    match v {
        Verdict::Simulated { statistic, .. } | Verdict::Undecided { statistic: Some(statistic), .. } => {
            let [lo, hi] = statistic.interval.unwrap_or([f64::NAN, f64::NAN]);
            (statistic.estimate, lo, hi, statistic.runs)
        }
        _ => (f64::NAN, f64::NAN, f64::NAN, 0),
    }
}

/// Decides `claim` (an O1–O3 claim of [`REDUCED`]) on `runs` (every seed's runs), at the reduced
/// scale `why`.
pub fn decide(claim: &Claim, why: &str, runs: &[SeedRun]) -> Decided {
    let scale = Scale::Reduced(why.to_string());
    let Check::Observation(obs, order) = claim.check else {
        return Decided { scale, ..super::pending(claim) };
    };
    let mut seeds: Vec<u64> = runs.iter().map(|r| r.seed).collect();
    seeds.sort_unstable();
    seeds.dedup();
    let columns: Vec<(usize, String)> =
        BLOCKS.iter().enumerate().map(|(i, b)| (i, format!("feature_sparsity_{b}"))).collect();
    let named: Vec<(usize, &str)> = columns.iter().map(|(i, n)| (*i, n.as_str())).collect();
    let idx: Vec<usize> = columns.iter().map(|c| c.0).collect();
    let mut per = Vec::new();
    let mut missing = None;
    for &seed in &seeds {
        let logs: Option<Vec<RunLog>> = order
            .iter()
            .map(|name| runs.iter().find(|r| r.seed == seed && r.run == *name).map(SeedRun::run_log))
            .collect();
        let Some(logs) = logs else {
            missing = Some(format!("seed {seed} lacks one of the runs ({})", order.join(", ")));
            break;
        };
        let ordered: Vec<&RunLog> = logs.iter().collect();
        let v = obs.on_runs(&ordered, &idx);
        let flag = match v {
            Some(true) => "holds",
            Some(false) => "fails",
            None => "undecided",
        };
        per.push((v, format!("seed {seed}: {flag} ({})", obs.explain_runs(&ordered, &named))));
    }
    let definition = format!("{} over ({}); {}", obs.definition(), order.join(", "), CRITERION.describe());
    let by = "largestep::claims::observations::Observation::on_runs";
    let base = |verdict: Verdict, detail: String| Decided {
        id: claim.id.into(),
        group: claim.group,
        role: claim.role,
        reference: claim.reference.into(),
        sentence: claim.sentence.into(),
        definition: definition.clone(),
        decided_by: by.into(),
        verdict,
        detail,
        scale: scale.clone(),
    };
    if let Some(why) = missing {
        return base(Verdict::failed(why), String::new());
    }
    let count = Count::of(per.iter().map(|p| p.0));
    let mut verdict = CRITERION.decide(format!("P({})", claim.id), count.holds, count.decided());
    if count.decided() == 0 {
        verdict = Verdict::undecided(format!(
            "no seed decided ({} undecided: a run diverged or a window was too short)",
            count.undecided
        ));
    }
    let detail = format!(
        "{} seeds, {} held, {} failed, {} undecided: {}",
        seeds.len(),
        count.holds,
        count.fails,
        count.undecided,
        per.iter().map(|p| p.1.as_str()).collect::<Vec<_>>().join("; ")
    );
    base(verdict, detail)
}

/// Every claim of [`REDUCED`] on `protocol`, decided on `runs` at the reduced scale `why`.
pub fn decide_all(protocol: &str, why: &str, runs: &[SeedRun]) -> Summary {
    Summary {
        protocol: protocol.to_string(),
        decided: REDUCED.iter().filter(|c| c.figure == Some(protocol)).map(|c| decide(c, why, runs)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run of T = 100 steps with a plateau at `level` on [0, e) then `after`, logged per step.
    fn run(name: &str, seed: u64, e: usize, level: f64, after: f64, test: f64, sparsity: f64) -> SeedRun {
        SeedRun {
            run: name.into(),
            seed,
            rows: (0..100).map(|t| (t, 0.1, if t < e { level } else { after }, test)).collect(),
            total: 100,
            large_phase_end: e,
            diverged: false,
            final_test_loss: test,
            final_test_error: 0.5,
            sparsity: BLOCKS.iter().map(|b| (b.to_string(), sparsity)).collect(),
        }
    }

    fn seed_runs(seed: u64, test: [f64; 4], sparsity: [f64; 4]) -> Vec<SeedRun> {
        let e = [100, 10, 30, 50];
        (0..4)
            .map(|i| run(super::super::registry::DEEP_SMALL[i], seed, e[i], 0.5, 1e-4, test[i], sparsity[i]))
            .collect()
    }

    #[test]
    fn the_protocols_claims_are_decided_at_reduced_scale_out_of_the_tally() {
        let runs: Vec<SeedRun> =
            (0..5).flat_map(|s| seed_runs(s, [1.0, 0.9, 0.8, 0.7], [0.6, 0.5, 0.4, 0.3])).collect();
        let s = decide_all("deep-cifar10-small", "reduced scale (CPU protocol): test", &runs);
        assert_eq!(s.decided.len(), 3);
        for d in &s.decided {
            assert_eq!(d.verdict.label(), "SIMULATED: SUPPORTS", "{}: {}", d.id, d.detail);
            assert!(!d.in_paper_tally());
            assert_eq!(rate_of(&d.verdict).3, 5);
        }
        assert_eq!(crate::claims::paper_tally(&s.decided), Default::default());
    }

    #[test]
    fn order_and_divergence_decide_per_seed() {
        // O2 fails when the 50 % run's test loss is not the lowest; O3 fails when the last run is
        // not below the reference; a diverged run leaves its seed undecided.
        let mut runs = seed_runs(0, [1.0, 0.9, 0.8, 0.85], [0.6, 0.6, 0.6, 0.6]);
        runs.extend(seed_runs(1, [1.0, 0.9, 0.8, 0.7], [0.6, 0.5, 0.4, 0.3]));
        runs[7].diverged = true;
        let s = decide_all("deep-cifar10-small", "test", &runs);
        let o2 = &s.decided[1];
        assert!(o2.detail.contains("seed 0: fails") && o2.detail.contains("seed 1: undecided"), "{}", o2.detail);
        let o3 = &s.decided[2];
        assert!(o3.detail.contains("seed 0: fails"), "{}", o3.detail);
        // Too few decided seeds for the criterion: undecided, never supports.
        assert_eq!(o2.verdict.label(), "UNDECIDED");
        // A missing run is a failure naming it.
        let s = decide_all("deep-cifar10-small", "test", &runs[..3]);
        assert_eq!(s.decided[0].verdict.label(), "FAILED");
    }
}
