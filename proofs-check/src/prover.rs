//! Branch-and-bound prover for claims "for all x in a box: lhs(x) ⋈ rhs(x)", ⋈ ∈ {<, ≤, >, ≥}.
//!
//! The claim is rewritten as `φ(x) > 0` (strict) or `φ(x) ≥ 0` with `φ = rhs − lhs` or
//! `lhs − rhs`. The box has exact rational ends, each open or closed as the paper states it.
//! A work list of sub-boxes is processed until every one is decided:
//!
//! 1. **Natural enclosure.** Evaluate φ on the closed sub-box in interval arithmetic; decided if
//!    the lower end is `> 0` (`≥ 0`).
//! 2. **Counterexample probe.** Evaluate φ at the sub-box's midpoint `c`; if it is `≤ 0` (`< 0`),
//!    confirm the point exactly ([`Problem::confirm`]): membership in the *open/closed* domain in
//!    exact rationals, and the sign of φ in exact rational arithmetic (or, for formulas with
//!    irrational square roots, in interval arithmetic at the point). A confirmed point is a
//!    counterexample and the claim is REFUTED.
//! 3. **Mean-value form.** `φ(X) ⊆ φ(c) + Σᵢ ∂ᵢφ(X)·(Xᵢ − cᵢ)` with the gradient from symbolic
//!    derivatives evaluated on the box; decided if this (intersected with step 1) is positive.
//! 4. **Monotonicity.** If `∂ᵢφ ≥ 0` on the sub-box, the infimum over the box lies on the face
//!    `xᵢ = loᵢ` (and on `xᵢ = hiᵢ` if `∂ᵢφ ≤ 0`): the claim on the box follows from the claim on
//!    that face, a box of one dimension less, proven recursively. Open ends are handled exactly:
//!    if the face is an **open** end of the domain (not in the domain), a strict claim needs only
//!    `φ ≥ 0` on the face when the monotonicity is strict (`∂ᵢφ > 0`), because then
//!    `φ(x) > φ(face) ≥ 0` for every x of the domain; with non-strict monotonicity it needs
//!    `φ > 0` there. A closed face (in the domain) needs the claim as stated.
//! 5. **Exact faces.** On a face where some variables are fixed at exact rationals, φ is
//!    specialized symbolically; if it becomes a constant, or (for `≥ 0`) the zero rational
//!    function, the face is decided exactly. This is what decides claims whose two sides meet
//!    at an open end of the domain, e.g. `h_γ(θ) − 1 = 0` at θ = 1.
//! 6. **Bisection** of the widest dimension (relative to its initial width).
//!
//! A claim that exhausts its [`Budget`] of sub-boxes is UNDECIDED. A sub-box that cannot be
//! split further is UNDECIDED as well.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use num_traits::{Signed, Zero};

use crate::exact::{enclose, q, q_from_f64, show, Q};
use crate::expr::{trace, Expr, Graph, Id, Op, Shared};
use crate::interval::Interval;

/// The relation of a claim `lhs ⋈ rhs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rel {
    /// `<`
    Lt,
    /// `≤`
    Le,
    /// `>`
    Gt,
    /// `≥`
    Ge,
}

impl Rel {
    /// True for `<` and `>`.
    pub fn strict(self) -> bool {
        matches!(self, Rel::Lt | Rel::Gt)
    }
}

impl fmt::Display for Rel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rel::Lt => "<",
            Rel::Le => "≤",
            Rel::Gt => ">",
            Rel::Ge => "≥",
        })
    }
}

/// Which ends of a parameter's range belong to the domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ends {
    /// `(lo, hi)`
    Open,
    /// `[lo, hi]`
    Closed,
    /// `(lo, hi]`
    OpenClosed,
    /// `[lo, hi)`
    ClosedOpen,
}

/// One coordinate of a claim's domain: `name ∈ (lo, hi)` with exact rational ends.
#[derive(Clone, Debug)]
pub struct Param {
    /// Display name.
    pub name: &'static str,
    /// Lower end.
    pub lo: Q,
    /// Upper end.
    pub hi: Q,
    /// Whether `lo` is excluded.
    pub lo_open: bool,
    /// Whether `hi` is excluded.
    pub hi_open: bool,
}

