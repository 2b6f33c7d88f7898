//! Expression graphs: a formula of `largestep_theory::appendix_b`, traced once, evaluated in
//! several arithmetics.
//!
//! The theory crate writes each formula once, generic over its `Scalar` trait. Running it with
//! [`Expr`] (which implements `Scalar`) records a hash-consed directed acyclic graph ([`Graph`])
//! of `+ − × ÷ neg √`, variables and exact rational constants. On that graph this module provides
//!
//! * interval evaluation of a [`Program`] (the nodes reachable from some roots), with `x·x`
//!   evaluated as the tight square;
//! * exact evaluation in ℚ at rational points (square roots of perfect squares only);
//! * expansion into rational functions over ℚ ([`crate::exact::RatFunc`]) for identity checks;
//! * symbolic partial derivatives ([`Graph::diff`]) and substitution of variables
//!   ([`Graph::substitute`]).
//!
//! Node construction simplifies: constants fold exactly, `x ± 0`, `x·1`, `−(−x)` collapse, and
//! commutative operands are ordered, so identical subterms share one node. The rules that drop
//! a subterm — `x·0 → 0`, `x − x → 0` — apply only when that subterm is *total* (built from
//! variables, constants, `+ − ×` and negation: defined everywhere), so a simplified graph is
//! defined wherever the original program is; `x/x`, `0/x` and `√x·√x` are never rewritten (they
//! are undefined at x = 0, resp. x < 0).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::{Add, Div, Mul, Neg, Sub};
use std::rc::Rc;

use num_traits::{One, Zero};

use crate::exact::{enclose, q, sqrt_exact, Poly, RatFunc, Q};
use crate::interval::Interval;

/// Index of a node in a [`Graph`].
pub type Id = usize;

/// One node of an expression graph.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// The `i`-th variable.
    Var(usize),
    /// An exact rational constant.
    Const(Q),
    /// `a + b`.
    Add(Id, Id),
    /// `a − b`.
    Sub(Id, Id),
    /// `a · b`.
    Mul(Id, Id),
    /// `a / b`.
    Div(Id, Id),
    /// `−a`.
    Neg(Id),
    /// `√a`.
    Sqrt(Id),
}

/// A hash-consed expression graph in topological order (operands precede their uses).
#[derive(Debug, Default)]
pub struct Graph {
    nodes: Vec<Op>,
    encl: Vec<Interval>,
    index: HashMap<Op, Id>,
    /// Whether each node is total (no division or square root below it).
    total: Vec<bool>,
}

