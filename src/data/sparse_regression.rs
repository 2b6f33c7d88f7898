//! Sparse linear regression of §3.1 (docs/DESIGN.md §3).

use super::Dataset;
use crate::linalg::Points;
use crate::rng::RandomSource;

/// Noiseless sparse regression y = ⟨β*, x⟩ with x ~ N(0, I_d), β* supported on the first r
/// coordinates: β*ᵢ = |gᵢ| for i < r (g ~ N(0, I_d)), 0 otherwise, normalized to unit ℓ₂ norm.
///
/// Draw order (the release's): X (n × d, row-major), X_test (n_test × d), g (d values), then
/// the `rank_points` fresh rank-evaluation points (rank_points × d).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SparseRegression {
    /// Training points n.
    pub n: usize,
    /// Dimension d.
    pub d: usize,
    /// Support size r ≤ d.
    pub r: usize,
    /// Test points.
    pub n_test: usize,
}

impl SparseRegression {
    /// Draws the dataset; `rank_points` fresh Gaussian points are drawn last for the rank metric.
    pub fn generate(&self, rng: &mut dyn RandomSource, rank_points: usize) -> Dataset {
        let x = Points::new(rng.gaussian_matrix(self.n, self.d), self.d);
        let x_test = Points::new(rng.gaussian_matrix(self.n_test, self.d), self.d);
        let g = rng.normals(self.d);
        let mut beta: Vec<f64> = g.iter().enumerate().map(|(i, gi)| if i < self.r { gi.abs() } else { 0.0 }).collect();
        let norm = beta.iter().map(|b| b * b).sum::<f64>().sqrt();
        if norm > 0.0 {
            beta.iter_mut().for_each(|b| *b /= norm);
        }
        let label = |p: &Points| -> Vec<f64> { p.rows().map(|xi| crate::linalg::dot(&beta, xi)).collect() };
        let y = label(&x);
        let y_test = label(&x_test);
        let rank_points =
            if rank_points > 0 { Some(Points::new(rng.gaussian_matrix(rank_points, self.d), self.d)) } else { None };
        Dataset { x, y, x_test, y_test, rank_points, truth: Some(beta) }
    }
}
