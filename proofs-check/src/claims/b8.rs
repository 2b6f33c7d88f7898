//! Lemma B.8: from I₁ the iterates bounce between I₁ and (1 + ε, 1.162) (Eqs. 52–57).

use largestep_theory::appendix_b::{h, G1_AT_I1_LO_BOUND, H1_AT_I1_LO_BOUND, I1_LO};

use super::{c, derived, ident, ineq, k, p, Claim};
use crate::prover::{Ends, Rel};

pub(super) fn claims() -> Vec<Claim> {
    let ae = || vec![p("a", (1, 1), (5, 4), Ends::Open), p("ε", (0, 1), (1, 50), Ends::Open)];
    vec![
        derived(
            "B.8/eq52-53",
            "h_a(h_b(θ)) ≤ h_{γmin}(h_{γmin}(θ)) ≤ max{g_{γmin}(1 − ε), g_{γmin}(0.65)} (Eqs. 52–53)",
            "θ ∈ I₁, a, b ∈ Γ",
            vec!["B.4/eq36", "B.6/Q2"],
        ),
        ineq(
            "B.8/0.98<1-eps",
            "0.98 < 1 − ε",
            "ε ∈ (0, 0.02) ⊇ (0, ε₀)",
            vec![p("ε", (0, 1), (1, 50), Ends::Open)],
            |v| (k(G1_AT_I1_LO_BOUND), Rel::Lt, c(1, 1) - v[0].clone()),
        ),
        derived(
            "B.8/upper",
            "h_a(h_b(θ)) < 1 − ε (g_{γmin}(1−ε) < 1−ε by Eq. 48; g_{γmin}(0.65) < g₁(0.65) < 0.98 < 1−ε)",
            "θ ∈ I₁, a, b ∈ Γ",
            vec!["B.8/eq52-53", "B.5/g<theta", "B.4/eq39", "B.7/g1(0.65)", "B.8/0.98<1-eps"],
        ),
        ident(
            "B.8/eq54-55",
            "h_a(1 − ε) = 1 − ε + a(1 − (1 − ε)²)(1 − ε) = 1 − ε + a(2ε − ε²)(1 − ε) (Eqs. 54–55; printed '≥' holds with equality)",
            "a ∈ (1, 1.25), ε ∈ (0, 0.02)",
            ae(),
            |v| {
                let (a, e) = (v[0].clone(), v[1].clone());
                (h(a.clone(), c(1, 1) - e.clone()), c(1, 1) - e.clone() + a * (c(2, 1) * e.clone() - e.clone() * e.clone()) * (c(1, 1) - e))
            },
        ),
        ineq(
            "B.8/eq56-factor",
            "(2ε − ε²)(1 − ε) > 0, so a ↦ 1 − ε + a(2ε − ε²)(1 − ε) is increasing",
            "ε ∈ (0, 0.02)",
            vec![p("ε", (0, 1), (1, 50), Ends::Open)],
            |v| {
                let e = v[0].clone();
                ((c(2, 1) * e.clone() - e.clone() * e.clone()) * (c(1, 1) - e), Rel::Gt, c(0, 1))
            },
        ),
        derived(
            "B.8/eq56",
            "1 − ε + a(2ε − ε²)(1 − ε) ≥ 1 − ε + γ_min(2ε − ε²)(1 − ε) (Eq. 56)",
            "a ∈ Γ ⊆ [γ_min, 1.25), 0 < ε < ε₀(γ_min)",
            vec!["B.8/eq56-factor"],
        )
        .note("The difference is (a − γ_min)(2ε − ε²)(1 − ε) with a ≥ γ_min."),
        ident(
            "B.8/eq57-identity",
            "1 − ε + γ_min(2ε − ε²)(1 − ε) = 1 + ε + ε(γ_min(2 − ε)(1 − ε) − 2) (Eq. 57, equality)",
            "γ_min ∈ (1, 1.25), ε ∈ (0, 0.02)",
            ae(),
            |v| {
                let (m, e) = (v[0].clone(), v[1].clone());
                (
                    c(1, 1) - e.clone() + m.clone() * (c(2, 1) * e.clone() - e.clone() * e.clone()) * (c(1, 1) - e.clone()),
                    c(1, 1) + e.clone() + e.clone() * (m * (c(2, 1) - e.clone()) * (c(1, 1) - e) - c(2, 1)),
                )
            },
        ),
        derived(
            "B.8/eq57",
            "1 + ε + ε(γ_min(2 − ε)(1 − ε) − 2) > 1 + ε (Eq. 57, inequality)",
            "γ_min ∈ (1, 1.25), 0 < ε < ε₀(γ_min)",
            vec!["B.3/eps0-corrected"],
        )
        .note("ε > 0 times γ_min(2 − ε)(1 − ε) − 2 > 0 (Lemma B.3, corrected ε₀)."),
        ineq(
            "B.8/1.02>1+eps",
            "1.02 > 1 + ε",
            "ε ∈ (0, 0.02)",
            vec![p("ε", (0, 1), (1, 50), Ends::Open)],
            |v| (k(H1_AT_I1_LO_BOUND), Rel::Gt, c(1, 1) + v[0].clone()),
        ),
        ineq(
            "B.8/h1(0.65)",
            "h₁(0.65) > 1.02",
            "θ = 0.65, γ = 1",
            vec![],
            |_| (h(c(1, 1), k(I1_LO)), Rel::Gt, k(H1_AT_I1_LO_BOUND)),
        ),
        derived(
            "B.8/lower",
            "Lemma B.8: h_a(θ) ≥ min{h_a(0.65), h_a(1 − ε)} > 1 + ε",
            "θ ∈ I₁ = (0.65, 1 − ε), a ∈ Γ, 0 < ε < ε₀(γ_min)",
            vec!["B.2/h''", "B.8/eq54-55", "B.8/eq56", "B.8/eq57-identity", "B.8/eq57", "B.8/h1(0.65)", "B.4/monotone-gamma", "B.8/1.02>1+eps"],
        )
        .note("h_a is concave (h'' < 0), so on I₁ it is above the smaller end value; h_a(1−ε) > 1+ε by Eqs. 54–57 and h_a(0.65) > h₁(0.65) > 1.02 > 1 + ε."),
        derived(
            "B.8/P4",
            "Lemma B.8 / P4: θ_t ∈ I₁ ⟹ θ_{t+2k} ∈ I₁ and θ_{t+2k+1} ∈ (1 + ε, 1.162) for all k",
            "Γ ⊆ (1, 1.25), 0 < ε < ε₀",
            vec!["B.7/two-step", "B.8/upper", "B.8/lower", "B.2/lemma"],
        ),
    ]
}
