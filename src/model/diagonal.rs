//! Diagonal linear network h_{u,v}(x) = ⟨u ⊙ v, x⟩ (§2.3.1, Eq. 9).

use super::{Curvature, CurvatureBound, JacobianStructure, LinearInX, Model};
use crate::linalg::{self, Points};
use crate::rng::RandomSource;
use std::sync::Arc;

/// Diagonal linear network with θ = (u, v) ∈ ℝ^{2d}, h_θ(x) = ⟨u ⊙ v, x⟩.
///
/// ∇_u h = v ⊙ x and ∇_v h = u ⊙ x, so φ_θ(X)ᵀc = [(Xᵀc) ⊙ v, (Xᵀc) ⊙ u] costs one
/// matrix–vector product. Initialization (docs/DESIGN.md §3): u₀ = α·𝟙, v₀ = 0 (no randomness drawn).
#[derive(Debug, Clone)]
pub struct DiagonalNet {
    /// Input dimension d.
    pub dim: usize,
    /// Initialization scale α of u₀ = α·𝟙.
    pub init_scale: f64,
}

impl DiagonalNet {
    /// A network on ℝᵈ with u₀ = `init_scale`·𝟙, v₀ = 0.
    pub fn new(dim: usize, init_scale: f64) -> Self {
        Self { dim, init_scale }
    }
    fn split<'a>(&self, theta: &'a [f64]) -> (&'a [f64], &'a [f64]) {
        theta.split_at(self.dim)
    }
}

impl DiagonalNet {
    /// dⱼ = √(uⱼ² + vⱼ²): φ_θ(X) has the singular values of X·diag(d).
    fn column_scales(&self, theta: &[f64]) -> Vec<f64> {
        let (u, v) = self.split(theta);
        u.iter().zip(v).map(|(a, b)| (a * a + b * b).sqrt()).collect()
    }
}

/// φ_θ(X)ᵀc = [s ⊙ v, s ⊙ u] from s = Xᵀc held in `ou` (the first half of the output).
fn spread(u: &[f64], v: &[f64], ou: &mut [f64], ov: &mut [f64]) {
    for (((a, b), ou), ov) in u.iter().zip(v).zip(ou.iter_mut()).zip(ov.iter_mut()) {
        let s = *ou;
        *ou = s * b;
        *ov = s * a;
    }
}

impl Model for DiagonalNet {
    fn num_params(&self) -> usize {
        2 * self.dim
    }
    fn input_dim(&self) -> usize {
        self.dim
    }
    fn init(&self, _rng: &mut dyn RandomSource) -> Vec<f64> {
        let mut theta = vec![0.0; 2 * self.dim];
        theta[..self.dim].fill(self.init_scale);
        theta
    }
    fn grad(&self, theta: &[f64], x: &[f64], out: &mut [f64]) -> f64 {
        let (u, v) = self.split(theta);
        let (gu, gv) = out.split_at_mut(self.dim);
        let mut h = 0.0;
        for i in 0..self.dim {
            h += u[i] * v[i] * x[i];
            gu[i] = v[i] * x[i];
            gv[i] = u[i] * x[i];
        }
        h
    }
    /// Fused: h = Σⱼ uⱼvⱼxⱼ (in index order, as [`grad`](Model::grad)), w = scale·(h − y), then
    /// uⱼ ← uⱼ − w·(vⱼxⱼ) and vⱼ ← vⱼ − w·(uⱼxⱼ) from the old (uⱼ, vⱼ): the default's operations
    /// without the gradient buffer (f64: rounding is the identity).
    fn residual_step(&self, theta: &mut [f64], x: &[f64], y: f64, scale: f64, _buf: &mut [f64]) -> f64 {
        let (u, v) = theta.split_at_mut(self.dim);
        let x = &x[..self.dim];
        let mut h = 0.0;
        for ((a, b), xj) in u.iter().zip(v.iter()).zip(x) {
            h += a * b * xj;
        }
        let w = scale * (h - y);
        for ((a, b), xj) in u.iter_mut().zip(v.iter_mut()).zip(x) {
            let (a0, b0) = (*a, *b);
            *a = a0 - w * (b0 * xj);
            *b = b0 - w * (a0 * xj);
        }
        h
    }
    fn predict(&self, theta: &[f64], x: &[f64]) -> f64 {
        let (u, v) = self.split(theta);
        let mut h = 0.0;
        for i in 0..self.dim {
            h += u[i] * v[i] * x[i];
        }
        h
    }
    /// Xβ with β = u ⊙ v by the blocked SIMD kernel ([`super::kernels::x_times_hadamard`]), no
    /// allocation.
    fn predict_all(&self, theta: &[f64], xs: &Points, out: &mut [f64]) {
        let (u, v) = self.split(theta);
        super::kernels::x_times_hadamard(xs, u, v, out);
    }
    /// φ_θ(X)ᵀc = [(Xᵀc) ⊙ v, (Xᵀc) ⊙ u]: Xᵀc by the blocked SIMD kernel
    /// ([`super::kernels::xt_times`]) into the first half of `out`, then scaled in place.
    fn jacobian_t_mul(&self, theta: &[f64], xs: &Points, c: &[f64], out: &mut [f64]) {
        let (u, v) = self.split(theta);
        let (ou, ov) = out.split_at_mut(self.dim);
        super::kernels::xt_times(xs, c, ou);
        spread(u, v, ou, ov);
    }
    /// One pass over X ([`super::kernels::weighted_xt_times`]): each block of rows gives its
    /// predictions, weights and share of Xᵀc, then the scaling of
    /// [`jacobian_t_mul`](Model::jacobian_t_mul); the default's bits.
    fn weighted_jacobian_t_mul(
        &self,
        theta: &[f64],
        xs: &Points,
        weight: &mut dyn FnMut(usize, f64) -> f64,
        c: &mut [f64],
        out: &mut [f64],
    ) {
        let (u, v) = self.split(theta);
        let (ou, ov) = out.split_at_mut(self.dim);
        super::kernels::weighted_xt_times(xs, (u, v), weight, c, ou);
        spread(u, v, ou, ov);
    }
    /// φ_θ(X) φ_θ(X)ᵀ = X diag(u² + v²) Xᵀ, so φ has the singular values of
    /// X diag(√(u² + v²)) ([`JacobianStructure::ScaledInputs`]): with X = QR (computed once per
    /// point set), those of R diag(√(u² + v²)) (min(n, d) × d). docs/DESIGN.md §4; proved
    /// against the plain SVD in `tests/theory/rank.rs`.
    fn jacobian_structure(&self, theta: &[f64], _xs: &Points) -> JacobianStructure {
        JacobianStructure::ScaledInputs(self.column_scales(theta))
    }
    fn as_linear(&self) -> Option<&dyn LinearInX> {
        Some(self)
    }
    fn as_curvature(&self) -> Option<&dyn Curvature> {
        Some(self)
    }
}

