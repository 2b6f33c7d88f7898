//! An optimizer wrapper that measures the sharpness λ_max(∇²L(θ_t)) at chosen iterations, next
//! to the gradient step γ the wrapped optimizer takes there.

use super::sharpness::{Probe, Sharpness, LANCZOS_STEPS};
use crate::loss::Loss;
use crate::optim::{Optimizer, Step};
use crate::rng::RandomSource;

/// An optimizer that knows the gradient step γ of its last iteration (η for SGD, η/substeps for
/// the Euler–Maruyama runs of Eq. 58).
pub trait GradientStep: Optimizer {
    /// γ of the last [`step`](Optimizer::step).
    fn last_gamma(&self) -> f64;
}

/// Runs `inner` and, at the iterations of `at` (increasing), records a [`Probe`]: λ_max(∇²L(θ_t))
/// before the step and the γ the step used. Probing draws nothing from the run's stream, so the
/// wrapped run is bit-identical to the unwrapped one.
pub struct Probed<O> {
    /// The wrapped optimizer.
    pub inner: O,
    loss: Loss,
    at: Vec<usize>,
    next: usize,
    sharpness: Sharpness,
    /// The probes taken, in order.
    pub trace: Vec<Probe>,
}

impl<O: GradientStep> Probed<O> {
    /// Probes `inner` at the iterations `at` (sorted increasing), Lanczos start vector seeded by `seed`.
    pub fn new(inner: O, loss: Loss, at: Vec<usize>, seed: u64) -> Self {
        Self { inner, loss, at, next: 0, sharpness: Sharpness::new(seed), trace: Vec::new() }
    }
}

impl<O: GradientStep> Optimizer for Probed<O> {
    fn step(&mut self, step: Step<'_>, theta: &mut [f64], rng: &mut dyn RandomSource) {
        let Step { model, data, eta, t } = step;
        while self.at.get(self.next).is_some_and(|&p| p < t) {
            self.next += 1;
        }
        let lambda = (self.at.get(self.next) == Some(&t))
            .then(|| self.sharpness.estimate(model, self.loss, data, theta, LANCZOS_STEPS));
        self.inner.step(step, theta, rng);
        if let Some(lambda) = lambda {
            self.trace.push(Probe { iteration: t, step_size: eta, gamma: self.inner.last_gamma(), lambda });
            self.next += 1;
        }
    }
}