impl Param {
    /// `name` ranging over `lo .. hi` (each given as `(num, den)`), ends as in `ends`.
    pub fn new(name: &'static str, lo: (i64, i64), hi: (i64, i64), ends: Ends) -> Self {
        // A zero denominator is a typo in a claim's source, never a value: stop loudly.
        let r = |(n, d): (i64, i64)| q(n, d).unwrap_or_else(|| panic!("parameter {name}: zero denominator in {n}/{d}"));
        Self {
            name,
            lo: r(lo),
            hi: r(hi),
            lo_open: matches!(ends, Ends::Open | Ends::OpenClosed),
            hi_open: matches!(ends, Ends::Open | Ends::ClosedOpen),
        }
    }

    /// The single point `name = v`.
    pub fn point(name: &'static str, v: (i64, i64)) -> Self {
        Self::new(name, v, v, Ends::Closed)
    }

    fn contains(&self, x: &Q) -> bool {
        let lo_ok = if self.lo_open { *x > self.lo } else { *x >= self.lo };
        let hi_ok = if self.hi_open { *x < self.hi } else { *x <= self.hi };
        lo_ok && hi_ok
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = |x: &Q| {
            let v = crate::exact::to_f64(x);
            format!("{}", (v * 1e9).round() / 1e9)
        };
        if self.lo == self.hi {
            return write!(f, "{} = {}", self.name, d(&self.lo));
        }
        write!(
            f,
            "{} ∈ {}{}, {}{}",
            self.name,
            if self.lo_open { "(" } else { "[" },
            d(&self.lo),
            d(&self.hi),
            if self.hi_open { ")" } else { "]" }
        )
    }
}

/// The formula of an inequality: given the parameter values, returns `(lhs, ⋈, rhs)`.
pub type Builder = Rc<dyn Fn(&[Expr]) -> (Expr, Rel, Expr)>;

/// One piece of an inequality claim: a parameter box and the formula on it.
#[derive(Clone)]
pub struct Piece {
    /// The box.
    pub params: Vec<Param>,
    /// The formula.
    pub build: Builder,
}

impl Piece {
    /// A piece with the given box and formula.
    pub fn new(params: Vec<Param>, build: impl Fn(&[Expr]) -> (Expr, Rel, Expr) + 'static) -> Self {
        Self { params, build: Rc::new(build) }
    }
}

/// Limits of one prover run.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Sub-boxes (including faces) examined per claim before giving up.
    pub max_boxes: u64,
    /// Optional wall-clock cap per claim (`--max-seconds`). `None` by default: a verdict then
    /// depends on the box count alone, so it is the same on a loaded and an idle machine.
    pub max_time: Option<Duration>,
    /// Sub-boxes allowed for one attempt to prove a face (step 4) before bisecting instead.
    pub face_boxes: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Self { max_boxes: 200_000, max_time: None, face_boxes: 64 }
    }
}

/// A confirmed counterexample.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// The point: parameter names and exact values.
    pub point: Vec<(&'static str, Q)>,
    /// The left-hand side at the point (exact when rational, else an enclosure).
    pub lhs: String,
    /// The right-hand side at the point.
    pub rhs: String,
}

impl fmt::Display for Counterexample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pts: Vec<String> = self.point.iter().map(|(n, v)| format!("{n} = {}", show(v, 10))).collect();
        write!(f, "at {}: lhs = {}, rhs = {}", pts.join(", "), self.lhs, self.rhs)
    }
}

/// Outcome of proving one claim or piece.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Holds on the whole domain.
    Verified,
    /// Fails at a confirmed point.
    Refuted(Box<Counterexample>),
    /// Neither, within the budget; the string says why.
    Undecided(String),
}

/// Statistics of a prover run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// Sub-boxes examined (faces included).
    pub boxes: u64,
    /// Faces decided exactly by symbolic specialization.
    pub exact_faces: u64,
    /// Wall-clock time.
    pub time: Duration,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Need {
    Positive,
    NonNegative,
}

#[derive(Clone, Debug)]
struct Side {
    enc: Interval,
    exact: Rc<Q>,
    open: bool,
}

/// One coordinate of an `exact_face` cache key: a fixed value, or a free range with
/// its open ends.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum FaceKey {
    Fixed(Q),
    Free(Q, Q, bool, bool),
}

#[derive(Clone, Debug)]
struct Dim {
    lo: Side,
    hi: Side,
    fixed: bool,
}

impl Dim {
    fn interval(&self) -> Interval {
        Interval::new(self.lo.enc.lo(), self.hi.enc.hi())
    }
}

enum Step {
    Done,
    Split(Vec<Dim>, Vec<Dim>),
    Refuted(Box<Counterexample>),
    Stuck(String),
}

