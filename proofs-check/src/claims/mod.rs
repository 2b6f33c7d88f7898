//! The claims of Appendix B, one module per lemma, each with the paper's id, statement and domain.
//!
//! Every claim is checked by one of four means ([`Check`]): an interval proof of an inequality
//! over its domain (possibly split into pieces, e.g. where ε₀ = min{(γ_min − 1)/3, 0.02} changes
//! branch), an exact identity check, a derivation from other claims by the logical step the paper
//! takes (quantifier-heavy statements such as Eq. 36 "for all a, b ∈ Γ" or Eq. 7 "there exists
//! T"), or a simulation cross-check with `largestep_theory::appendix_b::orbit`.
//!
//! Claims that the paper prints wrongly are stated **as printed** (and are REFUTED by the prover);
//! the nearest corrected statement is a separate claim whose `corrects` names the printed one.

mod b1;
mod b2;
mod b3;
mod b4;
mod b5;
mod b6;
mod b7;
mod b8;
pub mod selftest;
mod sim;

use largestep_theory::appendix_b::Ratio;

use crate::expr::Expr;
use crate::identity::Identity;
use crate::prover::{Ends, Param, Piece, Rel};

/// How a claim is checked.
pub enum Check {
    /// An inequality over a box (a conjunction of pieces).
    Inequality(Vec<Piece>),
    /// An exact identity.
    Identity(Identity),
    /// Follows from the listed claims by the step stated in the claim's note.
    Derived(Vec<&'static str>),
    /// A non-rigorous simulation cross-check: how many runs follow the claim.
    Simulation(fn() -> SimOutcome),
}

/// The outcome of a simulation cross-check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimOutcome {
    /// Independent runs.
    pub runs: u64,
    /// Runs that follow the claim.
    pub passed: u64,
    /// What was simulated, and the first run that did not follow the claim (if any).
    pub detail: String,
}

/// One claim of Appendix B.
pub struct Claim {
    /// Id such as `B.2/eq29`.
    pub id: &'static str,
    /// The statement (as printed in the paper, or the corrected one).
    pub statement: &'static str,
    /// The domain as the paper gives it.
    pub domain: &'static str,
    /// How it is checked.
    pub check: Check,
    /// For a corrected statement: the id of the printed claim it corrects.
    pub corrects: Option<&'static str>,
    /// What the proof does with this claim, or why the correction keeps the conclusion.
    pub note: &'static str,
    /// A tighter sub-box budget for this claim (used where the prover is known to stall, so that
    /// its UNDECIDED verdict does not depend on wall-clock time).
    pub max_boxes: Option<u64>,
}

impl Claim {
    fn new(id: &'static str, statement: &'static str, domain: &'static str, check: Check) -> Self {
        Self { id, statement, domain, check, corrects: None, note: "", max_boxes: None }
    }

    /// Marks this claim as the corrected form of `printed`.
    fn correcting(mut self, printed: &'static str) -> Self {
        self.corrects = Some(printed);
        self
    }

    /// Caps this claim's sub-box budget.
    fn max_boxes(mut self, n: u64) -> Self {
        self.max_boxes = Some(n);
        self
    }

    /// Attaches a note.
    fn note(mut self, note: &'static str) -> Self {
        self.note = note;
        self
    }
}

/// Every claim of Appendix B (and of Prop. 2.2), in the paper's order.
pub fn appendix_b() -> Vec<Claim> {
    let mut v = Vec::new();
    v.extend(b1::claims());
    v.extend(b2::claims());
    v.extend(b3::claims());
    v.extend(b4::claims());
    v.extend(b5::claims());
    v.extend(b6::claims());
    v.extend(b7::claims());
    v.extend(b8::claims());
    v
}

// ---- shorthands shared by the claim modules ----

/// A paper constant as an exact expression.
fn k(r: Ratio) -> Expr {
    r.value::<Expr>()
}

/// The exact constant `n/d`.
fn c(n: i64, d: i64) -> Expr {
    Expr::ratio(n, d)
}

/// `γ ∈ (1, 1.25)`: Γ ⊆ (1, 1.25).
fn gamma() -> Param {
    Param::new("γ", (1, 1), (5, 4), Ends::Open)
}

/// A parameter named `name` over `lo .. hi`.
/// The domain of Lemma B.7's two-step bound: θ ∈ (0.65, 1), a, b ∈ (1, 1.25), all open — shared by
/// the claim and its self-test mutants.
fn two_step_box() -> Vec<Param> {
    vec![p("θ", (65, 100), (1, 1), Ends::Open), p("a", (1, 1), (5, 4), Ends::Open), p("b", (1, 1), (5, 4), Ends::Open)]
}

fn p(name: &'static str, lo: (i64, i64), hi: (i64, i64), ends: Ends) -> Param {
    Param::new(name, lo, hi, ends)
}

/// An inequality claim with one piece.
fn ineq(
    id: &'static str,
    statement: &'static str,
    domain: &'static str,
    params: Vec<Param>,
    f: impl Fn(&[Expr]) -> (Expr, Rel, Expr) + 'static,
) -> Claim {
    Claim::new(id, statement, domain, Check::Inequality(vec![Piece::new(params, f)]))
}

/// An inequality claim made of several pieces.
fn pieces(id: &'static str, statement: &'static str, domain: &'static str, ps: Vec<Piece>) -> Claim {
    Claim::new(id, statement, domain, Check::Inequality(ps))
}

/// An identity claim.
fn ident(
    id: &'static str,
    statement: &'static str,
    domain: &'static str,
    vars: Vec<Param>,
    f: impl Fn(&[Expr]) -> (Expr, Expr) + 'static,
) -> Claim {
    Claim::new(id, statement, domain, Check::Identity(Identity::new(vars, f)))
}

/// A claim derived from `premises`.
fn derived(id: &'static str, statement: &'static str, domain: &'static str, premises: Vec<&'static str>) -> Claim {
    Claim::new(id, statement, domain, Check::Derived(premises))
}

/// The pieces of a statement quantified over `γ_min ∈ (1, 1.25)` and `0 < ε < ε₀(γ_min)` with
/// ε₀ = min{(γ_min − 1)/3, 0.02} (Lemma B.3, corrected), plus `extra` parameters.
///
/// Piece (a): γ_min ∈ (1, 1.06], ε = t·(γ_min − 1)/3 with t ∈ (0, 1) (there ε₀ = (γ_min − 1)/3).
/// Piece (b): γ_min ∈ [1.06, 1.25), ε ∈ (0, 0.02) (there ε₀ = 0.02).
/// `f(γ_min, ε, extra)` returns the inequality.
fn eps_pieces(extra: Vec<Param>, f: impl Fn(Expr, Expr, &[Expr]) -> (Expr, Rel, Expr) + Clone + 'static) -> Vec<Piece> {
    let fa = f.clone();
    let mut pa = vec![p("γ_min", (1, 1), (53, 50), Ends::OpenClosed), p("t", (0, 1), (1, 1), Ends::Open)];
    pa.extend(extra.iter().cloned());
    let mut pb = vec![p("γ_min", (53, 50), (5, 4), Ends::ClosedOpen), p("ε", (0, 1), (1, 50), Ends::Open)];
    pb.extend(extra);
    vec![
        Piece::new(pa, move |v| {
            let eps = v[1].clone() * (v[0].clone() - c(1, 1)) / c(3, 1);
            fa(v[0].clone(), eps, &v[2..])
        }),
        Piece::new(pb, move |v| f(v[0].clone(), v[1].clone(), &v[2..])),
    ]
}
