//! Closed real intervals `[lo, hi]` with `f64` ends and outward rounding.
//!
//! # Rigor argument
//! Each elementary operation is first computed in the hardware's round-to-nearest mode. Its exact
//! rounding error is then recovered with an error-free transformation — TwoSum for `+`/`−`, a
//! fused multiply–add for `×` (`a·b − p`), `÷` (`a − q·b`) and `√` (`x − s²`). These residuals are
//! exact whenever the result is a normal number above 2⁻⁹⁶⁹ (Boldo & Muller; Higham, *Accuracy and
//! Stability*, §2.4 and §4), so the sign of the residual says on which side of the rounded value the
//! true result lies. The lower end is moved one ulp down with [`next_down`] only when the true
//! value is below the rounded one, and the upper end one ulp up with [`next_up`] only when it is
//! above. Near underflow (|result| < 2⁻⁹⁶⁹) and on overflow the ends are widened unconditionally.
//! Hence
//!
//! * every enclosure contains the exact real result of the operation on any points of the
//!   operands (checked against exact rational arithmetic by the proptests in
//!   `tests/interval_soundness.rs`), and
//! * exact results stay exact: `[1,1] − [1,1] = [0,0]`. The prover relies on this when it decides
//!   a claim on a face where the claim holds with equality (the open-end rule of `prover`).
//!
//! An operation that may be undefined on part of its operands (division by an interval holding 0,
//! square root of an interval reaching below 0) returns [`Interval::UNDEFINED`] (both ends NaN),
//! which propagates and never decides a claim.

use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// Results below this magnitude may make FMA residuals inexact: widen unconditionally.
const TINY: f64 = f64::from_bits(54 << 52); // 2^-969: biased exponent 1023 − 969 = 54

/// The least `f64` greater than `x` (`x` itself for NaN and +∞). Same as `f64::next_up` (Rust
/// 1.86), written out for the workspace's minimum Rust version.
pub fn next_up(x: f64) -> f64 {
    if x.is_nan() || x == f64::INFINITY {
        return x;
    }
    if x == 0.0 {
        return f64::from_bits(1);
    }
    let bits = x.to_bits();
    f64::from_bits(if x > 0.0 { bits + 1 } else { bits - 1 })
}

/// The greatest `f64` less than `x` (`x` itself for NaN and −∞).
pub fn next_down(x: f64) -> f64 {
    -next_up(-x)
}

/// Rounding direction of a bound.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Down,
    Up,
}

/// Moves the rounded value `r` one ulp in direction `dir` when the exact value is `r + err` with
/// `err` on that side; keeps `r` otherwise.
fn adjust(r: f64, err: f64, dir: Dir) -> f64 {
    match dir {
        Dir::Down if err < 0.0 => next_down(r),
        Dir::Up if err > 0.0 => next_up(r),
        _ => r,
    }
}

/// Widens unconditionally in direction `dir`.
fn widen(r: f64, dir: Dir) -> f64 {
    match dir {
        Dir::Down => next_down(r),
        Dir::Up => next_up(r),
    }
}

/// Rounded result whose operands were finite but which overflowed: the exact value is finite.
fn overflowed(r: f64, dir: Dir) -> f64 {
    match (dir, r > 0.0) {
        (Dir::Down, true) => f64::MAX,
        (Dir::Up, false) => -f64::MAX,
        _ => r,
    }
}

fn add_dir(a: f64, b: f64, dir: Dir) -> f64 {
    let s = a + b;
    if !s.is_finite() {
        return if a.is_finite() && b.is_finite() { overflowed(s, dir) } else { s };
    }
    // TwoSum (Knuth): a + b = s + err exactly.
    let bb = s - a;
    let err = (a - (s - bb)) + (b - bb);
    adjust(s, err, dir)
}

fn mul_dir(a: f64, b: f64, dir: Dir) -> f64 {
    if a == 0.0 || b == 0.0 {
        return 0.0;
    }
    let p = a * b;
    if !p.is_finite() {
        return if a.is_finite() && b.is_finite() { overflowed(p, dir) } else { p };
    }
    if p.abs() < TINY {
        return widen(p, dir);
    }
    adjust(p, a.mul_add(b, -p), dir)
}

fn div_dir(a: f64, b: f64, dir: Dir) -> f64 {
    if a == 0.0 {
        return 0.0;
    }
    let q = a / b;
    if !q.is_finite() {
        return if a.is_finite() && b.is_finite() { overflowed(q, dir) } else { q };
    }
    if q.abs() < TINY || a.abs() < TINY || b.is_infinite() {
        return widen(q, dir);
    }
    // a = q·b + r exactly; the true quotient is q + r/b.
    let r = (-q).mul_add(b, a);
    let err = if b > 0.0 { r } else { -r };
    adjust(q, err, dir)
}

