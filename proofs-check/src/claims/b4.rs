//! Lemma B.4: two steps are bounded by the extreme step factors (Eqs. 36–39).

use largestep_theory::appendix_b::{h, I1_LO};

use super::{c, derived, gamma, ident, ineq, k, p, Claim};
use crate::prover::{Ends, Rel};

pub(super) fn claims() -> Vec<Claim> {
    let theta_i12 = || p("θ", (65, 100), (1, 1), Ends::Open);
    vec![
        ineq(
            "B.4/theta(1+theta)",
            "θ(1 + θ) > 1",
            "θ ∈ I₁ ∪ I₂ = (0.65, 1)",
            vec![theta_i12()],
            |v| (v[0].clone() * (c(1, 1) + v[0].clone()), Rel::Gt, c(1, 1)),
        ),
        ident(
            "B.4/eq37",
            "θ + γθ(1 − θ²) = 1 + (1 − θ)(γθ(1 + θ) − 1) (Eq. 37)",
            "θ ∈ (0.65, 1), γ ∈ (1, 1.25)",
            vec![theta_i12(), gamma()],
            |v| {
                let (t, g) = (v[0].clone(), v[1].clone());
                (h(g.clone(), t.clone()), c(1, 1) + (c(1, 1) - t.clone()) * (g * t.clone() * (c(1, 1) + t) - c(1, 1)))
            },
        ),
        ineq(
            "B.4/h>1",
            "h_γ(θ) > 1",
            "θ ∈ I₁ ∪ I₂ = (0.65, 1), γ ∈ (1, 1.25)",
            vec![theta_i12(), gamma()],
            |v| (h(v[1].clone(), v[0].clone()), Rel::Gt, c(1, 1)),
        ),
        ineq(
            "B.4/monotone-gamma",
            "h_γ(θ) is increasing in γ for θ < 1: ∂h_γ(θ)/∂γ > 0",
            "θ ∈ (0.65, 1), γ ∈ (1, 1.25)",
            vec![theta_i12(), gamma()],
            |v| (h(v[1].clone(), v[0].clone()).diff(&v[1]), Rel::Gt, c(0, 1)),
        ),
        derived(
            "B.4/eq36",
            "h_{γmax}(h_{γmax}(θ)) ≤ h_a(h_b(θ)) ≤ h_{γmin}(h_{γmin}(θ)) (Eq. 36 = Eq. 38)",
            "θ ∈ I₁ ∪ I₂, a, b ∈ Γ",
            vec!["B.4/h>1", "B.4/monotone-gamma", "B.3/P2-decreasing", "B.3/P2-gamma", "B.2/lemma"],
        )
        .note("h_b(θ) ∈ (1, 1.162) is increasing in b (B.4/h>1, B.4/monotone-gamma, Lemma B.2); h_a(x) is decreasing in x and in a for x ∈ (1, 1.162) (P2 facts). Compose."),
        derived(
            "B.4/eq39",
            "h_{1.25}(h_{1.25}(θ)) < h_a(h_b(θ)) < h_1(h_1(θ)) (Eq. 39)",
            "θ ∈ I₁ ∪ I₂, a, b ∈ Γ ⊆ (1, 1.25)",
            vec!["B.4/eq36"],
        )
        .note("Eq. 36 with the strict monotonicity (derivatives ≠ 0) and a, b strictly inside (1, 1.25); the facts hold for γ on the closed range as well."),
        ineq(
            "B.4/I1-lower-end",
            "0.65 · 1.65 > 1 (the left end of I₁ already satisfies θ(1+θ) > 1)",
            "θ = 0.65",
            vec![],
            |_| (k(I1_LO) * (c(1, 1) + k(I1_LO)), Rel::Gt, c(1, 1)),
        ),
    ]
}
