//! The matrix the Jacobian rank of a [`ReluMlp`] is counted on
//! ([`JacobianStructure::Matrix`](crate::model::JacobianStructure::Matrix)): a smaller one with
//! the singular values of φ_θ(X) for one hidden layer, φ_θ(X) itself for deeper nets.

use super::ReluMlp;
use crate::linalg::Points;
use crate::model::Model;
use faer::Mat;

impl ReluMlp {
    /// A matrix with the singular values of φ_θ(X): for one hidden layer the Gram-preserving
    /// reduction of [`jacobian_factor`] (fewer columns), for deeper nets φ_θ(X).
    pub(super) fn rank_matrix(&self, theta: &[f64], xs: &Points) -> Mat<f64> {
        if self.layers() == 2 {
            jacobian_factor(self, theta, xs)
        } else {
            self.jacobian(theta, xs)
        }
    }
}

/// A matrix with the singular values of φ_θ(X) for a one-hidden-layer net, with fewer columns.
///
/// With x̃ = (x, 1) (or x without a hidden bias), u_j = (w_j, b_j) and output weight a_j, the
/// columns of neuron j are ∂h/∂u_j = a_j d_j ⊙ X̃ and ∂h/∂a_j = d_j ⊙ (X̃u_j), where
/// d_j = 1[X̃u_j > 0]; so φ_j = D_j X̃ [a_j I, u_j] and φ_jφ_jᵀ = D_j X̃ G_j X̃ᵀ D_j with
/// G_j = a_j² I + u_j u_jᵀ. Its symmetric square root is S_j = |a_j| I + c_j u_j u_jᵀ,
/// c_j = (√(a_j² + ‖u_j‖²) − |a_j|)/‖u_j‖², hence φφᵀ = Σ_j (D_jX̃S_j)(D_jX̃S_j)ᵀ (+ 𝟙𝟙ᵀ for
/// an output bias) and φ has the singular values of [D_jX̃S_j]_j (n × m·(d+1)), dead neurons
/// (d_j = 0) left out. Checked against the plain SVD in `tests/claims/relu_models.rs`.
pub fn jacobian_factor(net: &ReluMlp, theta: &[f64], xs: &Points) -> Mat<f64> {
    let (d, m) = (net.widths()[0], net.widths()[1]);
    let w = net.weights(theta, 0);
    let b = net.bias(theta, 0);
    let a = net.weights(theta, 1);
    let k = d + usize::from(b.is_some());
    let n = xs.len();
    let mut cols: Vec<f64> = Vec::with_capacity(n * k * m); // column-major blocks
    let mut pre = vec![0.0; n];
    let mut u = vec![0.0; k];
    let mut s = vec![0.0; k * k];
    let mut xt = vec![0.0; k];
    for j in 0..m {
        u[..d].copy_from_slice(&w[j * d..(j + 1) * d]);
        if let Some(b) = b {
            u[d] = b[j];
        }
        let mut alive = false;
        for (i, x) in xs.rows().enumerate() {
            pre[i] = b.map_or(0.0, |b| b[j]) + x.iter().zip(&u[..d]).map(|(p, q)| p * q).sum::<f64>();
            alive |= pre[i] > 0.0;
        }
        if !alive {
            continue;
        }
        let aj = a[j].abs();
        let uu: f64 = u.iter().map(|v| v * v).sum();
        let c = if uu > 0.0 { ((a[j] * a[j] + uu).sqrt() - aj) / uu } else { 0.0 };
        for r in 0..k {
            for q in 0..k {
                s[r * k + q] = c * u[r] * u[q] + if r == q { aj } else { 0.0 };
            }
        }
        let base = cols.len();
        cols.resize(base + n * k, 0.0);
        for (i, x) in xs.rows().enumerate() {
            if pre[i] > 0.0 {
                xt[..d].copy_from_slice(x);
                if k > d {
                    xt[d] = 1.0;
                }
                for q in 0..k {
                    cols[base + q * n + i] = (0..k).map(|r| xt[r] * s[r * k + q]).sum();
                }
            }
        }
    }
    let mut ncols = cols.len() / n.max(1);
    let out_bias = net.has_bias(1);
    if out_bias {
        cols.extend(std::iter::repeat_n(1.0, n));
        ncols += 1;
    }
    Mat::from_fn(n, ncols, |i, q| cols[q * n + i])
}
