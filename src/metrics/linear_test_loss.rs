//! The test loss of a model linear in x from a d × d factor instead of the n × d test points.
//!
//! For h_θ(x) = ⟨β, x⟩ and a fixed test set (X, y) with X = QR (n ≥ d, full column rank) and β̂
//! the least-squares solution,
//!
//!   Σᵢ (⟨β, xᵢ⟩ − yᵢ)² = ‖R(β − β̂)‖² + ρ,   ρ = ‖Xβ̂ − y‖²,
//!
//! exactly: Xβ − y = X(β − β̂) + (Xβ̂ − y), the second term is orthogonal to the range of X (the
//! normal equations Xᵀ(Xβ̂ − y) = 0), so the squared norms add (Pythagoras), and
//! ‖X(β − β̂)‖ = ‖R(β − β̂)‖ because Q has orthonormal columns. An evaluation costs d² flops
//! instead of 2nd (Fig. 2: n = 1,000, d = 200, 350 grid points per run: 10× fewer).
//!
//! Rounding: both forms are sums of squares (no cancellation). β̂ comes from a Householder QR
//! (backward stable), so the computed residual R(β − β̂) differs from X(β − β̂) by
//! O(ε·κ(R)·‖R‖·‖β̂‖) in norm; the factor is used only when κ(R) ≤ [`MAX_CONDITION`], and the
//! two forms then agree to rounding (the tests below). The values therefore
//! differ from the direct sum in the last digits only, never in what a figure shows.

use crate::linalg::{self, Points};
use faer::linalg::solvers::SolveLstsq;
use faer::Mat;

/// The factor is built only for test sets this well conditioned (κ(X) = σ_max/σ_min).
pub const MAX_CONDITION: f64 = 1e6;

/// ‖R(β − β̂)‖² + ρ of the module doc, for one test set.
#[derive(Debug, Clone)]
pub struct LinearTestLoss {
    r: Mat<f64>,
    beta_hat: Vec<f64>,
    rho: f64,
}

impl LinearTestLoss {
    /// The factor of the test set (`x`, `y`), or `None` where the direct sum is as cheap or the
    /// identity would lose accuracy: fewer than 2d points, or κ(X) > [`MAX_CONDITION`].
    pub fn new(x: &Points, y: &[f64]) -> Option<Self> {
        let (n, d) = (x.len(), x.dim());
        if d == 0 || n < 2 * d || y.len() != n {
            return None;
        }
        let qr = x.to_mat().qr();
        let r = qr.thin_R().to_owned();
        let s = linalg::singular_values(&r).ok()?;
        let (s_max, s_min) = (s[0], s[s.len() - 1]);
        if !(s_min > 0.0 && s_max / s_min <= MAX_CONDITION) {
            return None;
        }
        let rhs = Mat::from_fn(n, 1, |i, _| y[i]);
        let sol = qr.solve_lstsq(&rhs);
        let beta_hat: Vec<f64> = (0..d).map(|j| sol[(j, 0)]).collect();
        let rho = x.rows().zip(y).map(|(xi, yi)| (linalg::dot(xi, &beta_hat) - yi).powi(2)).sum();
        Some(Self { r, beta_hat, rho })
    }

    /// Σᵢ (⟨β, xᵢ⟩ − yᵢ)² over the test set, as ‖R(β − β̂)‖² + ρ.
    pub fn sum_of_squares(&self, beta: &[f64]) -> f64 {
        // R is upper triangular: Rδ = Σⱼ δⱼ·(column j, rows ≤ j), δ = β − β̂ (R is column-major).
        let mut rd = vec![0.0; self.beta_hat.len()];
        for (j, (b, h)) in beta.iter().zip(&self.beta_hat).enumerate() {
            let dj = b - h;
            for (out, rij) in rd.iter_mut().zip(&self.r.col_as_slice(j)[..=j]) {
                *out += rij * dj;
            }
        }
        rd.iter().map(|v| v * v).sum::<f64>() + self.rho
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{ChaChaSource, RandomSource};
    use proptest::prelude::*;

    fn direct(x: &Points, y: &[f64], beta: &[f64]) -> f64 {
        x.rows().zip(y).map(|(xi, yi)| (xi.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>() - yi).powi(2)).sum()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// ‖R(β − β̂)‖² + ρ equals the direct sum of squares to rounding, from β far from the
        /// least-squares solution (large loss) to β at it (the loss is ρ alone).
        #[test]
        fn equals_the_direct_sum(d in 1usize..30, extra in 0usize..40, seed in 0u64..10_000, near in 0.0f64..1.0) {
            let n = 2 * d + extra;
            let mut rng = ChaChaSource::new(seed);
            let x = Points::new(rng.gaussian_matrix(n, d), d);
            let y: Vec<f64> = (0..n).map(|_| rng.standard_normal()).collect();
            let f = LinearTestLoss::new(&x, &y).expect("Gaussian points are well conditioned");
            let beta: Vec<f64> = f.beta_hat.iter().map(|b| b + (1.0 - near) * rng.standard_normal()).collect();
            let (fast, slow) = (f.sum_of_squares(&beta), direct(&x, &y, &beta));
            prop_assert!((fast - slow).abs() <= 1e-10 * slow.max(1e-300), "{} vs {}", fast, slow);
        }
    }

    /// Too few points, or a rank-deficient test set, keep the direct sum.
    #[test]
    fn declines_where_the_identity_does_not_pay_or_loses_accuracy() {
        let mut rng = ChaChaSource::new(3);
        let x = Points::new(rng.gaussian_matrix(7, 4), 4);
        assert!(LinearTestLoss::new(&x, &[0.0; 7]).is_none());
        // Two equal columns: κ(X) = ∞.
        let mut v = rng.gaussian_matrix(20, 3);
        for i in 0..20 {
            v[i * 3 + 2] = v[i * 3 + 1];
        }
        assert!(LinearTestLoss::new(&Points::new(v, 3), &[1.0; 20]).is_none());
    }
}
