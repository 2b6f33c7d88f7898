//! The core's models as the theory crate's [`Predictor`] (Proposition 2.1 is stated once, in
//! theory, and checked on every model of [`crate::model::catalog`]: adding a model there is all
//! it takes for `tests/theory/prop21.rs` and `largestep verify` to check it).

use crate::data::Dataset;
use crate::model::Model;
use largestep_theory::label_noise::{Predictor, Samples};

impl Predictor for dyn Model + '_ {
    fn num_params(&self) -> usize {
        Model::num_params(self)
    }
    fn value_and_grad(&self, theta: &[f64], x: &[f64], out: &mut [f64]) -> f64 {
        self.grad(theta, x, out)
    }
}

/// The training set of a [`Dataset`] as theory's [`Samples`].
pub fn samples(data: &Dataset) -> Samples<'_> {
    Samples::new(data.x.as_slice(), data.x.dim(), &data.y)
}
