//! Optimizers: one iteration θ_t → θ_{t+1} of a training algorithm, generic over [`Model`].

mod gd;
mod sgd;

pub use gd::loss_gradient;
pub use gd::Gd;
pub use sgd::Sgd;

use crate::data::Dataset;
use crate::model::Model;
use crate::rng::RandomSource;

/// What one iteration sees besides θ and the random stream: the model h_θ, the training set, the
/// step size η_t and the iteration index t.
#[derive(Clone, Copy)]
pub struct Step<'a> {
    /// The model h_θ.
    pub model: &'a dyn Model,
    /// The training set (X, y).
    pub data: &'a Dataset,
    /// The step size η_t of this iteration.
    pub eta: f64,
    /// The iteration index t (optimizers that follow a reference trajectory, such as the SDE of
    /// Eq. 58, use it).
    pub t: usize,
}

impl<'a> Step<'a> {
    /// Iteration `t` of step size `eta` of `model` on `data`.
    pub fn new(model: &'a dyn Model, data: &'a Dataset, eta: f64, t: usize) -> Self {
        Self { model, data, eta, t }
    }
}

/// One iteration of a training algorithm.
pub trait Optimizer: Send {
    /// Advances θ by one iteration θ_t → θ_{t+1} described by `step`. Randomness is drawn from
    /// `rng` only.
    fn step(&mut self, step: Step<'_>, theta: &mut [f64], rng: &mut dyn RandomSource);
}
