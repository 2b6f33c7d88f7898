//! The one-dimensional quadratic model h_θ(x) = x θ² of Proposition 2.2 (Eq. 5).

use super::Model;
use crate::rng::RandomSource;

/// h_θ(x) = x θ² with θ ∈ ℝ and x ∈ ℝ; ∇_θ h = 2xθ. With labels y = xθ*² and the loss
/// ¼E(y − xθ²)² this is the setting of Prop. 2.2; with the half-MSE of Eq. (1) the SGD step is
/// θ − η(xθ² − y)·2xθ, i.e. Eq. (5) with step 2η.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quadratic {
    /// θ₀ (no randomness drawn).
    pub theta0: f64,
}

impl Quadratic {
    /// The model with initialization θ₀ = `theta0`.
    pub fn new(theta0: f64) -> Self {
        Self { theta0 }
    }
}

impl Model for Quadratic {
    fn num_params(&self) -> usize {
        1
    }
    fn input_dim(&self) -> usize {
        1
    }
    fn init(&self, _rng: &mut dyn RandomSource) -> Vec<f64> {
        vec![self.theta0]
    }
    fn grad(&self, theta: &[f64], x: &[f64], out: &mut [f64]) -> f64 {
        out[0] = 2.0 * x[0] * theta[0];
        x[0] * theta[0] * theta[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let m = Quadratic::new(0.5);
        let (theta, x, d) = (0.7, [1.3], 1e-6);
        let mut g = [0.0];
        let h = m.grad(&[theta], &x, &mut g);
        assert!((h - 1.3 * 0.49).abs() < 1e-15);
        let fd = (m.predict(&[theta + d], &x) - m.predict(&[theta - d], &x)) / (2.0 * d);
        assert!((fd - g[0]).abs() < 1e-8);
    }
}
