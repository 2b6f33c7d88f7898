//! Appendix B of the paper: the rescaled one-dimensional SGD map h_γ, its constants and the
//! regions of Lemma B.3, written once and generic over the arithmetic.
//!
//! Setting (Eqs. 21–26). With data `y = x θ*²`, loss `F(θ) = ¼ E(y − xθ²)²` and step size η, SGD
//! reads `θ_{t+1} = θ_t + η θ_t x² (θ*² − θ_t²)` (Eq. 24). Dividing by θ* and writing
//! `γ = η θ*² x²` gives the rescaled recursion (Eq. 26 / Eq. 33)
//!
//! ```text
//!     θ_{t+1} = h_{γ_t}(θ_t),   h_γ(θ) = θ + γ θ (1 − θ²),   γ_t ~ ρ̂_γ,  Γ = supp ρ̂_γ ⊆ (1, 1.25).
//! ```
//!
//! Every formula here is generic over [`Scalar`], so the same source line is run in `f64` by the
//! simulations, in interval arithmetic by the prover of the `largestep-proofs` crate, and traced
//! into an expression graph for symbolic derivatives and exact (rational) identity checks. The
//! paper's decimal constants are kept as exact ratios ([`Ratio`]) so that `1.162` means the
//! rational number 1162/1000, not its nearest `f64`.

use std::ops::{Add, Div, Mul, Neg, Sub};

/// The arithmetic the formulas of Appendix B need: a field with square roots and exact rational
/// constants. Implemented for `f64` here and, in `largestep-proofs`, for an interval type and an
/// expression tracer.
pub trait Scalar:
    Clone + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self> + Neg<Output = Self>
{
    /// The rational constant `num / den` (`den > 0`). Exact for exact types; an enclosure for
    /// interval types; the nearest value for `f64`.
    fn ratio(num: i64, den: i64) -> Self;
    /// The non-negative square root.
    fn sqrt(self) -> Self;
    /// The integer constant `n`.
    fn int(n: i64) -> Self {
        Self::ratio(n, 1)
    }
}

impl Scalar for f64 {
    fn ratio(num: i64, den: i64) -> Self {
        num as f64 / den as f64
    }
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
}

/// An exact rational constant of the paper, `num / den`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratio {
    /// Numerator.
    pub num: i64,
    /// Denominator (positive).
    pub den: i64,
}

