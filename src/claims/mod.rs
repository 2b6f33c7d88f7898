//! The paper's claims, decided once: one registry, one definition of each observation, one
//! criterion.
//!
//! * [`registry`] lists every claim the paper makes — the propositions, §2.3's effective
//!   dynamics, (O1)–(O3) per figure, the appendix figures' statements, Appendix B and C, the
//!   deep-net statements of §3.3 — with the sentence it operationalizes and the one check that
//!   decides it; claims without a check read UNDECIDED ("not checked yet"), so the coverage of
//!   the paper is shown as it is. Checks of ours that are not claims of the paper are
//!   diagnostics, kept out of the paper's tally.
//! * [`observations`] holds the one operational definition of O1–O3 on one seed; [`compare`]
//!   the per-seed comparisons of final values.
//! * [`CRITERION`] turns k of n seeds into a verdict, three-way on the Wilson interval with a
//!   minimum number of runs (`largestep_theory::criterion`).
//!
//! `largestep verify`, `sweep`, `reproduce --seeds`, `report` and the tests all decide through
//! [`decide`] (or, per seed, [`observations::Observation::on_seed`]); the runs come from
//! [`crate::experiment::simulate`] at the paper's settings ([`Scale::Paper`]) unless a reduced
//! setting is asked for, which every output then labels [`Scale::Reduced`].

pub mod compare;
pub mod deep_small;
pub mod observations;
pub mod registry;

pub use largestep_theory::criterion::Criterion;
pub use observations::{Count, Observation};
pub use registry::{Check, Claim, Group, Role, CLAIMS};

use crate::experiment::{self, Outcome, RunOptions};
use anyhow::{anyhow, Result};
use largestep_theory::verdict::{Tally, Verdict};
use serde::{Deserialize, Serialize};

/// The rule of every rate over seeds: "holds on most seeds" (Wilson 95 % lower bound > ½;
/// contradicted only when the upper bound < ½), undecided below 5 decided seeds (the fewest at
/// which 5/5 can support: with 3 seeds, 3/3 has a lower bound of 0.44).
pub const CRITERION: Criterion = Criterion::majority(5);

/// Seeds per figure for claim verdicts at the paper's settings (16: 13/16 supports, 3/16
/// contradicts).
pub const SEEDS: usize = 16;

/// Seeds per figure at a reduced setting (`--quick`).
pub const QUICK_SEEDS: usize = 6;

/// At which settings a verdict was computed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scale", content = "why", rename_all = "snake_case")]
pub enum Scale {
    /// The paper's (release's) own length, schedules and step sizes.
    Paper,
    /// Anything else (a `--quick` length, an override, a CI config): kept out of the paper tally.
    Reduced(String),
}

impl Scale {
    /// The scale of an outcome: `Paper` when its config is the registry figure's at full length
    /// (seeds aside), else `Reduced` with what differs.
    pub fn of(o: &Outcome) -> Scale {
        let Some(Ok(paper)) = experiment::registry::get(&o.config.name) else {
            return Scale::Reduced(format!("`{}` is not a figure of the paper", o.config.name));
        };
        let full = paper.training.total(false);
        if o.total != full {
            return Scale::Reduced(format!("N = {} instead of the paper's {full}", o.total));
        }
        let normalize = |c: &crate::config::ExperimentConfig| {
            let mut c = c.clone();
            c.training.iterations = None;
            c.training.iterations_log10 = None;
            c.training.quick_iterations = None;
            c.training.first_seed = 0;
            c.training.seeds = 1;
            c.training.vary_data = false;
            c.to_toml()
        };
        if normalize(&o.config) != normalize(&paper) {
            return Scale::Reduced("the configuration differs from the paper's (an override)".into());
        }
        Scale::Paper
    }

    /// `"paper"` or `"reduced: why"`.
    pub fn label(&self) -> String {
        match self {
            Scale::Paper => "paper settings".into(),
            Scale::Reduced(why) => format!("REDUCED ({why})"),
        }
    }
}

