//! Reference SDEs with exact solutions or closed-form moments, for the integrator's convergence
//! tests (the practice of SciML's DiffEqDevTools, diffrax and torchsde; docs/DESIGN.md §5).

use super::Sde;
use nalgebra::{Matrix3, Vector3};

/// Geometric Brownian motion du = μu dt + σu dW (p = n = 1), exact solution on the path
/// u(t) = u₀·exp((μ − σ²/2)t + σW(t)), mean E u(t) = u₀e^{μt}.
#[derive(Debug, Clone, Copy)]
pub struct Gbm {
    /// Drift rate μ.
    pub mu: f64,
    /// Volatility σ.
    pub sigma: f64,
}

impl Gbm {
    /// docs/DESIGN.md §5's problem: μ = 1.01, σ = 0.87 (with u₀ = ½, T = 1).
    pub fn standard() -> Self {
        Self { mu: 1.01, sigma: 0.87 }
    }
    /// u(t) given u₀ and W(t).
    pub fn exact(&self, u0: f64, t: f64, w: f64) -> f64 {
        u0 * ((self.mu - 0.5 * self.sigma * self.sigma) * t + self.sigma * w).exp()
    }
    /// E u(t).
    pub fn mean(&self, u0: f64, t: f64) -> f64 {
        u0 * (self.mu * t).exp()
    }
}

impl Sde for Gbm {
    fn dim(&self) -> usize {
        1
    }
    fn noise_dim(&self) -> usize {
        1
    }
    fn drift(&mut self, _t: f64, x: &[f64], out: &mut [f64]) {
        out[0] = self.mu * x[0];
    }
    fn diffusion_mul(&mut self, _t: f64, x: &[f64], w: &[f64], out: &mut [f64]) {
        out[0] = self.sigma * x[0] * w[0];
    }
}

/// The fixed orthogonal (and symmetric) 3 × 3 Householder reflection Q = I − 2vvᵀ/‖v‖², v = (1, 2, 3),
/// row-major. It rotates the decoupled coordinates of the linear SDEs below so that A and G are
/// full matrices.
pub fn rotation() -> [[f64; 3]; 3] {
    let v = Vector3::new(1.0, 2.0, 3.0);
    let q = Matrix3::identity() - v * v.transpose() * (2.0 / v.norm_squared());
    to_rows(&q)
}

fn to_rows(m: &Matrix3<f64>) -> [[f64; 3]; 3] {
    std::array::from_fn(|i| std::array::from_fn(|j| m[(i, j)]))
}

fn from_rows(m: &[[f64; 3]; 3]) -> Matrix3<f64> {
    Matrix3::from_fn(|i, j| m[i][j])
}

/// Q x (nalgebra's fixed-size product).
fn mat_vec(q: &[[f64; 3]; 3], x: &[f64]) -> [f64; 3] {
    (from_rows(q) * Vector3::from_column_slice(&x[..3])).into()
}

/// A linear SDE with state-dependent p × n noise (p = 3, n = 2):
///
/// dX = A X dt + Σₖ Bₖ X dWₖ,  A = QΛQ, Bₖ = Q diag(b_{·k}) Q,
///
/// with Q = [`rotation`] (Q = Qᵀ = Q⁻¹), so G(X) = [B₁X, B₂X] is a full 3 × 2 matrix. A and the Bₖ
/// commute, so on a path X(T) = Q Y(T) with Yᵢ(T) = (QX₀)ᵢ·exp((λᵢ − ½Σₖb²ᵢₖ)T + Σₖ bᵢₖWₖ(T)), and
/// E Y = Y₀ e^{ΛT}, E YᵢYⱼ = Y₀ᵢY₀ⱼ exp((λᵢ + λⱼ + Σₖ bᵢₖbⱼₖ)T); E X = Q E Y, E XXᵀ = Q E[YYᵀ] Q.
#[derive(Debug, Clone, Copy)]
pub struct LinearMultiplicative {
    /// Eigenvalues λ of A.
    pub lambda: [f64; 3],
    /// b (3 × 2): Bₖ has eigenvalues b_{·k}.
    pub b: [[f64; 2]; 3],
}

impl LinearMultiplicative {
    /// The tests' instance: λ = (−0.5, 0.3, 0.8), b = ((0.6, −0.2), (0.1, 0.5), (−0.3, 0.4)).
    pub fn standard() -> Self {
        Self { lambda: [-0.5, 0.3, 0.8], b: [[0.6, -0.2], [0.1, 0.5], [-0.3, 0.4]] }
    }
    /// X(T) from X₀ and W(T) ∈ ℝ², into `out`.
    pub fn exact(&self, x0: &[f64], t: f64, w: &[f64], out: &mut [f64]) {
        let q = rotation();
        let y0 = mat_vec(&q, x0);
        let mut y = [0.0; 3];
        for i in 0..3 {
            let b2: f64 = self.b[i].iter().map(|b| b * b).sum();
            let bw: f64 = self.b[i].iter().zip(w).map(|(b, w)| b * w).sum();
            y[i] = y0[i] * ((self.lambda[i] - 0.5 * b2) * t + bw).exp();
        }
        out.copy_from_slice(&mat_vec(&q, &y));
    }
    /// (E X(T), E X(T)X(T)ᵀ) in closed form.
    pub fn moments(&self, x0: &[f64], t: f64) -> ([f64; 3], [[f64; 3]; 3]) {
        let q = rotation();
        let y0 = mat_vec(&q, x0);
        let ey: Vec<f64> = (0..3).map(|i| y0[i] * (self.lambda[i] * t).exp()).collect();
        let mut eyy = [[0.0; 3]; 3];
        for (i, row) in eyy.iter_mut().enumerate() {
            for (j, e) in row.iter_mut().enumerate() {
                let bb: f64 = self.b[i].iter().zip(&self.b[j]).map(|(a, b)| a * b).sum();
                *e = y0[i] * y0[j] * ((self.lambda[i] + self.lambda[j] + bb) * t).exp();
            }
        }
        (mat_vec(&q, &ey), conjugate(&q, &eyy))
    }
}

