//! Proposition 2.1: SGD is full-batch gradient descent with the label noise ξ_t of Eq. (3), and
//! its generalization to mini-batches drawn without replacement.
//!
//! # Statement (paper, Eqs. 2–4 and Appendix A, Eqs. 10–20)
//!
//! With residuals `rᵢ = h_θ(xᵢ) − yᵢ` and loss `L(θ) = (1/2n) Σᵢ rᵢ²` (Eq. 1), the SGD step on the
//! sampled index `i_t ~ U{1..n}` (Eq. 2)
//!
//! ```text
//!     θ_{t+1} = θ_t − η r_{i_t} ∇_θ h_θ(x_{i_t})
//! ```
//!
//! equals the full-batch gradient step on the noisy labels `yᵗ = y + ξ_t` (Eq. 4)
//!
//! ```text
//!     θ_{t+1} = θ_t − (η/n) Σᵢ (h_θ(xᵢ) − yᵢᵗ) ∇_θ h_θ(xᵢ),   [ξ_t]ᵢ = rᵢ (1 − n·1{i = i_t})   (Eq. 3)
//! ```
//!
//! and `E ξ_t = 0`, `E‖ξ_t‖² / (n(n − 1)) = 2 L(θ_t)`.
//!
//! # Mini-batches (derived here)
//!
//! SGD with a batch `S ⊂ {1..n}` of size `B`, drawn uniformly without replacement, steps
//! `θ_{t+1} = θ_t − (η/B) Σ_{i ∈ S} rᵢ ∇_θ h_θ(xᵢ)`. It is the label-noise step of Eq. (4) with
//!
//! ```text
//!     [ξ_t]ᵢ = rᵢ (1 − (n/B)·1{i ∈ S}).
//! ```
//!
//! Since `P(i ∈ S) = B/n` and `P(i, j ∈ S) = B(B − 1)/(n(n − 1))` for `i ≠ j`:
//!
//! ```text
//!     E ξ = 0,
//!     E ξᵢ²   = rᵢ² (n/B − 1),
//!     E ξᵢξⱼ  = −rᵢ rⱼ (n − B)/(B(n − 1))               (i ≠ j),
//!     Cov ξ   = (n − B)/(B(n − 1)) · (n·diag(r²) − r rᵀ),
//!     E‖ξ‖²   = (n/B − 1) Σᵢ rᵢ² = 2n(n − B)/B · L(θ),   i.e.  B/(n(n − B)) · E‖ξ‖² = 2 L(θ)  (B < n).
//! ```
//!
//! `B = 1` gives Eq. (3) and the paper's `E‖ξ‖²/(n(n−1)) = 2L`; `B = n` gives ξ = 0 (full-batch
//! GD). The expectations here are exact: an average over all `C(n, B)` equally likely batches
//! ([`enumerate_moments`]), never a Monte-Carlo estimate.

/// What Proposition 2.1 needs of a model: the prediction h_θ(x) and its gradient ∇_θ h_θ(x).
///
/// The core crate implements it for every one of its models.
pub trait Predictor {
    /// Number of parameters p.
    fn num_params(&self) -> usize;
    /// Writes ∇_θ h_θ(x) into `out` (length p, overwritten) and returns h_θ(x).
    fn value_and_grad(&self, theta: &[f64], x: &[f64], out: &mut [f64]) -> f64;
}

/// A training set: `n` inputs of dimension `dim`, row-major, and their labels.
#[derive(Clone, Copy, Debug)]
pub struct Samples<'a> {
    /// Inputs, row-major, `n × dim`.
    pub x: &'a [f64],
    /// Input dimension.
    pub dim: usize,
    /// Labels, length `n`.
    pub y: &'a [f64],
}

impl<'a> Samples<'a> {
    /// Wraps row-major inputs and their labels (`x.len() == y.len() * dim`).
    pub fn new(x: &'a [f64], dim: usize, y: &'a [f64]) -> Self {
        assert_eq!(x.len(), y.len() * dim, "inputs must be n × dim");
        Self { x, dim, y }
    }
    /// Number of samples n.
    pub fn len(&self) -> usize {
        self.y.len()
    }
    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
    /// Input `i`.
    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.x[i * self.dim..(i + 1) * self.dim]
    }
}

/// The residuals `rᵢ = h_θ(xᵢ) − yᵢ`.
pub fn residuals<P: Predictor + ?Sized>(model: &P, theta: &[f64], data: &Samples) -> Vec<f64> {
    let mut g = vec![0.0; model.num_params()];
    (0..data.len()).map(|i| model.value_and_grad(theta, data.row(i), &mut g) - data.y[i]).collect()
}

/// The loss of Eq. (1): `L(θ) = (1/2n) Σᵢ rᵢ²`.
pub fn loss<P: Predictor + ?Sized>(model: &P, theta: &[f64], data: &Samples) -> f64 {
    let r = residuals(model, theta, data);
    r.iter().map(|v| v * v).sum::<f64>() / (2.0 * r.len() as f64)
}