impl Curvature for DiagonalNet {
    /// Λ(θ) = ‖X‖₂²·maxⱼ(uⱼ² + vⱼ²) + maxⱼ|(Xᵀr)ⱼ| ([`DiagonalCurvature`]); none if the SVD of X
    /// fails.
    fn curvature_bound(&self, xs: &Points) -> Option<Arc<dyn CurvatureBound>> {
        let top = linalg::singular_values(&xs.to_mat()).ok()?.first().copied().unwrap_or(0.0);
        let x_norm_sq = top * top * (1.0 + 1e-9);
        x_norm_sq
            .is_finite()
            .then(|| Arc::new(DiagonalCurvature { dim: self.dim, x_norm_sq }) as Arc<dyn CurvatureBound>)
    }
}

/// The diagonal net's curvature bound Λ(θ) = ‖X‖₂²·maxⱼ(uⱼ² + vⱼ²) + maxⱼ|sⱼ|, s = Xᵀr.
///
/// φ = [X diag(v), X diag(u)], so φᵀφ has the nonzero eigenvalues of
/// φφᵀ = X diag(u² + v²) Xᵀ ⪯ maxⱼ(uⱼ² + vⱼ²)·XXᵀ; and ∇²h(x) = [[0, diag(x)], [diag(x), 0]], so
/// Σᵢ rᵢ∇²h(xᵢ) = [[0, diag(s)], [diag(s), 0]], whose eigenvalues are ±sⱼ. Weyl's inequality
/// (λ_max(A + B) ≤ λ_max(A) + λ_max(B)) adds the two. ‖X‖₂² is computed once (the largest
/// singular value, enlarged by 10⁻⁹ relative for its rounding); s takes one pass over X
/// ([`super::kernels::weighted_xt_times`]). The rounding of Λ(θ) itself (relative ~10⁻¹⁴) is far
/// inside the factor 2 its users keep to the stability bound. `tests/theory/sde_model.rs` checks
/// Λ(θ) against the exact top eigenvalue of the Hessian.
#[derive(Debug)]
struct DiagonalCurvature {
    dim: usize,
    x_norm_sq: f64,
}

/// The largest of `values` (0 if none), NaN if one is NaN.
fn max_or_nan(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |m: f64, x| if x.is_nan() || m.is_nan() { f64::NAN } else { m.max(x) })
}

impl CurvatureBound for DiagonalCurvature {
    fn at(&self, theta: &[f64], xs: &Points, y: &[f64]) -> f64 {
        let (u, v) = theta.split_at(self.dim);
        let (mut r, mut s) = (vec![0.0; xs.len()], vec![0.0; self.dim]);
        super::kernels::weighted_xt_times(xs, (u, v), &mut |i, h| h - y[i], &mut r, &mut s);
        let scale = max_or_nan(u.iter().zip(v).map(|(a, b)| a * a + b * b));
        self.x_norm_sq * scale + max_or_nan(s.iter().map(|x| x.abs()))
    }
}

impl LinearInX for DiagonalNet {
    fn linear_predictor(&self, theta: &[f64]) -> Vec<f64> {
        let (u, v) = self.split(theta);
        u.iter().zip(v).map(|(a, b)| a * b).collect()
    }
}
