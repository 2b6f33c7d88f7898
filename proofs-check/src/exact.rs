//! Exact arithmetic: rationals, their rigorous `f64` enclosures, and multivariate polynomials and
//! rational functions over ℚ for identity checks.
//!
//! Counterexamples are confirmed here: a point with dyadic (`f64`) or rational coordinates is
//! evaluated in [`Q`] = `BigRational`, with no rounding at all. Identities such as Eqs. 37 and
//! 41–44 are checked by expanding both sides into canonical polynomials (rational functions
//! `num/den`, compared by cross-multiplication), which decides them exactly.

use std::collections::BTreeMap;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use crate::interval::{next_down, next_up, Interval};

/// Exact rationals.
pub type Q = BigRational;

/// `num / den` as an exact rational; `None` if `den == 0`.
pub fn q(num: i64, den: i64) -> Option<Q> {
    (den != 0).then(|| Q::new(BigInt::from(num), BigInt::from(den)))
}

/// The exact rational value of a finite `f64`.
pub fn q_from_f64(x: f64) -> Option<Q> {
    Q::from_float(x)
}

/// The nearest `f64` (for display and for starting enclosures).
pub fn to_f64(x: &Q) -> f64 {
    x.to_f64().unwrap_or(f64::NAN)
}

/// The tightest `f64` interval containing `x`: `[lo, hi]` with `lo ≤ x ≤ hi` checked exactly.
pub fn enclose(x: &Q) -> Interval {
    let a = to_f64(x);
    if !a.is_finite() {
        return if x.is_positive() {
            Interval::new(f64::MAX, f64::INFINITY)
        } else {
            Interval::new(f64::NEG_INFINITY, -f64::MAX)
        };
    }
    let (mut lo, mut hi) = (a, a);
    while q_from_f64(lo).is_some_and(|l| &l > x) {
        lo = next_down(lo);
    }
    while q_from_f64(hi).is_some_and(|h| &h < x) {
        hi = next_up(hi);
    }
    Interval::new(lo, hi)
}

/// `√x` when `x ≥ 0` is the square of a rational, else `None`.
pub fn sqrt_exact(x: &Q) -> Option<Q> {
    if x.is_negative() {
        return None;
    }
    let (n, d) = (x.numer(), x.denom());
    let (rn, rd) = (num_integer::Roots::sqrt(n), num_integer::Roots::sqrt(d));
    (&rn * &rn == *n && &rd * &rd == *d).then(|| Q::new(rn, rd))
}

/// A short decimal rendering of an exact rational (`digits` significant digits, plus the exact
/// fraction when it is short).
pub fn show(x: &Q, digits: usize) -> String {
    let approx = format!("{:.*e}", digits.saturating_sub(1), to_f64(x));
    let exact = x.to_string();
    if exact.len() <= 24 {
        format!("{exact} (≈ {approx})")
    } else {
        approx
    }
}

/// A multivariate polynomial over ℚ: exponent vector ↦ non-zero coefficient.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Poly {
    terms: BTreeMap<Vec<u32>, Q>,
}

impl Poly {
    /// The constant polynomial `c`.
    pub fn constant(c: Q) -> Self {
        let mut terms = BTreeMap::new();
        if !c.is_zero() {
            terms.insert(Vec::new(), c);
        }
        Self { terms }
    }

    /// The variable `x_i`.
    pub fn var(i: usize) -> Self {
        let mut e = vec![0; i + 1];
        e[i] = 1;
        Self { terms: BTreeMap::from([(e, Q::one())]) }
    }

    /// True for the zero polynomial.
    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }

    /// The constant value if the polynomial has degree 0.
    pub fn as_constant(&self) -> Option<Q> {
        match self.terms.len() {
            0 => Some(Q::zero()),
            1 => self.terms.get(&Vec::new()).cloned(),
            _ => None,
        }
    }

    fn trim(mut e: Vec<u32>) -> Vec<u32> {
        while e.last() == Some(&0) {
            e.pop();
        }
        e
    }

    fn add_term(&mut self, e: Vec<u32>, c: Q) {
        let e = Self::trim(e);
        let slot = self.terms.entry(e.clone()).or_insert_with(Q::zero);
        *slot += c;
        if slot.is_zero() {
            self.terms.remove(&e);
        }
    }

    /// `self + other`.
    pub fn add(&self, other: &Self) -> Self {
        let mut r = self.clone();
        for (e, c) in &other.terms {
            r.add_term(e.clone(), c.clone());
        }
        r
    }

    /// `−self`.
    pub fn neg(&self) -> Self {
        Self { terms: self.terms.iter().map(|(e, c)| (e.clone(), -c)).collect() }
    }

    /// `self · other`.
    pub fn mul(&self, other: &Self) -> Self {
        let mut r = Self::default();
        for (e1, c1) in &self.terms {
            for (e2, c2) in &other.terms {
                let n = e1.len().max(e2.len());
                let e = (0..n).map(|i| e1.get(i).copied().unwrap_or(0) + e2.get(i).copied().unwrap_or(0)).collect();
                r.add_term(e, c1 * c2);
            }
        }
        r
    }

    /// The value at an exact point (missing coordinates count as 0).
    pub fn eval(&self, x: &[Q]) -> Q {
        self.terms
            .iter()
            .map(|(e, c)| {
                e.iter().enumerate().fold(c.clone(), |acc, (i, &k)| {
                    let xi = x.get(i).cloned().unwrap_or_else(Q::zero);
                    acc * num_traits::pow(xi, k as usize)
                })
            })
            .fold(Q::zero(), |a, b| a + b)
    }
}

