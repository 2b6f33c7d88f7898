//! Models: parametric predictors h_θ : ℝᵈ → ℝ with analytic gradients.
//!
//! A [`Model`] owns its architecture (sizes), never its parameters: θ is a flat `&[f64]` so that
//! every trainer, the SDE integrator and the theory checks share one representation. Each model
//! gives h_θ(x) and ∇_θ h_θ(x); everything else — the Jacobian φ_θ(X) of Eq. (8), the gradient
//! of the loss of Eq. (1), the SGD noise φ_θ(X)ᵀz — has a generic default built from those two
//! that a model may override when its structure gives a faster route with the same numbers.

pub mod curvature;
mod diagonal;
mod kernels;
pub mod mlp;
pub mod precision;
mod quadratic;

pub use curvature::CurvatureBound;
pub use diagonal::DiagonalNet;
pub use mlp::{MlpInit, ReluMlp};
pub use precision::Precision;
pub use quadratic::Quadratic;

use crate::linalg::Points;
use crate::rng::RandomSource;
use faer::Mat;
use std::sync::Arc;

/// Small instances of every model of the library, by name, for property tests that must hold
/// for all of them (gradients vs finite differences, Prop. 2.1). A new model adds one line here.
pub fn catalog() -> Vec<(&'static str, Box<dyn Model>)> {
    vec![
        ("diagonal", Box::new(DiagonalNet::new(7, 0.1))),
        ("quadratic", Box::new(Quadratic::new(0.5))),
        (
            "two-layer relu",
            Box::new(ReluMlp::two_layer(3, 6, true, true, MlpInit::Gaussian { scales: vec![1.0, 1.0] })),
        ),
        ("relu mlp", {
            let init = MlpInit::Gaussian { scales: vec![1.0; 3] };
            Box::new(ReluMlp::new(3, &[5, 4], &[true, true, true], init))
        }),
    ]
}

/// A parametric predictor h_θ(x) with flat parameters θ ∈ ℝᵖ.
///
/// Required: [`num_params`](Model::num_params), [`input_dim`](Model::input_dim),
/// [`init`](Model::init), [`grad`](Model::grad). Everything else has a generic default, in two
/// kinds: fast paths that give the default's numbers by a shorter route (`residual_step`,
/// `predict_all`, `jacobian_t_mul`, …, [`jacobian_structure`](Model::jacobian_structure)), and
/// optional capabilities, each `as_*` returning `Option<&dyn Trait>` (`None` by default):
/// [`as_linear`](Model::as_linear), [`as_features`](Model::as_features),
/// [`as_hessian`](Model::as_hessian), [`as_curvature`](Model::as_curvature). Validation asks the
/// built model for a capability, never the config's kind.
pub trait Model: Send + Sync {
    /// Number of parameters p.
    fn num_params(&self) -> usize;
    /// Input dimension d.
    fn input_dim(&self) -> usize;
    /// Draws the initial parameters θ₀ from `rng` (each model documents its draw order).
    fn init(&self, rng: &mut dyn RandomSource) -> Vec<f64>;
    /// Writes ∇_θ h_θ(x) into `out` (length p, overwritten) and returns h_θ(x).
    fn grad(&self, theta: &[f64], x: &[f64], out: &mut [f64]) -> f64;

    /// The format of the model's arithmetic; optimizers round their updates to it. Default
    /// `f64`.
    fn precision(&self) -> Precision {
        Precision::F64
    }

    /// One step on a single example (SGD with a batch of one, Eq. 2):
    /// θ_k ← round(θ_k − round(w·∂_k h_θ(x))) with w = `scale`·(h_θ(x) − y), rounding to
    /// [`precision`](Model::precision); returns h_θ(x). `buf` is scratch of length p.
    ///
    /// Default: [`grad`](Model::grad) into `buf`, then the update. A model may override it with a
    /// fused loop that performs the same floating-point operations in the same order (so the
    /// same bits): the step is most of a small-model run's cost.
    fn residual_step(&self, theta: &mut [f64], x: &[f64], y: f64, scale: f64, buf: &mut [f64]) -> f64 {
        let h = self.grad(theta, x, buf);
        let w = scale * (h - y);
        let prec = self.precision();
        for (th, g) in theta.iter_mut().zip(buf.iter()) {
            *th = prec.round(*th - prec.round(w * g));
        }
        h
    }

