//! Fully connected ReLU networks of any depth (§3.2, Appendix D):
//!
//! h_θ(x) = W_L σ(W_{L−1} ⋯ σ(W_0 x + b_0) ⋯ + b_{L−1}) + b_L,  σ = ReLU,
//!
//! with widths d = n_0 → n_1 → ⋯ → n_L → 1 and an optional bias per layer, computed in `f64` or
//! in `f32` ([`Precision`]) by one generic kernel.
//!
//! Every evaluation is compiled for the CPU's widest vector instructions, chosen at run time, and
//! runs along units or along points. A network with a hidden layer of at least `UNITS` (16) units
//! goes point by point in a `Pass`: its layers go along their units (θ's weights transposed once
//! per call, so that one input's weights to the units are contiguous), and backpropagation along
//! a weight row. A network whose hidden layers are all narrower
//! goes along points (`lanes.rs`): eight points at a time, one per vector lane. Either way each
//! unit's and each parameter's operations and their order are those of the plain scalar pass (a
//! test compares them bit for bit), so the choice changes the speed, not the numbers. Measured on
//! Fig. 9's comparisons: relu-1d (100 units) is ≈ 20 % faster along units than along points, the
//! three-layer net (10 units) a third faster along points than along units.
//!
//! Files: this one holds the architecture (sizes, θ's layout, the init) and the [`Model`]
//! impl; `pass.rs` the pass engine (along units, with its SIMD dispatch) and `lanes.rs` the pass
//! along points; `r_operator.rs` the exact Hessian–vector product; `rank.rs` the matrix the
//! Jacobian rank is counted on; `one_hidden.rs` the constructors and analyses of
//! one-hidden-layer nets (Figs. 4, 10, 14).

mod lanes;
mod one_hidden;
mod pass;
mod r_operator;
mod rank;

pub use one_hidden::{alignment_share, kinks_1d};
pub use rank::jacobian_factor;

use super::precision::Precision;
use super::{HiddenFeatures, JacobianStructure, LossHessian, Model};
use crate::linalg::Points;
use crate::rng::RandomSource;
use faer::Mat;
use pass::{Job, Weights};
use serde::{Deserialize, Serialize};

/// How θ₀ is drawn (docs/DESIGN.md §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MlpInit {
    /// Blanc et al. (2020) 1-D init of the release (`init_blanc_et_al`, one hidden layer):
    /// first-layer weights 2.5·(2·round(u) − 1), u uniform (+ iff u > ½: `torch.round` rounds
    /// ½ to even), first-layer biases 2.5·N(0, 1), output weights 4·N(0, 1); an output bias, if
    /// any, keeps its construction value (0 on a stream that does not model construction).
    /// Draw order: layer construction (see [`ReluMlp`]'s `init`), then the m uniforms as one
    /// tensor, the m bias normals as one tensor, the m output normals as one tensor.
    Blanc,
    /// Weights of layer l: `scales[l]`·N(0, 1), row-major (`init_gaussian`); biases PyTorch's
    /// default U(−1/√fan_in, 1/√fan_in). Draw order: on a stream that models layer construction
    /// ([`RandomSource::linear_init`]), every layer is constructed first (weights, then bias;
    /// the weights are then redrawn), then each layer's weights as one normal tensor; otherwise
    /// layer by layer, the weights then the bias.
    Gaussian {
        /// One scale per layer (hidden layers and output), ≥ 0.
        scales: Vec<f64>,
    },
}

/// A ReLU multilayer perceptron with flat parameters. Layout of θ, layer by layer (PyTorch's
/// `parameters()` order): W_l (n_{l+1} × n_l, row-major), then b_l when layer l has a bias.
#[derive(Debug, Clone, PartialEq)]
pub struct ReluMlp {
    widths: Vec<usize>,
    biases: Vec<bool>,
    init: MlpInit,
    /// Offset of W_l in θ; the bias (if any) follows W_l.
    offsets: Vec<usize>,
    params: usize,
    precision: Precision,
}

