//! `largestep verify`'s registry on the quick budget: every asserted check passes, and the
//! verdicts on the statements as written are the ones the simulations establish.

use largestep::verify::{self, Budget, Verdict};

#[test]
fn registry_verdicts_on_the_quick_budget() {
    let rows = verify::run(&Budget::quick(0));
    let verdict = |id: &str| rows.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no row {id}")).verdict.clone();
    assert!(rows.iter().all(|r| !r.failed()), "{}", verify::to_table(&rows));
    for id in [
        "P2.1-step",
        "P2.1-mean",
        "P2.1-variance",
        "P2.1-covariance",
        "P2.2-bounded",
        "P2.2-alternation",
        "P2.2-below-window",
        "P2.2-above-window",
    ] {
        assert_eq!(verdict(id), Verdict::Holds, "{id}");
    }
    for id in ["P2.2-loss-band", "P2.2-eq7-quantifier", "P2.2-any-init"] {
        assert!(matches!(verdict(id), Verdict::FailsAsWritten { .. }), "{id}");
    }
}
