//! Lemma B.7: two steps map I₁ ∪ I₂ into itself (Eqs. 49–51).

use largestep_theory::appendix_b::{g, h2, theta_gamma, G1_AT_I1_LO_BOUND, GAMMA_HI, I1_LO};

use super::{c, derived, gamma, ineq, k, p, pieces, two_step_box, Claim};
use crate::prover::{Ends, Piece, Rel};

pub(super) fn claims() -> Vec<Claim> {
    vec![
        derived(
            "B.7/eq49",
            "h_{1.25}(h_{1.25}(θ)) < h_a(h_b(θ)) (Eq. 49)",
            "θ ∈ I₁ ∪ I₂, a, b ∈ Γ",
            vec!["B.4/eq39"],
        ),
        ineq(
            "B.7/eq50",
            "g_{1.25}(θ_{1.25}) < g_{1.25}(θ) (Eq. 50, middle inequality, as printed)",
            "θ ∈ I₁ ∪ I₂ = (0.65, 1)",
            vec![p("θ", (65, 100), (1, 1), Ends::Open)],
            |v| (g(k(GAMMA_HI), theta_gamma(k(GAMMA_HI))), Rel::Lt, g(k(GAMMA_HI), v[0].clone())),
        )
        .note("At θ = θ_{1.25} = √0.6 ∈ I₁ both sides are equal, so '<' cannot hold; the prover cannot exhibit this irrational point with rational coordinates.")
        .max_boxes(2_000),
        derived(
            "B.7/eq50-corrected",
            "g_{1.25}(θ_{1.25}) ≤ g_{1.25}(θ) < h_a(h_b(θ))",
            "θ ∈ I₁ ∪ I₂, a, b ∈ Γ",
            vec!["B.6/Q1", "B.4/eq39"],
        )
        .correcting("B.7/eq50")
        .note("Q1 gives '≤'; the outer inequality stays strict by Eq. 49, so the lower bound of Lemma B.7 survives."),
        ineq(
            "B.7/eq50-value",
            ".65 < g_{1.25}(θ_{1.25})",
            "γ = 1.25, θ_{1.25} = √0.6",
            vec![],
            |_| (k(I1_LO), Rel::Lt, g(k(GAMMA_HI), theta_gamma(k(GAMMA_HI)))),
        ),
        ineq(
            "B.7/g1(0.65)",
            "g₁(0.65) < 0.98",
            "γ = 1, θ = 0.65",
            vec![],
            |_| (g(c(1, 1), k(I1_LO)), Rel::Lt, k(G1_AT_I1_LO_BOUND)),
        ),
        ineq(
            "B.7/g1<1",
            "g₁(θ) ≤ max{g₁(1), g₁(0.65)} gives g₁(θ) < 1 (Eq. 51 bound)",
            "θ ∈ I₁ ∪ I₂ = (0.65, 1)",
            vec![p("θ", (65, 100), (1, 1), Ends::Open)],
            |v| (g(c(1, 1), v[0].clone()), Rel::Lt, c(1, 1)),
        ),
        pieces(
            "B.7/two-step",
            "Lemma B.7: h_a(h_b(θ)) ∈ I₁ ∪ I₂ = (0.65, 1)",
            "θ ∈ (0.65, 1), a, b ∈ (1, 1.25)",
            vec![
                Piece::new(two_step_box(), |v| (h2(v[1].clone(), v[2].clone(), v[0].clone()), Rel::Gt, k(I1_LO))),
                Piece::new(two_step_box(), |v| (h2(v[1].clone(), v[2].clone(), v[0].clone()), Rel::Lt, c(1, 1))),
            ],
        ),
        ineq(
            "B.7/two-step-gamma",
            "g_γ(θ) > 0.65 with one step factor (a = b = γ), γ ∈ Γ",
            "θ ∈ (0.65, 1), γ ∈ (1, 1.25)",
            vec![p("θ", (65, 100), (1, 1), Ends::Open), gamma()],
            |v| (g(v[1].clone(), v[0].clone()), Rel::Gt, k(I1_LO)),
        ),
    ]
}