impl ReluMlp {
    /// A network on ℝ^`input_dim` with hidden widths `hidden` (at least one), a scalar output,
    /// `biases[l]` for each of the `hidden.len() + 1` layers, drawn by `init`.
    ///
    /// # Panics
    /// On inconsistent sizes (a programming error; configs are validated before).
    pub fn new(input_dim: usize, hidden: &[usize], biases: &[bool], init: MlpInit) -> Self {
        assert!(input_dim > 0 && !hidden.is_empty() && hidden.iter().all(|&w| w > 0), "ReluMlp: empty layer");
        assert_eq!(biases.len(), hidden.len() + 1, "ReluMlp: one bias flag per layer");
        let mut widths = vec![input_dim];
        widths.extend_from_slice(hidden);
        widths.push(1);
        let mut offsets = Vec::with_capacity(widths.len() - 1);
        let mut p = 0;
        for l in 0..widths.len() - 1 {
            offsets.push(p);
            p += widths[l + 1] * widths[l] + if biases[l] { widths[l + 1] } else { 0 };
        }
        Self { widths, biases: biases.to_vec(), init, offsets, params: p, precision: Precision::F64 }
    }

    /// The same network computing in `precision` (default `f64`).
    pub fn with_precision(mut self, precision: Precision) -> Self {
        self.precision = precision;
        self
    }

    /// Widths n_0 = d, n_1, …, n_L, 1.
    pub fn widths(&self) -> &[usize] {
        &self.widths
    }
    /// Number of layers (hidden + output).
    pub fn layers(&self) -> usize {
        self.widths.len() - 1
    }
    /// Whether layer `l` has a bias.
    pub fn has_bias(&self, l: usize) -> bool {
        self.biases[l]
    }
    /// W_l as a row-major slice of θ.
    pub fn weights<'a>(&self, theta: &'a [f64], l: usize) -> &'a [f64] {
        let o = self.offsets[l];
        &theta[o..o + self.widths[l + 1] * self.widths[l]]
    }
    /// b_l as a slice of θ (`None` without a bias).
    pub fn bias<'a>(&self, theta: &'a [f64], l: usize) -> Option<&'a [f64]> {
        self.biases[l].then(|| {
            let o = self.offsets[l] + self.widths[l + 1] * self.widths[l];
            &theta[o..o + self.widths[l + 1]]
        })
    }
    fn bias_offset(&self, l: usize) -> usize {
        self.offsets[l] + self.widths[l + 1] * self.widths[l]
    }
    fn hidden_total(&self) -> usize {
        self.widths[1..self.widths.len() - 1].iter().sum()
    }
    /// The widest layer (the length of backpropagation's δ vectors).
    fn max_width(&self) -> usize {
        *self.widths.iter().max().unwrap_or(&1)
    }
}

impl Model for ReluMlp {
    fn num_params(&self) -> usize {
        self.params
    }
    fn input_dim(&self) -> usize {
        self.widths[0]
    }
    fn init(&self, rng: &mut dyn RandomSource) -> Vec<f64> {
        let mut theta = vec![0.0; self.params];
        let p = self.precision;
        // A stream that models PyTorch builds every `nn.Linear` first: keep its biases (the
        // weights are redrawn below).
        let mut constructed = false;
        for l in 0..self.layers() {
            let (inp, out) = (self.widths[l], self.widths[l + 1]);
            if let Some((_, b)) = rng.linear_init(inp, out, self.biases[l]) {
                constructed = true;
                if let Some(b) = b {
                    let o = self.bias_offset(l);
                    theta[o..o + out].copy_from_slice(&b);
                }
            }
        }
        match &self.init {
            MlpInit::Blanc => {
                assert_eq!(self.layers(), 2, "the Blanc et al. init is for one hidden layer");
                let (d, m) = (self.widths[0], self.widths[1]);
                let signs = rng.uniform_tensor(m * d, 0.0, 1.0);
                for (v, u) in theta[..m * d].iter_mut().zip(signs) {
                    *v = if u > 0.5 { 2.5 } else { -2.5 };
                }
                if self.biases[0] {
                    let o = self.bias_offset(0);
                    let z = rng.normal_tensor(m);
                    for (v, z) in theta[o..o + m].iter_mut().zip(z) {
                        *v = p.mul(2.5, z);
                    }
                }
                let o = self.offsets[1];
                let z = rng.normal_tensor(m);
                for (v, z) in theta[o..o + m].iter_mut().zip(z) {
                    *v = p.mul(4.0, z);
                }
            }
            MlpInit::Gaussian { scales } => {
                for l in 0..self.layers() {
                    let (inp, out) = (self.widths[l], self.widths[l + 1]);
                    let s = scales.get(l).copied().unwrap_or(1.0);
                    let o = self.offsets[l];
                    let z = rng.normal_tensor(inp * out);
                    for (v, z) in theta[o..o + inp * out].iter_mut().zip(z) {
                        *v = p.mul(s, z);
                    }
                    if self.biases[l] && !constructed {
                        let bound = 1.0 / (inp as f64).sqrt();
                        let o = self.bias_offset(l);
                        let b = rng.uniform_tensor(out, -bound, bound);
                        for (v, b) in theta[o..o + out].iter_mut().zip(b) {
                            *v = p.round(b);
                        }
                    }
                }
            }
        }
        theta
    }

