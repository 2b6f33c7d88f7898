//! Appendix C's discretization of the SDE (Eq. 58) as an [`Optimizer`], and the loss tape of the
//! SGD run it follows.

use super::normals::Normals;
use super::probed::GradientStep;
use super::sharpness::{Sharpness, LANCZOS_STEPS};
use super::{EulerMaruyama, GradientNoiseSde};
use crate::loss::Loss;
use crate::model::CurvatureBound;
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
/// SGD run's grid: row t holds θ at SDE time step 10t. Draws: at its first step the SDE takes one
/// uniform from the run's stream to seed its [`Normals`] (ChaCha8 + ziggurat), then per substep n
/// normals from it in index order; gradient flow draws nothing. No allocation per step after the
/// first. Gradient flow is the same recursion without noise
/// ([`Eq58::gradient_flow`]); the stable flow ([`Eq58::stable_flow`]) takes as many more substeps
/// as keep γ·λ_max ≤ 1.
#[derive(Debug, Clone)]
pub struct Eq58 {
    loss: Loss,
    c: f64,
    substeps: usize,
    reference: Arc<[f64]>,
    em: EulerMaruyama,
    dw: Vec<f64>,
    residuals: Vec<f64>,
    normals: Option<Normals>,
    stable: Option<Stability>,
    gamma: f64,
    /// Why the run was stopped: δ_t was not a finite number ≥ 0 (see [`Eq58::delta`]). The
    /// caller must turn it into an error; the iterate is set to NaN so the loop stops.
    pub error: Option<String>,
}

/// The stable flow's step control: λ̂ = λ_max(∇²L(θ_t)) re-estimated at every SGD iteration
/// (by [`WARM_STEPS`] Lanczos steps warm-started from the last top Ritz vector, and by
/// [`LANCZOS_STEPS`] at each of the first `every` iterations, where λ_max changes fastest, and
/// every `every` iterations after); iteration t then takes
/// k_t = max(substeps, ⌈η_t·λ̂⌉) steps of γ = η_t/k_t, so γ·λ̂ ≤ 1, a factor 2 inside the
/// stability bound for λ_max to grow within the iteration. (Re-estimating only every 10th
/// iteration while γ·λ̂ ≤ 1/4 was tried: on the two-layer teacher–student net, λ_max grew more
/// than tenfold between two estimates early in the warmup, and 4 of 415 probes saw γ·λ_max ≥ 2.)
///
/// Where the model has a [`CurvatureBound`] Λ (the diagonal net), an iteration whose base step
/// already satisfies γ·w·Λ(θ_t) ≤ 1 (w the loss's residual weight, so w·Λ ≥ λ_max) takes the base
/// substeps without a Lanczos estimate: the same k_t as λ̂ ≤ λ_max gives, at the cost of one pass
/// over the data instead of 6.6 gradients (a warm estimate is three products, two Lanczos steps
/// and the Rayleigh quotient). The next estimate after such iterations is a full one.
#[derive(Debug, Clone)]
struct Stability {
    sharpness: Sharpness,
    every: usize,
    lambda: f64,
    /// The first SGD iteration that took more than the base substeps, if any.
    first_refined: Option<usize>,
    /// The model's curvature bound on the training points (looked up at the first iteration).
    bound: Option<Option<Arc<dyn CurvatureBound>>>,
    /// Whether the last iteration estimated λ̂ by Lanczos (its Ritz vector is current).
    warm: bool,
}

/// Lanczos steps of the stable flow's per-iteration re-estimate (warm-started).
pub const WARM_STEPS: usize = 2;

/// Most substeps the stable flow takes per SGD iteration (1000× the base count): beyond it the
/// flow is not refined further, and its probes show γ·λ_max as it is.
pub const MAX_REFINEMENT: usize = 1000;