fn sqrt_dir(x: f64, dir: Dir) -> f64 {
    if x == 0.0 || x == f64::INFINITY {
        return x;
    }
    let s = x.sqrt();
    if x < TINY {
        return widen(s, dir);
    }
    // x = s² + r exactly; the true root is above s iff r > 0.
    adjust(s, (-s).mul_add(s, x), dir)
}

/// A closed interval `[lo, hi]` of reals (possibly with infinite ends), or the undefined value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    lo: f64,
    hi: f64,
}

impl Interval {
    /// The "possibly undefined" value: both ends NaN. Propagates through every operation.
    pub const UNDEFINED: Self = Self { lo: f64::NAN, hi: f64::NAN };
    /// `[0, 0]`.
    pub const ZERO: Self = Self { lo: 0.0, hi: 0.0 };
    /// `[1, 1]`.
    pub const ONE: Self = Self { lo: 1.0, hi: 1.0 };

    /// `[lo, hi]`; [`Interval::UNDEFINED`] if `lo > hi` or either end is NaN.
    pub fn new(lo: f64, hi: f64) -> Self {
        if lo <= hi {
            Self { lo, hi }
        } else {
            Self::UNDEFINED
        }
    }

    /// The degenerate interval `[x, x]` (exact: `x` is a dyadic rational).
    pub fn point(x: f64) -> Self {
        Self::new(x, x)
    }

    /// An enclosure of the rational `num / den` (`den ≠ 0`).
    pub fn ratio(num: i64, den: i64) -> Self {
        Self::int(num) / Self::int(den)
    }

    /// An enclosure of the integer `n` (exact for |n| ≤ 2⁵³).
    pub fn int(n: i64) -> Self {
        let x = n as f64;
        if n.unsigned_abs() <= 1 << 53 {
            Self::point(x)
        } else {
            Self::new(next_down(x), next_up(x))
        }
    }

    /// Lower end.
    pub fn lo(self) -> f64 {
        self.lo
    }
    /// Upper end.
    pub fn hi(self) -> f64 {
        self.hi
    }
    /// False for [`Interval::UNDEFINED`].
    pub fn is_defined(self) -> bool {
        !(self.lo.is_nan() || self.hi.is_nan())
    }
    /// `lo == hi`.
    pub fn is_point(self) -> bool {
        self.lo == self.hi
    }
    /// `hi − lo`, rounded up (∞ for undefined).
    pub fn width(self) -> f64 {
        if self.is_defined() {
            add_dir(self.hi, -self.lo, Dir::Up)
        } else {
            f64::INFINITY
        }
    }
    /// A dyadic point of the interval near its middle.
    pub fn mid(self) -> f64 {
        let m = self.lo * 0.5 + self.hi * 0.5;
        m.clamp(self.lo, self.hi)
    }
    /// `lo ≤ x ≤ hi`.
    pub fn contains(self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }
    /// `0 ∈ [lo, hi]`.
    pub fn contains_zero(self) -> bool {
        self.contains(0.0)
    }
    /// The intersection (undefined when empty or either is undefined).
    pub fn intersect(self, o: Self) -> Self {
        Self::new(self.lo.max(o.lo), self.hi.min(o.hi))
    }
    /// The convex hull.
    pub fn hull(self, o: Self) -> Self {
        Self::new(self.lo.min(o.lo), self.hi.max(o.hi))
    }

    /// `x²`, tight even when the interval straddles 0.
    pub fn sqr(self) -> Self {
        if !self.is_defined() {
            return Self::UNDEFINED;
        }
        if self.lo >= 0.0 {
            Self::new(mul_dir(self.lo, self.lo, Dir::Down), mul_dir(self.hi, self.hi, Dir::Up))
        } else if self.hi <= 0.0 {
            Self::new(mul_dir(self.hi, self.hi, Dir::Down), mul_dir(self.lo, self.lo, Dir::Up))
        } else {
            let m = mul_dir(self.lo, self.lo, Dir::Up).max(mul_dir(self.hi, self.hi, Dir::Up));
            Self::new(0.0, m)
        }
    }

    /// `xⁿ` for an integer `n` (undefined for `n < 0` when the interval holds 0).
    pub fn powi(self, n: i32) -> Self {
        match n {
            0 => Self::ONE,
            1 => self,
            n if n < 0 => Self::ONE / self.powi(-n),
            n if n % 2 == 0 => self.powi(n / 2).sqr(),
            n => {
                // Odd powers are increasing: bound each end separately.
                let lo = Self::point(self.lo).pow_point(n, Dir::Down);
                let hi = Self::point(self.hi).pow_point(n, Dir::Up);
                Self::new(lo, hi)
            }
        }
    }