/// One claim with its verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decided {
    /// Registry id (or a diagnostic's id).
    pub id: String,
    /// Report group.
    pub group: Group,
    /// Paper claim or diagnostic.
    pub role: Role,
    /// Where the paper makes it.
    pub reference: String,
    /// The paper's sentence.
    pub sentence: String,
    /// The operational definition and the rule, in one line.
    pub definition: String,
    /// The function that decides it.
    pub decided_by: String,
    /// The verdict with its evidence.
    pub verdict: Verdict,
    /// The per-seed numbers.
    pub detail: String,
    /// The settings it was computed at.
    pub scale: Scale,
}

impl Decided {
    /// Whether it counts in the paper's tally: a paper claim at the paper's settings.
    pub fn in_paper_tally(&self) -> bool {
        self.role == Role::Paper && self.scale == Scale::Paper
    }
}

/// The tally of the paper's claims (paper role, paper settings only).
pub fn paper_tally(decided: &[Decided]) -> Tally {
    Tally::of(decided.iter().filter(|d| d.in_paper_tally()).map(|d| &d.verdict))
}

fn base(
    claim: &Claim,
    definition: String,
    decided_by: &str,
    verdict: Verdict,
    detail: String,
    scale: Scale,
) -> Decided {
    Decided {
        id: claim.id.into(),
        group: claim.group,
        role: claim.role,
        reference: claim.reference.into(),
        sentence: claim.sentence.into(),
        definition,
        decided_by: decided_by.into(),
        verdict,
        detail,
        scale,
    }
}

/// A claim decided elsewhere or not checked: UNDECIDED with the reason (the sources that decide
/// `Check::Source` claims replace it with their rows).
pub fn pending(claim: &Claim) -> Decided {
    let (why, by) = match claim.check {
        Check::NotChecked(why) => (why.to_string(), "—"),
        Check::Source(f) => (format!("decided by {f}; not run here"), f),
        _ => ("its figure was not run here".to_string(), "largestep::claims::decide"),
    };
    base(claim, String::new(), by, Verdict::undecided(why), String::new(), Scale::Paper)
}

/// One seed's outcome (`None`: undecided on it) and its numbers in words.
type SeedOutcome = (Option<bool>, String);

/// Decides a figure claim on `o` (an outcome of the claim's figure): per seed, then
/// [`CRITERION`] (or the claim's own rate for `Occurs`) over the decided seeds.
pub fn decide(claim: &Claim, o: &Outcome) -> Decided {
    let scale = Scale::of(o);
    let seeds = o.datasets.len();
    let (per_seed, definition, criterion): (Result<Vec<SeedOutcome>, String>, String, Criterion) = match claim.check {
        Check::Observation(obs, order) => {
            let idx: Result<Vec<usize>, String> = order
                .iter()
                .map(|n| o.run_index(n).ok_or_else(|| format!("no run `{n}` in {}", o.config.name)))
                .collect();
            let per = idx.map(|idx| {
                (0..seeds)
                    .map(|k| {
                        let v = obs.on_seed(o, &idx, k);
                        let why = obs.explain(o, &idx, k);
                        (v, format!("seed {}: {} ({why})", o.seed_logs(k)[0].seed, flag(v)))
                    })
                    .collect()
            });
            (per, format!("{} over ({})", obs.definition(), order.join(", ")), CRITERION)
        }
        Check::Compare(cmp) => ((0..seeds).map(|k| cmp.on_seed(o, k)).collect(), cmp.describe(), CRITERION),
        Check::Occurs(cmp, rate) => (
            (0..seeds).map(|k| cmp.on_seed(o, k)).collect(),
            format!("{} (the effect occurs: rate > {rate})", cmp.describe()),
            Criterion::occurs(rate, CRITERION.min_runs),
        ),
        _ => return pending(claim),
    };
    let by = match claim.check {
        Check::Observation(..) => "largestep::claims::observations::Observation::on_seed",
        _ => "largestep::claims::compare::Comparison::on_seed",
    };
    let definition = format!("{definition}; {}", criterion.describe());
    match per_seed {
        Err(why) => base(claim, definition, by, Verdict::failed(why), String::new(), scale),
        Ok(per) => {
            let count = Count::of(per.iter().map(|(v, _)| *v));
            let mut verdict = criterion.decide(format!("P({})", claim.id), count.holds, count.decided());
            if count.decided() == 0 {
                verdict = Verdict::undecided(format!(
                    "no seed decided ({} undecided: a compared run diverged)",
                    count.undecided
                ));
            }
            let detail = format!(
                "{} seeds, {} held, {} failed, {} undecided; N = {}: {}",
                seeds,
                count.holds,
                count.fails,
                count.undecided,
                o.total,
                per.iter().map(|(_, d)| d.as_str()).collect::<Vec<_>>().join("; ")
            );
            base(claim, definition, by, verdict, detail, scale)
        }
    }
}

