//! Lemma B.5: from I₂ the even iterates move away from 1 (Eqs. 40–48).

use largestep_theory::appendix_b::{g, h, p_factor};

use super::{c, derived, eps_pieces, gamma, ident, ineq, p, pieces, sim, Check, Claim};
use crate::expr::Expr;
use crate::prover::{Ends, Param, Rel};

/// θ ∈ I₂ = [1 − ε, 1) as θ = 1 − ε(1 − s), s ∈ [0, 1); γ ∈ Γ ∩ [γ_min, 1.25) as
/// γ = γ_min + r(1.25 − γ_min), r ∈ [0, 1).
fn i2_params() -> Vec<Param> {
    vec![p("s", (0, 1), (1, 1), Ends::ClosedOpen), p("r", (0, 1), (1, 1), Ends::ClosedOpen)]
}

fn theta_gamma_in_i2(gmin: Expr, eps: Expr, x: &[Expr]) -> (Expr, Expr) {
    let theta = c(1, 1) - eps * (c(1, 1) - x[0].clone());
    let gamma = gmin.clone() + x[1].clone() * (c(5, 4) - gmin);
    (theta, gamma)
}

/// `1 − γ_min(2 − ε)(1 − ε)`, the middle term of Eq. 46.
fn eq46_mid(gmin: Expr, eps: Expr) -> Expr {
    c(1, 1) - gmin * (c(2, 1) - eps.clone()) * (c(1, 1) - eps)
}

