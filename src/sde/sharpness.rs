//! The sharpness λ_max(∇²L(θ)) along a run, and the stability of a gradient step against it.
//!
//! A gradient step θ ← θ − γ∇L(θ) is linearly stable at θ only if γ·λ_max(∇²L(θ)) < 2: along the
//! top eigenvector the error is multiplied by 1 − γλ_max. So a "gradient flow" discretized with
//! γ_t = η_t/10 stays a flow only while γ_t·λ_max < 2; beyond it the discretization catapults
//! (and SGD at γ = η sits at the edge of stability 2/η of the large-step regime).
//!
//! λ_max is the largest (algebraic) eigenvalue, found by the Lanczos method on Hessian–vector
//! products, warm-started from the previous top Ritz vector so that a probe along a run costs a
//! few products. A product is the model's exact one where it has one
//! ([`Model::as_hessian`]: the ReLU nets, by the R-operator, in f64, almost everywhere),
//! else the central difference of the analytic gradient,
//! ∇²L(θ)v ≈ (∇L(θ + εv) − ∇L(θ − εv))/(2ε) (error O(ε²); the diagonal net, which is smooth).
//! Before session 9 the ReLU nets were differenced too, and a difference whose θ ± εv crossed a
//! unit's kink jumped by (gradient jump)/2ε (see [`EPSILON`]); the exact product has no such
//! artifacts, and on a float32 net it is free of the gradient's float32 rounding as well.
//!
//! Why Lanczos and not power iteration: power iteration converges to the eigenvalue of largest
//! *modulus*, at the rate |λ₂/λ₁| per step. The diagonal net's Hessian at θ₀ = (α𝟙, 0) is
//! w·[[0, D], [D, α²XᵀX]] with D = diag(Xᵀr): its spectrum is nearly symmetric (eigenvalues
//! ≈ ±|Dⱼⱼ|), so 30 power iterations did not separate λ_max from the negative eigenvalue of
//! nearly the same modulus, and the estimate depended on the start vector (up to 76 % between
//! two start vectors). The largest eigenvalue of the k × k tridiagonal T_k = Q_kᵀ∇²L Q_k (Q_k an
//! orthonormal basis of the Krylov space of the start vector) converges to the algebraic λ_max
//! (Kaniel–Paige: the error shrinks like a Chebyshev polynomial in the gap ratio, not like
//! |λ₂/λ₁|ᵏ), and it is never above λ_max (Cauchy interlacing), up to the error of the
//! difference products. The estimate reported is the Rayleigh quotient of its Ritz vector, the
//! same number where the products are linear ([`Sharpness::estimate`] says why it matters on
//! ReLU nets).

use crate::data::Dataset;
use crate::linalg::dot;
use crate::loss::Loss;
use crate::model::Model;
use crate::optim::loss_gradient;
use crate::rng::{ChaChaSource, RandomSource};
use faer::Mat;

/// Lanczos steps (Hessian–vector products) of a full estimate: a probe, or the stable flow's
/// periodic re-estimate.
pub const LANCZOS_STEPS: usize = 30;

/// A Lanczos estimator of λ_max(∇²L(θ)) keeping its top Ritz vector between calls.
/// Its first start vector is drawn from its own ChaCha stream (`seed`), so probing a run never
/// touches the run's random numbers.
#[derive(Debug, Clone, Default)]
pub struct Sharpness {
    seed: u64,
    /// The start vector of the next estimate (the last top Ritz vector).
    v: Vec<f64>,
    hv: Vec<f64>,
    plus: Vec<f64>,
    g_plus: Vec<f64>,
    g_minus: Vec<f64>,
    pred: Vec<f64>,
    /// The Lanczos basis q₀, q₁, … (row after row, p values each).
    basis: Vec<f64>,
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// The relative step of the difference products (models without an exact product). Their error
/// on a smooth model is O(ε²) (10⁻⁸ relative here). Measured when the ReLU nets were differenced (before
/// session 9): a product whose θ ± εv crosses a unit's kink jumps by (gradient jump)/2ε, so a
/// smaller ε makes such artifacts rarer but larger: with ε = 10⁻⁵ the
/// 1-D ReLU net's SGD showed γ·λ_max up to 4.4 at probes where ε = 10⁻⁴ and 10⁻⁶ both measure
/// ≈ 0.5–0.65 (λ ≈ 40–47), and its γ = η/10 flow a median maximum of 5.6 where the real edge
/// (γ·λ = 2.01, its catapult at iterations 6957 and 8854) is seen alike with both.
pub const EPSILON: f64 = 1e-4;

/// Relative size of a Lanczos residual below which the Krylov space counts as invariant: the
/// difference products carry a relative error near 10⁻⁸ on a smooth model (O(ε²) with
/// ε = [`EPSILON`], plus rounding divided by ε), so a smaller residual is noise, not a new
/// direction.
const BREAKDOWN: f64 = 1e-7;

impl Sharpness {
    /// An estimator whose first start vector is drawn from a ChaCha stream seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self { seed, ..Default::default() }
    }