/// A rational function `num / den` over ℚ with `den ≠ 0`.
#[derive(Clone, Debug)]
pub struct RatFunc {
    /// Numerator.
    pub num: Poly,
    /// Denominator (never the zero polynomial).
    pub den: Poly,
}

impl RatFunc {
    /// The polynomial `p` as `p / 1`.
    pub fn poly(p: Poly) -> Self {
        Self { num: p, den: Poly::constant(Q::one()) }
    }

    /// Folds a constant denominator into the numerator.
    fn normalize(self) -> Self {
        match self.den.as_constant() {
            Some(c) if !c.is_zero() && !c.is_one() => {
                let inv = Poly::constant(c.recip());
                Self::poly(self.num.mul(&inv))
            }
            _ => self,
        }
    }

    /// `self + other`.
    pub fn add(&self, other: &Self) -> Self {
        if self.den == other.den {
            return Self { num: self.num.add(&other.num), den: self.den.clone() };
        }
        Self { num: self.num.mul(&other.den).add(&other.num.mul(&self.den)), den: self.den.mul(&other.den) }.normalize()
    }

    /// `−self`.
    pub fn neg(&self) -> Self {
        Self { num: self.num.neg(), den: self.den.clone() }
    }

    /// `self · other`.
    pub fn mul(&self, other: &Self) -> Self {
        Self { num: self.num.mul(&other.num), den: self.den.mul(&other.den) }.normalize()
    }

    /// `self / other`, `None` when `other` is the zero function.
    pub fn div(&self, other: &Self) -> Option<Self> {
        if other.num.is_zero() {
            return None;
        }
        Some(Self { num: self.num.mul(&other.den), den: self.den.mul(&other.num) }.normalize())
    }

    /// True when the function is identically zero.
    pub fn is_zero(&self) -> bool {
        self.num.is_zero()
    }

    /// The constant value, if the function is a constant polynomial.
    pub fn as_constant(&self) -> Option<Q> {
        let n = self.num.as_constant()?;
        let d = self.den.as_constant()?;
        (!d.is_zero()).then(|| n / d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enclosures_contain_the_rational() {
        for (n, d) in [(1162, 1000), (65, 100), (1, 3), (-7, 11), (5, 4)] {
            let x = q(n, d).unwrap();
            let e = enclose(&x);
            assert!(q_from_f64(e.lo()).unwrap() <= x && x <= q_from_f64(e.hi()).unwrap());
            assert!(e.hi() == e.lo() || next_up(e.lo()) == e.hi());
        }
        assert!(enclose(&q(5, 4).unwrap()).is_point());
    }

    #[test]
    fn exact_square_roots() {
        assert_eq!(sqrt_exact(&q(16, 25).unwrap()), q(4, 5));
        assert_eq!(sqrt_exact(&q(2, 1).unwrap()), None);
        assert_eq!(sqrt_exact(&q(-4, 1).unwrap()), None);
    }

    #[test]
    fn polynomial_identity_difference_of_squares() {
        let (x, y) = (Poly::var(0), Poly::var(1));
        let lhs = x.add(&y).mul(&x.add(&y.neg()));
        let rhs = x.mul(&x).add(&y.mul(&y).neg());
        assert!(lhs.add(&rhs.neg()).is_zero());
        assert!(!lhs.add(&x.mul(&x).neg()).is_zero());
    }

    #[test]
    fn rational_functions_cancel() {
        let x = RatFunc::poly(Poly::var(0));
        let one = RatFunc::poly(Poly::constant(Q::one()));
        // x/(x+1) + 1/(x+1) − 1 = 0
        let xp1 = x.add(&one);
        let s = x.div(&xp1).unwrap().add(&one.div(&xp1).unwrap()).add(&one.neg());
        assert!(s.is_zero());
    }
}
