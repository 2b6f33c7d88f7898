//! Self-tests of the prover: deliberately false neighbours of true claims (must be REFUTED with a
//! counterexample) and textbook inequalities and identities with known answers. A prover that
//! cannot fail is a defect; these show it can.

use largestep_theory::appendix_b::{g, h, h2, Scalar, GAMMA_HI, I1_LO, THETA_BOUND};

use super::{c, gamma, ident, ineq, k, p, two_step_box, Claim};
use crate::prover::{Ends, Rel};

/// A self-test: the claim and whether it is true.
pub struct SelfTest {
    /// The claim.
    pub claim: Claim,
    /// The known truth value.
    pub truth: bool,
}

fn t(claim: Claim, truth: bool) -> SelfTest {
    SelfTest { claim, truth }
}

/// Mutants of Appendix B claims (all false) and textbook facts (true and false).
pub fn self_tests() -> Vec<SelfTest> {
    vec![
        t(
            ineq(
                "mutant/eq30-1.16",
                "θ + γθ(1 − θ²) < 1.16 (Eq. 30 with 1.162 → 1.16)",
                "γ ∈ (0, 1.25), θ ∈ (0, 1]",
                vec![p("γ", (0, 1), (5, 4), Ends::Open), p("θ", (0, 1), (1, 1), Ends::OpenClosed)],
                |v| (h(v[0].clone(), v[1].clone()), Rel::Lt, c(116, 100)),
            ),
            false,
        ),
        t(
            ineq(
                "mutant/eq35-0.654",
                "0.654 < h_γ(θ) (Eq. 35 with .652 → .654)",
                "θ ∈ (1, 1.162), γ ∈ (1, 1.25)",
                vec![p("θ", (1, 1), (1162, 1000), Ends::Open), gamma()],
                |v| (c(654, 1000), Rel::Lt, h(v[1].clone(), v[0].clone())),
            ),
            false,
        ),
        t(
            ineq(
                "mutant/g1-0.97",
                "g₁(0.65) < 0.97 (Lemma B.7 with 0.98 → 0.97)",
                "γ = 1, θ = 0.65",
                vec![],
                |_| (g(c(1, 1), k(I1_LO)), Rel::Lt, c(97, 100)),
            ),
            false,
        ),
        t(
            ineq(
                "mutant/two-step-0.654",
                "h_a(h_b(θ)) > 0.654 (Lemma B.7 with .65 → .654)",
                "θ ∈ (0.65, 1), a, b ∈ (1, 1.25)",
                two_step_box(),
                |v| (h2(v[1].clone(), v[2].clone(), v[0].clone()), Rel::Gt, c(654, 1000)),
            ),
            false,
        ),
        t(
            ineq("mutant/h1-1.03", "h₁(0.65) > 1.03 (Lemma B.8 with 1.02 → 1.03)", "θ = 0.65", vec![], |_| {
                (h(c(1, 1), k(I1_LO)), Rel::Gt, c(103, 100))
            }),
            false,
        ),
        t(
            ineq(
                "mutant/h>1-0.6",
                "h_γ(θ) > 1 on (0.6, 1) (B.4 with I₁'s end 0.65 → 0.6)",
                "θ ∈ (0.6, 1), γ ∈ (1, 1.25)",
                vec![p("θ", (6, 10), (1, 1), Ends::Open), gamma()],
                |v| (h(v[1].clone(), v[0].clone()), Rel::Gt, c(1, 1)),
            ),
            false,
        ),
        t(
            ineq(
                "mutant/eq45-closed",
                "(1 + γ(1 − θ²))(1 + γθ(1 − θ)) > 1 with θ = 1 included",
                "θ ∈ [0.98, 1], γ ∈ (1, 1.25)",
                vec![p("θ", (98, 100), (1, 1), Ends::Closed), gamma()],
                |v| {
                    let (th, gm) = (v[0].clone(), v[1].clone());
                    let a = c(1, 1) + gm.clone() * (c(1, 1) - th.clone() * th.clone());
                    (a * (c(1, 1) + gm * th.clone() * (c(1, 1) - th)), Rel::Gt, c(1, 1))
                },
            ),
            false,
        ),
        t(
            ineq(
                "mutant/lemma-B.2-gamma-1.3",
                "h_γ(θ) < 1.162 with γ up to 1.3",
                "θ ∈ (0, 1], γ ∈ (1, 1.3)",
                vec![p("θ", (0, 1), (1, 1), Ends::OpenClosed), p("γ", (1, 1), (13, 10), Ends::Open)],
                |v| (h(v[1].clone(), v[0].clone()), Rel::Lt, k(THETA_BOUND)),
            ),
            false,
        ),
        t(
            ident(
                "mutant/eq37",
                "θ + γθ(1 − θ²) = 1 + (1 − θ)(γθ(1 − θ) − 1) (Eq. 37 with 1 + θ → 1 − θ)",
                "θ ∈ (0.65, 1), γ ∈ (1, 1.25)",
                vec![p("θ", (65, 100), (1, 1), Ends::Open), gamma()],
                |v| {
                    let (th, gm) = (v[0].clone(), v[1].clone());
                    (
                        h(gm.clone(), th.clone()),
                        c(1, 1) + (c(1, 1) - th.clone()) * (gm * th.clone() * (c(1, 1) - th) - c(1, 1)),
                    )
                },
            ),
            false,
        ),
        t(
            ineq(
                "textbook/sqrt",
                "√(1 + x) < 1 + x/2",
                "x ∈ (0, 3]",
                vec![p("x", (0, 1), (3, 1), Ends::OpenClosed)],
                |v| ((c(1, 1) + v[0].clone()).sqrt(), Rel::Lt, c(1, 1) + v[0].clone() / c(2, 1)),
            ),
            true,
        ),
        t(
            ineq(
                "textbook/geometric",
                "1/(1 + x) > 1 − x",
                "x ∈ (0, 1]",
                vec![p("x", (0, 1), (1, 1), Ends::OpenClosed)],
                |v| (c(1, 1) / (c(1, 1) + v[0].clone()), Rel::Gt, c(1, 1) - v[0].clone()),
            ),
            true,
        ),
        t(
            ineq(
                "textbook/am-gm",
                "(a + b)/2 > √(ab)",
                "a ∈ [1, 2], b ∈ [3, 4]",
                vec![p("a", (1, 1), (2, 1), Ends::Closed), p("b", (3, 1), (4, 1), Ends::Closed)],
                |v| ((v[0].clone() + v[1].clone()) / c(2, 1), Rel::Gt, (v[0].clone() * v[1].clone()).sqrt()),
            ),
            true,
        ),
        t(
            ineq(
                "textbook/bernoulli",
                "(1 + x)³ > 1 + 3x",
                "x ∈ (0, 1]",
                vec![p("x", (0, 1), (1, 1), Ends::OpenClosed)],
                |v| {
                    let y = c(1, 1) + v[0].clone();
                    (y.clone() * y.clone() * y, Rel::Gt, c(1, 1) + c(3, 1) * v[0].clone())
                },
            ),
            true,
        ),
        t(
            ineq(
                "textbook/sqrt2",
                "x² < 2",
                "x ∈ [0, 1.414]",
                vec![p("x", (0, 1), (1414, 1000), Ends::Closed)],
                |v| (v[0].clone() * v[0].clone(), Rel::Lt, c(2, 1)),
            ),
            true,
        ),
        t(
            ineq(
                "textbook/sqrt2-false",
                "x² < 2",
                "x ∈ [0, 1.4143]",
                vec![p("x", (0, 1), (14143, 10000), Ends::Closed)],
                |v| (v[0].clone() * v[0].clone(), Rel::Lt, c(2, 1)),
            ),
            false,
        ),
        t(
            ineq(
                "textbook/closed-end",
                "(1 + x)² > 1 + 2x (equality at x = 0, which is included)",
                "x ∈ [0, 1]",
                vec![p("x", (0, 1), (1, 1), Ends::Closed)],
                |v| {
                    let y = c(1, 1) + v[0].clone();
                    (y.clone() * y, Rel::Gt, c(1, 1) + c(2, 1) * v[0].clone())
                },
            ),
            false,
        ),
        t(
            ineq(
                "textbook/open-end",
                "(1 + x)² > 1 + 2x (equality at x = 0, which is excluded)",
                "x ∈ (0, 1]",
                vec![p("x", (0, 1), (1, 1), Ends::OpenClosed)],
                |v| {
                    let y = c(1, 1) + v[0].clone();
                    (y.clone() * y, Rel::Gt, c(1, 1) + c(2, 1) * v[0].clone())
                },
            ),
            true,
        ),
        t(
            ineq("textbook/cubic", "x³ − x > 0", "x ∈ (0, 2)", vec![p("x", (0, 1), (2, 1), Ends::Open)], |v| {
                (v[0].clone() * v[0].clone() * v[0].clone() - v[0].clone(), Rel::Gt, c(0, 1))
            }),
            false,
        ),
        t(
            ident(
                "textbook/binomial",
                "(a + b)² = a² + 2ab + b²",
                "a, b ∈ (0, 1)",
                vec![p("a", (0, 1), (1, 1), Ends::Open), p("b", (0, 1), (1, 1), Ends::Open)],
                |v| {
                    let (a, b) = (v[0].clone(), v[1].clone());
                    (
                        (a.clone() + b.clone()) * (a.clone() + b.clone()),
                        a.clone() * a.clone() + c(2, 1) * a.clone() * b.clone() + b.clone() * b,
                    )
                },
            ),
            true,
        ),
        t(
            ident(
                "textbook/binomial-false",
                "(a + b)² = a² + b²",
                "a, b ∈ (0, 1)",
                vec![p("a", (0, 1), (1, 1), Ends::Open), p("b", (0, 1), (1, 1), Ends::Open)],
                |v| {
                    let (a, b) = (v[0].clone(), v[1].clone());
                    ((a.clone() + b.clone()) * (a.clone() + b.clone()), a.clone() * a + b.clone() * b)
                },
            ),
            false,
        ),
        t(
            ineq("textbook/gamma-hi", "1.25 < 1.25 + 10⁻¹²", "—", vec![], |_| {
                (k(GAMMA_HI), Rel::Lt, k(GAMMA_HI) + c(1, 1_000_000_000_000))
            }),
            true,
        ),
    ]
}