impl Ratio {
    /// `num / den`.
    pub const fn new(num: i64, den: i64) -> Self {
        Self { num, den }
    }
    /// The constant in the arithmetic `T`.
    pub fn value<T: Scalar>(self) -> T {
        T::ratio(self.num, self.den)
    }
    /// The nearest `f64`.
    pub fn f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// Lower end of Γ: Γ ⊆ (1, 1.25) (proof of Prop. B.1).
pub const GAMMA_LO: Ratio = Ratio::new(1, 1);
/// Upper end of Γ: Γ ⊆ (1, 1.25); also the factor 1.25 of the step-size range of Prop. 2.2.
pub const GAMMA_HI: Ratio = Ratio::new(5, 4);
/// Lemma B.2 (Eqs. 29–31): the iterates stay in (0, 1.162).
pub const THETA_BOUND: Ratio = Ratio::new(1162, 1000);
/// Lemma B.3: left end of I₁ = (0.65, 1 − ε); also Eq. 50's lower bound and Prop. B.1's 0.65θ*.
pub const I1_LO: Ratio = Ratio::new(65, 100);
/// Lemma B.3 / Prop. B.1: the cap in ε₀ = min{(γ_min − 1)/3, 0.02}.
pub const EPS_CAP: Ratio = Ratio::new(2, 100);
/// Eq. 35: `0.652 = h_{1.25}(1.162)` as printed (the true value is 0.65327059).
pub const P2_LOWER: Ratio = Ratio::new(652, 1000);
/// Eq. 34: the growth factor 1.5 of P1.
pub const P1_GROWTH: Ratio = Ratio::new(3, 2);
/// Lemma B.7 / Eq. 53: `g₁(0.65) < 0.98`.
pub const G1_AT_I1_LO_BOUND: Ratio = Ratio::new(98, 100);
/// Lemma B.8: `h₁(0.65) > 1.02`.
pub const H1_AT_I1_LO_BOUND: Ratio = Ratio::new(102, 100);
/// Eq. 22: the upper loss level 0.17 θ*².
pub const LOSS_UPPER: Ratio = Ratio::new(17, 100);

/// The map of Eq. 26 / Eq. 33: `h_γ(θ) = θ + γ θ (1 − θ²)`.
pub fn h<T: Scalar>(gamma: T, theta: T) -> T {
    theta.clone() + gamma * theta.clone() * (T::int(1) - theta.clone() * theta)
}

/// `h'_γ(θ) = 1 + γ − 3γθ²` (proof of Lemma B.2).
pub fn h_prime<T: Scalar>(gamma: T, theta: T) -> T {
    T::int(1) + gamma.clone() - T::int(3) * gamma * (theta.clone() * theta)
}

/// `h''_γ(θ) = −6γθ` (proof of Lemma B.2).
pub fn h_second<T: Scalar>(gamma: T, theta: T) -> T {
    -(T::int(6) * gamma * theta)
}

/// Two steps with step factors `b` then `a`: `h_a(h_b(θ))` (Lemma B.4, Eq. 36).
pub fn h2<T: Scalar>(a: T, b: T, theta: T) -> T {
    h(a, h(b, theta))
}

/// `g_γ(θ) = h_γ(h_γ(θ))` (Property B.6).
pub fn g<T: Scalar>(gamma: T, theta: T) -> T {
    h2(gamma.clone(), gamma, theta)
}

/// The critical point of h_γ in (0, 1): `θ_γ = (1/√3)·√(1/γ + 1)` (Eqs. 27–28), computed as
/// `√((1 + γ)/(3γ))`.
pub fn theta_gamma<T: Scalar>(gamma: T) -> T {
    ((T::int(1) + gamma.clone()) / (T::int(3) * gamma)).sqrt()
}

/// The maximum of h_γ on (0, 1] as the paper prints it in Eq. 28: `2(1+γ)^{3/2} / (3√3 γ)`.
pub fn max_h_as_printed<T: Scalar>(gamma: T) -> T {
    let one_plus = T::int(1) + gamma.clone();
    T::int(2) * one_plus.clone() * one_plus.sqrt() / (T::int(3) * T::int(3).sqrt() * gamma)
}

/// The true maximum `h_γ(θ_γ) = 2(1+γ)^{3/2} / (3√(3γ))` (corrected Eq. 28).
pub fn max_h<T: Scalar>(gamma: T) -> T {
    let one_plus = T::int(1) + gamma.clone();
    T::int(2) * one_plus.clone() * one_plus.sqrt() / (T::int(3) * (T::int(3) * gamma).sqrt())
}

/// `P(θ) = (1 + γ(1 − θ²))(1 + γθ(1 − θ))(1 − γθ(1 + θ))` (Eq. 44).
pub fn p_factor<T: Scalar>(gamma: T, theta: T) -> T {
    let one = || T::int(1);
    let a = one() + gamma.clone() * (one() - theta.clone() * theta.clone());
    let b = one() + gamma.clone() * theta.clone() * (one() - theta.clone());
    let c = one() - gamma * theta.clone() * (one() + theta);
    a * b * c
}

/// The rescaled loss `F(θ)/θ*⁴ = ¼ E[x²] (1 − u²)²` at `u = θ/θ*` with `m2 = E[x²]` (Eq. 22).
pub fn loss<T: Scalar>(m2: T, u: T) -> T {
    let d = T::int(1) - u.clone() * u;
    m2 * d.clone() * d / T::int(4)
}

/// `ε₀ = min{(γ_min − 1)/3, 0.02}` (Lemma B.3, corrected; Prop. B.1 with γ_min = η(θ* x_min)²).
pub fn eps0(gamma_min: f64) -> f64 {
    ((gamma_min - 1.0) / 3.0).min(EPS_CAP.f64())
}

/// The four regions of Lemma B.3 that partition (0, 1.162) (with 1 removed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    /// `I₀ = (0, 0.65]`.
    I0,
    /// `I₁ = (0.65, 1 − ε)`.
    I1,
    /// `I₂ = [1 − ε, 1)`.
    I2,
    /// `I₃ = (1, 1.162)`.
    I3,
}