/// The label noise of a batch `S` (Eq. 3 for `|S| = 1`): `ξᵢ = rᵢ (1 − (n/B)·1{i ∈ S})`.
pub fn xi(residuals: &[f64], batch: &[usize]) -> Vec<f64> {
    let n = residuals.len() as f64;
    let scale = n / batch.len() as f64;
    let mut out: Vec<f64> = residuals.to_vec();
    for &i in batch {
        out[i] = residuals[i] * (1.0 - scale);
    }
    out
}

/// The full-batch gradient step on noisy labels `y + ξ` (Eq. 4):
/// `θ − (η/n) Σᵢ (h_θ(xᵢ) − yᵢ − ξᵢ) ∇_θ h_θ(xᵢ)`.
pub fn label_noise_gd_step<P: Predictor + ?Sized>(
    model: &P,
    theta: &[f64],
    data: &Samples,
    eta: f64,
    xi: &[f64],
) -> Vec<f64> {
    let mut g = vec![0.0; model.num_params()];
    let mut out = theta.to_vec();
    let w = eta / data.len() as f64;
    for (i, xi_i) in xi.iter().enumerate() {
        let r = model.value_and_grad(theta, data.row(i), &mut g) - (data.y[i] + xi_i);
        if r != 0.0 {
            for (o, gj) in out.iter_mut().zip(&g) {
                *o -= w * r * gj;
            }
        }
    }
    out
}

/// Every batch of size `b` from `0..n` (subsets in lexicographic order); `C(n, b)` of them.
pub fn all_batches(n: usize, b: usize) -> Vec<Vec<usize>> {
    fn rec(start: usize, n: usize, b: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == b {
            out.push(cur.clone());
            return;
        }
        for i in start..=n - (b - cur.len()) {
            cur.push(i);
            rec(i + 1, n, b, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    if b <= n {
        rec(0, n, b, &mut Vec::with_capacity(b), &mut out);
    }
    out
}

/// The exact first two moments of ξ over a uniform batch of size B without replacement.
#[derive(Clone, Debug)]
pub struct XiMoments {
    /// `E ξ` (length n).
    pub mean: Vec<f64>,
    /// `E ξξᵀ`, row-major n × n.
    pub second: Vec<f64>,
    /// `E‖ξ‖²` (the trace of `second`).
    pub second_norm: f64,
}

/// The moments of ξ by enumeration of all `C(n, B)` equally likely batches.
pub fn enumerate_moments(residuals: &[f64], b: usize) -> XiMoments {
    let n = residuals.len();
    let batches = all_batches(n, b);
    let w = 1.0 / batches.len() as f64;
    let mut mean = vec![0.0; n];
    let mut second = vec![0.0; n * n];
    let mut second_norm = 0.0;
    for s in &batches {
        let x = xi(residuals, s);
        for i in 0..n {
            mean[i] += w * x[i];
            for j in 0..n {
                second[i * n + j] += w * x[i] * x[j];
            }
        }
        second_norm += w * x.iter().map(|v| v * v).sum::<f64>();
    }
    XiMoments { mean, second, second_norm }
}

/// The closed form `E ξξᵀ = (n − B)/(B(n − 1)) · (n·diag(r²) − r rᵀ)` (row-major; for n = 1 the
/// only batch is the full one and ξ = 0).
pub fn closed_form_second_moment(residuals: &[f64], b: usize) -> Vec<f64> {
    let n = residuals.len();
    let mut out = vec![0.0; n * n];
    if n <= 1 {
        return out;
    }
    let c = (n - b) as f64 / (b as f64 * (n - 1) as f64);
    for i in 0..n {
        for j in 0..n {
            let diag = if i == j { n as f64 * residuals[i] * residuals[i] } else { 0.0 };
            out[i * n + j] = c * (diag - residuals[i] * residuals[j]);
        }
    }
    out
}

/// The closed form `E‖ξ‖² = 2n(n − B)/B · L(θ)` of the mini-batch generalization (B = 1: the
/// paper's `2n(n − 1)L`).
pub fn closed_form_second_norm(loss: f64, n: usize, b: usize) -> f64 {
    2.0 * n as f64 * (n - b) as f64 / b as f64 * loss
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_all_subsets() {
        assert_eq!(all_batches(5, 2).len(), 10);
        assert_eq!(all_batches(4, 4), vec![vec![0, 1, 2, 3]]);
        assert_eq!(all_batches(3, 1), vec![vec![0], vec![1], vec![2]]);
    }

    #[test]
    fn xi_for_one_index_is_eq_3() {
        let r = [1.0, -2.0, 3.0];
        assert_eq!(xi(&r, &[1]), vec![1.0, -2.0 * (1.0 - 3.0), 3.0]);
    }
}
