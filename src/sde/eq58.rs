//! Appendix C's discretization of the SDE (Eq. 58) as an [`Optimizer`], and the loss tape of the
//! SGD run it follows.

use super::{EulerMaruyama, GradientNoiseSde};
use crate::loss::Loss;
use crate::optim::{Optimizer, Step};
use crate::rng::RandomSource;
use std::sync::Arc;

/// Eq. (58): θ_{k+1} = θ_k − γ_k∇L(θ_k) + √γ_k·√(η_k δ_k)·φ_θk(X)ᵀZ_k, Z_k ~ N(0, Iₙ), with
/// γ_k = η_k/10 over 10× the SGD run's steps, η_k = η^SGD_{⌊k/10⌋} and
/// δ_k = c·L(θ^SGD_{⌊k/10⌋}).
///
/// One [`step`](Optimizer::step) at SGD iteration t (step size η = η^SGD_t from the run's schedule)
/// is `substeps` (10) Euler–Maruyama steps of [`GradientNoiseSde`] with γ = η/`substeps`,
/// σ = √(η·c·L(θ^SGD_t)) and ΔB = √γ·Z. So the generic training loop and recorder log it on the
/// SGD run's grid: row t holds θ at SDE time step 10t. Draw order: per substep, n normals in
/// index order (none for gradient flow). Gradient flow is the same recursion without noise
/// ([`Eq58::gradient_flow`]).
#[derive(Debug, Clone)]
pub struct Eq58 {
    loss: Loss,
    c: f64,
    substeps: usize,
    reference: Arc<[f64]>,
    em: EulerMaruyama,
    dw: Vec<f64>,
}

impl Eq58 {
    /// The SDE of Eq. (58) with noise constant `c`, following the SGD losses `reference`
    /// (L(θ^SGD_t) for t = 0, 1, …; see [`LossTape`]).
    pub fn new(loss: Loss, c: f64, substeps: usize, reference: Arc<[f64]>) -> Self {
        Self { loss, c, substeps: substeps.max(1), reference, em: EulerMaruyama::new(), dw: Vec::new() }
    }
    /// Gradient flow: Eq. (58) without the noise term.
    pub fn gradient_flow(loss: Loss, substeps: usize) -> Self {
        Self::new(loss, 0.0, substeps, Arc::from(Vec::new()))
    }
    /// δ_t = c·L(θ^SGD_t) (the last recorded loss past the tape's end; 0 for gradient flow).
    pub fn delta(&self, t: usize) -> f64 {
        match self.reference.len() {
            0 => 0.0,
            len => self.c * self.reference[t.min(len - 1)],
        }
    }
    /// EM steps per SGD iteration.
    pub fn substeps(&self) -> usize {
        self.substeps
    }
}

impl Optimizer for Eq58 {
    fn step(&mut self, step: Step<'_>, theta: &mut [f64], rng: &mut dyn RandomSource) {
        let Step { model, data, eta, t } = step;
        let gamma = eta / self.substeps as f64;
        let sigma = (eta * self.delta(t)).max(0.0).sqrt();
        let mut sde = GradientNoiseSde::new(model, data, self.loss, sigma);
        let n = data.len();
        self.dw.resize(n, 0.0);
        let sq = gamma.sqrt();
        for k in 0..self.substeps {
            if sigma > 0.0 {
                for w in self.dw.iter_mut() {
                    *w = sq * rng.standard_normal();
                }
            }
            let time = (t * self.substeps + k) as f64 * gamma;
            self.em.step(&mut sde, time, theta, gamma, &self.dw);
        }
    }
}

/// An optimizer that records the training loss L(θ_t) at the start of every iteration t, then
/// delegates the step: run SGD through it to get the δ_t of Eq. (58) at every iteration (the
/// recorder only sees the logging grid).
pub struct LossTape {
    inner: Box<dyn Optimizer>,
    loss: Loss,
    pred: Vec<f64>,
    /// L(θ_t), t = 0, 1, … (one entry per step taken).
    pub losses: Vec<f64>,
}

impl LossTape {
    /// Records the losses of `inner`'s iterates.
    pub fn new(inner: Box<dyn Optimizer>, loss: Loss) -> Self {
        Self { inner, loss, pred: Vec::new(), losses: Vec::new() }
    }
}

impl Optimizer for LossTape {
    fn step(&mut self, step: Step<'_>, theta: &mut [f64], rng: &mut dyn RandomSource) {
        let Step { model, data, t, .. } = step;
        debug_assert_eq!(self.losses.len(), t, "LossTape must see iterations 0, 1, … in order");
        self.pred.resize(data.len(), 0.0);
        model.predict_all(theta, &data.x, &mut self.pred);
        self.losses.push(self.loss.value(&self.pred, &data.y));
        self.inner.step(step, theta, rng);
    }
}