/// A compiled inequality piece.
struct Problem {
    g: Shared,
    lhs: Id,
    rhs: Id,
    phi: Id,
    grad: Vec<Id>,
    prog_all: Vec<Id>,
    prog_phi: Vec<Id>,
    strict: bool,
    has_sqrt: bool,
    params: Vec<Param>,
    widths: Vec<f64>,
    scratch: Vec<Interval>,
    face_cache: HashMap<Vec<FaceKey>, bool>,
    stats: Stats,
    budget: Budget,
    start: Instant,
    /// Nesting level: 0 for the claim, k > 0 for a k-th order derivative sign problem.
    level: usize,
    /// Lazily built sign problems for ∂ᵢφ (index: 2i for "> 0", 2i + 1 for "< 0").
    aux: Vec<Option<Box<Problem>>>,
}

/// Highest derivative order used to establish strict monotonicity at open ends.
const MAX_AUX_LEVEL: usize = 2;

/// Proves one piece. Returns the outcome and the statistics.
pub fn prove_piece(piece: &Piece, budget: &Budget) -> (Outcome, Stats) {
    let start = Instant::now();
    let g: Shared = Rc::new(RefCell::new(Graph::new()));
    let n = piece.params.len();
    let (lhs, rel, rhs) = trace(&g, n, |v| (piece.build)(v));
    let (Some(l), Some(r)) = (lhs.node(&g), rhs.node(&g)) else {
        return (Outcome::Undecided("formula undefined".into()), Stats::default());
    };
    let phi = {
        let mut gm = g.borrow_mut();
        match rel {
            Rel::Lt | Rel::Le => gm.mk(Op::Sub(r, l)),
            Rel::Gt | Rel::Ge => gm.mk(Op::Sub(l, r)),
        }
    };
    let grad: Vec<Id> = (0..n).map(|i| g.borrow_mut().diff(phi, i)).collect();
    let mut roots = vec![phi];
    roots.extend(&grad);
    let prog_all = g.borrow().reachable(&roots);
    let prog_phi = g.borrow().reachable(&[phi]);
    let widths =
        piece.params.iter().map(|p| (enclose(&p.hi).hi() - enclose(&p.lo).lo()).max(f64::MIN_POSITIVE)).collect();
    let has_sqrt = g.borrow().has_sqrt(phi);
    let mut pb = Problem {
        g,
        lhs: l,
        rhs: r,
        phi,
        grad,
        prog_all,
        prog_phi,
        strict: rel.strict(),
        has_sqrt,
        params: piece.params.clone(),
        widths,
        scratch: Vec::new(),
        face_cache: HashMap::new(),
        stats: Stats::default(),
        budget: *budget,
        start,
        level: 0,
        aux: Vec::new(),
    };
    let root: Vec<Dim> = piece
        .params
        .iter()
        .map(|p| {
            let side = |x: &Q, open| Side { enc: enclose(x), exact: Rc::new(x.clone()), open };
            Dim { lo: side(&p.lo, p.lo_open), hi: side(&p.hi, p.hi_open), fixed: p.lo == p.hi }
        })
        .collect();
    if piece.params.iter().any(|p| p.lo > p.hi || (p.lo == p.hi && (p.lo_open || p.hi_open))) {
        return (Outcome::Undecided("empty domain".into()), Stats::default());
    }
    let need = if pb.strict { Need::Positive } else { Need::NonNegative };
    let out = pb.run(root, need, u64::MAX, 0);
    pb.stats.time = start.elapsed();
    (out, pb.stats)
}

/// The exact midpoint used as probe: the fixed value, or a dyadic point inside the sub-box.
fn midpoint_exact(d: &Dim) -> Rc<Q> {
    if d.fixed {
        return d.lo.exact.clone();
    }
    let m = Interval::new(d.lo.enc.hi(), d.hi.enc.lo()).mid();
    let m = if m.is_finite() { m } else { d.interval().mid() };
    Rc::new(q_from_f64(m).unwrap_or_else(Q::zero))
}

fn holds(y: Interval, need: Need) -> bool {
    y.is_defined()
        && match need {
            Need::Positive => y.lo() > 0.0,
            Need::NonNegative => y.lo() >= 0.0,
        }
}

fn holds_exact(v: &Q, need: Need) -> bool {
    match need {
        Need::Positive => v.is_positive(),
        Need::NonNegative => !v.is_negative(),
    }
}

