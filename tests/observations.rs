//! (O1)–(O3) of §3 on the reduced Fig. 2 of `experiments/observations.toml`, through the same
//! checks `largestep verify` runs (`largestep::verify::observations`; thresholds and the numbers
//! measured when written are documented there).

use largestep::verify::{observations, Budget, Verdict};

#[test]
fn observations_o1_o2_o3_hold_on_the_reduced_figure() {
    let rows = observations::rows(&Budget::standard(0));
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["O1-stabilization", "O2-generalization", "O3-sparsity"]);
    for r in &rows {
        assert_eq!(r.verdict, Verdict::Holds, "{}: {:?} — {}", r.id, r.verdict, r.detail);
    }
}
