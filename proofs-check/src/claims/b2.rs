//! Lemma B.2 (bounded region), Eqs. 27–31.

use largestep_theory::appendix_b::{h, h_prime, h_second, max_h, max_h_as_printed, theta_gamma, GAMMA_HI, THETA_BOUND};

use super::{c, gamma, ident, ineq, k, p, pieces, Claim};
use crate::prover::{Ends, Piece, Rel};

pub(super) fn claims() -> Vec<Claim> {
    vec![
        ident(
            "B.2/eq27",
            "h'_γ(θ_γ) = 0 at θ_γ = (1/√3)√(1/γ + 1), the maximiser of Eq. 27",
            "γ ∈ (1, 1.25)",
            vec![gamma()],
            |v| (h_prime(v[0].clone(), theta_gamma(v[0].clone())), c(0, 1)),
        ),
        ineq(
            "B.2/h''",
            "h''_γ(θ) = −6γθ < 0",
            "θ ∈ (0, 1], γ ∈ (1, 1.25)",
            vec![p("θ", (0, 1), (1, 1), Ends::OpenClosed), gamma()],
            |v| (h_second(v[1].clone(), v[0].clone()), Rel::Lt, c(0, 1)),
        ),
        ident(
            "B.2/eq28",
            "h_γ(θ_γ) = 2(1+γ)^{3/2} / (3√3 γ) (Eq. 28, as printed)",
            "γ ∈ (1, 1.25)",
            vec![gamma()],
            |v| (h(v[0].clone(), theta_gamma(v[0].clone())), max_h_as_printed(v[0].clone())),
        ),
        ident(
            "B.2/eq28-corrected",
            "h_γ(θ_γ) = (2/3)(1+γ)θ_γ = 2(1+γ)^{3/2} / (3√(3γ)); checked exactly in the variable t = θ_γ, γ = 1/(3t² − 1)",
            "t = θ_γ ∈ (0.77, 0.82) ⊃ (√0.6, √(2/3)) ⇔ γ ∈ (1, 1.25)",
            vec![p("t", (77, 100), (82, 100), Ends::Open)],
            |v| {
                let t = v[0].clone();
                let g = c(1, 1) / (c(3, 1) * t.clone() * t.clone() - c(1, 1));
                (h(g.clone(), t.clone()), c(2, 3) * (c(1, 1) + g) * t)
            },
        )
        .correcting("B.2/eq28")
        .note("The printed value is missing a √γ: θ_γ·(2/3)(1+γ) with θ_γ = √((1+γ)/(3γ)). With it, the max at γ = 1.25 is 1.161895… < 1.162 and Lemma B.2 survives."),
        ineq(
            "B.2/eq28-rhs",
            "max over γ ∈ (.5, 1.25) of 2(1+γ)^{3/2}/(3√3γ) (right side of Eq. 28, as printed) is < 1.162",
            "γ ∈ (0.5, 1.25)",
            vec![p("γ", (1, 2), (5, 4), Ends::Open)],
            |v| (max_h_as_printed(v[0].clone()), Rel::Lt, k(THETA_BOUND)),
        ),
        ineq(
            "B.2/eq28-rhs-corrected",
            "2(1+γ)^{3/2}/(3√(3γ)) < 1.162",
            "γ ∈ (0.5, 1.25)",
            vec![p("γ", (1, 2), (5, 4), Ends::Open)],
            |v| (max_h(v[0].clone()), Rel::Lt, k(THETA_BOUND)),
        )
        .correcting("B.2/eq28-rhs"),
        ineq(
            "B.2/eq29-increasing",
            "2(1+γ)^{3/2}/(3√3γ) is increasing in γ (Eq. 29, as printed): its derivative is > 0",
            "γ ∈ (1, 1.25)",
            vec![gamma()],
            |v| (max_h_as_printed(v[0].clone()).diff(&v[0]), Rel::Gt, c(0, 1)),
        ),
        ineq(
            "B.2/eq29-increasing-corrected",
            "h_γ(θ_γ) = 2(1+γ)^{3/2}/(3√(3γ)) is increasing in γ: d/dγ > 0",
            "γ ∈ (1, 1.25)",
            vec![gamma()],
            |v| (max_h(v[0].clone()).diff(&v[0]), Rel::Gt, c(0, 1)),
        )
        .correcting("B.2/eq29-increasing")
        .note("The printed expression is decreasing; the true maximum h_γ(θ_γ) is increasing, so the argument of Eq. 29 goes through with it."),
        ineq(
            "B.2/eq29",
            "2(1+γ)^{3/2}/(3√3γ) at γ = 1.25 is < 1.162 (Eq. 29, as printed)",
            "γ = 1.25",
            vec![],
            |_| (max_h_as_printed(k(GAMMA_HI)), Rel::Lt, k(THETA_BOUND)),
        ),
        ineq(
            "B.2/eq29-corrected",
            "h_{1.25}(θ_{1.25}) = 2(2.25)^{3/2}/(3√3.75) < 1.162",
            "γ = 1.25",
            vec![],
            |_| (max_h(k(GAMMA_HI)), Rel::Lt, k(THETA_BOUND)),
        )
        .correcting("B.2/eq29")
        .note("The printed bound holds but for the wrong expression; the true maximum 1.1618950… is below 1.162 with margin 1.05e-4."),
        ineq(
            "B.2/eq30",
            "θ + γθ(1 − θ²) < 1.162 (Eq. 30)",
            "γ ∈ (0, 1.25), θ ∈ (0, 1]",
            vec![p("γ", (0, 1), (5, 4), Ends::Open), p("θ", (0, 1), (1, 1), Ends::OpenClosed)],
            |v| (h(v[0].clone(), v[1].clone()), Rel::Lt, k(THETA_BOUND)),
        ),
        pieces(
            "B.2/eq31",
            "γ(θ² − 1) < 1.25((1.162)² − 1) < 1 (Eq. 31)",
            "γ ∈ (1, 1.25), θ ∈ (1, 1.162)",
            vec![
                Piece::new(vec![gamma(), p("θ", (1, 1), (1162, 1000), Ends::Open)], |v| {
                    (v[0].clone() * (v[1].clone() * v[1].clone() - c(1, 1)), Rel::Lt, k(GAMMA_HI) * (k(THETA_BOUND) * k(THETA_BOUND) - c(1, 1)))
                }),
                Piece::new(vec![], |_| (k(GAMMA_HI) * (k(THETA_BOUND) * k(THETA_BOUND) - c(1, 1)), Rel::Lt, c(1, 1))),
            ],
        ),
        pieces(
            "B.2/lemma",
            "Lemma B.2: θ ∈ (0, 1.162) ⟹ h_γ(θ) ∈ (0, 1.162)",
            "θ ∈ (0, 1.162), γ ∈ (1, 1.25)",
            vec![
                Piece::new(vec![p("θ", (0, 1), (1162, 1000), Ends::Open), gamma()], |v| {
                    (h(v[1].clone(), v[0].clone()), Rel::Gt, c(0, 1))
                }),
                Piece::new(vec![p("θ", (0, 1), (1162, 1000), Ends::Open), gamma()], |v| {
                    (h(v[1].clone(), v[0].clone()), Rel::Lt, k(THETA_BOUND))
                }),
            ],
        ),
    ]
}