    /// Backpropagation: with δ_L = 1 and δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ 1[a_{l+1} > 0],
    /// ∇_{W_l} h = δ_l a_lᵀ and ∇_{b_l} h = δ_l (a_0 = x), every operation in the network's
    /// precision. The ReLU derivative at 0 is 0, as PyTorch's.
    fn grad(&self, theta: &[f64], x: &[f64], out: &mut [f64]) -> f64 {
        self.with_pass(theta, Job::Grad { x, out })
    }

    /// φ_θ(X)ᵀc = Σᵢ cᵢ∇h(xᵢ) by backpropagation straight into `out` (`out[k] += cᵢ·gₖ` for each
    /// point with cᵢ ≠ 0, in point order): the default's operations, bit for bit, without its
    /// gradient buffer.
    fn jacobian_t_mul(&self, theta: &[f64], xs: &Points, c: &[f64], out: &mut [f64]) {
        self.with_pass(theta, Job::JacobianT { xs, c: Weights::Given(c), out });
    }

    /// One forward pass per point serves both its weight cᵢ = `weight(i, h(xᵢ))` and its
    /// backward pass: the default's operations (the same h, the same accumulation), bit for
    /// bit, with half the forward passes.
    fn weighted_jacobian_t_mul(
        &self,
        theta: &[f64],
        xs: &Points,
        weight: &mut dyn FnMut(usize, f64) -> f64,
        c: &mut [f64],
        out: &mut [f64],
    ) {
        self.with_pass(theta, Job::JacobianT { xs, c: Weights::Computed { weight, c }, out });
    }

    /// φ_θ(X) in one pass over θ (one block of points at a time along points): the rows of
    /// [`grad`](Model::grad), bit for bit.
    fn jacobian(&self, theta: &[f64], xs: &Points) -> Mat<f64> {
        let mut m = Mat::zeros(xs.len(), self.num_params());
        self.with_pass(theta, Job::Jacobian { xs, m: &mut m });
        m
    }

    /// hθ(xᵢ) for every point, with one scratch buffer for all of them.
    fn predict_all(&self, theta: &[f64], xs: &Points, out: &mut [f64]) {
        self.with_pass(theta, Job::PredictAll { xs, out });
    }

    fn precision(&self) -> Precision {
        self.precision
    }

    fn predict(&self, theta: &[f64], x: &[f64]) -> f64 {
        self.with_pass(theta, Job::Predict { x })
    }

    /// The rank matrix (`rank.rs`): a matrix with the singular values of φ_θ(X),
    /// counted by [`linalg::rank`](crate::linalg::rank()) (from the eigenvalues of its Gram
    /// matrix where they decide it).
    fn jacobian_structure(&self, theta: &[f64], xs: &Points) -> JacobianStructure {
        JacobianStructure::Matrix(self.rank_matrix(theta, xs))
    }

    fn as_features(&self) -> Option<&dyn HiddenFeatures> {
        Some(self)
    }

