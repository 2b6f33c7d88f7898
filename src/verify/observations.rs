//! The figure claims of the registry as rows of `largestep verify`: (O1)–(O3) per figure and the
//! appendix figures' statements, each decided by [`crate::claims::decide`] on the figure's runs
//! over [`ClaimRuns::seeds`](super::ClaimRuns) seeds, at the paper's settings (or, with `--quick`,
//! at the figures' quick lengths, every row labelled REDUCED and kept out of the paper's tally),
//! then the divergence rate of every run as diagnostics.

use super::{Budget, Row};
use crate::claims::{self, registry, Decided, Scale};
use largestep_theory::verdict::Verdict;
use std::time::Instant;

/// A decided claim as a verify row.
pub fn row(d: &Decided, seconds: f64, cases: u64) -> Row {
    let scale = match &d.scale {
        Scale::Paper => "paper settings".to_string(),
        Scale::Reduced(why) => format!("REDUCED: {why}"),
    };
    let detail = if d.definition.is_empty() {
        d.detail.clone()
    } else {
        format!("{} | rule: {} | {scale}", d.detail, d.definition)
    };
    Row {
        id: d.id.clone(),
        claim: d.sentence.clone(),
        reference: d.reference.clone(),
        method: match d.verdict {
            Verdict::Undecided { statistic: None, .. } if d.definition.is_empty() => "—".into(),
            _ if d.scale == Scale::Paper => "simulation (paper settings)".into(),
            _ => "simulation (REDUCED)".into(),
        },
        cases,
        verdict: d.verdict.clone(),
        detail,
        seconds,
        role: d.role,
        scale: d.scale.clone(),
    }
}

/// Every figure claim (and the claims not checked yet) as rows.
pub fn rows(budget: &Budget) -> Vec<Row> {
    let Some(runs) = budget.claims else { return Vec::new() };
    let mut out = Vec::new();
    let mut decided: Vec<(Decided, f64, u64)> = Vec::new();
    for fig in registry::figures() {
        let start = Instant::now();
        match claims::simulate_figure(fig, budget.seed, runs.seeds, runs.quick) {
            Ok(o) => {
                let secs = start.elapsed().as_secs_f64();
                let cases = o.logs.len() as u64;
                let claims: Vec<Decided> = registry::of_figure(fig).map(|c| claims::decide(c, &o)).collect();
                let n = claims.len().max(1) as f64;
                decided.extend(claims.into_iter().map(|d| (d, secs / n, cases)));
                decided.extend(claims::divergence(&o).into_iter().map(|d| (d, 0.0, cases)));
            }
            Err(e) => decided.extend(registry::of_figure(fig).map(|c| {
                (Decided { verdict: Verdict::failed(format!("{fig}: {e:#}")), ..claims::pending(c) }, 0.0, 0)
            })),
        }
    }
    // The claims no source of verify decides: listed, UNDECIDED ("not checked yet"), and those
    // another command decides, naming it (so the table covers every claim of the paper).
    for c in claims::CLAIMS {
        let elsewhere = match c.check {
            claims::Check::NotChecked(_) => None,
            claims::Check::Source(_) if c.id == "B" && !budget.appendix_b => {
                Some("decided by `largestep verify --appendix-b` (the interval prover; docs: proofs-check)")
            }
            claims::Check::Source(_) if c.id.starts_with("C-") => {
                Some("decided per model by `largestep sde-vs-sgd` (docs/sde-report.md), not by verify")
            }
            claims::Check::Source(_) if c.id.starts_with("D-") => {
                Some("decided by `largestep report` from the deep.csv files of GPU runs; none has been made")
            }
            _ => continue,
        };
        let mut d = claims::pending(c);
        if let Some(why) = elsewhere {
            d.verdict = Verdict::undecided(why);
        }
        decided.push((d, 0.0, 0));
    }
    let order = |id: &str| claims::CLAIMS.iter().position(|c| c.id == id).unwrap_or(usize::MAX);
    decided.sort_by_key(|(d, _, _)| (d.role == claims::Role::Diagnostic, order(&d.id)));
    out.extend(decided.iter().map(|(d, s, n)| row(d, *s, *n)));
    out
}