impl Eq58 {
    /// The SDE of Eq. (58) with noise constant `c`, following the SGD losses `reference`
    /// (L(θ^SGD_t) for t = 0, 1, …; see [`LossTape`]).
    pub fn new(loss: Loss, c: f64, substeps: usize, reference: Arc<[f64]>) -> Self {
        let substeps = substeps.max(1);
        Self {
            loss,
            c,
            substeps,
            reference,
            em: EulerMaruyama::new(),
            dw: Vec::new(),
            residuals: Vec::new(),
            normals: None,
            stable: None,
            gamma: f64::NAN,
            error: None,
        }
    }
    /// Gradient flow: Eq. (58) without the noise term.
    pub fn gradient_flow(loss: Loss, substeps: usize) -> Self {
        Self::new(loss, 0.0, substeps, Arc::from(Vec::new()))
    }
    /// Gradient flow that stays a flow: Eq. (58) without noise, with at least `substeps` steps per
    /// SGD iteration and as many more as keep γ·λ̂ ≤ 1, λ̂ = λ_max(∇²L) re-estimated at every
    /// iteration (fully in the first `every` iterations and every `every` after; Lanczos start
    /// vector seeded by `seed`).
    pub fn stable_flow(loss: Loss, substeps: usize, every: usize, seed: u64) -> Self {
        let mut f = Self::gradient_flow(loss, substeps);
        f.stable = Some(Stability {
            sharpness: Sharpness::new(seed),
            every: every.max(1),
            lambda: 0.0,
            first_refined: None,
            bound: None,
            warm: false,
        });
        f
    }
    /// The stable flow's first SGD iteration that took more than the base substeps (None: none
    /// did, or this is not the stable flow). Until then the stable flow is gradient flow at
    /// γ = η/substeps step for step (the same operations on the same numbers): a stable flow that
    /// never refined *is* that gradient flow, bit for bit.
    pub fn first_refinement(&self) -> Option<usize> {
        self.stable.as_ref().and_then(|st| st.first_refined)
    }
    /// δ_t = c·L(θ^SGD_t) (the last recorded loss past the tape's end; 0 for gradient flow), or
    /// an error naming t if that is not a finite number ≥ 0 (a NaN reference loss must not
    /// silently become a noise-free step).
    pub fn delta(&self, t: usize) -> Result<f64, String> {
        let d = match self.reference.len() {
            0 => return Ok(0.0),
            len => self.c * self.reference[t.min(len - 1)],
        };
        if d.is_finite() && d >= 0.0 {
            Ok(d)
        } else {
            Err(format!("δ_{t} = c·L(θ^SGD_{t}) = {d} is not a finite number ≥ 0 (c = {})", self.c))
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
        let delta = match self.delta(t) {
            Ok(d) => d,
            Err(why) => {
                // Undefined noise: stop the loop (NaN iterate) and keep the reason for the caller.
                theta.fill(f64::NAN);
                self.gamma = f64::NAN;
                self.error.get_or_insert(why);
                return;
            }
        };
        let mut substeps = self.substeps;
        if let Some(st) = &mut self.stable {
            let w = self.loss.residual_weight(data.len());
            let bound = st.bound.get_or_insert_with(|| model.as_curvature().and_then(|c| c.curvature_bound(&data.x)));
            let certified = bound
                .as_ref()
                .map(|b| w * b.at(theta, &data.x, &data.y))
                .filter(|&l| l.is_finite() && eta * l <= self.substeps as f64);
            // A certified bound needs no more than the base substeps; otherwise λ̂ decides.
            st.lambda = certified.unwrap_or_else(|| {
                let full = t < st.every || t % st.every == 0 || !st.warm;
                let steps = if full { LANCZOS_STEPS } else { WARM_STEPS };
                st.sharpness.estimate(model, self.loss, data, theta, steps)
            });
            st.warm = certified.is_none();
            if st.lambda.is_finite() && st.lambda > 0.0 {
                let need = (eta * st.lambda).ceil().min((MAX_REFINEMENT * self.substeps) as f64) as usize;
                substeps = substeps.max(need);
            }
            if substeps > self.substeps {
                st.first_refined.get_or_insert(t);
            }
        }
        let gamma = eta / substeps as f64;
        self.gamma = gamma;
        let sigma = (eta * delta).sqrt();
        let buffer = std::mem::take(&mut self.residuals);
        let mut sde = GradientNoiseSde::with_buffer(model, data, self.loss, sigma, buffer);
        self.dw.resize(data.len(), 0.0);
        let sq = gamma.sqrt();
        for k in 0..substeps {
            if sigma > 0.0 {
                let z = self.normals.get_or_insert_with(|| Normals::from_source(rng));
                z.fill(&mut self.dw);
                for w in self.dw.iter_mut() {
                    *w *= sq;
                }
            }
            let time = t as f64 * eta + k as f64 * gamma;
            self.em.step(&mut sde, time, theta, gamma, &self.dw);
        }
        self.residuals = sde.into_buffer();
    }
}

impl GradientStep for Eq58 {
    fn last_gamma(&self) -> f64 {
        self.gamma
    }
}

/// An optimizer that records the training loss L(θ_t) at the start of every iteration t, then
/// delegates the step: run SGD through it to get the δ_t of Eq. (58) at every iteration (the
/// recorder only sees the logging grid).
pub struct LossTape {
    inner: Box<dyn Optimizer>,
    loss: Loss,
    pred: Vec<f64>,
    eta: f64,
    /// L(θ_t), t = 0, 1, … (one entry per step taken).
    pub losses: Vec<f64>,
}

impl LossTape {
    /// Records the losses of `inner`'s iterates.
    pub fn new(inner: Box<dyn Optimizer>, loss: Loss) -> Self {
        Self { inner, loss, pred: Vec::new(), eta: f64::NAN, losses: Vec::new() }
    }
}

impl Optimizer for LossTape {
    fn step(&mut self, step: Step<'_>, theta: &mut [f64], rng: &mut dyn RandomSource) {
        let Step { model, data, t, .. } = step;
        debug_assert_eq!(self.losses.len(), t, "LossTape must see iterations 0, 1, … in order");
        self.pred.resize(data.len(), 0.0);
        model.predict_all(theta, &data.x, &mut self.pred);
        self.losses.push(self.loss.value(&self.pred, &data.y));
        self.eta = step.eta;
        self.inner.step(step, theta, rng);
    }
}

/// SGD's gradient step is η itself.
impl GradientStep for LossTape {
    fn last_gamma(&self) -> f64 {
        self.eta
    }
}
