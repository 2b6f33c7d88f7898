//! Upper bounds on the sharpness of the squared loss that cost one pass over the data.
//!
//! For L(θ) = (w/2)·Σᵢ rᵢ², rᵢ = h_θ(xᵢ) − yᵢ (w = [`Loss::residual_weight`]: 1/n for ½·MSE,
//! 2/n for MSE),
//!
//!   ∇²L(θ) = w·(φ_θ(X)ᵀφ_θ(X) + Σᵢ rᵢ∇²h_θ(xᵢ)).
//!
//! A bound Λ(θ) ≥ λ_max(φᵀφ + Σᵢ rᵢ∇²h) gives λ_max(∇²L(θ)) ≤ w·Λ(θ), so a gradient step γ with
//! γ·w·Λ(θ) ≤ 1 is inside the stability bound γ·λ_max < 2 with room to spare, with no Lanczos
//! estimate. The stable flow of Eq. (58) ([`Eq58::stable_flow`](crate::sde::Eq58::stable_flow))
//! uses it to skip the sharpness estimate wherever the bound already certifies its step.
//!
//! [`Loss::residual_weight`]: crate::loss::Loss::residual_weight

use crate::linalg::Points;
use std::fmt::Debug;

/// A model's bound Λ(θ) on the curvature of ½Σᵢ(h_θ(xᵢ) − yᵢ)², with its fixed part (which
/// depends on the points only) computed once, by [`Curvature::curvature_bound`](super::Curvature::curvature_bound).
pub trait CurvatureBound: Send + Sync + Debug {
    /// Λ(θ) ≥ λ_max(φ_θ(X)ᵀφ_θ(X) + Σᵢ rᵢ∇²h_θ(xᵢ)), rᵢ = h_θ(xᵢ) − yᵢ, on the points `xs` the
    /// bound was built for and the targets `y`; NaN if θ or a residual is not finite (a bound
    /// that certifies nothing).
    fn at(&self, theta: &[f64], xs: &Points, y: &[f64]) -> f64;
}