impl Problem {
    fn eval(&mut self, vars: &[Interval], all: bool) {
        let g = self.g.borrow();
        let prog = if all { &self.prog_all } else { &self.prog_phi };
        g.eval_interval(prog, vars, &mut self.scratch);
    }

    /// Processes the sub-boxes of `root` until all are decided, a counterexample is confirmed,
    /// or `cap` (or the global budget) is exhausted.
    fn run(&mut self, root: Vec<Dim>, need: Need, cap: u64, depth: usize) -> Outcome {
        let mut used = 0u64;
        if depth > 0 {
            match self.exact_face(&root, need) {
                Some(true) => {
                    self.stats.exact_faces += 1;
                    return Outcome::Verified;
                }
                Some(false) => {
                    // φ fails identically on this face: its midpoint is a counterexample if the
                    // face lies in the domain.
                    let mid: Vec<Rc<Q>> = root.iter().map(midpoint_exact).collect();
                    return match self.confirm(&mid) {
                        Some(ce) => Outcome::Refuted(Box::new(ce)),
                        None => Outcome::Undecided("fails on a face outside the domain".into()),
                    };
                }
                None => {}
            }
        }
        let mut stack = vec![root];
        let mut stuck: Option<String> = None;
        while let Some(b) = stack.pop() {
            used += 1;
            self.stats.boxes += 1;
            if used > cap {
                return Outcome::Undecided("face budget".into());
            }
            if self.stats.boxes > self.budget.max_boxes {
                return Outcome::Undecided(format!("box budget ({}) exhausted", self.budget.max_boxes));
            }
            if let Some(cap) = self.budget.max_time.filter(|cap| self.start.elapsed() > *cap) {
                return Outcome::Undecided(format!("time budget ({cap:?}) exhausted"));
            }
            match self.step(b, need, depth) {
                Step::Done => {}
                Step::Split(a, c) => {
                    stack.push(c);
                    stack.push(a);
                }
                Step::Refuted(ce) => return Outcome::Refuted(ce),
                Step::Stuck(why) => {
                    // Keep searching the rest of the box for a counterexample.
                    if depth > 0 {
                        return Outcome::Undecided(why);
                    }
                    stuck.get_or_insert(why);
                }
            }
        }
        stuck.map_or(Outcome::Verified, Outcome::Undecided)
    }