    fn as_hessian(&self) -> Option<&dyn LossHessian> {
        Some(self)
    }
}

impl HiddenFeatures for ReluMlp {
    fn hidden_layers(&self) -> usize {
        self.layers() - 1
    }

    fn features(&self, theta: &[f64], xs: &Points, layer: usize) -> Option<Mat<f64>> {
        if layer >= self.hidden_layers() {
            return None;
        }
        let start: usize = self.widths[1..=layer].iter().sum();
        let width = self.widths[layer + 1];
        let mut m = Mat::zeros(xs.len(), width);
        self.with_pass(theta, Job::Features { xs, start, m: &mut m });
        Some(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::precision::{dot_in, Real};

    /// One point's pass written the plain way, unit by unit and weight by weight (the order the
    /// module documents): h(x) and ∇h(x).
    fn scalar_pass<T: Real>(net: &ReluMlp, theta: &[f64], x: &[f64]) -> (f64, Vec<f64>) {
        let mut acts: Vec<Vec<f64>> = vec![x.to_vec()];
        for l in 0..net.layers() - 1 {
            let (inp, b) = (net.widths[l], net.bias(theta, l));
            let a: Vec<f64> = net
                .weights(theta, l)
                .chunks_exact(inp)
                .enumerate()
                .map(|(i, wi)| {
                    let z = b.map_or(T::ZERO, |b| T::of(b[i])) + dot_in::<T>(wi, &acts[l]);
                    if z > T::ZERO {
                        z.wide()
                    } else {
                        0.0
                    }
                })
                .collect();
            acts.push(a);
        }
        let last = net.layers() - 1;
        let h = (net.bias(theta, last).map_or(T::ZERO, |b| T::of(b[0]))
            + dot_in::<T>(net.weights(theta, last), &acts[last]))
        .wide();
        let mut g = vec![0.0; net.num_params()];
        let mut delta = vec![1.0];
        for l in (0..net.layers()).rev() {
            let (inp, outw) = (net.widths[l], net.widths[l + 1]);
            for i in 0..outw {
                for k in 0..inp {
                    g[net.offsets[l] + i * inp + k] = (T::of(delta[i]) * T::of(acts[l][k])).wide();
                }
                if net.biases[l] {
                    g[net.bias_offset(l) + i] = delta[i];
                }
            }
            let w = net.weights(theta, l);
            delta = (0..inp)
                .map(|k| {
                    let s = (0..outw).fold(T::ZERO, |s, i| s + T::of(w[i * inp + k]) * T::of(delta[i]));
                    if acts[l][k] > 0.0 {
                        s.wide()
                    } else {
                        0.0
                    }
                })
                .collect();
        }
        (h, g)
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// The vectorized passes (along units for a net with a wide layer, along points for a narrow
    /// one) give the plain pass's bits, in f32 and f64, for h, ∇h and φᵀc.
    #[test]
    fn passes_are_the_plain_pass_bit_for_bit() {
        let shapes: [(usize, &[usize], &[bool]); 5] = [
            (1, &[100], &[true, false]),
            (2, &[20, 3], &[true, true, false]),
            (5, &[10, 10], &[true, true, true]),
            (3, &[37, 17], &[false, true, true]),
            (6, &[5], &[true, true]),
        ];
        for (d, hidden, biases) in shapes {
            for precision in [Precision::F32, Precision::F64] {
                let init = MlpInit::Gaussian { scales: vec![0.9; hidden.len() + 1] };
                let net = ReluMlp::new(d, hidden, biases, init).with_precision(precision);
                let mut rng = crate::rng::ChaChaSource::new(3);
                let theta = net.init(&mut rng);
                let n = 13;
                let x: Vec<f64> = (0..n * d).map(|_| precision.round(rng.standard_normal())).collect();
                let xs = Points::new(x, d);
                let c: Vec<f64> = (0..n).map(|i| if i % 5 == 2 { 0.0 } else { 0.1 * i as f64 - 0.4 }).collect();
                let mut want_jt = vec![0.0; net.num_params()];
                let mut g = vec![0.0; net.num_params()];
                for (i, x) in xs.rows().enumerate() {
                    let (h, want_g) = match precision {
                        Precision::F32 => scalar_pass::<f32>(&net, &theta, x),
                        Precision::F64 => scalar_pass::<f64>(&net, &theta, x),
                    };
                    assert_eq!(net.grad(&theta, x, &mut g).to_bits(), h.to_bits(), "h, {hidden:?} {precision:?}");
                    assert_eq!(bits(&g), bits(&want_g), "∇h, {hidden:?} {precision:?}");
                    assert_eq!(net.predict(&theta, x).to_bits(), h.to_bits());
                    if c[i] != 0.0 {
                        for (o, gk) in want_jt.iter_mut().zip(&want_g) {
                            *o += c[i] * gk;
                        }
                    }
                }
                let mut jt = vec![f64::NAN; net.num_params()];
                net.jacobian_t_mul(&theta, &xs, &c, &mut jt);
                assert_eq!(bits(&jt), bits(&want_jt), "φᵀc, {hidden:?} {precision:?}");
                // The weighted product with cᵢ = c(hᵢ), and the predictions.
                let hs: Vec<f64> = xs
                    .rows()
                    .map(|x| match precision {
                        Precision::F32 => scalar_pass::<f32>(&net, &theta, x).0,
                        Precision::F64 => scalar_pass::<f64>(&net, &theta, x).0,
                    })
                    .collect();
                let mut pred = vec![f64::NAN; n];
                net.predict_all(&theta, &xs, &mut pred);
                assert_eq!(bits(&pred), bits(&hs), "predictions, {hidden:?} {precision:?}");
                let weight = |i: usize, h: f64| if i % 4 == 1 { 0.0 } else { 0.3 * h - c[i] };
                let mut want_w = vec![0.0; net.num_params()];
                for (i, x) in xs.rows().enumerate() {
                    let ci = weight(i, hs[i]);
                    if ci != 0.0 {
                        let (_, g) = match precision {
                            Precision::F32 => scalar_pass::<f32>(&net, &theta, x),
                            Precision::F64 => scalar_pass::<f64>(&net, &theta, x),
                        };
                        for (o, gk) in want_w.iter_mut().zip(&g) {
                            *o += ci * gk;
                        }
                    }
                }
                let (mut cw, mut w_out, mut calls) = (vec![f64::NAN; n], vec![f64::NAN; net.num_params()], Vec::new());
                let mut wf = |i: usize, h: f64| {
                    calls.push(i);
                    weight(i, h)
                };
                net.weighted_jacobian_t_mul(&theta, &xs, &mut wf, &mut cw, &mut w_out);
                assert_eq!(calls, (0..n).collect::<Vec<_>>());
                assert_eq!(bits(&w_out), bits(&want_w), "weighted φᵀc, {hidden:?} {precision:?}");
                let jac = net.jacobian(&theta, &xs);
                for (i, x) in xs.rows().enumerate() {
                    net.grad(&theta, x, &mut g);
                    let row: Vec<f64> = (0..net.num_params()).map(|j| jac[(i, j)]).collect();
                    assert_eq!(bits(&row), bits(&g), "φ_θ(X) row {i}, {hidden:?} {precision:?}");
                }
                // Features of the first hidden layer are the post-activations the predictions used.
                let f = net.features(&theta, &xs, 0).unwrap();
                for (i, x) in xs.rows().enumerate() {
                    for j in 0..hidden[0] {
                        let z = if biases[0] { net.bias(&theta, 0).unwrap()[j] } else { 0.0 };
                        let row = &net.weights(&theta, 0)[j * d..(j + 1) * d];
                        let a = match precision {
                            Precision::F32 => (f32::of(z) + dot_in::<f32>(row, x)).max(0.0).wide(),
                            Precision::F64 => (z + dot_in::<f64>(row, x)).max(0.0),
                        };
                        assert_eq!(f[(i, j)].to_bits(), (a + 0.0).to_bits(), "feature ({i}, {j})");
                    }
                }
            }
        }
    }
}