    /// One directed bound of `pⁿ` for a point interval `p`, by repeated outward multiplication.
    fn pow_point(self, n: i32, dir: Dir) -> f64 {
        let mut acc = Self::ONE;
        for _ in 0..n {
            acc = acc * self;
        }
        match dir {
            Dir::Down => acc.lo,
            Dir::Up => acc.hi,
        }
    }

    /// `√x` (undefined when the interval reaches below 0).
    pub fn sqrt(self) -> Self {
        if !self.is_defined() || self.lo < 0.0 {
            return Self::UNDEFINED;
        }
        Self::new(sqrt_dir(self.lo, Dir::Down), sqrt_dir(self.hi, Dir::Up))
    }
}

impl Add for Interval {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Self::new(add_dir(self.lo, o.lo, Dir::Down), add_dir(self.hi, o.hi, Dir::Up))
    }
}

impl Neg for Interval {
    type Output = Self;
    fn neg(self) -> Self {
        Self::new(-self.hi, -self.lo)
    }
}

impl Sub for Interval {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        self + (-o)
    }
}

impl Mul for Interval {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        if !self.is_defined() || !o.is_defined() {
            return Self::UNDEFINED;
        }
        let ends = [(self.lo, o.lo), (self.lo, o.hi), (self.hi, o.lo), (self.hi, o.hi)];
        let lo = ends.iter().map(|&(a, b)| mul_dir(a, b, Dir::Down)).fold(f64::INFINITY, f64::min);
        let hi = ends.iter().map(|&(a, b)| mul_dir(a, b, Dir::Up)).fold(f64::NEG_INFINITY, f64::max);
        Self::new(lo, hi)
    }
}

impl Div for Interval {
    type Output = Self;
    fn div(self, o: Self) -> Self {
        if !self.is_defined() || !o.is_defined() || o.contains_zero() {
            return Self::UNDEFINED;
        }
        let ends = [(self.lo, o.lo), (self.lo, o.hi), (self.hi, o.lo), (self.hi, o.hi)];
        let lo = ends.iter().map(|&(a, b)| div_dir(a, b, Dir::Down)).fold(f64::INFINITY, f64::min);
        let hi = ends.iter().map(|&(a, b)| div_dir(a, b, Dir::Up)).fold(f64::NEG_INFINITY, f64::max);
        Self::new(lo, hi)
    }
}

impl largestep_theory::appendix_b::Scalar for Interval {
    fn ratio(num: i64, den: i64) -> Self {
        Interval::ratio(num, den)
    }
    fn sqrt(self) -> Self {
        Interval::sqrt(self)
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_defined() {
            write!(f, "[{:e}, {:e}]", self.lo, self.hi)
        } else {
            write!(f, "[undefined]")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_is_two_to_minus_969() {
        assert_eq!(TINY, 2f64.powi(-969));
    }

    #[test]
    fn exact_results_stay_exact() {
        let one = Interval::ONE;
        assert_eq!(one - one, Interval::ZERO);
        assert_eq!(Interval::point(1.5) * Interval::point(2.0), Interval::point(3.0));
        assert_eq!(Interval::point(9.0).sqrt(), Interval::point(3.0));
    }

    #[test]
    fn inexact_results_are_widened_to_contain_the_truth() {
        let third = Interval::ONE / Interval::int(3);
        assert!(third.lo() < third.hi());
        assert_eq!(next_up(third.lo()), third.hi());
        let s = Interval::int(2).sqrt();
        assert!(s.lo() * s.lo() <= 2.0 && s.hi() * s.hi() >= 2.0);
    }

    #[test]
    fn undefined_operations_propagate() {
        let z = Interval::new(-1.0, 1.0);
        assert!(!(Interval::ONE / z).is_defined());
        assert!(!z.sqrt().is_defined());
        assert!(!(Interval::UNDEFINED + Interval::ONE).is_defined());
        assert!(!Interval::new(2.0, 1.0).is_defined());
    }

    #[test]
    fn next_up_and_down_step_one_ulp() {
        assert_eq!(next_up(1.0), 1.0 + f64::EPSILON);
        assert_eq!(next_down(1.0), 1.0 - f64::EPSILON / 2.0);
        assert_eq!(next_up(-0.0), f64::from_bits(1));
        assert_eq!(next_up(f64::MAX), f64::INFINITY);
    }
}
