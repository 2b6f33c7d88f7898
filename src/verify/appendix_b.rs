//! Appendix B's machine check (crate `largestep-proofs`) as rows of the registry: each claim keeps
//! the prover's typed verdict (proved, exact identity, derived, simulated, refuted / fails as
//! written, undecided, failed), so a derived or simulated claim is never shown as proved.

use super::{Budget, Row, Verdict};

/// Runs `largestep_proofs::check_all` with its default budget and maps each claim to a row.
/// The prover's self-tests failing, or a corrected statement of ours being refuted, is FAILED.
/// With `budget.appendix_b_report` set, the prover's `report.md` is written there too (a write
/// failure becomes a FAILED row).
pub fn rows(budget: &Budget) -> Vec<Row> {
    let report = largestep_proofs::check_all(&largestep_proofs::Budget::default());
    let written = budget.appendix_b_report.as_ref().map(|dir| (dir.clone(), report.write(dir)));
    let mut rows: Vec<Row> = report
        .claims
        .iter()
        .map(|c| Row {
            id: format!("B:{}", c.id),
            claim: c.statement.to_string(),
            reference: "Appendix B".into(),
            method: match c.method {
                "interval" => "interval proof".to_string(),
                "identity" => "exact identity".to_string(),
                m => m.to_string(),
            },
            cases: match c.method {
                "interval" => c.stats.boxes,
                _ => 0,
            },
            verdict: c.verdict.clone(),
            detail: format!("domain {}; {}", c.domain, c.evidence()),
            seconds: c.stats.time.as_secs_f64(),
            role: crate::claims::Role::Paper,
            scale: crate::claims::Scale::Paper,
        })
        .collect();
    rows.push(Row {
        id: "B:self-tests".into(),
        claim: "the prover proves true and refutes false claims of known truth value".into(),
        reference: "largestep-proofs self-tests".into(),
        method: "interval proof".into(),
        cases: report.self_tests.len() as u64,
        verdict: report.self_test_verdict(),
        detail: format!(
            "{} self-tests, total prover time {:.2} s",
            report.self_tests.len(),
            report.total_time.as_secs_f64()
        ),
        seconds: 0.0,
        role: crate::claims::Role::Diagnostic,
        scale: crate::claims::Scale::Paper,
    });
    if let Some((dir, Err(e))) = &written {
        rows.push(Row {
            id: "B:report".into(),
            claim: "the Appendix B report is written".into(),
            reference: "largestep-proofs report".into(),
            method: "I/O".into(),
            cases: 1,
            verdict: Verdict::failed(format!("writing {}: {e}", dir.display())),
            detail: String::new(),
            seconds: 0.0,
            role: crate::claims::Role::Diagnostic,
            scale: crate::claims::Scale::Paper,
        });
    }
    rows
}
