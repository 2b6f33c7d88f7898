//! The SDE model of SGD, Eq. (8).

use super::Sde;
use crate::data::Dataset;
use crate::loss::Loss;
use crate::model::Model;
use crate::optim::loss_gradient;

/// dθ = −∇L(θ) dt + σ φ_θ(X)ᵀ dB_t with σ = √(ηδ) (Eq. 8): p = `model.num_params()`,
/// n = the number of training points, L the training loss of `data`.
///
/// The drift is [`loss_gradient`] and the diffusion φ_θ(X)ᵀw is [`Model::jacobian_t_mul`] (the
/// diagonal net computes it as [(Xᵀw) ⊙ v, (Xᵀw) ⊙ u] without building φ). Since
/// ∇L(θ) = φ_θ(X)ᵀ(w_L·r) with r = h_θ(X) − y and w_L = 2c/n, the Euler–Maruyama increment is one
/// product, φᵀ(−Δt·w_L·r + σΔB): [`increment`](Sde::increment) is overridden with it (the two
/// routes agree to rounding, `tests/theory/sde_model.rs`), through [`Model::weighted_jacobian_t_mul`]
/// (cᵢ depends on point i's prediction only, so a per-point model runs one forward pass per point).
pub struct GradientNoiseSde<'a> {
    model: &'a dyn Model,
    data: &'a Dataset,
    loss: Loss,
    /// Noise scale σ = √(ηδ).
    pub sigma: f64,
    pred: Vec<f64>,
    grad: Vec<f64>,
}

impl<'a> GradientNoiseSde<'a> {
    /// Eq. (8) for `model` on the training set of `data`, with σ = √(ηδ).
    pub fn new(model: &'a dyn Model, data: &'a Dataset, loss: Loss, sigma: f64) -> Self {
        Self::with_buffer(model, data, loss, sigma, Vec::new())
    }
    /// [`new`](Self::new) reusing `buffer` for the n residuals (see [`into_buffer`](Self::into_buffer)):
    /// a caller that builds one SDE per SGD iteration allocates nothing per step.
    pub fn with_buffer(model: &'a dyn Model, data: &'a Dataset, loss: Loss, sigma: f64, buffer: Vec<f64>) -> Self {
        Self { model, data, loss, sigma, pred: buffer, grad: Vec::new() }
    }
    /// The residual buffer, for the next [`with_buffer`](Self::with_buffer).
    pub fn into_buffer(self) -> Vec<f64> {
        self.pred
    }
}

impl Sde for GradientNoiseSde<'_> {
    fn dim(&self) -> usize {
        self.model.num_params()
    }
    fn noise_dim(&self) -> usize {
        self.data.len()
    }
    fn drift(&mut self, _t: f64, x: &[f64], out: &mut [f64]) {
        loss_gradient(self.model, self.loss, x, self.data, &mut self.pred, &mut self.grad);
        for (o, gi) in out.iter_mut().zip(&self.grad) {
            *o = -gi;
        }
    }
    fn diffusion_mul(&mut self, _t: f64, x: &[f64], w: &[f64], out: &mut [f64]) {
        self.model.jacobian_t_mul(x, &self.data.x, w, out);
        for o in out.iter_mut() {
            *o *= self.sigma;
        }
    }
    fn increment(&mut self, _t: f64, x: &[f64], dt: f64, dw: &[f64], out: &mut [f64], _scratch: &mut [f64]) {
        let n = self.data.len();
        self.pred.resize(n, 0.0);
        let a = -dt * self.loss.residual_weight(n);
        let (y, sigma) = (&self.data.y, self.sigma);
        let mut weight = |i: usize, h: f64| if sigma == 0.0 { a * (h - y[i]) } else { a * (h - y[i]) + sigma * dw[i] };
        self.model.weighted_jacobian_t_mul(x, &self.data.x, &mut weight, &mut self.pred, out);
    }
}
