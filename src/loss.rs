//! The training objective.

use serde::{Deserialize, Serialize};

/// Squared loss, with or without the ½ of Eq. (1).
///
/// `HalfMse`: L(θ) = 1/(2n) Σᵢ (h_θ(xᵢ) − yᵢ)² (Eq. 1; the diagonal-net release).
/// `Mse`: L(θ) = 1/n Σᵢ (h_θ(xᵢ) − yᵢ)² (PyTorch's `MSELoss`, used by the ReLU-net release).
/// The SGD step on sample i is θ ← θ − η·(2c)·(h_θ(xᵢ) − yᵢ)∇h_θ(xᵢ) with c the factor below,
/// which is Eq. (2) for `HalfMse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// ½·mean squared error (Eq. 1).
    #[default]
    HalfMse,
    /// Mean squared error.
    Mse,
}

impl Loss {
    /// The factor c in L = c·mean(r²).
    pub fn factor(self) -> f64 {
        match self {
            Loss::HalfMse => 0.5,
            Loss::Mse => 1.0,
        }
    }
    /// c·mean((p − y)²).
    pub fn value(self, pred: &[f64], y: &[f64]) -> f64 {
        self.mean_of_sum(pred.iter().zip(y).map(|(p, t)| (p - t) * (p - t)).sum::<f64>(), y.len())
    }
    /// The loss from the sum of squared residuals Σ(pred − y)² over `n` samples.
    pub fn mean_of_sum(self, sum_of_squares: f64, n: usize) -> f64 {
        self.factor() * sum_of_squares / n.max(1) as f64
    }
    /// dL/dpred for one sample scaled for a mean over `m` samples: 2c·r/m.
    pub fn residual_weight(self, m: usize) -> f64 {
        2.0 * self.factor() / m as f64
    }
}
