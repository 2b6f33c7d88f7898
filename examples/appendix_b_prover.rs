//! The Appendix B prover on one inequality: Lemma B.2's bound h_γ(θ) < 1.162 for
//! γ ∈ (1, 1.25), θ ∈ (0, 1], with h_γ(θ) = θ + γθ(1 − θ²) (the map of Eq. 5), proved by
//! interval branch and bound with exact rational domain ends; then a false variant (bound 1.15),
//! which the prover refutes with an exactly confirmed counterexample.
//!
//! ```text
//! cargo run --release --example appendix_b_prover
//! ```

use largestep_proofs::expr::Expr;
use largestep_proofs::prover::{prove_piece, Budget, Ends, Outcome, Param, Piece, Rel};
use largestep_theory::appendix_b::h;

fn check(bound: (i64, i64)) {
    let piece = Piece::new(
        vec![Param::new("γ", (1, 1), (5, 4), Ends::Open), Param::new("θ", (0, 1), (1, 1), Ends::OpenClosed)],
        move |v| (h(v[0].clone(), v[1].clone()), Rel::Lt, Expr::ratio(bound.0, bound.1)),
    );
    let (outcome, stats) = prove_piece(&piece, &Budget::default());
    let verdict = match outcome {
        Outcome::Verified => "VERIFIED".to_string(),
        Outcome::Refuted(cex) => format!("REFUTED {cex}"),
        Outcome::Undecided(why) => format!("UNDECIDED ({why})"),
    };
    println!(
        "h_γ(θ) < {}/{} on γ ∈ (1, 1.25), θ ∈ (0, 1]: {verdict} — {} boxes, {:.1} ms",
        bound.0,
        bound.1,
        stats.boxes,
        stats.time.as_secs_f64() * 1e3
    );
}

fn main() {
    check((1162, 1000)); // the paper's bound (Lemma B.2)
    check((115, 100)); // too small: max h = h_γ(θ_γ) ≈ 1.16 at γ → 1.25
}