/// The region of Lemma B.3 holding θ for the given ε, or `None` for θ = 1 or θ outside
/// (0, 1.162).
pub fn region(theta: f64, eps: f64) -> Option<Region> {
    if theta <= 0.0 || theta >= THETA_BOUND.f64() || theta == 1.0 {
        None
    } else if theta <= I1_LO.f64() {
        Some(Region::I0)
    } else if theta < 1.0 - eps {
        Some(Region::I1)
    } else if theta < 1.0 {
        Some(Region::I2)
    } else {
        Some(Region::I3)
    }
}

/// Runs the recursion of Eq. 33 for `steps` steps from `theta0`, drawing `γ_t = gamma(t)`; returns
/// `θ_0, …, θ_steps`.
pub fn orbit(theta0: f64, steps: usize, mut gamma: impl FnMut(usize) -> f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(steps + 1);
    let mut theta = theta0;
    out.push(theta);
    for t in 0..steps {
        theta = h(gamma(t), theta);
        out.push(theta);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h_matches_eq_26_and_its_derivative() {
        let (gamma, theta) = (1.1, 0.8);
        assert!((h(gamma, theta) - (0.8 + 1.1 * 0.8 * (1.0 - 0.64))).abs() < 1e-15);
        let d = 1e-6;
        let fd = (h(gamma, theta + d) - h(gamma, theta - d)) / (2.0 * d);
        assert!((fd - h_prime(gamma, theta)).abs() < 1e-8);
        let fd2 = (h_prime(gamma, theta + d) - h_prime(gamma, theta - d)) / (2.0 * d);
        assert!((fd2 - h_second(gamma, theta)).abs() < 1e-6);
    }

    #[test]
    fn theta_gamma_is_the_critical_point_and_max_h_its_value() {
        for gamma in [1.01, 1.1, 1.2, 1.249] {
            let t = theta_gamma(gamma);
            assert!(h_prime(gamma, t).abs() < 1e-12);
            assert!((h(gamma, t) - max_h(gamma)).abs() < 1e-12);
            // The printed formula is a different function (off by a factor √γ).
            assert!((max_h_as_printed(gamma) * gamma.sqrt() - max_h(gamma)).abs() < 1e-12);
        }
    }

    #[test]
    fn regions_partition_the_bounded_region() {
        let eps = 0.01;
        assert_eq!(region(0.3, eps), Some(Region::I0));
        assert_eq!(region(0.65, eps), Some(Region::I0));
        assert_eq!(region(0.9, eps), Some(Region::I1));
        assert_eq!(region(0.995, eps), Some(Region::I2));
        assert_eq!(region(1.1, eps), Some(Region::I3));
        assert_eq!(region(1.0, eps), None);
        assert_eq!(region(1.2, eps), None);
        assert!((eps0(1.03) - 0.01).abs() < 1e-15);
        assert_eq!(eps0(1.2), 0.02);
    }

    #[test]
    fn orbit_starts_at_theta0() {
        let o = orbit(0.5, 3, |_| 1.1);
        assert_eq!(o.len(), 4);
        assert_eq!(o[0], 0.5);
        assert_eq!(o[1], h(1.1, 0.5));
    }
}
