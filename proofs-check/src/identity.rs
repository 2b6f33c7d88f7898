//! Exact identity checks `lhs(x) = rhs(x)` for all x (Eqs. 37, 40–44, 48, 54–57).
//!
//! Both sides are traced into one expression graph and `lhs − rhs` is expanded into a rational
//! function over ℚ ([`crate::exact::RatFunc`]); the identity holds iff its numerator is the zero
//! polynomial. This is a decision procedure, not a test at sample points. When the difference is
//! not zero, a witness is searched among small rational points and confirmed by exact evaluation
//! of both sides (or, for formulas with irrational square roots, by disjoint interval
//! enclosures), so a REFUTED identity always comes with a point where the two sides differ.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use num_traits::Zero;

use crate::exact::{enclose, q, show, Q};
use crate::expr::{trace, Expr, Graph, Id, Op, Shared};
use crate::interval::Interval;
use crate::prover::{Counterexample, Outcome, Param, Stats};

/// The two sides of an identity in terms of its variables.
pub type IdentityBuilder = Rc<dyn Fn(&[Expr]) -> (Expr, Expr)>;

/// An identity `lhs = rhs` over the domain the paper states (witnesses are taken inside it).
#[derive(Clone)]
pub struct Identity {
    /// The variables and their ranges.
    pub vars: Vec<Param>,
    /// The two sides.
    pub build: IdentityBuilder,
}

impl Identity {
    /// An identity over `vars`.
    pub fn new(vars: Vec<Param>, build: impl Fn(&[Expr]) -> (Expr, Expr) + 'static) -> Self {
        Self { vars, build: Rc::new(build) }
    }
}

/// Witness coordinates: these fractions of each variable's range (all interior points).
const FRACTIONS: [(i64, i64); 7] = [(1, 2), (1, 3), (2, 3), (1, 5), (4, 5), (1, 7), (6, 7)];

fn candidate(p: &Param, k: usize) -> Q {
    let (a, b) = FRACTIONS[k % FRACTIONS.len()];
    let f = q(a, b).unwrap_or_else(Q::zero);
    &p.lo + (&p.hi - &p.lo) * f
}

/// Decides the identity exactly; see the module documentation.
pub fn check_identity(idn: &Identity) -> (Outcome, Stats) {
    let start = Instant::now();
    let g: Shared = Rc::new(RefCell::new(Graph::new()));
    let n = idn.vars.len();
    let (l, r) = trace(&g, n, |v| (idn.build)(v));
    let stats = |boxes| Stats { boxes, exact_faces: 0, time: start.elapsed() };
    let (Some(l), Some(r)) = (l.node(&g), r.node(&g)) else {
        return (Outcome::Undecided("formula undefined".into()), stats(0));
    };
    let d = g.borrow_mut().mk(Op::Sub(l, r));
    let rf = g.borrow().ratfunc(d);
    if rf.as_ref().is_some_and(|f| f.is_zero()) {
        return (Outcome::Verified, stats(0));
    }
    // Not identically zero (or not rational): look for a confirmed witness.
    let m = FRACTIONS.len();
    let total = m.pow(n as u32);
    let names: Vec<&'static str> = idn.vars.iter().map(|p| p.name).collect();
    for k in 0..total.min(4096) {
        let pt: Vec<Q> = idn.vars.iter().enumerate().map(|(i, p)| candidate(p, k / m.pow(i as u32))).collect();
        if let Some(ce) = witness(&g.borrow(), l, r, &names, &pt) {
            return (Outcome::Refuted(Box::new(ce)), stats(k as u64 + 1));
        }
    }
    let why = if rf.is_some() {
        "difference is a non-zero rational function but no witness was confirmed"
    } else {
        "irrational formula: equality cannot be decided exactly"
    };
    (Outcome::Undecided(why.into()), stats(total as u64))
}

/// A point where the two sides provably differ.
fn witness(g: &Graph, l: Id, r: Id, vars: &[&'static str], pt: &[Q]) -> Option<Counterexample> {
    let point = || vars.iter().copied().zip(pt.iter().cloned()).collect();
    match (g.eval_exact(l, pt), g.eval_exact(r, pt)) {
        (Some(a), Some(b)) if a != b => Some(Counterexample { point: point(), lhs: show(&a, 10), rhs: show(&b, 10) }),
        (Some(_), Some(_)) => None,
        _ => {
            let xs: Vec<Interval> = pt.iter().map(enclose).collect();
            let mut out = Vec::new();
            g.eval_interval(&g.reachable(&[l, r]), &xs, &mut out);
            let (a, b) = (out[l], out[r]);
            let disjoint = a.is_defined() && b.is_defined() && (a.hi() < b.lo() || b.hi() < a.lo());
            disjoint.then(|| Counterexample { point: point(), lhs: a.to_string(), rhs: b.to_string() })
        }
    }
}
