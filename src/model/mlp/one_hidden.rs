//! One-hidden-layer ReLU networks h(x) = ⟨a, σ(Wx + b)⟩ (+ c), the case of the paper's
//! two-layer figures: constructors on [`ReluMlp`], the kinks of a 1-D predictor (Fig. 4) and the
//! alignment of neurons with a teacher (Figs. 10, 14).

use super::{MlpInit, ReluMlp};

impl ReluMlp {
    /// x ∈ ℝ^`input_dim` ↦ ⟨a, σ(Wx + b)⟩ + c with `width` neurons, b present iff `bias_hidden`,
    /// c iff `bias_out`.
    pub fn two_layer(input_dim: usize, width: usize, bias_hidden: bool, bias_out: bool, init: MlpInit) -> ReluMlp {
        ReluMlp::new(input_dim, &[width], &[bias_hidden, bias_out], init)
    }
    /// The 1-D net of Figs. 4, 12, 13: 1 → `width` (with bias) → 1 (no bias), Blanc et al. init.
    pub fn blanc_1d(width: usize) -> ReluMlp {
        Self::two_layer(1, width, true, false, MlpInit::Blanc)
    }
    /// The student of Figs. 10, 14: no biases, W₀ = `scale`·N(0, 1), output weights 0.
    pub fn student(input_dim: usize, width: usize, scale: f64) -> ReluMlp {
        Self::two_layer(input_dim, width, false, false, MlpInit::Gaussian { scales: vec![scale, 0.0] })
    }
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
