//! Full-batch gradient descent.

use super::{Optimizer, Step};
use crate::data::Dataset;
use crate::loss::Loss;
use crate::model::Model;
use crate::rng::RandomSource;

/// Full-batch GD: θ_{t+1} = θ_t − η∇L(θ_t), with ∇L(θ) = (2c/n) φ_θ(X)ᵀ(h_θ(X) − y)
/// computed through [`Model::jacobian_t_mul`].
#[derive(Debug, Clone, Default)]
pub struct Gd {
    loss: Loss,
    pred: Vec<f64>,
    grad: Vec<f64>,
}

impl Gd {
    /// GD on `loss`.
    pub fn new(loss: Loss) -> Self {
        Self { loss, pred: Vec::new(), grad: Vec::new() }
    }
}

/// ∇L(θ) into `grad` using `pred` as scratch; returns L(θ).
pub fn loss_gradient(
    model: &dyn Model,
    loss: Loss,
    theta: &[f64],
    data: &Dataset,
    pred: &mut Vec<f64>,
    grad: &mut Vec<f64>,
) -> f64 {
    let n = data.len();
    pred.resize(n, 0.0);
    grad.resize(theta.len(), 0.0);
    model.predict_all(theta, &data.x, pred);
    let value = loss.value(pred, &data.y);
    let w = loss.residual_weight(n);
    for (p, y) in pred.iter_mut().zip(&data.y) {
        *p = w * (*p - y);
    }
    model.jacobian_t_mul(theta, &data.x, pred, grad);
    value
}

impl Optimizer for Gd {
    fn step(&mut self, step: Step<'_>, theta: &mut [f64], _rng: &mut dyn RandomSource) {
        loss_gradient(step.model, self.loss, theta, step.data, &mut self.pred, &mut self.grad);
        for (th, g) in theta.iter_mut().zip(&self.grad) {
            *th -= step.eta * g;
        }
    }
}
