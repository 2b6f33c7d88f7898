//! Stochastic gradient descent (Eq. 2) with mini-batches.

use super::{Optimizer, Step};
use crate::loss::Loss;
use crate::rng::RandomSource;

/// SGD with batch size B: draw B distinct indices uniformly (B = 1: one `rng.index(n)` per
/// step, exactly the release's `randint(n)`), then
///
/// θ_{t+1} = θ_t − η · (2c/B) Σ_{i ∈ batch} (h_θ(xᵢ) − yᵢ) ∇_θ h_θ(xᵢ),
///
/// which for the half-MSE loss (c = ½) and B = 1 is Eq. (2). For a model in `f32`
/// ([`Model::precision`]) each coordinate update is rounded as PyTorch's float32
/// `p.add_(g, alpha = −η)`: θ ← f32(θ − f32(w·g)).
#[derive(Debug, Clone)]
pub struct Sgd {
    batch: usize,
    loss: Loss,
    grad: Vec<f64>,
    acc: Vec<f64>,
    pool: Vec<usize>,
}

impl Sgd {
    /// SGD with batch size `batch` ≥ 1 on `loss`.
    pub fn new(batch: usize, loss: Loss) -> Self {
        Self { batch: batch.max(1), loss, grad: Vec::new(), acc: Vec::new(), pool: Vec::new() }
    }

    /// Draws the batch: B distinct indices by a partial Fisher–Yates shuffle of 0..n (for B = 1,
    /// a single `rng.index(n)`).
    pub fn sample_batch(&mut self, n: usize, rng: &mut dyn RandomSource) -> &[usize] {
        self.pool.clear();
        self.pool.extend(0..n);
        let b = self.batch.min(n);
        for k in 0..b {
            let j = k + rng.index(n - k);
            self.pool.swap(k, j);
        }
        &self.pool[..b]
    }
}

impl Optimizer for Sgd {
    fn step(&mut self, step: Step<'_>, theta: &mut [f64], rng: &mut dyn RandomSource) {
        let Step { model, data, eta, .. } = step;
        let p = theta.len();
        self.grad.resize(p, 0.0);
        let n = data.len();
        if self.batch == 1 {
            let i = rng.index(n);
            model.residual_step(theta, data.x.row(i), data.y[i], eta * self.loss.residual_weight(1), &mut self.grad);
            return;
        }
        let b = self.batch.min(n);
        self.sample_batch(n, rng);
        let Self { pool, grad, acc, .. } = self;
        acc.clear();
        acc.resize(p, 0.0);
        for &i in &pool[..b] {
            let h = model.grad(theta, data.x.row(i), grad);
            let r = h - data.y[i];
            for (a, g) in acc.iter_mut().zip(grad.iter()) {
                *a += r * g;
            }
        }
        let w = eta * self.loss.residual_weight(b);
        let prec = model.precision();
        for (th, a) in theta.iter_mut().zip(&self.acc) {
            *th = prec.round(*th - prec.round(w * a));
        }
    }
}