pub(super) fn claims() -> Vec<Claim> {
    let tg = || vec![p("θ", (0, 1), (1, 1), Ends::Open), gamma()];
    let plus = |v: &[Expr]| h(v[1].clone(), v[0].clone());
    vec![
        ident(
            "B.5/eq40",
            "h_γ(h_γ(θ)) − θ = γθ(1 − θ²) + γθ₊(1 − θ₊²), θ₊ = h_γ(θ) (Eq. 40)",
            "θ ∈ (0, 1), γ ∈ (1, 1.25)",
            tg(),
            move |v| {
                let (t, gm, tp) = (v[0].clone(), v[1].clone(), plus(v));
                (
                    g(gm.clone(), t.clone()) - t.clone(),
                    gm.clone() * t.clone() * (c(1, 1) - t.clone() * t) + gm * tp.clone() * (c(1, 1) - tp.clone() * tp),
                )
            },
        ),
        ident("B.5/eq41", "θ₊ = θ(1 + γ(1 − θ²)) (Eq. 41)", "θ ∈ (0, 1), γ ∈ (1, 1.25)", tg(), move |v| {
            let (t, gm) = (v[0].clone(), v[1].clone());
            (plus(v), t.clone() * (c(1, 1) + gm * (c(1, 1) - t.clone() * t)))
        }),
        ident("B.5/eq42", "1 + θ₊ = (1 + θ)(1 + γθ(1 − θ)) (Eq. 42)", "θ ∈ (0, 1), γ ∈ (1, 1.25)", tg(), move |v| {
            let (t, gm) = (v[0].clone(), v[1].clone());
            (c(1, 1) + plus(v), (c(1, 1) + t.clone()) * (c(1, 1) + gm * t.clone() * (c(1, 1) - t)))
        }),
        ident("B.5/eq43", "1 − θ₊ = (1 − θ)(1 − γθ(1 + θ)) (Eq. 43)", "θ ∈ (0, 1), γ ∈ (1, 1.25)", tg(), move |v| {
            let (t, gm) = (v[0].clone(), v[1].clone());
            (c(1, 1) - plus(v), (c(1, 1) - t.clone()) * (c(1, 1) - gm * t.clone() * (c(1, 1) + t)))
        }),
        ident(
            "B.5/eq44",
            "θ₊(1 − θ₊²) + θ(1 − θ²) = θ(1 − θ²){1 + P(θ)} (Eq. 44)",
            "θ ∈ (0, 1), γ ∈ (1, 1.25)",
            tg(),
            move |v| {
                let (t, gm, tp) = (v[0].clone(), v[1].clone(), plus(v));
                let base = t.clone() * (c(1, 1) - t.clone() * t.clone());
                (tp.clone() * (c(1, 1) - tp.clone() * tp) + base.clone(), base * (c(1, 1) + p_factor(gm, t)))
            },
        ),
        ineq(
            "B.5/eq45",
            "(1 + γ(1 − θ²))(1 + γθ(1 − θ)) > 1 (Eq. 45)",
            "θ ∈ [0.98, 1) ⊇ I₂ = [1 − ε, 1), γ ∈ (1, 1.25)",
            vec![p("θ", (98, 100), (1, 1), Ends::ClosedOpen), gamma()],
            |v| {
                let (t, gm) = (v[0].clone(), v[1].clone());
                let a = c(1, 1) + gm.clone() * (c(1, 1) - t.clone() * t.clone());
                (a * (c(1, 1) + gm * t.clone() * (c(1, 1) - t)), Rel::Gt, c(1, 1))
            },
        ),
        pieces(
            "B.5/eq46",
            "1 − γθ(1 + θ) < 1 − γ_min(2 − ε)(1 − ε) < −1 (Eq. 46, as printed)",
            "θ ∈ I₂ = [1 − ε, 1), γ ∈ Γ ⊆ [γ_min, 1.25), 0 < ε < ε₀(γ_min)",
            eps_pieces(i2_params(), |gmin, eps, x| {
                let (t, gm) = theta_gamma_in_i2(gmin.clone(), eps.clone(), x);
                (c(1, 1) - gm * t.clone() * (c(1, 1) + t), Rel::Lt, eq46_mid(gmin, eps))
            })
            .into_iter()
            .chain(eps_pieces(vec![], |gmin, eps, _| (eq46_mid(gmin, eps), Rel::Lt, c(-1, 1))))
            .collect(),
        ),
        pieces(
            "B.5/eq46-corrected",
            "1 − γθ(1 + θ) ≤ 1 − γ_min(2 − ε)(1 − ε) < −1",
            "θ ∈ I₂ = [1 − ε, 1), γ ∈ Γ ⊆ [γ_min, 1.25), 0 < ε < ε₀(γ_min)",
            eps_pieces(i2_params(), |gmin, eps, x| {
                let (t, gm) = theta_gamma_in_i2(gmin.clone(), eps.clone(), x);
                (c(1, 1) - gm * t.clone() * (c(1, 1) + t), Rel::Le, eq46_mid(gmin, eps))
            })
            .into_iter()
            .chain(eps_pieces(vec![], |gmin, eps, _| (eq46_mid(gmin, eps), Rel::Lt, c(-1, 1))))
            .collect(),
        )
        .correcting("B.5/eq46")
        .note("Equality holds at θ = 1 − ε ∈ I₂ with γ = γ_min ∈ Γ (the support is closed), so the first '<' is a '≤'; the second inequality is strict, so Eq. 47 survives."),
        pieces(
            "B.5/eq47",
            "P(θ) < −1 (Eq. 47)",
            "θ ∈ I₂ = [1 − ε, 1), γ ∈ [γ_min, 1.25), 0 < ε < ε₀(γ_min)",
            eps_pieces(i2_params(), |gmin, eps, x| {
                let (t, gm) = theta_gamma_in_i2(gmin, eps, x);
                (p_factor(gm, t), Rel::Lt, c(-1, 1))
            }),
        ),
        ident(
            "B.5/eq48",
            "h_γ(h_γ(θ)) − θ = γ(1 − θ²)(1 + P(θ)) (Eq. 48, as printed)",
            "θ ∈ I₂ ⊂ [0.98, 1), γ ∈ (1, 1.25)",
            vec![p("θ", (98, 100), (1, 1), Ends::ClosedOpen), gamma()],
            |v| {
                let (t, gm) = (v[0].clone(), v[1].clone());
                (g(gm.clone(), t.clone()) - t.clone(), gm.clone() * (c(1, 1) - t.clone() * t.clone()) * (c(1, 1) + p_factor(gm, t)))
            },
        ),
        ident(
            "B.5/eq48-corrected",
            "h_γ(h_γ(θ)) − θ = γθ(1 − θ²)(1 + P(θ))",
            "θ ∈ I₂ ⊂ [0.98, 1), γ ∈ (1, 1.25)",
            vec![p("θ", (98, 100), (1, 1), Ends::ClosedOpen), gamma()],
            |v| {
                let (t, gm) = (v[0].clone(), v[1].clone());
                (
                    g(gm.clone(), t.clone()) - t.clone(),
                    gm.clone() * t.clone() * (c(1, 1) - t.clone() * t.clone()) * (c(1, 1) + p_factor(gm, t)),
                )
            },
        )
        .correcting("B.5/eq48")
        .note("A factor θ is dropped (Eq. 40 + Eq. 44 give γθ(1−θ²)(1+P)). Since θ > 0 the sign, and the conclusion g_γ(θ) < θ, are unchanged."),
        derived(
            "B.5/g<theta",
            "h_γ(h_γ(θ)) < θ for θ ∈ [1 − ε, 1), γ ∈ Γ",
            "θ ∈ I₂, γ ∈ Γ, 0 < ε < ε₀",
            vec!["B.5/eq48-corrected", "B.5/eq47", "B.4/monotone-gamma"],
        )
        .note("g_γ(θ) − θ = γθ(1−θ²)(1+P(θ)) with γθ(1−θ²) = γ·∂h/∂γ > 0 (B.4/monotone-gamma) and 1 + P < 0 (Eq. 47)."),
        derived(
            "B.5/P3",
            "Lemma B.5 / P3: from θ_t ∈ I₂ some θ_{t+2k} ∈ I₁ (the even iterates decrease while in I₂)",
            "θ_t ∈ I₂, Γ ⊆ (1, 1.25)",
            vec!["B.5/g<theta", "B.4/eq36", "B.7/two-step"],
        )
        .note("θ_{t+2} = h_a(h_b(θ_t)) ≤ g_{γmin}(θ_t) < θ_t (Eq. 36, B.5/g<theta); the decrease has no limit point in I₂ by continuity, and two steps never leave I₁ ∪ I₂ (Lemma B.7)."),
        super::Claim {
            id: "B.5/P3-sim",
            statement: "Simulation: from θ₀ on a grid of I₂ the even iterates reach I₁, decreasing strictly while in I₂",
            domain: "θ₀ ∈ I₂ (64 points), ε = ε₀(γ_min)/2, γ_t i.i.d. uniform on [γ_min, γ_max], 3 (γ_min, γ_max) pairs",
            check: Check::Simulation(sim::leave_i2),
            corrects: None,
            note: "Non-rigorous cross-check (f64).",
            max_boxes: None,
        },
    ]
}
