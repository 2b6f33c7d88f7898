//! `largestep verify`'s registry on the quick budget: no check of ours fails, each row carries
//! the kind of evidence behind it (matched on `Kind`, never on strings), and the verdicts on the
//! statements as written are the ones the simulations establish.

use largestep::verify::{self, Arithmetic, Budget, Kind, Tally, Verdict};

#[test]
fn registry_verdicts_on_the_quick_budget() {
    let budget = Budget::quick(0);
    let rows = verify::run(&budget);
    let verdict = |id: &str| rows.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no row {id}")).verdict.clone();
    let skipped = verify::skipped(&budget);
    let tally = Tally::of(rows.iter().map(|r| &r.verdict));
    assert!(!tally.any_failure(), "{}", verify::to_table(&rows, &skipped));
    // Prop. 2.1: the moments by enumeration of all batches, the step on seeded random cases.
    for id in ["P2.1-mean", "P2.1-variance", "P2.1-covariance"] {
        assert_eq!(verdict(id).kind(), Kind::ExactIdentity, "{id}");
    }
    // Simulations are SIMULATED with their run count, and support the claim.
    for id in ["P2.1-step", "P2.2-bounded", "P2.2-alternation", "P2.2-below-window", "P2.2-above-window"] {
        let Verdict::Simulated { statistic, supports, .. } = verdict(id) else { panic!("{id}: {}", verdict(id)) };
        assert!(supports && statistic.runs > 0 && statistic.estimate == 1.0, "{id}: {statistic}");
    }
    // The statements as printed fail; the counterexamples say in which arithmetic.
    for (id, arithmetic) in [
        ("P2.2-loss-band", Arithmetic::FloatingPoint),
        ("P2.2-eq7-quantifier", Arithmetic::FloatingPoint),
        ("P2.2-any-init", Arithmetic::Exact),
    ] {
        let Verdict::FailsAsWritten { arithmetic: a, corrected, .. } = verdict(id) else { panic!("{id}") };
        assert_eq!(a, arithmetic, "{id}");
        assert!(!corrected.is_empty());
    }
    // The quick budget skips the figure claims and Appendix B, and says so.
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    let table = verify::to_table(&rows, &skipped);
    assert!(table.contains("skipped: The figure claims"), "{table}");
    assert!(table.contains(&tally.to_string()), "{table}");
    // The JSON form of the full report serializes (it used to fail on a newtype variant).
    let json = serde_json::to_value(verify::Report::new(&rows, &budget)).expect("serializes");
    assert_eq!(json["rows"].as_array().map(Vec::len), Some(rows.len()));
    assert_eq!(json["rows"][0]["verdict"]["kind"], "simulated");
}
