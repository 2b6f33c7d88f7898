//! Stochastic differential equations: the SDE model of SGD (Eq. 8), its Euler–Maruyama
//! discretization (Eq. 58, Appendix C), and the integrator tests' reference problems.
//!
//! An Itô SDE dX = f(t, X) dt + G(t, X) dW with X ∈ ℝᵖ and a Brownian motion W ∈ ℝⁿ is an
//! [`Sde`]: the drift f and the product of the p × n diffusion matrix G with a vector. The
//! Euler–Maruyama scheme
//!
//! X_{k+1} = X_k + f(t_k, X_k) Δt + G(t_k, X_k) ΔW_k,  ΔW_k ~ N(0, Δt·Iₙ),
//!
//! has strong order ½ and weak order 1 in general, and strong order 1 when G does not depend on X
//! ([`EulerMaruyama`]). [`BrownianPath`] draws ΔW on the finest of nested grids Δt = T·2⁻ᵏ and sums
//! pairs to go coarser, so every level integrates the same path.
//!
//! The SDE of the paper (Eq. 8) is [`GradientNoiseSde`]:
//!
//! dθ = −∇L(θ) dt + √(ηδ) φ_θ(X)ᵀ dB_t,
//!
//! with φ_θ(X) ∈ ℝ^{n×p} the Jacobian of the model on the training inputs; its noise φᵀΔB goes
//! through [`Model::jacobian_t_mul`](crate::model::Model::jacobian_t_mul), so structured models
//! never build φ. Appendix C's discretization (Eq. 58) is the [`Eq58`] optimizer: one call of
//! `step` at SGD iteration t runs 10 Euler–Maruyama steps of size γ = η_t/10 with
//! δ_t = c·L(θ^SGD_t), the reference losses recorded by [`LossTape`] during the SGD run; without
//! noise it is gradient flow. [`compare`] runs SGD, the SDE and gradient flow side by side
//! (Fig. 9) through the generic training loop and recorder.

mod arm;
mod brownian;
pub mod compare;
pub mod convergence;
mod eq58;
mod equation;
pub mod figures;
pub mod folder;
mod gradient_noise;
pub mod normals;
pub mod probed;
pub mod reference;
pub mod report;
pub mod sharpness;
pub mod spec;

pub use arm::Arm;
pub use brownian::BrownianPath;
pub use eq58::{Eq58, LossTape};
pub use equation::{EulerMaruyama, Sde};
pub use gradient_noise::GradientNoiseSde;