/// A graph shared by the [`Expr`] handles that trace into it.
pub type Shared = Rc<RefCell<Graph>>;

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// The node `id`.
    pub fn op(&self, id: Id) -> &Op {
        &self.nodes[id]
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when the graph has no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The exact value of a constant node.
    pub fn as_const(&self, id: Id) -> Option<&Q> {
        match &self.nodes[id] {
            Op::Const(c) => Some(c),
            _ => None,
        }
    }

    fn push(&mut self, op: Op) -> Id {
        if let Some(&id) = self.index.get(&op) {
            return id;
        }
        let e = match &op {
            Op::Const(c) => enclose(c),
            _ => Interval::UNDEFINED,
        };
        let id = self.nodes.len();
        let total = match &op {
            Op::Var(_) | Op::Const(_) => true,
            Op::Add(a, b) | Op::Sub(a, b) | Op::Mul(a, b) => self.total[*a] && self.total[*b],
            Op::Neg(a) => self.total[*a],
            Op::Div(..) | Op::Sqrt(_) => false,
        };
        self.total.push(total);
        self.nodes.push(op.clone());
        self.encl.push(e);
        self.index.insert(op, id);
        id
    }

    /// The variable `x_i`.
    pub fn var(&mut self, i: usize) -> Id {
        self.push(Op::Var(i))
    }

    /// The constant `c`.
    pub fn constant(&mut self, c: Q) -> Id {
        self.push(Op::Const(c))
    }

    fn int(&mut self, v: i64) -> Id {
        self.constant(Q::from_integer(v.into()))
    }

    /// Builds `op`, simplifying as described in the module documentation.
    pub fn mk(&mut self, op: Op) -> Id {
        let c = |g: &Self, id: Id| g.as_const(id).cloned();
        match op {
            Op::Add(a, b) => match (c(self, a), c(self, b)) {
                (Some(x), Some(y)) => self.constant(x + y),
                (Some(x), _) if x.is_zero() => b,
                (_, Some(y)) if y.is_zero() => a,
                _ => self.push(Op::Add(a.min(b), a.max(b))),
            },
            Op::Sub(a, b) => match (c(self, a), c(self, b)) {
                _ if a == b && self.total[a] => self.int(0),
                (Some(x), Some(y)) => self.constant(x - y),
                (_, Some(y)) if y.is_zero() => a,
                (Some(x), _) if x.is_zero() => self.mk(Op::Neg(b)),
                _ => self.push(Op::Sub(a, b)),
            },
            Op::Mul(a, b) => match (c(self, a), c(self, b)) {
                (Some(x), Some(y)) => self.constant(x * y),
                (Some(x), _) if x.is_zero() && self.total[b] => self.int(0),
                (_, Some(y)) if y.is_zero() && self.total[a] => self.int(0),
                (Some(x), _) if x.is_one() => b,
                (_, Some(y)) if y.is_one() => a,
                _ => self.push(Op::Mul(a.min(b), a.max(b))),
            },
            Op::Div(a, b) => match (c(self, a), c(self, b)) {
                (Some(x), Some(y)) if !y.is_zero() => self.constant(x / y),
                (_, Some(y)) if y.is_one() => a,
                _ => self.push(Op::Div(a, b)),
            },
            Op::Neg(a) => match (c(self, a), self.nodes[a].clone()) {
                (Some(x), _) => self.constant(-x),
                (_, Op::Neg(inner)) => inner,
                _ => self.push(Op::Neg(a)),
            },
            Op::Sqrt(a) => match c(self, a).and_then(|x| sqrt_exact(&x)) {
                Some(r) => self.constant(r),
                None => self.push(Op::Sqrt(a)),
            },
            leaf => self.push(leaf),
        }
    }

    /// The nodes reachable from `roots`, ascending (a valid evaluation order).
    pub fn reachable(&self, roots: &[Id]) -> Vec<Id> {
        let mut seen = vec![false; self.nodes.len()];
        let mut stack: Vec<Id> = roots.to_vec();
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut seen[id], true) {
                continue;
            }
            match self.nodes[id] {
                Op::Add(a, b) | Op::Sub(a, b) | Op::Mul(a, b) | Op::Div(a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                Op::Neg(a) | Op::Sqrt(a) => stack.push(a),
                Op::Var(_) | Op::Const(_) => {}
            }
        }
        (0..self.nodes.len()).filter(|&i| seen[i]).collect()
    }

    /// True when a square root is reachable from `root` (exact evaluation may then be impossible).
    pub fn has_sqrt(&self, root: Id) -> bool {
        self.reachable(&[root]).iter().any(|&i| matches!(self.nodes[i], Op::Sqrt(_)))
    }

    /// `∂ root / ∂ x_var`, built symbolically (forward mode over the topological order).
    pub fn diff(&mut self, root: Id, var: usize) -> Id {
        let order = self.reachable(&[root]);
        let mut d: HashMap<Id, Id> = HashMap::new();
        for id in order {
            let op = self.nodes[id].clone();
            let dv = match op {
                Op::Var(i) => self.int(i64::from(i == var)),
                Op::Const(_) => self.int(0),
                Op::Add(a, b) => self.mk(Op::Add(d[&a], d[&b])),
                Op::Sub(a, b) => self.mk(Op::Sub(d[&a], d[&b])),
                Op::Mul(a, b) => {
                    let l = self.mk(Op::Mul(d[&a], b));
                    let r = self.mk(Op::Mul(a, d[&b]));
                    self.mk(Op::Add(l, r))
                }
                Op::Div(a, b) => {
                    // (a/b)' = a'/b − (a/b)·b'/b
                    let l = self.mk(Op::Div(d[&a], b));
                    let t = self.mk(Op::Mul(id, d[&b]));
                    let r = self.mk(Op::Div(t, b));
                    self.mk(Op::Sub(l, r))
                }
                Op::Neg(a) => self.mk(Op::Neg(d[&a])),
                Op::Sqrt(a) => {
                    // (√a)' = a' / (2√a)
                    let two = self.int(2);
                    let den = self.mk(Op::Mul(two, id));
                    self.mk(Op::Div(d[&a], den))
                }
            };
            d.insert(id, dv);
        }
        d[&root]
    }

    /// `root` with each variable `i` for which `with[i]` is `Some(node)` replaced by that node.
    pub fn substitute(&mut self, root: Id, with: &[Option<Id>]) -> Id {
        let order = self.reachable(&[root]);
        let mut m: HashMap<Id, Id> = HashMap::new();
        for id in order {
            let op = self.nodes[id].clone();
            let new = match op {
                Op::Var(i) => with.get(i).copied().flatten().unwrap_or(id),
                Op::Const(_) => id,
                Op::Add(a, b) => self.mk(Op::Add(m[&a], m[&b])),
                Op::Sub(a, b) => self.mk(Op::Sub(m[&a], m[&b])),
                Op::Mul(a, b) => self.mk(Op::Mul(m[&a], m[&b])),
                Op::Div(a, b) => self.mk(Op::Div(m[&a], m[&b])),
                Op::Neg(a) => self.mk(Op::Neg(m[&a])),
                Op::Sqrt(a) => self.mk(Op::Sqrt(m[&a])),
            };
            m.insert(id, new);
        }
        m[&root]
    }

    /// Interval evaluation of `prog` (from [`Graph::reachable`]) at the box `vars`, into `out`
    /// (indexed by node id).
    pub fn eval_interval(&self, prog: &[Id], vars: &[Interval], out: &mut Vec<Interval>) {
        if out.len() < self.nodes.len() {
            out.resize(self.nodes.len(), Interval::UNDEFINED);
        }
        for &id in prog {
            out[id] = match self.nodes[id] {
                Op::Var(i) => vars.get(i).copied().unwrap_or(Interval::UNDEFINED),
                Op::Const(_) => self.encl[id],
                Op::Add(a, b) => out[a] + out[b],
                Op::Sub(a, b) => out[a] - out[b],
                Op::Mul(a, b) if a == b => out[a].sqr(),
                Op::Mul(a, b) => out[a] * out[b],
                Op::Div(a, b) => out[a] / out[b],
                Op::Neg(a) => -out[a],
                Op::Sqrt(a) => out[a].sqrt(),
            };
        }
    }

    /// Exact evaluation of `root` at a rational point; `None` if a division by zero or an
    /// irrational square root occurs.
    pub fn eval_exact(&self, root: Id, vars: &[Q]) -> Option<Q> {
        let mut v: HashMap<Id, Q> = HashMap::new();
        for id in self.reachable(&[root]) {
            let x = match &self.nodes[id] {
                Op::Var(i) => vars.get(*i)?.clone(),
                Op::Const(c) => c.clone(),
                Op::Add(a, b) => &v[a] + &v[b],
                Op::Sub(a, b) => &v[a] - &v[b],
                Op::Mul(a, b) => &v[a] * &v[b],
                Op::Div(a, b) => {
                    if v[b].is_zero() {
                        return None;
                    }
                    &v[a] / &v[b]
                }
                Op::Neg(a) => -&v[a],
                Op::Sqrt(a) => sqrt_exact(&v[a])?,
            };
            v.insert(id, x);
        }
        v.remove(&root)
    }

    /// `root` expanded into a rational function of the variables; `None` if it holds an
    /// irrational square root or divides by the zero function.
    pub fn ratfunc(&self, root: Id) -> Option<RatFunc> {
        let mut v: HashMap<Id, RatFunc> = HashMap::new();
        for id in self.reachable(&[root]) {
            let x = match &self.nodes[id] {
                Op::Var(i) => RatFunc::poly(Poly::var(*i)),
                Op::Const(c) => RatFunc::poly(Poly::constant(c.clone())),
                Op::Add(a, b) => v[a].add(&v[b]),
                Op::Sub(a, b) => v[a].add(&v[b].neg()),
                Op::Mul(a, b) => v[a].mul(&v[b]),
                Op::Div(a, b) => v[a].div(&v[b])?,
                Op::Neg(a) => v[a].neg(),
                Op::Sqrt(a) => {
                    let c = v[a].as_constant().and_then(|c| sqrt_exact(&c))?;
                    RatFunc::poly(Poly::constant(c))
                }
            };
            v.insert(id, x);
        }
        v.remove(&root)
    }
}

