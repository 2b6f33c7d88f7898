//! Property B.6: Q1 and Q2, the shape of g_γ = h_γ ∘ h_γ on I₁ ∪ I₂.

use largestep_theory::appendix_b::{h, h_prime, h_second, theta_gamma, I1_LO};

use super::{c, derived, ident, ineq, k, p, pieces, Claim};
use crate::prover::{Ends, Piece, Rel};

pub(super) fn claims() -> Vec<Claim> {
    // B.7 uses Q1/Q2 at γ = 1 and γ = 1.25, so the facts are checked on the closed range.
    let gamma_closed = || p("γ", (1, 1), (5, 4), Ends::Closed);
    vec![
        pieces(
            "B.6/theta-gamma",
            "θ_γ ∈ I₁ ∪ I₂ = (0.65, 1)",
            "γ ∈ [1, 1.25] (Γ and the end values used in Lemma B.7)",
            vec![
                Piece::new(vec![gamma_closed()], |v| (theta_gamma(v[0].clone()), Rel::Gt, k(I1_LO))),
                Piece::new(vec![gamma_closed()], |v| (theta_gamma(v[0].clone()), Rel::Lt, c(1, 1))),
            ],
        ),
        ident(
            "B.6/h'-factor",
            "h'_γ(θ) = 3γ(θ_γ² − θ²): h'_γ > 0 on (0, θ_γ), < 0 on (θ_γ, 1] (at most one root in (0, 1))",
            "θ ∈ (0, 1), γ ∈ [1, 1.25]",
            vec![p("θ", (0, 1), (1, 1), Ends::Open), gamma_closed()],
            |v| {
                let (t, g) = (v[0].clone(), v[1].clone());
                let tg2 = (c(1, 1) + g.clone()) / (c(3, 1) * g.clone());
                (h_prime(g.clone(), t.clone()), c(3, 1) * g * (tg2 - t.clone() * t))
            },
        ),
        ineq(
            "B.6/outer-derivative",
            "h'_γ(h_γ(θ)) < 0 (because h_γ(θ) ≥ 1)",
            "θ ∈ [0.65, 1], γ ∈ [1, 1.25]",
            vec![p("θ", (65, 100), (1, 1), Ends::Closed), gamma_closed()],
            |v| (h_prime(v[1].clone(), h(v[1].clone(), v[0].clone())), Rel::Lt, c(0, 1)),
        ),
        ineq(
            "B.6/g''",
            "g''_γ(θ_γ) = h'_γ(h_γ(θ_γ)) h''_γ(θ_γ) > 0",
            "γ ∈ [1, 1.25]",
            vec![gamma_closed()],
            |v| {
                let (g, t) = (v[0].clone(), theta_gamma(v[0].clone()));
                (h_prime(g.clone(), h(g.clone(), t.clone())) * h_second(g, t), Rel::Gt, c(0, 1))
            },
        ),
        derived(
            "B.6/Q2",
            "Q2: g_γ is decreasing on [0.65, θ_γ) and increasing on (θ_γ, 1]",
            "γ ∈ [1, 1.25]",
            vec!["B.6/theta-gamma", "B.6/h'-factor", "B.6/outer-derivative"],
        )
        .note("g'_γ(θ) = h'_γ(h_γ(θ))·h'_γ(θ): the first factor is < 0 on [0.65, 1], the second has the sign of θ_γ − θ."),
        derived(
            "B.6/Q1",
            "Q1: g_γ(θ) ≥ g_γ(θ_γ)",
            "θ ∈ I₁ ∪ I₂, γ ∈ [1, 1.25]",
            vec!["B.6/Q2"],
        )
        .note("A function decreasing then increasing around θ_γ attains its minimum at θ_γ (with equality there: '≥', not '>')."),
    ]
}
