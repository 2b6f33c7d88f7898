//! The input distributions ρ̂ of Proposition 2.2: laws on `[a, b] ⊂ (0, ∞)`.
//!
//! Proposition 2.2 / B.1 only asks `supp ρ̂ ⊂ [x_min, x_max]` with `x_min > 0`. The laws here
//! cover the cases that behave differently: a continuous law with a density (uniform, beta-shaped)
//! and laws with atoms (two-point, a finite empirical sample), on which events of probability
//! zero under a density — such as landing exactly on θ* — can have positive probability.

use rand::{Rng, RngExt};
use statrs::distribution::Beta;

/// A law ρ̂ of the inputs x on a bounded interval of (0, ∞).
#[derive(Clone, Debug, PartialEq)]
pub enum Rho {
    /// Uniform on `[a, b]`.
    Uniform {
        /// Left end a > 0.
        a: f64,
        /// Right end b ≥ a.
        b: f64,
    },
    /// `lo` with probability `p`, `hi` otherwise.
    TwoPoint {
        /// Smaller atom.
        lo: f64,
        /// Larger atom.
        hi: f64,
        /// P(x = lo).
        p: f64,
    },
    /// `a + (b − a)·Z` with `Z ~ Beta(alpha, beta)`.
    Beta {
        /// Left end a > 0.
        a: f64,
        /// Right end b > a.
        b: f64,
        /// First shape parameter.
        alpha: f64,
        /// Second shape parameter.
        beta: f64,
    },
    /// Uniform over a finite sample (with repetitions), all points > 0.
    Empirical(Vec<f64>),
}

impl Rho {
    /// `[x_min, x_max]`: the smallest interval holding the support.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Rho::Uniform { a, b } | Rho::Beta { a, b, .. } => (*a, *b),
            Rho::TwoPoint { lo, hi, .. } => (*lo, *hi),
            Rho::Empirical(xs) => {
                (xs.iter().copied().fold(f64::INFINITY, f64::min), xs.iter().copied().fold(0.0, f64::max))
            }
        }
    }

    /// `E[x²]`, exactly (closed form, or the sample mean for an empirical law).
    pub fn second_moment(&self) -> f64 {
        match self {
            Rho::Uniform { a, b } => (a * a + a * b + b * b) / 3.0,
            Rho::TwoPoint { lo, hi, p } => p * lo * lo + (1.0 - p) * hi * hi,
            Rho::Beta { a, b, alpha, beta } => {
                let s = alpha + beta;
                let m1 = alpha / s;
                let m2 = alpha * (alpha + 1.0) / (s * (s + 1.0));
                let w = b - a;
                a * a + 2.0 * a * w * m1 + w * w * m2
            }
            Rho::Empirical(xs) => xs.iter().map(|x| x * x).sum::<f64>() / xs.len() as f64,
        }
    }

    /// Draws one input.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Rho::Uniform { a, b } => a + (b - a) * rng.random::<f64>(),
            Rho::TwoPoint { lo, hi, p } => {
                if rng.random::<f64>() < *p {
                    *lo
                } else {
                    *hi
                }
            }
            Rho::Beta { a, b, alpha, beta } => {
                let z: f64 = rng.sample(Beta::new(*alpha, *beta).expect("positive shape parameters"));
                a + (b - a) * z
            }
            Rho::Empirical(xs) => xs[rng.random_range(0..xs.len())],
        }
    }

    /// Checks that the law lives on a bounded interval of (0, ∞); the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        let (lo, hi) = self.support();
        if !(lo > 0.0 && lo.is_finite() && hi.is_finite() && hi >= lo) {
            return Err(format!("rho: support [{lo}, {hi}] must be a bounded interval of (0, inf)"));
        }
        match self {
            Rho::TwoPoint { p, .. } if !(0.0..=1.0).contains(p) => Err(format!("rho.p = {p} must be in [0, 1]")),
            Rho::Beta { alpha, beta, .. } if !(*alpha > 0.0 && *beta > 0.0) => {
                Err(format!("rho: beta shapes ({alpha}, {beta}) must be > 0"))
            }
            Rho::Empirical(xs) if xs.is_empty() => Err("rho: empirical sample is empty".into()),
            _ => Ok(()),
        }
    }

    /// A short description for reports, e.g. `uniform[1, 1.05]`.
    pub fn describe(&self) -> String {
        match self {
            Rho::Uniform { a, b } => format!("uniform[{a}, {b}]"),
            Rho::TwoPoint { lo, hi, p } => format!("{p}·δ({lo}) + {}·δ({hi})", 1.0 - p),
            Rho::Beta { a, b, alpha, beta } => format!("{a} + ({b}−{a})·Beta({alpha}, {beta})"),
            Rho::Empirical(xs) => {
                let (lo, hi) = self.support();
                format!("empirical(n={}, on [{lo:.4}, {hi:.4}])", xs.len())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn second_moments_match_their_samples() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for rho in [
            Rho::Uniform { a: 1.0, b: 2.0 },
            Rho::TwoPoint { lo: 1.0, hi: 3.0, p: 0.25 },
            Rho::Beta { a: 1.0, b: 2.0, alpha: 2.0, beta: 5.0 },
            Rho::Empirical(vec![1.0, 1.5, 2.0]),
        ] {
            let (lo, hi) = rho.support();
            let k = 200_000;
            let mut m = 0.0;
            for _ in 0..k {
                let x = rho.sample(&mut rng);
                assert!((lo..=hi).contains(&x), "{x} outside the support of {}", rho.describe());
                m += x * x;
            }
            m /= k as f64;
            // Standard error of the mean of x² is below 0.01 for these laws: 5 σ margin.
            assert!((m - rho.second_moment()).abs() < 0.05, "{}: {m} vs {}", rho.describe(), rho.second_moment());
        }
    }
}