thread_local! {
    /// The graph that [`trace`] is recording into (needed to place constants such as `√3`).
    static CURRENT: RefCell<Option<Shared>> = const { RefCell::new(None) };
}

/// A traced value: an exact constant not yet placed in a graph, a node of a graph, or the result
/// of an undefined constant operation (`1/0`, `√−1`).
#[derive(Clone, Debug)]
pub enum Expr {
    /// An exact constant.
    Const(Q),
    /// A node of a shared graph.
    Node(Shared, Id),
    /// An undefined value.
    Undefined,
}

/// Runs `f` with `n` fresh variables recorded into `graph`, returning what `f` returns.
pub fn trace<R>(graph: &Shared, n: usize, f: impl FnOnce(&[Expr]) -> R) -> R {
    let vars: Vec<Expr> = (0..n).map(|i| Expr::Node(graph.clone(), graph.borrow_mut().var(i))).collect();
    let prev = CURRENT.with(|c| c.replace(Some(graph.clone())));
    let r = f(&vars);
    CURRENT.with(|c| c.replace(prev));
    r
}

impl Expr {
    /// The exact constant `num/den`.
    pub fn ratio(num: i64, den: i64) -> Self {
        q(num, den).map_or(Expr::Undefined, Expr::Const)
    }

    /// Places this value in `graph` and returns its node (`None` for undefined values or values
    /// of another graph).
    pub fn node(&self, graph: &Shared) -> Option<Id> {
        match self {
            Expr::Const(c) => Some(graph.borrow_mut().constant(c.clone())),
            Expr::Node(g, id) if Rc::ptr_eq(g, graph) => Some(*id),
            _ => None,
        }
    }

