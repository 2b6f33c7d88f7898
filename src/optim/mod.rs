//! Optimizers: one iteration θ_t → θ_{t+1} of a training algorithm, generic over [`Model`].

mod gd;
mod sgd;

pub use gd::loss_gradient;
pub use gd::Gd;
pub use sgd::Sgd;

use crate::data::Dataset;
use crate::model::Model;
use crate::rng::RandomSource;

/// One iteration of a training algorithm.
pub trait Optimizer: Send {
    /// Advances θ by one iteration of step size `eta`; `t` is the iteration index (optimizers
    /// that follow a reference trajectory, such as the SDE of Eq. 58, use it). Randomness is
    /// drawn from `rng` only.
    fn step(
        &mut self,
        model: &dyn Model,
        theta: &mut [f64],
        data: &Dataset,
        eta: f64,
        t: usize,
        rng: &mut dyn RandomSource,
    );
}
