//! Datasets: training and test sets, the points on which the Jacobian rank is evaluated, and
//! the ground truth where one exists. Every generator draws from a seeded
//! [`RandomSource`](crate::rng::RandomSource) in a documented order.

pub mod csv;
pub mod npy;
pub mod rank_points;
mod relu_1d;
mod sparse_regression;
mod teacher;

pub use rank_points::RankSource;
pub use relu_1d::Relu1d;
pub use sparse_regression::SparseRegression;
pub use teacher::Teacher;

use crate::linalg::Points;

/// A supervised regression problem.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Training inputs X (n × d).
    pub x: Points,
    /// Training targets y.
    pub y: Vec<f64>,
    /// Test inputs.
    pub x_test: Points,
    /// Test targets.
    pub y_test: Vec<f64>,
    /// Points on which the Jacobian rank is evaluated (docs/DESIGN.md §4); `None` when no rank
    /// is recorded.
    pub rank_points: Option<Points>,
    /// Ground-truth parameters when the generator has them (the diagonal net's β*).
    pub truth: Option<Vec<f64>>,
}

impl Dataset {
    /// Number of training points n.
    pub fn len(&self) -> usize {
        self.y.len()
    }
    /// Whether the training set is empty.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
    /// Spread of the training labels: the sample standard deviation
    /// √(Σ(yᵢ − ȳ)²/(n − 1)) (torch's `y.std()`); 0 for fewer than two points.
    pub fn label_spread(&self) -> f64 {
        let n = self.y.len();
        if n < 2 {
            return 0.0;
        }
        let mean = self.y.iter().sum::<f64>() / n as f64;
        (self.y.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    }
    /// A warning when the training labels are nearly constant: spread s below
    /// [`MIN_LABEL_STD`] (the constant predictor ȳ already reaches MSE ≈ s² < 10⁻⁴, below the
    /// losses the figures resolve), or below [`MIN_LABEL_SPREAD`] times their mean magnitude. A
    /// degenerate teacher leaves nothing to fit (issue 13: a ChaCha teacher of Fig. 5 had
    /// spread 0.0017 around small labels; the release's has 0.76).
    pub fn degenerate_labels(&self) -> Option<String> {
        let spread = self.label_spread();
        let scale = self.y.iter().map(|y| y.abs()).sum::<f64>() / self.y.len().max(1) as f64;
        (self.y.len() >= 2 && (spread < MIN_LABEL_STD || spread < MIN_LABEL_SPREAD * scale)).then(|| {
            format!("training labels are nearly constant (std {spread:.3e}, mean |y| {scale:.3e}): degenerate data")
        })
    }
}

/// Absolute label standard deviation below which [`Dataset::degenerate_labels`] warns.
pub const MIN_LABEL_STD: f64 = 1e-2;
/// Relative label spread below which [`Dataset::degenerate_labels`] warns.
pub const MIN_LABEL_SPREAD: f64 = 0.01;