    /// `∂ self / ∂ var` for a variable `var` of the same graph (symbolic).
    pub fn diff(&self, var: &Expr) -> Expr {
        match (self, var) {
            (Expr::Const(_), Expr::Node(..)) => Expr::ratio(0, 1),
            (Expr::Node(g, id), Expr::Node(g2, v)) if Rc::ptr_eq(g, g2) => {
                let i = match g.borrow().op(*v) {
                    Op::Var(i) => *i,
                    _ => return Expr::Undefined,
                };
                let d = g.borrow_mut().diff(*id, i);
                Expr::Node(g.clone(), d)
            }
            _ => Expr::Undefined,
        }
    }

    /// The integer constant `n`.
    pub fn int(n: i64) -> Self {
        Expr::ratio(n, 1)
    }

    fn graph(&self) -> Option<Shared> {
        match self {
            Expr::Node(g, _) => Some(g.clone()),
            _ => None,
        }
    }

    fn binary(self, o: Self, fold: impl Fn(Q, Q) -> Option<Q>, op: fn(Id, Id) -> Op) -> Self {
        if let (Expr::Const(a), Expr::Const(b)) = (&self, &o) {
            return fold(a.clone(), b.clone()).map_or(Expr::Undefined, Expr::Const);
        }
        let Some(g) = self.graph().or_else(|| o.graph()) else {
            return Expr::Undefined;
        };
        match (self.node(&g), o.node(&g)) {
            (Some(a), Some(b)) => {
                let id = g.borrow_mut().mk(op(a, b));
                Expr::Node(g, id)
            }
            _ => Expr::Undefined,
        }
    }