fn flag(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "holds",
        Some(false) => "fails",
        None => "undecided",
    }
}

/// The divergence rate of every run of `o` (a diagnostic: the paper states no divergence rate).
pub fn divergence(o: &Outcome) -> Vec<Decided> {
    let scale = Scale::of(o);
    o.config
        .runs
        .iter()
        .enumerate()
        .map(|(r, run)| {
            let n = o.run_logs(r).count() as u64;
            let k = o.diverged_count(r) as u64;
            let at: Vec<String> =
                o.run_logs(r).filter_map(|l| l.diverged_at.map(|t| format!("seed {} at {t}", l.seed))).collect();
            Decided {
                id: format!("diverged-{}-{}", o.config.name, run.name),
                group: Group::Figures,
                role: Role::Diagnostic,
                reference: format!("{} (diagnostic)", o.config.name),
                sentence: format!("ours: how often `{}` diverges (the paper states no rate)", run.name),
                definition: "rate of seeds whose run stopped on NaN/±∞ or a loss > 1e30".into(),
                decided_by: "largestep::experiment::diverged".into(),
                verdict: Verdict::Undecided {
                    reason: "diagnostic: a rate, not a claim of the paper".into(),
                    statistic: Some(largestep_theory::verdict::Statistic::rate(
                        format!("P(diverged {})", run.name),
                        k,
                        n,
                    )),
                    criterion: None,
                },
                detail: if at.is_empty() { "none diverged".into() } else { at.join(", ") },
                scale: scale.clone(),
            }
        })
        .collect()
}

/// Runs `figure` over `seeds` seeds from `seed` in memory, at the paper's length or, with
/// `quick`, at its quick length (a reduced setting).
pub fn simulate_figure(figure: &str, seed: u64, seeds: usize, quick: bool) -> Result<Outcome> {
    let cfg = experiment::registry::get(figure).ok_or_else(|| anyhow!("unknown figure {figure}"))??;
    let mut opts = RunOptions::new("");
    opts.seed = seed;
    opts.seeds = seeds;
    opts.quick = quick;
    opts.plot = false;
    experiment::simulate(&cfg, &opts)
}

/// Every figure claim of the registry decided on `outcomes` (one per figure; a claim whose
/// figure is missing is pending), then the divergence diagnostics of each outcome.
pub fn evaluate(outcomes: &[&Outcome]) -> Vec<Decided> {
    let mut out: Vec<Decided> = CLAIMS
        .iter()
        .filter(|c| c.figure.is_some())
        .map(|c| match outcomes.iter().find(|o| Some(o.config.name.as_str()) == c.figure) {
            Some(o) => decide(c, o),
            None => pending(c),
        })
        .collect();
    out.extend(outcomes.iter().flat_map(|o| divergence(o)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supports_is_reachable_at_the_default_seed_counts() {
        assert!(CRITERION.runs_to_support() as usize <= QUICK_SEEDS);
        assert!(CRITERION.runs_to_support() as usize <= SEEDS);
    }
}