    /// h_θ(x). Default: through [`grad`](Model::grad).
    fn predict(&self, theta: &[f64], x: &[f64]) -> f64 {
        let mut g = vec![0.0; self.num_params()];
        self.grad(theta, x, &mut g)
    }

    /// h_θ(x_i) for every point, into `out`.
    fn predict_all(&self, theta: &[f64], xs: &Points, out: &mut [f64]) {
        for (o, x) in out.iter_mut().zip(xs.rows()) {
            *o = self.predict(theta, x);
        }
    }

    /// φ_θ(X)ᵀc with cᵢ = `weight(i, h_θ(xᵢ))`, a weight that depends on point i's own prediction
    /// (the Euler–Maruyama increment of Eq. 8: cᵢ = −Δt·w_L·(h_θ(xᵢ) − yᵢ) + σΔBᵢ), into `out`
    /// (length p, overwritten); on return `c[i]` holds cᵢ (`c` has one entry per point). `weight`
    /// is called once per point, in increasing i (a caller may accumulate over it, as
    /// [`loss_gradient`](crate::optim::loss_gradient) sums the squared residuals).
    ///
    /// Default: [`predict_all`](Model::predict_all) into `c`, the weights, then
    /// [`jacobian_t_mul`](Model::jacobian_t_mul). A model that computes φᵀc point by point may
    /// override it to reuse each point's forward pass, or the diagonal net to stream X once, with
    /// the same operations (so the same bits).
    fn weighted_jacobian_t_mul(
        &self,
        theta: &[f64],
        xs: &Points,
        weight: &mut dyn FnMut(usize, f64) -> f64,
        c: &mut [f64],
        out: &mut [f64],
    ) {
        self.predict_all(theta, xs, c);
        for (i, ci) in c.iter_mut().enumerate() {
            *ci = weight(i, *ci);
        }
        self.jacobian_t_mul(theta, xs, c, out);
    }

    /// φ_θ(X)ᵀ c = Σᵢ cᵢ ∇_θ h_θ(xᵢ) into `out` (length p, overwritten).
    ///
    /// With cᵢ = rᵢ/n this is the gradient of the half-MSE loss (Eq. 1); with c = z ~ N(0, Iₙ) it
    /// is the SGD noise of the SDE (Eq. 8).
    ///
    /// Default: one [`grad`](Model::grad) per point with cᵢ ≠ 0, into a per-thread buffer (no
    /// allocation per call: the Euler–Maruyama loop of Eq. 58 calls this at every step).
    fn jacobian_t_mul(&self, theta: &[f64], xs: &Points, c: &[f64], out: &mut [f64]) {
        thread_local! {
            static GRAD: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        out.fill(0.0);
        GRAD.with(|g| {
            // A model whose `grad` calls back into this default on the same thread gets a fresh
            // buffer instead of a panic.
            let mut fresh = Vec::new();
            let mut held = g.try_borrow_mut();
            let g: &mut Vec<f64> = match held.as_mut() {
                Ok(g) => g,
                Err(_) => &mut fresh,
            };
            g.resize(self.num_params(), 0.0);
            for (ci, x) in c.iter().zip(xs.rows()) {
                if *ci != 0.0 {
                    self.grad(theta, x, g);
                    for (o, gi) in out.iter_mut().zip(g.iter()) {
                        *o += ci * gi;
                    }
                }
            }
        });
    }

    /// The Jacobian φ_θ(X) = [∇_θ h_θ(x_i)ᵀ]ᵢ ∈ ℝ^{n×p} of Eq. (8).
    fn jacobian(&self, theta: &[f64], xs: &Points) -> Mat<f64> {
        let p = self.num_params();
        let mut m = Mat::zeros(xs.len(), p);
        let mut g = vec![0.0; p];
        for (i, x) in xs.rows().enumerate() {
            self.grad(theta, x, &mut g);
            for (j, gj) in g.iter().enumerate() {
                m[(i, j)] = *gj;
            }
        }
        m
    }

    /// The structure of φ_θ(X) on the points `xs` that counting its rank can use
    /// ([`JacobianStructure`]; the count itself is
    /// [`metrics::jacobian_rank`](crate::metrics::jacobian_rank), by
    /// [`linalg::rank`](crate::linalg::rank())). Default: φ_θ(X) itself
    /// ([`jacobian`](Model::jacobian)). Models return a smaller matrix with the same singular
    /// values, or the diagonal net the scales of X·diag(d).
    fn jacobian_structure(&self, theta: &[f64], xs: &Points) -> JacobianStructure {
        JacobianStructure::Matrix(self.jacobian(theta, xs))
    }

    /// The model's exact Hessian–vector product of the squared loss, if it has one
    /// ([`LossHessian`]). Default: none (callers difference the gradient,
    /// [`Sharpness`](crate::sde::sharpness::Sharpness)).
    fn as_hessian(&self) -> Option<&dyn LossHessian> {
        None
    }

    /// The model's cheap bound on the curvature of the squared loss, if it has one
    /// ([`Curvature`]). Default: none (callers estimate λ_max by Lanczos).
    fn as_curvature(&self) -> Option<&dyn Curvature> {
        None
    }

    /// The model's hidden-layer features, if it has any (the feature-sparsity metric needs them).
    fn as_features(&self) -> Option<&dyn HiddenFeatures> {
        None
    }

    /// The model as a linear predictor in x, if it is one (the support-size metric needs it).
    fn as_linear(&self) -> Option<&dyn LinearInX> {
        None
    }
}

/// Optional capability: post-activation features of hidden layers (for the feature-sparsity
/// metric of §4). A model offers it through [`Model::as_features`].
pub trait HiddenFeatures {
    /// Number of hidden layers whose features can be inspected.
    fn hidden_layers(&self) -> usize;

