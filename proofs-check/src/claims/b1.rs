//! Proposition B.1 (extended Prop. 2.2): the range of γ, the loss levels of Eq. 22 / Eq. 6, and
//! the bouncing of Eq. 7.

use largestep_theory::appendix_b::{h, loss, EPS_CAP, GAMMA_HI, LOSS_UPPER};

use super::{c, derived, ident, ineq, k, p, pieces, sim, Check, Claim};

/// `(1 − u²)²`.
fn sq_gap(u: Expr) -> Expr {
    let d = c(1, 1) - u.clone() * u;
    d.clone() * d
}
use crate::expr::Expr;
use crate::prover::{Ends, Piece, Rel};

pub(super) fn claims() -> Vec<Claim> {
    // γ = ηθ*²z² with A = ηθ*²x_min² ∈ (1, 1.25), B = ηθ*²x_max² = A + s(1.25 − A) ∈ [A, 1.25),
    // z² = x_min² + w(x_max² − x_min²): γ = A + w·s·(1.25 − A).
    let gamma_of = |v: &[Expr]| v[0].clone() + v[2].clone() * v[1].clone() * (k(GAMMA_HI) - v[0].clone());
    let box3 = || {
        vec![
            p("A", (1, 1), (5, 4), Ends::Open),
            p("s", (0, 1), (1, 1), Ends::ClosedOpen),
            p("w", (0, 1), (1, 1), Ends::Closed),
        ]
    };
    vec![
        pieces(
            "B.1/Gamma",
            "Γ := supp ρ̂_γ ⊆ (1, 1.25), where γ = ηθ*²z², z ∈ supp ρ̂ ⊆ [x_min, x_max]",
            "η ∈ ((θ*x_min)⁻², 1.25(θ*x_max)⁻²); A = ηθ*²x_min² ∈ (1,1.25), ηθ*²x_max² = A + s(1.25−A), s ∈ [0,1), z² = x_min² + w(x_max²−x_min²), w ∈ [0,1]",
            vec![
                Piece::new(box3(), move |v| (gamma_of(v), Rel::Gt, c(1, 1))),
                Piece::new(box3(), move |v| (gamma_of(v), Rel::Lt, k(GAMMA_HI))),
            ],
        ),
        ineq(
            "B.1/eq22-lower",
            "F(θ_t) > ε₀²θ*² for all t ∈ ℕ (Eq. 22), instance t = 0",
            "θ* = 1, ρ̂ = δ₁ (x ≡ 1), η ∈ [1.06, 1.25) so ε₀ = 0.02, θ₀ ∈ (0, 1)",
            vec![p("θ₀", (0, 1), (1, 1), Ends::Open)],
            |v| (loss(c(1, 1), v[0].clone()), Rel::Gt, k(EPS_CAP) * k(EPS_CAP)),
        )
        .note("Eq. 22 claims the lower level for every t, including t = 0 where θ₀ ∈ (0, θ*) is arbitrary."),
        ineq(
            "B.1/eq22-upper",
            "F(θ_t) < 0.17θ*² for all t ∈ ℕ (Eq. 22), instance t = 0",
            "θ* = 1, ρ̂ = δ_X (x ≡ X), X ∈ [1, 4], η = 1.1/X² ∈ (X⁻², 1.25X⁻²), θ₀ ∈ (0, 1)",
            vec![p("X", (1, 1), (4, 1), Ends::Closed), p("θ₀", (0, 1), (1, 1), Ends::Open)],
            |v| (loss(v[0].clone() * v[0].clone(), v[1].clone()), Rel::Lt, k(LOSS_UPPER)),
        )
        .note("F scales with E[x²]θ*⁴ while the bound scales with θ*²: Eq. 22 is not scale-invariant."),
        ineq(
            "2.2/eq6-lower",
            "δ₁ < F(θ_t) for all t > 0 (Eq. 6) with δ₁ = ε₀²θ*² (Eq. 22), instance t = 1",
            "θ* = 1, x ≡ 1, η ∈ [1.06, 1.25) (ε₀ = 0.02), θ₀ ∈ (0, 1), θ₁ = h_η(θ₀)",
            vec![p("η", (53, 50), (5, 4), Ends::ClosedOpen), p("θ₀", (0, 1), (1, 1), Ends::Open)],
            |v| (loss(c(1, 1), h(v[0].clone(), v[1].clone())), Rel::Gt, k(EPS_CAP) * k(EPS_CAP)),
        ),
        ineq(
            "2.2/eq6-upper",
            "F(θ_t) < δ₂ for all t > 0 (Eq. 6) with δ₂ = 0.17θ*² (Eq. 22), instance t = 1",
            "θ* = 1, x ≡ X ∈ [1, 4], η = 1.1/X² (γ = 1.1), θ₀ ∈ (0, 1), θ₁ = h_γ(θ₀)",
            vec![p("X", (1, 1), (4, 1), Ends::Closed), p("θ₀", (0, 1), (1, 1), Ends::Open)],
            |v| (loss(v[0].clone() * v[0].clone(), h(c(11, 10), v[1].clone())), Rel::Lt, k(LOSS_UPPER)),
        ),
        pieces(
            "B.1/eq22-loss-shape",
            "(1 − u²)² is decreasing on (0.65, 1) and increasing on (1, 1.162)",
            "u ∈ (0.65, 1) ∪ (1, 1.162)",
            vec![
                Piece::new(vec![p("u", (65, 100), (1, 1), Ends::Open)], |v| (sq_gap(v[0].clone()).diff(&v[0]), Rel::Lt, c(0, 1))),
                Piece::new(vec![p("u", (1, 1), (1162, 1000), Ends::Open)], |v| (sq_gap(v[0].clone()).diff(&v[0]), Rel::Gt, c(0, 1))),
            ],
        ),
        ident(
            "B.1/eq22-end-below",
            "(1 − (1 − ε)²)² = (2ε − ε²)²",
            "ε ∈ (0, 0.02)",
            vec![p("ε", (0, 1), (1, 50), Ends::Open)],
            |v| (sq_gap(c(1, 1) - v[0].clone()), (c(2, 1) * v[0].clone() - v[0].clone() * v[0].clone()) * (c(2, 1) * v[0].clone() - v[0].clone() * v[0].clone())),
        ),
        pieces(
            "B.1/eq22-end-above",
            "(1 + ε)² − 1 > 1 − (1 − ε)² > 0, hence (1 − (1 + ε)²)² > (2ε − ε²)²",
            "ε ∈ (0, 0.02)",
            vec![
                Piece::new(vec![p("ε", (0, 1), (1, 50), Ends::Open)], |v| {
                    let e = v[0].clone();
                    ((c(1, 1) + e.clone()) * (c(1, 1) + e.clone()) - c(1, 1), Rel::Gt, c(1, 1) - (c(1, 1) - e.clone()) * (c(1, 1) - e))
                }),
                Piece::new(vec![p("ε", (0, 1), (1, 50), Ends::Open)], |v| {
                    let e = v[0].clone();
                    (c(1, 1) - (c(1, 1) - e.clone()) * (c(1, 1) - e), Rel::Gt, c(0, 1))
                }),
            ],
        ),
        ineq(
            "B.1/eq22-upper-corrected",
            "¼E[γ](1 − u²)² < 0.17 (in fact < 0.1043)",
            "E[γ] = c ∈ (1, 1.25), u ∈ (0.65, 1.162)",
            vec![p("c", (1, 1), (5, 4), Ends::Open), p("u", (65, 100), (1162, 1000), Ends::Open)],
            |v| (loss(v[0].clone(), v[1].clone()), Rel::Lt, k(LOSS_UPPER)),
        ),
        derived(
            "B.1/eq22-corrected",
            "Once bouncing (t ≥ T(ε), Lemma B.3): ¼(2ε−ε²)² < ηF(θ_t)/θ*² < 0.17, where ηF/θ*² = ¼E[γ](1−u²)², u = θ_t/θ*",
            "E[γ] ∈ (1, 1.25); u ∈ (0.65, 1−ε) ∪ (1+ε, 1.162); ε ∈ (0, ε₀)",
            vec!["B.1/eq22-loss-shape", "B.1/eq22-end-below", "B.1/eq22-end-above", "B.1/eq22-upper-corrected"],
        )
        .correcting("B.1/eq22-lower")
        .note("Nearest true form: normalise by θ*²/η (the loss scales like θ*²/η, not θ*²) and state it from the time the iterates bounce (Eq. 6/22 'for all t' fails near θ₀ ≈ θ*). Lower: ¼E[γ](1−u²)² > ¼(1−u²)² ≥ ¼(2ε−ε²)² by the shape of (1−u²)² and its values at 1 ± ε (ε₀² itself is slightly too high). Upper 0.17 holds with room (sup ≈ 0.1043). The conclusion (loss stabilisation, Eq. 7) survives."),
        derived(
            "2.2/eq7",
            "∃T, ∀k > T: θ_{t+2k} < θ* < θ_{t+2k+1} a.s. (Eq. 7; Lemma B.3 Eq. 32)",
            "Γ ⊆ (1, 1.25), θ₀ ∈ (0, 1), the law of γ without atoms (with an atom Eq. 7 fails: P2.2-any-init)",
            vec!["B.1/Gamma", "B.3/P1", "B.3/P2", "B.5/P3", "B.8/P4"],
        )
        .note("Lemma B.3 combines P1–P4: the iterate reaches I₁ ∪ I₂ ∪ I₃ (P1, which needs P(θ_t = 1) = 0, i.e. a law of γ without atoms), moves from I₃ to I₁ ∪ I₂ (P2), from I₂ to I₁ in an even number of steps (P3), and bounces between I₁ and (1+ε, 1.162) (P4)."),
        super::Claim {
            id: "2.2/eq7-sim",
            statement: "Simulation: from θ₀ ~ U(0,1) and i.i.d. γ_t ~ U[γ_min, γ_max], the iterates eventually alternate between I₁ and (1+ε, 1.162) and ηF/θ*² stays in the corrected band",
            domain: "400 runs × 3000 steps, (γ_min, γ_max) ∈ {(1.01, 1.05), (1.05, 1.24), (1.2, 1.249)}, ε = ε₀/2",
            check: Check::Simulation(sim::bouncing),
            corrects: None,
            note: "Non-rigorous cross-check of the quantified statement (f64).",
            max_boxes: None,
        },
    ]
}
