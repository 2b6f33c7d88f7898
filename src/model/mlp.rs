//! Fully connected ReLU networks of any depth (§3.2, Appendix D):
//!
//! h_θ(x) = W_L σ(W_{L−1} ⋯ σ(W_0 x + b_0) ⋯ + b_{L−1}) + b_L,  σ = ReLU,
//!
//! with widths d = n_0 → n_1 → ⋯ → n_L → 1 and an optional bias per layer, computed in `f64` or
//! in `f32` ([`Precision`]) by one generic kernel.

use super::precision::{dot_in, Precision, Real};
use super::{two_layer, HiddenFeatures, Model, PointSet};
use crate::linalg::Points;
use crate::rng::RandomSource;
use faer::Mat;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

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

/// Where backpropagation puts a gradient entry gₖ.
trait Emit: Copy {
    fn emit(self, out: &mut f64, g: f64);
}

/// `out[k] = gₖ` ([`Model::grad`]).
#[derive(Clone, Copy)]
struct Store;

impl Emit for Store {
    #[inline(always)]
    fn emit(self, out: &mut f64, g: f64) {
        *out = g;
    }
}

/// `out[k] += c·gₖ` ([`Model::jacobian_t_mul`]).
#[derive(Clone, Copy)]
struct AddScaled(f64);

impl Emit for AddScaled {
    #[inline(always)]
    fn emit(self, out: &mut f64, g: f64) {
        *out += self.0 * g;
    }
}

