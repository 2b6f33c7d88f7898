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

/// ∇L(θ) = φ_θ(X)ᵀ(w_L·r), r = h_θ(X) − y, into `grad` (one
/// [`Model::weighted_jacobian_t_mul`], so a model that can does it in one pass over X) using
/// `pred` as scratch; returns L(θ) = [`Loss::value`] (the squares summed in index order, as the
/// weights are called).
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
    let w = loss.residual_weight(n);
    let (y, mut squares) = (&data.y, 0.0);
    let mut weight = |i: usize, h: f64| {
        let r = h - y[i];
        squares += r * r;
        w * r
    };
    model.weighted_jacobian_t_mul(theta, &data.x, &mut weight, pred, grad);
    loss.mean_of_sum(squares, n)
}

impl Optimizer for Gd {
    fn step(&mut self, step: Step<'_>, theta: &mut [f64], _rng: &mut dyn RandomSource) {
        loss_gradient(step.model, self.loss, theta, step.data, &mut self.pred, &mut self.grad);
        let p = step.model.precision();
        for (th, g) in theta.iter_mut().zip(&self.grad) {
            *th = p.round(*th - p.round(step.eta * g));
        }
    }
}
