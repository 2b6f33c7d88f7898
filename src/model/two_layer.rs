//! Two-layer ReLU networks h(x) = ⟨a, σ(Wx + b)⟩ (+ c): the one-hidden-layer case of
//! [`ReluMlp`], with what is special to it — the structure of its Jacobian, the kinks of a 1-D
//! predictor (Fig. 4) and the alignment of neurons with a teacher (Figs. 10, 14).

use super::mlp::{MlpInit, ReluMlp};
use crate::linalg::Points;
use faer::Mat;

/// Constructors of two-layer ReLU networks (each returns a [`ReluMlp`] with one hidden layer).
#[derive(Debug, Clone, Copy)]
pub struct TwoLayerRelu;

impl TwoLayerRelu {
    /// x ∈ ℝ^`input_dim` ↦ ⟨a, σ(Wx + b)⟩ + c with `width` neurons, b present iff `bias_hidden`,
    /// c iff `bias_out`.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(input_dim: usize, width: usize, bias_hidden: bool, bias_out: bool, init: MlpInit) -> ReluMlp {
        ReluMlp::new(input_dim, &[width], &[bias_hidden, bias_out], init)
    }
    /// The 1-D net of Figs. 4, 12, 13: 1 → `width` (with bias) → 1 (no bias), Blanc et al. init.
    pub fn blanc_1d(width: usize) -> ReluMlp {
        Self::new(1, width, true, false, MlpInit::Blanc)
    }
    /// The student of Figs. 10, 14: no biases, W₀ = `scale`·N(0, 1), output weights 0.
    pub fn student(input_dim: usize, width: usize, scale: f64) -> ReluMlp {
        Self::new(input_dim, width, false, false, MlpInit::Gaussian { scales: vec![scale, 0.0] })
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

/// Distinct kinks of a 1-D one-hidden-layer predictor inside [lo, hi]: the breakpoints
/// −b_j/w_j of neurons with w_j ≠ 0 and a_j ≠ 0, sorted, merged when closer than `tol`
/// (a group counts once). Neurons without a kink in the range (never or always active there)
/// contribute a linear piece, not a kink.
pub fn kinks_1d(net: &ReluMlp, theta: &[f64], lo: f64, hi: f64, tol: f64) -> Vec<f64> {
    assert_eq!(net.widths()[0], 1, "kinks_1d needs a 1-D input");
    let w = net.weights(theta, 0);
    let a = net.weights(theta, 1);
    let b = net.bias(theta, 0);
    let mut pts: Vec<f64> = (0..w.len())
        .filter(|&j| w[j] != 0.0 && a[j] != 0.0)
        .map(|j| -b.map_or(0.0, |b| b[j]) / w[j])
        .filter(|x| *x > lo && *x < hi)
        .collect();
    pts.sort_by(f64::total_cmp);
    let mut out: Vec<f64> = Vec::new();
    for x in pts {
        if out.last().is_none_or(|l| x - l >= tol) {
            out.push(x);
        }
    }
    out
}

/// Share of first-layer weight norm Σ_j ‖w_j‖ carried by neurons within `max_angle_deg` of one
/// of the `teacher` directions (rows of `teacher`, `dim` values each) — the clustering of
/// Fig. 10. NaN when every w_j is zero.
pub fn alignment_share(net: &ReluMlp, theta: &[f64], teacher: &[f64], max_angle_deg: f64) -> f64 {
    let d = net.widths()[0];
    let w = net.weights(theta, 0);
    let cos_min = max_angle_deg.to_radians().cos();
    let (mut total, mut aligned) = (0.0, 0.0);
    for wj in w.chunks_exact(d) {
        let nw = wj.iter().map(|v| v * v).sum::<f64>().sqrt();
        total += nw;
        if nw == 0.0 {
            continue;
        }
        let close = teacher.chunks_exact(d).any(|t| {
            let nt = t.iter().map(|v| v * v).sum::<f64>().sqrt();
            nt > 0.0 && wj.iter().zip(t).map(|(p, q)| p * q).sum::<f64>() / (nw * nt) >= cos_min
        });
        if close {
            aligned += nw;
        }
    }
    aligned / total
}
