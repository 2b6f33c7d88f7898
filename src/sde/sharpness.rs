//! The sharpness λ_max(∇²L(θ)) along a run, and the stability of a gradient step against it.
//!
//! A gradient step θ ← θ − γ∇L(θ) is linearly stable at θ only if γ·λ_max(∇²L(θ)) < 2: along the
//! top eigenvector the error is multiplied by 1 − γλ_max. So a "gradient flow" discretized with
//! γ_t = η_t/10 stays a flow only while γ_t·λ_max < 2; beyond it the discretization catapults
//! (and SGD at γ = η sits at the edge of stability 2/η of the large-step regime).
//!
//! λ_max is found by power iteration on Hessian–vector products, each the central difference of
//! the analytic gradient, ∇²L(θ)v ≈ (∇L(θ + εv) − ∇L(θ − εv))/(2ε) (error O(ε²)), warm-started from
//! the previous top eigenvector so that a probe along a run costs a few products.

use crate::data::Dataset;
use crate::loss::Loss;
use crate::model::Model;
use crate::optim::loss_gradient;
use crate::rng::{ChaChaSource, RandomSource};

/// Power iterations per estimate (warm-started, so later probes converge in a few).
pub const POWER_ITERATIONS: usize = 30;

/// A power-iteration estimator of λ_max(∇²L(θ)) keeping its eigenvector between calls.
/// Its start vector is drawn from its own ChaCha stream (`seed`), so probing a run never
/// touches the run's random numbers.
#[derive(Debug, Clone, Default)]
pub struct Sharpness {
    seed: u64,
    v: Vec<f64>,
    hv: Vec<f64>,
    plus: Vec<f64>,
    g_plus: Vec<f64>,
    g_minus: Vec<f64>,
    pred: Vec<f64>,
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

impl Sharpness {
    /// An estimator whose first start vector is drawn from a ChaCha stream seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self { seed, ..Default::default() }
    }

    /// ∇²L(θ)v into `self.hv` by central differences of the gradient, step ε = 10⁻⁵·max(1, ‖θ‖)
    /// along the unit vector v.
    fn hvp(&mut self, model: &dyn Model, loss: Loss, data: &Dataset, theta: &[f64]) {
        let eps = 1e-5 * norm(theta).max(1.0);
        self.plus.clear();
        self.plus.extend(theta.iter().zip(&self.v).map(|(t, v)| t + eps * v));
        loss_gradient(model, loss, &self.plus, data, &mut self.pred, &mut self.g_plus);
        self.plus.clear();
        self.plus.extend(theta.iter().zip(&self.v).map(|(t, v)| t - eps * v));
        loss_gradient(model, loss, &self.plus, data, &mut self.pred, &mut self.g_minus);
        self.hv.clear();
        self.hv.extend(self.g_plus.iter().zip(&self.g_minus).map(|(p, m)| (p - m) / (2.0 * eps)));
    }

    /// The top eigenvalue (largest in modulus; the Rayleigh quotient vᵀ∇²Lv of the final
    /// iterate, so a negative one is reported as such) of ∇²L(θ) after `iterations` power
    /// iterations, warm-started from the previous call's eigenvector (or a random unit vector
    /// on the first call). NaN if θ or the gradient is not finite.
    pub fn estimate(&mut self, model: &dyn Model, loss: Loss, data: &Dataset, theta: &[f64], iterations: usize) -> f64 {
        if self.v.len() != theta.len() || !self.v.iter().all(|x| x.is_finite()) || norm(&self.v) == 0.0 {
            let mut rng = ChaChaSource::new(self.seed);
            self.v = (0..theta.len()).map(|_| rng.standard_normal()).collect();
        }
        let n = norm(&self.v);
        self.v.iter_mut().for_each(|x| *x /= n);
        let mut lambda = f64::NAN;
        for _ in 0..iterations.max(1) {
            self.hvp(model, loss, data, theta);
            lambda = self.v.iter().zip(&self.hv).map(|(a, b)| a * b).sum();
            let n = norm(&self.hv);
            if !(n.is_finite() && n > 0.0) {
                return if n == 0.0 { 0.0 } else { f64::NAN };
            }
            self.v.iter_mut().zip(&self.hv).for_each(|(v, h)| *v = h / n);
        }
        lambda
    }
}

/// One probe along a run: at SGD iteration `iteration` (step size η = `step_size`) the run's
/// gradient step γ and the sharpness λ_max.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probe {
    /// SGD iteration t.
    pub iteration: usize,
    /// η_t of the schedule.
    pub step_size: f64,
    /// The run's gradient step: η_t for SGD, η_t/substeps for the SDE and the flows.
    pub gamma: f64,
    /// λ_max(∇²L(θ_t)).
    pub lambda: f64,
}

impl Probe {
    /// γ·λ_max: the step is linearly unstable along the top eigenvector when ≥ 2.
    pub fn gamma_lambda(&self) -> f64 {
        self.gamma * self.lambda
    }
}

/// The first probe at which γ·λ_max ≥ 2 (or is NaN), if any.
pub fn first_unstable(trace: &[Probe]) -> Option<&Probe> {
    trace.iter().find(|p| p.gamma_lambda().is_nan() || p.gamma_lambda() >= 2.0)
}