    fn step(&mut self, b: Vec<Dim>, need: Need, depth: usize) -> Step {
        let n = b.len();
        let xs: Vec<Interval> = b.iter().map(Dim::interval).collect();
        self.eval(&xs, true);
        let y = self.scratch[self.phi];
        if holds(y, need) {
            return Step::Done;
        }
        let grad: Vec<Interval> = self.grad.iter().map(|&d| self.scratch[d]).collect();

        // Midpoint probe (exact coordinates: dyadic cuts or the fixed sides' rationals).
        let c_exact: Vec<Rc<Q>> = b.iter().map(midpoint_exact).collect();
        let cs: Vec<Interval> =
            b.iter().zip(&c_exact).map(|(d, c)| if d.fixed { d.lo.enc } else { enclose(c) }).collect();
        self.eval(&cs, false);
        let yc = self.scratch[self.phi];
        let violates = yc.is_defined() && if self.strict { yc.hi() <= 0.0 } else { yc.hi() < 0.0 };
        // Where the rounded value cannot tell, rational formulas are evaluated exactly.
        let maybe = yc.is_defined() && yc.lo() <= 0.0 && !self.has_sqrt;
        if violates || maybe {
            if let Some(ce) = self.confirm(&c_exact) {
                return Step::Refuted(Box::new(ce));
            }
        }

        // Mean-value form.
        if y.is_defined() && yc.is_defined() && grad.iter().all(|g| g.is_defined()) {
            let mut mv = yc;
            for i in 0..n {
                if !b[i].fixed {
                    mv = mv + grad[i] * (xs[i] - cs[i]);
                }
            }
            if holds(mv.intersect(y), need) {
                return Step::Done;
            }
        }

        // A single exact point: decide exactly.
        if b.iter().all(|d| d.fixed) {
            let g = self.g.borrow();
            let pt: Vec<Q> = c_exact.iter().map(|x| (**x).clone()).collect();
            if let Some(v) = g.eval_exact(self.phi, &pt) {
                drop(g);
                if holds_exact(&v, need) {
                    return Step::Done;
                }
                if let Some(ce) = self.confirm(&c_exact) {
                    return Step::Refuted(Box::new(ce));
                }
                return Step::Stuck("fails at a boundary point outside the domain".into());
            }
            return Step::Stuck("point not decidable by interval evaluation".into());
        }

        // Monotonicity: reduce to a face (strictly monotone dimensions first).
        if y.is_defined() {
            let mut cands: Vec<usize> = (0..n)
                .filter(|&i| !b[i].fixed && grad[i].is_defined() && (grad[i].lo() >= 0.0 || grad[i].hi() <= 0.0))
                .collect();
            cands.sort_by_key(|&i| !(grad[i].lo() > 0.0 || grad[i].hi() < 0.0));
            for i in cands {
                let increasing = grad[i].lo() >= 0.0;
                let side = if increasing { b[i].lo.clone() } else { b[i].hi.clone() };
                let mut strict_mono = grad[i].lo() > 0.0 || grad[i].hi() < 0.0;
                if !strict_mono && side.open && need == Need::Positive {
                    // The derivative vanishes only on the closure: prove it has a strict sign on
                    // the box's part of the domain (open ends excluded) by the same method.
                    strict_mono = self.derivative_strict(i, &b, increasing);
                }
                let face_need = match (need, side.open, strict_mono) {
                    (Need::Positive, true, true) => Need::NonNegative,
                    (need, _, _) => need,
                };
                let mut face = b.clone();
                face[i] = Dim { lo: side.clone(), hi: side, fixed: true };
                let cap = self.budget.face_boxes;
                match self.run(face, face_need, cap, depth + 1) {
                    Outcome::Verified => return Step::Done,
                    Outcome::Refuted(ce) => return Step::Refuted(ce),
                    Outcome::Undecided(_) => {}
                }
            }
        }

        // Bisect the widest free dimension.
        let Some(i) = (0..n)
            .filter(|&i| !b[i].fixed)
            .max_by(|&i, &j| (xs[i].width() / self.widths[i]).total_cmp(&(xs[j].width() / self.widths[j])))
        else {
            return Step::Stuck("no free dimension".into());
        };
        let m = Interval::new(b[i].lo.enc.hi(), b[i].hi.enc.lo()).mid();
        if !(m > b[i].lo.enc.lo() && m < b[i].hi.enc.hi() && m.is_finite()) {
            return Step::Stuck(format!("sub-box too small to split (width {:e})", xs[i].width()));
        }
        let cut = Side { enc: Interval::point(m), exact: Rc::new(q_from_f64(m).unwrap_or_else(Q::zero)), open: false };
        let mut left = b.clone();
        let mut right = b;
        left[i].hi = cut.clone();
        right[i].lo = cut;
        Step::Split(left, right)
    }

    /// A problem whose claim is `±∂ᵢφ > 0`, sharing this problem's graph and domain.
    fn make_aux(&self, i: usize, positive: bool) -> Problem {
        let mut g = self.g.borrow_mut();
        let d = self.grad[i];
        let phi = if positive { d } else { g.mk(Op::Neg(d)) };
        let n = self.params.len();
        let grad: Vec<Id> = (0..n).map(|j| g.diff(phi, j)).collect();
        let mut roots = vec![phi];
        roots.extend(&grad);
        let prog_all = g.reachable(&roots);
        let prog_phi = g.reachable(&[phi]);
        let has_sqrt = g.has_sqrt(phi);
        drop(g);
        Problem {
            g: self.g.clone(),
            lhs: phi,
            rhs: phi,
            phi,
            grad,
            prog_all,
            prog_phi,
            strict: true,
            has_sqrt,
            params: self.params.clone(),
            widths: self.widths.clone(),
            scratch: Vec::new(),
            face_cache: HashMap::new(),
            stats: Stats::default(),
            budget: self.budget,
            start: self.start,
            level: self.level + 1,
            aux: Vec::new(),
        }
    }

    /// Proves `∂ᵢφ > 0` (`increasing`) or `< 0` on the sub-box, open ends excluded.
    fn derivative_strict(&mut self, i: usize, b: &[Dim], increasing: bool) -> bool {
        if self.level >= MAX_AUX_LEVEL {
            return false;
        }
        let k = 2 * i + usize::from(!increasing);
        if self.aux.len() <= k {
            self.aux.resize_with(k + 1, || None);
        }
        let mut aux = match self.aux[k].take() {
            Some(a) => a,
            None => Box::new(self.make_aux(i, increasing)),
        };
        let before = aux.stats.boxes;
        let cap = self.budget.face_boxes;
        let out = aux.run(b.to_vec(), Need::Positive, cap, 0);
        self.stats.boxes += aux.stats.boxes - before;
        self.aux[k] = Some(aux);
        matches!(out, Outcome::Verified)
    }

