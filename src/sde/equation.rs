//! The SDE interface and the Euler–Maruyama step.

/// An Itô SDE dX = f(t, X) dt + G(t, X) dW with X ∈ ℝᵖ ([`dim`](Sde::dim)) and W ∈ ℝⁿ
/// ([`noise_dim`](Sde::noise_dim)); G(t, X) is p × n and is only ever applied to a vector.
///
/// Methods take `&mut self` so that an SDE may keep scratch buffers between calls.
pub trait Sde {
    /// State dimension p.
    fn dim(&self) -> usize;
    /// Brownian dimension n.
    fn noise_dim(&self) -> usize;
    /// The drift f(t, x) into `out` (length p, overwritten).
    fn drift(&mut self, t: f64, x: &[f64], out: &mut [f64]);
    /// G(t, x)·w into `out` (length p, overwritten) for w ∈ ℝⁿ.
    fn diffusion_mul(&mut self, t: f64, x: &[f64], w: &[f64], out: &mut [f64]);

    /// The Euler–Maruyama increment f(t, x)Δt + G(t, x)ΔW into `out`; `scratch` has length p.
    /// Default: [`drift`](Sde::drift) and [`diffusion_mul`](Sde::diffusion_mul). An SDE whose
    /// drift and noise share a factor (Eq. 8: both are φᵀ·vector) overrides it with one product.
    fn increment(&mut self, t: f64, x: &[f64], dt: f64, dw: &[f64], out: &mut [f64], scratch: &mut [f64]) {
        self.drift(t, x, out);
        self.diffusion_mul(t, x, dw, scratch);
        for (o, s) in out.iter_mut().zip(scratch.iter()) {
            *o = *o * dt + s;
        }
    }
}

/// The Euler–Maruyama scheme X_{k+1} = X_k + f(t_k, X_k)Δt + G(t_k, X_k)ΔW_k, with its buffers.
#[derive(Debug, Clone, Default)]
pub struct EulerMaruyama {
    inc: Vec<f64>,
    scratch: Vec<f64>,
}

impl EulerMaruyama {
    /// A stepper (buffers grow on first use).
    pub fn new() -> Self {
        Self::default()
    }

    /// One step from (t, x) of size `dt` with Brownian increment `dw` (length n), in place.
    pub fn step<S: Sde + ?Sized>(&mut self, sde: &mut S, t: f64, x: &mut [f64], dt: f64, dw: &[f64]) {
        let p = x.len();
        self.inc.resize(p, 0.0);
        self.scratch.resize(p, 0.0);
        sde.increment(t, x, dt, dw, &mut self.inc, &mut self.scratch);
        for (xi, d) in x.iter_mut().zip(&self.inc) {
            *xi += d;
        }
    }

    /// Integrates from t₀ over the increments `dw` (row-major, one row of n per step of size
    /// `dt`), in place.
    pub fn integrate<S: Sde + ?Sized>(&mut self, sde: &mut S, t0: f64, x: &mut [f64], dt: f64, dw: &[f64]) {
        let n = sde.noise_dim().max(1);
        for (k, w) in dw.chunks_exact(n).enumerate() {
            self.step(sde, t0 + k as f64 * dt, x, dt, w);
        }
    }
}
