//! Datasets: training and test sets, the points on which the Jacobian rank is evaluated, and
//! the ground truth where one exists. Every generator draws from a seeded
//! [`RandomSource`](crate::rng::RandomSource) in a documented order.

pub mod csv;
mod relu_1d;
mod sparse_regression;
mod teacher;

pub use relu_1d::Relu1d;
pub use sparse_regression::SparseRegression;
pub use teacher::Teacher;

use crate::linalg::Points;
use crate::model::PointSet;

/// A supervised regression problem.
#[derive(Debug)]
pub struct Dataset {
    /// Training inputs X (n × d).
    pub x: Points,
    /// Training targets y.
    pub y: Vec<f64>,
    /// Test inputs.
    pub x_test: Points,
    /// Test targets.
    pub y_test: Vec<f64>,
    /// Points on which the Jacobian rank is evaluated (docs/DESIGN.md §4).
    pub rank_points: PointSet,
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
}