    /// Post-activation features of hidden layer `layer` (0-based) on the points: an n × width
    /// matrix, `None` when `layer ≥ hidden_layers()`.
    fn features(&self, theta: &[f64], xs: &Points, layer: usize) -> Option<Mat<f64>>;
}

/// Optional capability: models linear in x, h_θ(x) = ⟨β(θ), x⟩ (the diagonal net: β = u ⊙ v).
/// A model offers it through [`Model::as_linear`].
pub trait LinearInX {
    /// The linear predictor β(θ).
    fn linear_predictor(&self, theta: &[f64]) -> Vec<f64>;
}

/// The structure of φ_θ(X) = [∇_θ h_θ(xᵢ)ᵀ]ᵢ (Eq. 8) that counting its rank can use
/// ([`Model::jacobian_structure`]).
#[derive(Debug, Clone)]
pub enum JacobianStructure {
    /// A matrix with the singular values of φ_θ(X): φ itself, or a smaller one (the ReLU nets'
    /// [`mlp::jacobian_factor`] for one hidden layer).
    Matrix(Mat<f64>),
    /// φ_θ(X) has the singular values of X·diag(d) for these column scales d (length d): the
    /// diagonal net, φφᵀ = X diag(u² + v²) Xᵀ, dⱼ = √(uⱼ² + vⱼ²). With X = QR fixed, the rank is
    /// that of R·diag(d), bracketed by d and counted exactly by inertia
    /// ([`linalg::rank::RankFactor`](crate::linalg::rank::RankFactor)).
    ScaledInputs(Vec<f64>),
}

/// Optional capability: the exact Hessian–vector product of the squared loss. A model offers
/// it through [`Model::as_hessian`].
pub trait LossHessian {
    /// The Hessian–vector product of the squared loss L = (w/2)·Σᵢ rᵢ², rᵢ = h_θ(xᵢ) − yᵢ, on
    /// the points `xs` with targets `y`:
    /// ∇²L(θ)v = w·Σᵢ [(∇h_θ(xᵢ)·v)·∇h_θ(xᵢ) + rᵢ·∇²h_θ(xᵢ)v], into `out` (length p,
    /// overwritten), computed exactly in f64 (for a ReLU net almost everywhere: the Hessian of
    /// the pieces active at θ, the activation's second derivative taken as 0, as automatic
    /// differentiation takes it).
    fn loss_hessian_mul(&self, theta: &[f64], xs: &Points, y: &[f64], w: f64, v: &[f64], out: &mut [f64]);
}

/// Optional capability: a cheap bound on the curvature of the squared loss. A model offers it
/// through [`Model::as_curvature`].
pub trait Curvature {
    /// A [`CurvatureBound`] on the points `xs`, its fixed part computed here once; `None` where
    /// that part cannot be computed (a failed SVD).
    fn curvature_bound(&self, xs: &Points) -> Option<Arc<dyn CurvatureBound>>;
}