    fn unary(self, fold: impl Fn(Q) -> Option<Q>, op: fn(Id) -> Op) -> Self {
        match self {
            Expr::Const(a) => {
                if let Some(r) = fold(a.clone()) {
                    return Expr::Const(r);
                }
                // Not foldable exactly (e.g. √3): place it in the graph being traced.
                match CURRENT.with(|c| c.borrow().clone()) {
                    Some(g) => {
                        let a = g.borrow_mut().constant(a);
                        let id = g.borrow_mut().mk(op(a));
                        Expr::Node(g, id)
                    }
                    None => Expr::Undefined,
                }
            }
            Expr::Node(g, a) => {
                let id = g.borrow_mut().mk(op(a));
                Expr::Node(g, id)
            }
            Expr::Undefined => Expr::Undefined,
        }
    }
}

impl Add for Expr {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        self.binary(o, |a, b| Some(a + b), Op::Add)
    }
}
impl Sub for Expr {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        self.binary(o, |a, b| Some(a - b), Op::Sub)
    }
}
impl Mul for Expr {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        self.binary(o, |a, b| Some(a * b), Op::Mul)
    }
}
impl Div for Expr {
    type Output = Self;
    fn div(self, o: Self) -> Self {
        self.binary(o, |a, b| (!b.is_zero()).then(|| a / b), Op::Div)
    }
}
impl Neg for Expr {
    type Output = Self;
    fn neg(self) -> Self {
        self.unary(|a| Some(-a), Op::Neg)
    }
}

impl largestep_theory::appendix_b::Scalar for Expr {
    fn ratio(num: i64, den: i64) -> Self {
        Expr::ratio(num, den)
    }
    fn sqrt(self) -> Self {
        // A negative constant has no square root: fold it to Undefined rather than a node.
        self.unary(|a| sqrt_exact(&a), Op::Sqrt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use largestep_theory::appendix_b::{h, h_prime, Scalar};

    fn traced(f: impl FnOnce(&[Expr]) -> Expr, n: usize) -> (Shared, Id) {
        let g: Shared = Rc::new(RefCell::new(Graph::new()));
        let e = trace(&g, n, f);
        let id = e.node(&g).expect("defined");
        (g, id)
    }

    #[test]
    fn symbolic_derivative_of_h_is_h_prime() {
        let (g, hid) = traced(|v| h(v[0].clone(), v[1].clone()), 2);
        let d = g.borrow_mut().diff(hid, 1);
        let hp = trace(&g, 2, |v| h_prime(v[0].clone(), v[1].clone())).node(&g).unwrap();
        let diffr = g.borrow_mut().mk(Op::Sub(d, hp));
        assert!(g.borrow().ratfunc(diffr).unwrap().is_zero());
    }

    #[test]
    fn hash_consing_makes_x_minus_x_zero() {
        let (g, id) = traced(|v| h(v[0].clone(), v[1].clone()) - h(v[0].clone(), v[1].clone()), 2);
        assert_eq!(g.borrow().as_const(id), Some(&Q::zero()));
    }

    #[test]
    fn substitution_and_exact_evaluation_agree() {
        let (g, hid) = traced(|v| h(v[0].clone(), v[1].clone()), 2);
        let c = g.borrow_mut().constant(q(5, 4).unwrap());
        let s = g.borrow_mut().substitute(hid, &[Some(c), None]);
        let x = q(1162, 1000).unwrap();
        let a = g.borrow().eval_exact(s, &[Q::zero(), x.clone()]).unwrap();
        let b = g.borrow().eval_exact(hid, &[q(5, 4).unwrap(), x]).unwrap();
        assert_eq!(a, b);
        assert_eq!(b, q(65327059, 100000000).unwrap());
    }

    #[test]
    fn sqrt_of_constant_is_placed_in_the_traced_graph() {
        let (g, id) = traced(|v| v[0].clone() * Expr::int(3).sqrt(), 1);
        let prog = g.borrow().reachable(&[id]);
        let mut out = Vec::new();
        g.borrow().eval_interval(&prog, &[Interval::ONE], &mut out);
        assert!(out[id].contains(3f64.sqrt()));
        assert!(g.borrow().eval_exact(id, &[Q::one()]).is_none());
    }
}
