//! The exact Hessian–vector product of the squared loss for [`ReluMlp`] by Pearlmutter's
//! R-operator ([`LossHessian`]).

use super::ReluMlp;
use crate::linalg::{self, Points};
use crate::model::LossHessian;

impl ReluMlp {
    /// ∇²L(θ)v of [`LossHessian::loss_hessian_mul`] by Pearlmutter's R-operator, point by point in f64:
    /// a forward pass carrying each layer's input aₗ and its directional derivative Raₗ along v
    /// (Rzₗ = Vₗaₗ + WₗRaₗ + cₗ for the perturbation (Vₗ, cₗ) of (Wₗ, bₗ), Raₗ₊₁ = 1[zₗ > 0]·Rzₗ,
    /// Ra₀ = 0), then a backward pass carrying δₗ = ∂h/∂zₗ and Rδₗ
    /// (δₗ₋₁ = 1[aₗ > 0]·Wₗᵀδₗ, Rδₗ₋₁ = 1[aₗ > 0]·(Vₗᵀδₗ + WₗᵀRδₗ), δ = 1 and Rδ = 0 at the
    /// output), so that ∂h/∂Wₗ = δₗaₗᵀ, R(∂h/∂Wₗ) = Rδₗaₗᵀ + δₗRaₗᵀ and R(∂h/∂bₗ) = Rδₗ. Each
    /// point adds w·(Rh)·∇h + w·r·R(∇h), with Rh = ∇h·v.
    fn hessian_mul(&self, theta: &[f64], xs: &Points, y: &[f64], w: f64, v: &[f64], out: &mut [f64]) {
        let top = self.layers() - 1;
        let widths = &self.widths;
        // aₗ, Raₗ: the inputs of layer l (l ≤ top); δₗ, Rδₗ: ∂h/∂zₗ (l ≤ top).
        let mut a: Vec<Vec<f64>> = widths[..=top].iter().map(|&m| vec![0.0; m]).collect();
        let mut ra = a.clone();
        let mut delta: Vec<Vec<f64>> = widths[1..].iter().map(|&m| vec![0.0; m]).collect();
        let mut rdelta = delta.clone();
        out.fill(0.0);
        for (x, yi) in xs.rows().zip(y) {
            a[0].copy_from_slice(&x[..widths[0]]);
            ra[0].fill(0.0);
            let mut h = [0.0; 2];
            for l in 0..=top {
                let (wl, vl, inp) = (self.weights(theta, l), self.weights(v, l), widths[l]);
                let (bl, cl) = (self.bias(theta, l), self.bias(v, l));
                for k in 0..widths[l + 1] {
                    let (row, vrow) = (&wl[k * inp..(k + 1) * inp], &vl[k * inp..(k + 1) * inp]);
                    let z = bl.map_or(0.0, |b| b[k]) + linalg::dot(row, &a[l]);
                    let rz = cl.map_or(0.0, |c| c[k]) + linalg::dot(vrow, &a[l]) + linalg::dot(row, &ra[l]);
                    if l == top {
                        h = [z, rz];
                    } else {
                        let on = z > 0.0;
                        a[l + 1][k] = if on { z } else { 0.0 };
                        ra[l + 1][k] = if on { rz } else { 0.0 };
                    }
                }
            }
            let (g, e) = (w * h[1], w * (h[0] - yi));
            delta[top][0] = 1.0;
            rdelta[top][0] = 0.0;
            for l in (0..=top).rev() {
                let (o, inp) = (self.offsets[l], widths[l]);
                for k in 0..widths[l + 1] {
                    let (dk, rdk) = (delta[l][k], rdelta[l][k]);
                    if dk == 0.0 && rdk == 0.0 {
                        continue;
                    }
                    let row = &mut out[o + k * inp..o + (k + 1) * inp];
                    for ((gm, am), ram) in row.iter_mut().zip(&a[l]).zip(&ra[l]) {
                        *gm += g * dk * am + e * (rdk * am + dk * ram);
                    }
                    if self.biases[l] {
                        out[self.bias_offset(l) + k] += g * dk + e * rdk;
                    }
                }
                if l > 0 {
                    let (wl, vl, outw) = (self.weights(theta, l), self.weights(v, l), widths[l + 1]);
                    let (lower, upper) = delta.split_at_mut(l);
                    let (rlower, rupper) = rdelta.split_at_mut(l);
                    for k in 0..inp {
                        let (mut s, mut rs) = (0.0, 0.0);
                        if a[l][k] > 0.0 {
                            for j in 0..outw {
                                let (wjk, vjk) = (wl[j * inp + k], vl[j * inp + k]);
                                s += wjk * upper[0][j];
                                rs += vjk * upper[0][j] + wjk * rupper[0][j];
                            }
                        }
                        lower[l - 1][k] = s;
                        rlower[l - 1][k] = rs;
                    }
                }
            }
        }
    }
}

impl LossHessian for ReluMlp {
    /// Exact (almost everywhere) by the R-operator ([`ReluMlp::hessian_mul`]), in f64 whatever
    /// the network's precision.
    fn loss_hessian_mul(&self, theta: &[f64], xs: &Points, y: &[f64], w: f64, v: &[f64], out: &mut [f64]) {
        self.hessian_mul(theta, xs, y, w, v, out);
    }
}
