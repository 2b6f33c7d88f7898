//! Lemma B.3: ε₀, the regions I₀–I₃, and the facts P1 (Eq. 34) and P2 (Eq. 35).

use largestep_theory::appendix_b::{h, h_prime, GAMMA_HI, I1_LO, P1_GROWTH, P2_LOWER, THETA_BOUND};

use super::{c, derived, eps_pieces, gamma, ident, ineq, k, p, pieces, Claim};
use crate::prover::{Ends, Piece, Rel};

pub(super) fn claims() -> Vec<Claim> {
    let theta_i3 = || p("θ", (1, 1), (1162, 1000), Ends::Open);
    vec![
        ineq(
            "B.3/eps0",
            "ε₀ = min{(γ_min⁻¹)/3, 0.02} (as printed); for 0 < ε < ε₀: γ_min(2 − ε)(1 − ε) > 2",
            "γ_min ∈ (1, 1.25); (γ_min⁻¹)/3 > 0.02 there, so ε ∈ (0, 0.02)",
            vec![p("γ_min", (1, 1), (5, 4), Ends::Open), p("ε", (0, 1), (1, 50), Ends::Open)],
            |v| (v[0].clone() * (c(2, 1) - v[1].clone()) * (c(1, 1) - v[1].clone()), Rel::Gt, c(2, 1)),
        ),
        pieces(
            "B.3/eps0-corrected",
            "ε₀ = min{(γ_min − 1)/3, 0.02} (as in Prop. B.1); for 0 < ε < ε₀: γ_min(2 − ε)(1 − ε) > 2",
            "γ_min ∈ (1, 1.25), ε ∈ (0, ε₀)",
            eps_pieces(vec![], |gmin, eps, _| (gmin * (c(2, 1) - eps.clone()) * (c(1, 1) - eps), Rel::Gt, c(2, 1))),
        )
        .correcting("B.3/eps0")
        .note("Typo: γ_min⁻¹ for γ_min − 1 (Prop. B.1 has η(θ*x_min)² − 1). With it the inequality holds and everything built on it (Eqs. 46, 57) survives."),
        ineq(
            "B.3/regions",
            "I₁ = (0.65, 1 − ε) is non-empty: 0.65 < 1 − ε",
            "ε ∈ (0, 0.02)",
            vec![p("ε", (0, 1), (1, 50), Ends::Open)],
            |v| (k(I1_LO), Rel::Lt, c(1, 1) - v[0].clone()),
        ),
        ineq(
            "B.3/eq34a",
            "θ(1 + γ(1 − θ²)) ≥ θ(2 − θ²) (Eq. 34, first step)",
            "θ ∈ I₀ = (0, 0.65], γ ∈ (1, 1.25)",
            vec![p("θ", (0, 1), (65, 100), Ends::OpenClosed), gamma()],
            |v| {
                let (t, g) = (v[0].clone(), v[1].clone());
                (t.clone() * (c(1, 1) + g * (c(1, 1) - t.clone() * t.clone())), Rel::Ge, t.clone() * (c(2, 1) - t.clone() * t))
            },
        ),
        ineq(
            "B.3/eq34b",
            "θ(2 − θ²) > 1.5θ (Eq. 34, second step)",
            "θ ∈ I₀ = (0, 0.65]",
            vec![p("θ", (0, 1), (65, 100), Ends::OpenClosed)],
            |v| (v[0].clone() * (c(2, 1) - v[0].clone() * v[0].clone()), Rel::Gt, k(P1_GROWTH) * v[0].clone()),
        ),
        derived(
            "B.3/P1",
            "P1: some θ_t lies in I₁ ∪ I₂ ∪ I₃",
            "θ₀ ∈ (0, 1), Γ ⊆ (1, 1.25), the law of γ without atoms",
            vec!["B.3/eq34a", "B.3/eq34b", "B.2/lemma"],
        )
        .note("While in I₀ the iterate grows by a factor > 1.5 (Eq. 34), so it leaves I₀; by Lemma B.2 it stays in (0, 1.162) = I₀ ∪ I₁ ∪ I₂ ∪ {1} ∪ I₃, and the step excludes {θ_t = 1} by 'it has probability 0' — true only when the law of γ has no atom (an extra hypothesis, not checked here): with an atom it fails, exactly (h_{25/24}(3/5) = 1, row P2.2-any-init of `largestep verify`)."),
        ineq(
            "B.3/P2-decreasing",
            "h_γ is decreasing on (1, 1.162): h'_γ(θ) < 0",
            "θ ∈ (1, 1.162), γ ∈ (1, 1.25)",
            vec![theta_i3(), gamma()],
            |v| (h_prime(v[1].clone(), v[0].clone()), Rel::Lt, c(0, 1)),
        ),
        ineq(
            "B.3/P2-gamma",
            "h_γ(θ) is linear in γ with negative coefficient for θ > 1: ∂h_γ(θ)/∂γ < 0",
            "θ ∈ (1, 1.162), γ ∈ (1, 1.25)",
            vec![theta_i3(), gamma()],
            |v| (h(v[1].clone(), v[0].clone()).diff(&v[1]), Rel::Lt, c(0, 1)),
        ),
        ident(
            "B.3/eq35-value",
            ".652 = h_{1.25}(1.162) (Eq. 35, as printed)",
            "γ = 1.25, θ = 1.162",
            vec![],
            |_| (k(P2_LOWER), h(k(GAMMA_HI), k(THETA_BOUND))),
        ),
        ident(
            "B.3/eq35-value-corrected",
            "h_{1.25}(1.162) = 0.65327059 (so .652 < h_{1.25}(1.162))",
            "γ = 1.25, θ = 1.162",
            vec![],
            |_| (c(65327059, 100000000), h(k(GAMMA_HI), k(THETA_BOUND))),
        )
        .correcting("B.3/eq35-value")
        .note("The printed '=' is a '<' (0.652 < 0.65327…); the lower bound 0.652 > 0.65 that P2 needs survives."),
        pieces(
            "B.3/eq35",
            ".652 < h_γ(θ) < h_γ(1) = 1 (Eq. 35)",
            "θ ∈ I₃ = (1, 1.162), γ ∈ (1, 1.25)",
            vec![
                Piece::new(vec![theta_i3(), gamma()], |v| (h(v[1].clone(), v[0].clone()), Rel::Gt, k(P2_LOWER))),
                Piece::new(vec![theta_i3(), gamma()], |v| (h(v[1].clone(), v[0].clone()), Rel::Lt, c(1, 1))),
            ],
        ),
        derived(
            "B.3/P2",
            "P2: θ_t ∈ I₃ ⟹ θ_{t+1} ∈ I₁ ∪ I₂ = (0.65, 1)",
            "Γ ⊆ (1, 1.25)",
            vec!["B.3/eq35"],
        )
        .note("Eq. 35 gives θ_{t+1} ∈ (0.652, 1) ⊂ (0.65, 1)."),
    ]
}