/// Q M Q for the symmetric Q.
fn conjugate(q: &[[f64; 3]; 3], m: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let q = from_rows(q);
    to_rows(&(q * from_rows(m) * q))
}

/// out = A x with A = QΛQ (Q the fixed symmetric rotation): the drift of both linear SDEs.
fn rotated_linear(lambda: &[f64; 3], x: &[f64], out: &mut [f64]) {
    let q = rotation();
    let mut y = mat_vec(&q, x);
    for (yi, l) in y.iter_mut().zip(lambda) {
        *yi *= l;
    }
    out.copy_from_slice(&mat_vec(&q, &y));
}

impl Sde for LinearMultiplicative {
    fn dim(&self) -> usize {
        3
    }
    fn noise_dim(&self) -> usize {
        2
    }
    fn drift(&mut self, _t: f64, x: &[f64], out: &mut [f64]) {
        rotated_linear(&self.lambda, x, out);
    }
    fn diffusion_mul(&mut self, _t: f64, x: &[f64], w: &[f64], out: &mut [f64]) {
        let q = rotation();
        let mut y = mat_vec(&q, x);
        for (yi, b) in y.iter_mut().zip(&self.b) {
            *yi *= b[0] * w[0] + b[1] * w[1];
        }
        out.copy_from_slice(&mat_vec(&q, &y));
    }
}

/// A linear SDE with additive p × n noise (p = 3, n = 2): dX = A X dt + B dW, A = QΛQ, B constant.
/// E X(T) = Q e^{ΛT} Q X₀ and Cov X(T) = Q P Q with Pᵢⱼ = Cᵢⱼ (e^{(λᵢ+λⱼ)T} − 1)/(λᵢ + λⱼ),
/// C = Q B Bᵀ Q. G does not depend on X, so Euler–Maruyama has strong order 1.
#[derive(Debug, Clone, Copy)]
pub struct LinearAdditive {
    /// Eigenvalues λ of A (λᵢ + λⱼ ≠ 0).
    pub lambda: [f64; 3],
    /// B (3 × 2).
    pub b: [[f64; 2]; 3],
}

impl LinearAdditive {
    /// The tests' instance: λ = (−1, −0.4, 0.5), B = ((0.8, 0.1), (−0.3, 0.6), (0.2, −0.7)).
    pub fn standard() -> Self {
        Self { lambda: [-1.0, -0.4, 0.5], b: [[0.8, 0.1], [-0.3, 0.6], [0.2, -0.7]] }
    }
    /// (E X(T), Cov X(T)) in closed form.
    pub fn moments(&self, x0: &[f64], t: f64) -> ([f64; 3], [[f64; 3]; 3]) {
        let q = rotation();
        let mut y = mat_vec(&q, x0);
        for (yi, l) in y.iter_mut().zip(self.lambda) {
            *yi *= (l * t).exp();
        }
        let mut bbt = [[0.0; 3]; 3];
        for (i, row) in bbt.iter_mut().enumerate() {
            for (j, e) in row.iter_mut().enumerate() {
                *e = self.b[i][0] * self.b[j][0] + self.b[i][1] * self.b[j][1];
            }
        }
        let c = conjugate(&q, &bbt);
        let mut p = [[0.0; 3]; 3];
        for (i, row) in p.iter_mut().enumerate() {
            for (j, e) in row.iter_mut().enumerate() {
                let s = self.lambda[i] + self.lambda[j];
                *e = c[i][j] * (s * t).exp_m1() / s;
            }
        }
        (mat_vec(&q, &y), conjugate(&q, &p))
    }
}

impl Sde for LinearAdditive {
    fn dim(&self) -> usize {
        3
    }
    fn noise_dim(&self) -> usize {
        2
    }
    fn drift(&mut self, _t: f64, x: &[f64], out: &mut [f64]) {
        rotated_linear(&self.lambda, x, out);
    }
    fn diffusion_mul(&mut self, _t: f64, _x: &[f64], w: &[f64], out: &mut [f64]) {
        for (o, b) in out.iter_mut().zip(&self.b) {
            *o = b[0] * w[0] + b[1] * w[1];
        }
    }
}