    /// ∇²L(θ)v into `self.hv`: the model's exact product where it has one
    /// ([`Model::as_hessian`]: the ReLU nets), else central differences of the gradient,
    /// step ε = [`EPSILON`]·max(1, ‖θ‖) along the unit vector v.
    fn hvp(&mut self, model: &dyn Model, loss: Loss, data: &Dataset, theta: &[f64]) {
        self.hv.resize(theta.len(), 0.0);
        if let Some(h) = model.as_hessian() {
            h.loss_hessian_mul(theta, &data.x, &data.y, loss.residual_weight(data.len()), &self.v, &mut self.hv);
            return;
        }
        let eps = EPSILON * norm(theta).max(1.0);
        self.plus.clear();
        self.plus.extend(theta.iter().zip(&self.v).map(|(t, v)| t + eps * v));
        loss_gradient(model, loss, &self.plus, data, &mut self.pred, &mut self.g_plus);
        self.plus.clear();
        self.plus.extend(theta.iter().zip(&self.v).map(|(t, v)| t - eps * v));
        loss_gradient(model, loss, &self.plus, data, &mut self.pred, &mut self.g_minus);
        self.hv.clear();
        self.hv.extend(self.g_plus.iter().zip(&self.g_minus).map(|(p, m)| (p - m) / (2.0 * eps)));
    }

    /// λ_max(∇²L(θ)), the largest (algebraic) eigenvalue, by `steps` Lanczos steps (at most p)
    /// from the previous call's top Ritz vector (or a random unit vector on the first call):
    /// qⱼ₊₁βⱼ = ∇²L qⱼ − αⱼqⱼ − βⱼ₋₁qⱼ₋₁ with αⱼ = qⱼᵀ∇²L qⱼ, the residual reorthogonalized
    /// against every earlier qᵢ (full reorthogonalization, so T_k stays the projection of ∇²L on
    /// the Krylov space in floating point), stopping early where βⱼ ≤ 10⁻⁷·max|T| (an invariant
    /// space). Takes the top eigenpair (λ, z) of the tridiagonal T = tridiag(β, α, β), and returns
    /// the Rayleigh quotient yᵀ∇²L y of its Ritz vector y = Q z by one more product (= λ up to the
    /// error of the products where they are linear in v; see below), keeping y for the next call.
    /// NaN if θ or a gradient is not finite.
    ///
    /// The differenced products are linear in v only where the gradient is differentiable along
    /// θ ± εv. For a ReLU net differenced (as before session 9, when it had no exact product),
    /// θ ± εv crosses a kink of some unit wherever a pre-activation lies within ~ε of zero, and
    /// the product jumps: Lanczos then builds T from products that are not
    /// one linear map, and its top Ritz value was measured up to 4× the Rayleigh quotient of its
    /// own Ritz vector on the two-layer teacher–student net (with ε = 10⁻⁵). So the Ritz value is
    /// only used to pick the direction; the number returned is a curvature measured along it.
    pub fn estimate(&mut self, model: &dyn Model, loss: Loss, data: &Dataset, theta: &[f64], steps: usize) -> f64 {
        let p = theta.len();
        if p == 0 {
            return f64::NAN;
        }
        if self.v.len() != p || !self.v.iter().all(|x| x.is_finite()) || norm(&self.v) == 0.0 {
            let mut rng = ChaChaSource::new(self.seed);
            self.v = (0..p).map(|_| rng.standard_normal()).collect();
        }
        let n = norm(&self.v);
        self.v.iter_mut().for_each(|x| *x /= n);
        self.basis.clear();
        self.basis.extend_from_slice(&self.v);
        let (mut alpha, mut beta) = (Vec::new(), Vec::new());
        let (mut scale, k) = (0.0f64, steps.clamp(1, p));
        for j in 0..k {
            self.v.copy_from_slice(&self.basis[j * p..(j + 1) * p]);
            self.hvp(model, loss, data, theta);
            if !self.hv.iter().all(|x| x.is_finite()) {
                return f64::NAN;
            }
            let a = dot(&self.v, &self.hv);
            alpha.push(a);
            scale = scale.max(a.abs());
            // hv ← hv − αⱼqⱼ − βⱼ₋₁qⱼ₋₁, then once more against every qᵢ.
            for (h, q) in self.hv.iter_mut().zip(&self.v) {
                *h -= a * q;
            }
            if let Some(&b) = beta.last() {
                for (h, q) in self.hv.iter_mut().zip(&self.basis[(j - 1) * p..j * p]) {
                    *h -= b * q;
                }
            }
            for q in self.basis.chunks_exact(p) {
                let c = dot(q, &self.hv);
                self.hv.iter_mut().zip(q).for_each(|(h, qi)| *h -= c * qi);
            }
            let b = norm(&self.hv);
            if j + 1 == k || b <= BREAKDOWN * scale {
                break;
            }
            scale = scale.max(b);
            beta.push(b);
            self.basis.extend(self.hv.iter().map(|h| h / b));
        }
        let m = alpha.len();
        let t = Mat::from_fn(m, m, |i, k| match i.abs_diff(k) {
            0 => alpha[i],
            1 => beta[i.min(k)],
            _ => 0.0,
        });
        let Ok(eig) = t.self_adjoint_eigen(faer::Side::Lower) else { return f64::NAN };
        // The top Ritz vector y = Q z (unit: Q orthonormal, z unit) starts the next call.
        let z = eig.U().col(m - 1);
        self.v.iter_mut().for_each(|x| *x = 0.0);
        for (i, q) in self.basis.chunks_exact(p).take(m).enumerate() {
            self.v.iter_mut().zip(q).for_each(|(v, qi)| *v += z[i] * qi);
        }
        if m == 1 {
            return alpha[0];
        }
        // Its Rayleigh quotient yᵀ∇²L y, measured by one more product: the Ritz value where the
        // products are linear in v (a smooth model), the curvature actually measured along y where
        // they are not (a ReLU kink crossed by θ ± εv), never an artifact of the recurrence.
        self.hvp(model, loss, data, theta);
        let rq = dot(&self.v, &self.hv);
        if rq.is_finite() {
            rq
        } else {
            f64::NAN
        }
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