    /// Decides a face exactly when the specialized φ is constant or identically zero: `Some(true)`
    /// if the claim (with `need`) holds on the whole face, `Some(false)` if it fails on all of it.
    fn exact_face(&mut self, b: &[Dim], need: Need) -> Option<bool> {
        // The answer depends on the free coordinates too (the definedness check below runs on
        // the whole face box), so they are part of the key.
        let key: Vec<FaceKey> = b
            .iter()
            .map(|d| match d.fixed {
                true => FaceKey::Fixed((*d.lo.exact).clone()),
                false => FaceKey::Free((*d.lo.exact).clone(), (*d.hi.exact).clone(), d.lo.open, d.hi.open),
            })
            .collect();
        if let Some(&r) = self.face_cache.get(&key) {
            return Some(r);
        }
        if !b.iter().any(|d| d.fixed) {
            return None;
        }
        // Simplification is sound only where every node is defined: check on the face box.
        let xs: Vec<Interval> = b.iter().map(Dim::interval).collect();
        self.eval(&xs, false);
        if !self.scratch[self.phi].is_defined() {
            return None;
        }
        let mut g = self.g.borrow_mut();
        let with: Vec<Option<Id>> = key
            .iter()
            .map(|k| match k {
                FaceKey::Fixed(v) => Some(g.constant(v.clone())),
                FaceKey::Free(..) => None,
            })
            .collect();
        let s = g.substitute(self.phi, &with);
        let constant = match g.as_const(s) {
            Some(c) => Some(c.clone()),
            None if !g.has_sqrt(s) => g.ratfunc(s).and_then(|r| r.as_constant()),
            None => None,
        };
        drop(g);
        let result = holds_exact(&constant?, need);
        self.face_cache.insert(key, result);
        Some(result)
    }

    /// Confirms a candidate counterexample: exact domain membership and exact (or rigorous
    /// interval) violation of the claim.
    fn confirm(&self, pt: &[Rc<Q>]) -> Option<Counterexample> {
        if self.level > 0 || !self.params.iter().zip(pt).all(|(p, x)| p.contains(x)) {
            return None;
        }
        let g = self.g.borrow();
        let exact: Vec<Q> = pt.iter().map(|x| (**x).clone()).collect();
        let shown = |id: Id| -> String {
            match g.eval_exact(id, &exact) {
                Some(v) => show(&v, 10),
                None => {
                    let xs: Vec<Interval> = exact.iter().map(enclose).collect();
                    let mut out = Vec::new();
                    g.eval_interval(&g.reachable(&[id]), &xs, &mut out);
                    format!("{}", out[id])
                }
            }
        };
        let violated = match g.eval_exact(self.phi, &exact) {
            Some(v) => {
                if self.strict {
                    !v.is_positive()
                } else {
                    v.is_negative()
                }
            }
            None => {
                let xs: Vec<Interval> = exact.iter().map(enclose).collect();
                let mut out = Vec::new();
                g.eval_interval(&self.prog_phi, &xs, &mut out);
                let y = out[self.phi];
                y.is_defined() && if self.strict { y.hi() <= 0.0 } else { y.hi() < 0.0 }
            }
        };
        violated.then(|| Counterexample {
            point: self.params.iter().map(|p| p.name).zip(exact.iter().cloned()).collect(),
            lhs: shown(self.lhs),
            rhs: shown(self.rhs),
        })
    }
}

/// Proves every piece of a claim; the claim holds when every piece does.
pub fn prove(pieces: &[Piece], budget: &Budget) -> (Outcome, Stats) {
    let mut total = Stats::default();
    let mut undecided = None;
    for p in pieces {
        let (o, s) = prove_piece(p, budget);
        total.boxes += s.boxes;
        total.exact_faces += s.exact_faces;
        total.time += s.time;
        match o {
            Outcome::Verified => {}
            Outcome::Refuted(ce) => return (Outcome::Refuted(ce), total),
            Outcome::Undecided(w) => undecided = undecided.or(Some(w)),
        }
    }
    (undecided.map_or(Outcome::Verified, Outcome::Undecided), total)
}