thread_local! {
    /// Per-thread scratch for the forward and backward passes (no allocation per call).
    static SCRATCH: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
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

    /// Forward pass in `T`: writes the post-activations of every hidden layer into `acts`
    /// (concatenated, widened to `f64`) and returns h_θ(x). Every pre-activation is
    /// b_i + ⟨w_i, a⟩ with the dot product of [`dot_in`].
    fn forward_in<T: Real>(&self, theta: &[f64], x: &[f64], acts: &mut [f64]) -> f64 {
        let mut start = 0;
        for l in 0..self.layers() - 1 {
            let (inp, out) = (self.widths[l], self.widths[l + 1]);
            let (prev, rest) = acts.split_at_mut(start);
            let a_in: &[f64] = if l == 0 { x } else { &prev[start - inp..] };
            let w = self.weights(theta, l);
            let b = self.bias(theta, l);
            for (i, (o, wi)) in rest[..out].iter_mut().zip(w.chunks_exact(inp)).enumerate() {
                let z = b.map_or(T::ZERO, |b| T::of(b[i])) + dot_in::<T>(wi, a_in);
                *o = if z > T::ZERO { z.wide() } else { 0.0 };
            }
            start += out;
        }
        let last = self.layers() - 1;
        let inp = self.widths[last];
        let a_in = &acts[start - inp..start];
        (self.bias(theta, last).map_or(T::ZERO, |b| T::of(b[0])) + dot_in::<T>(self.weights(theta, last), a_in)).wide()
    }

    fn forward(&self, theta: &[f64], x: &[f64], acts: &mut [f64]) -> f64 {
        match self.precision {
            Precision::F32 => self.forward_in::<f32>(theta, x, acts),
            Precision::F64 => self.forward_in::<f64>(theta, x, acts),
        }
    }

    /// Backpropagation in `T` (see [`Model::grad`]): after the forward pass, `emit_for(h_θ(x))`
    /// says where every gradient entry gₖ goes (stored, or accumulated as `out[k] += c·gₖ` by
    /// [`jacobian_t_mul`](Model::jacobian_t_mul)), or `None` to skip the backward pass; returns
    /// h_θ(x).
    fn grad_in<T: Real, E: Emit>(
        &self,
        theta: &[f64],
        x: &[f64],
        out: &mut [f64],
        emit_for: impl FnOnce(f64) -> Option<E>,
    ) -> f64 {
        let hidden = self.hidden_total();
        let maxw = *self.widths.iter().max().unwrap_or(&1);
        self.with_scratch(hidden + 2 * maxw, |buf| {
            let (acts, deltas) = buf.split_at_mut(hidden);
            let (delta, next) = deltas.split_at_mut(maxw);
            let h = self.forward_in::<T>(theta, x, acts);
            let Some(emit) = emit_for(h) else { return h };
            delta[0] = 1.0;
            let mut end = hidden;
            for l in (0..self.layers()).rev() {
                let (inp, outw) = (self.widths[l], self.widths[l + 1]);
                let a_in: &[f64] = if l == 0 { x } else { &acts[end - inp..end] };
                let o = self.offsets[l];
                for i in 0..outw {
                    let g = &mut out[o + i * inp..o + (i + 1) * inp];
                    let di = T::of(delta[i]);
                    for (gk, ak) in g.iter_mut().zip(a_in) {
                        emit.emit(gk, (di * T::of(*ak)).wide());
                    }
                }
                if self.biases[l] {
                    let ob = self.bias_offset(l);
                    for (gk, d) in out[ob..ob + outw].iter_mut().zip(&delta[..outw]) {
                        emit.emit(gk, *d);
                    }
                }
                if l > 0 {
                    let w = self.weights(theta, l);
                    for (k, nk) in next[..inp].iter_mut().enumerate() {
                        *nk = if a_in[k] > 0.0 {
                            (0..outw).fold(T::ZERO, |s, i| s + T::of(w[i * inp + k]) * T::of(delta[i])).wide()
                        } else {
                            0.0
                        };
                    }
                    delta[..inp].copy_from_slice(&next[..inp]);
                    end -= inp;
                }
            }
            h
        })
    }

    /// `out += c·∇h(x)` with c = `scale(h(x))` (nothing when c = 0), in the network's precision.
    fn accumulate(&self, theta: &[f64], x: &[f64], out: &mut [f64], scale: impl FnOnce(f64) -> f64) {
        let emit = |h| Some(scale(h)).filter(|&c| c != 0.0).map(AddScaled);
        match self.precision {
            Precision::F32 => self.grad_in::<f32, _>(theta, x, out, emit),
            Precision::F64 => self.grad_in::<f64, _>(theta, x, out, emit),
        };
    }

    fn with_scratch<R>(&self, len: usize, f: impl FnOnce(&mut [f64]) -> R) -> R {
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            if s.len() < len {
                s.resize(len, 0.0);
            }
            f(&mut s[..len])
        })
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
        match self.precision {
            Precision::F32 => self.grad_in::<f32, _>(theta, x, out, |_| Some(Store)),
            Precision::F64 => self.grad_in::<f64, _>(theta, x, out, |_| Some(Store)),
        }
    }

    /// φ_θ(X)ᵀc = Σᵢ cᵢ∇h(xᵢ) by backpropagation straight into `out` (`out[k] += cᵢ·gₖ` for each
    /// point with cᵢ ≠ 0, in point order): the default's operations, bit for bit, without its
    /// gradient buffer.
    fn jacobian_t_mul(&self, theta: &[f64], xs: &Points, c: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        for (&ci, x) in c.iter().zip(xs.rows()) {
            if ci != 0.0 {
                self.accumulate(theta, x, out, |_| ci);
            }
        }
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
        out.fill(0.0);
        for (i, (ci, x)) in c.iter_mut().zip(xs.rows()).enumerate() {
            self.accumulate(theta, x, out, |h| {
                *ci = weight(i, h);
                *ci
            });
        }
    }

    /// hθ(xᵢ) for every point, with one scratch buffer for all of them.
    fn predict_all(&self, theta: &[f64], xs: &Points, out: &mut [f64]) {
        self.with_scratch(self.hidden_total(), |acts| {
            for (o, x) in out.iter_mut().zip(xs.rows()) {
                *o = self.forward(theta, x, acts);
            }
        });
    }

    fn precision(&self) -> Precision {
        self.precision
    }

    fn predict(&self, theta: &[f64], x: &[f64]) -> f64 {
        self.with_scratch(self.hidden_total(), |acts| self.forward(theta, x, acts))
    }

    /// One hidden layer: the Gram-preserving reduction of [`two_layer::jacobian_factor`]
    /// (fewer columns, same singular values); deeper nets: the SVD of φ_θ(X).
    fn jacobian_singular_values(&self, theta: &[f64], set: &PointSet) -> Result<Vec<f64>, String> {
        let Some(xs) = set.get() else { return Ok(Vec::new()) };
        if self.layers() == 2 {
            crate::linalg::singular_values(&two_layer::jacobian_factor(self, theta, xs))
        } else {
            crate::linalg::singular_values(&self.jacobian(theta, xs))
        }
    }

    fn hidden_features(&self) -> Option<&dyn HiddenFeatures> {
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
        self.with_scratch(self.hidden_total(), |acts| {
            for (i, x) in xs.rows().enumerate() {
                self.forward(theta, x, acts);
                for j in 0..width {
                    m[(i, j)] = acts[start + j];
                }
            }
        });
        Some(m)
    }
}
