//! Brownian increments on nested grids.

use crate::rng::RandomSource;

/// Increments ΔW_k = W(t_{k+1}) − W(t_k) ∈ ℝⁿ of one Brownian path on the grid t_k = k·Δt of
/// [0, T] (row-major, `steps` rows of n).
///
/// [`sample`](BrownianPath::sample) draws the finest level (ΔW = √Δt·Z, Z ~ N(0, Iₙ) in row
/// order); [`coarsen`](BrownianPath::coarsen) sums consecutive pairs, which is the same path on
/// the grid of step 2Δt. So a study over Δt = T·2⁻ᵏ integrates one path at every level, as the
/// strong-error definition E|X_N − X(T)| requires.
#[derive(Debug, Clone, PartialEq)]
pub struct BrownianPath {
    /// Brownian dimension n.
    pub dim: usize,
    /// Step Δt.
    pub dt: f64,
    /// Increments, row-major (steps × n).
    pub increments: Vec<f64>,
}

impl BrownianPath {
    /// A path on [0, T] with 2ᵏ steps of size T·2⁻ᵏ.
    pub fn sample(rng: &mut dyn RandomSource, dim: usize, t_end: f64, level: u32) -> Self {
        let steps = 1usize << level;
        let dt = t_end / steps as f64;
        let s = dt.sqrt();
        let increments = (0..steps * dim).map(|_| s * rng.standard_normal()).collect();
        Self { dim, dt, increments }
    }
    /// Number of steps.
    pub fn steps(&self) -> usize {
        self.increments.len() / self.dim.max(1)
    }
    /// The same path on the grid of step 2Δt (an odd last step is dropped).
    pub fn coarsen(&self) -> Self {
        let n = self.dim;
        let increments =
            self.increments.chunks_exact(2 * n).flat_map(|pair| (0..n).map(move |j| pair[j] + pair[n + j])).collect();
        Self { dim: n, dt: 2.0 * self.dt, increments }
    }
    /// W(T) − W(0), the sum of the increments.
    pub fn endpoint(&self) -> Vec<f64> {
        let mut w = vec![0.0; self.dim];
        for row in self.increments.chunks_exact(self.dim.max(1)) {
            for (wj, r) in w.iter_mut().zip(row) {
                *wj += r;
            }
        }
        w
    }
}
