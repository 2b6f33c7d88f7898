//! SGD with heavy-ball momentum and L2 regularization in the loss.

use super::ops::{sgd, Kernels};
use super::params::ParamStore;
use anyhow::Result;
use candle_core::backprop::GradStore;
use candle_core::Tensor;

/// SGD on L(θ) + ½λ‖θ‖² with momentum μ (PyTorch's form, no dampening):
///
/// g = ∇L(θ) + λθ,  v ← μv + g,  θ ← θ − η v   (v = g at the first step; μ = 0: plain SGD).
///
/// The L2 term covers every trainable parameter, as the release's `0.5·λ·Σ‖p‖²`; its gradient is
/// added here rather than differentiated through the graph (same update, cheaper). Where the op
/// layer applies (CPU f32/f64) the update runs in place, one pass over v and one over θ
/// ([`sgd`]), with the same operations in the same order as the composed update.
#[derive(Debug)]
pub struct SgdMomentum {
    /// Momentum μ.
    pub momentum: f64,
    /// L2 coefficient λ.
    pub weight_decay: f64,
    velocity: Vec<Option<Tensor>>,
    kernels: Kernels,
}

impl SgdMomentum {
    /// An optimizer with momentum μ and L2 coefficient λ.
    pub fn new(momentum: f64, weight_decay: f64) -> Self {
        Self { momentum, weight_decay, velocity: Vec::new(), kernels: Kernels::default() }
    }
    /// The same optimizer updating with `kernels` (the op layer by default).
    pub fn with_kernels(mut self, kernels: Kernels) -> Self {
        self.kernels = kernels;
        self
    }
    /// One step of size `eta` with the gradients `grads` of the loss.
    pub fn step(&mut self, params: &ParamStore, grads: &GradStore, eta: f64) -> Result<()> {
        let vars = params.trainable();
        self.velocity.resize(vars.len(), None);
        for ((_, var), vel) in vars.iter().zip(self.velocity.iter_mut()) {
            let Some(g) = grads.get(var.as_tensor()) else { continue };
            let theta = var.as_tensor();
            if self.kernels.applies(theta) && theta.is_contiguous() {
                let v = if self.momentum != 0.0 {
                    if vel.is_none() {
                        *vel = Some(theta.zeros_like()?);
                    }
                    vel.as_ref()
                } else {
                    None
                };
                sgd::step(theta, g, v, (eta, self.momentum, self.weight_decay))?;
                continue;
            }
            let g = if self.weight_decay != 0.0 { (g + (theta * self.weight_decay)?)? } else { g.clone() };
            let d = if self.momentum != 0.0 {
                let v = match vel.take() {
                    Some(v) => ((v * self.momentum)? + g)?,
                    None => g,
                };
                *vel = Some(v.clone());
                v
            } else {
                g
            };
            var.set(&(theta - (d * eta)?)?)?;
        }
        Ok(())
    }
    /// ½λ‖θ‖² at the current parameters.
    pub fn penalty(&self, params: &ParamStore) -> Result<f64> {
        if self.weight_decay == 0.0 {
            return Ok(0.0);
        }
        let mut s = 0.0;
        for (_, v) in params.trainable() {
            s += v.as_tensor().sqr()?.sum_all()?.to_dtype(candle_core::DType::F64)?.to_scalar::<f64>()?;
        }
        Ok(0.5 * self.weight_decay * s)
    }
    /// The momentum buffers by parameter name, for checkpoints.
    pub fn named_state(&self, params: &ParamStore) -> Vec<(String, Tensor)> {
        params
            .trainable()
            .iter()
            .zip(&self.velocity)
            .filter_map(|((n, _), v)| v.as_ref().map(|v| (format!("momentum.{n}"), v.clone())))
            .collect()
    }
    /// Restores the momentum buffers from a checkpoint.
    pub fn load_state(
        &mut self,
        params: &ParamStore,
        tensors: &std::collections::HashMap<String, Tensor>,
    ) -> Result<()> {
        self.velocity = params
            .trainable()
            .iter()
            .map(|(n, _)| tensors.get(&format!("momentum.{n}")).map(|t| t.to_device(params.device())).transpose())
            .collect::<candle_core::Result<_>>()?;
        Ok(())
    }
}
