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
//! goes along points ([`lanes`]): eight points at a time, one per vector lane. Either way each
//! unit's and each parameter's operations and their order are those of the plain scalar pass (a
//! test compares them bit for bit), so the choice changes the speed, not the numbers. Measured on
//! Fig. 9's comparisons: relu-1d (100 units) is ≈ 20 % faster along units than along points, the
//! three-layer net (10 units) a third faster along points than along units.

mod lanes;

use super::precision::{dot_in, Precision, Real};
use super::{two_layer, HiddenFeatures, JacobianStructure, LossHessian, Model};
use crate::linalg::{self, Points};
use crate::rng::RandomSource;
use faer::Mat;
use lanes::{Lanes, Sink, LANES};
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
    /// The widest layer (the length of backpropagation's δ vectors).
    fn max_width(&self) -> usize {
        *self.widths.iter().max().unwrap_or(&1)
    }

    /// A matrix with the singular values of φ_θ(X): for one hidden layer the Gram-preserving
    /// reduction of [`two_layer::jacobian_factor`] (fewer columns), for deeper nets φ_θ(X).
    fn rank_matrix(&self, theta: &[f64], xs: &Points) -> Mat<f64> {
        if self.layers() == 2 {
            two_layer::jacobian_factor(self, theta, xs)
        } else {
            self.jacobian(theta, xs)
        }
    }

    /// Length of the hidden layers' transposed weights in a [`Pass`].
    fn transposed_len(&self) -> usize {
        (0..self.layers() - 1).map(|l| self.widths[l] * self.widths[l + 1]).sum()
    }

    /// Runs `job` in a [`Pass`] over θ: the hidden layers' weights transposed once (so that a
    /// layer's units are contiguous for every input), scratch for the activations and for
    /// backpropagation, all in one per-thread buffer (no allocation per call).
    fn with_pass(&self, theta: &[f64], job: Job<'_>) -> f64 {
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            if self.along_points() {
                let len = self.lanes_len();
                if s.len() < len {
                    s.resize(len, 0.0);
                }
                return job.run_on_best_simd(Engine::Points(&mut Lanes::new(self, theta, &mut s[..len])));
            }
            let (wt_len, hidden, maxw) = (self.transposed_len(), self.hidden_total(), self.max_width());
            if s.len() < wt_len + hidden + 2 * maxw {
                s.resize(wt_len + hidden + 2 * maxw, 0.0);
            }
            let (wt, rest) = s.split_at_mut(wt_len);
            let mut start = 0;
            for l in 0..self.layers() - 1 {
                let (inp, out) = (self.widths[l], self.widths[l + 1]);
                let block = &mut wt[start..start + inp * out];
                for (i, row) in self.weights(theta, l).chunks_exact(inp).enumerate() {
                    for (k, w) in row.iter().enumerate() {
                        block[k * out + i] = *w;
                    }
                }
                start += inp * out;
            }
            let (acts, rest) = rest.split_at_mut(hidden);
            let (delta, rest) = rest.split_at_mut(maxw);
            let mut pass = Pass { net: self, theta, wt, acts, delta, next: &mut rest[..maxw] };
            job.run_on_best_simd(Engine::Units(&mut pass))
        })
    }
}

/// How a job runs: a [`Pass`] point by point (along units), or a [`Lanes`] pass along points
/// (a network whose hidden layers are all narrower than [`UNITS`]).
enum Engine<'p, 'a> {
    Units(&'p mut Pass<'a>),
    Points(&'p mut Lanes<'a>),
}

/// What a [`Pass`] computes.
enum Job<'j> {
    /// h(x) (the return value).
    Predict { x: &'j [f64] },
    /// hθ(xᵢ) for every point into `out`.
    PredictAll { xs: &'j Points, out: &'j mut [f64] },
    /// ∇h(x) into `out`; returns h(x).
    Grad { x: &'j [f64], out: &'j mut [f64] },
    /// `out = Σᵢ cᵢ∇h(xᵢ)`.
    JacobianT { xs: &'j Points, c: Weights<'j>, out: &'j mut [f64] },
    /// The post-activations of the hidden units `start..start + m.ncols()` (one layer) at every
    /// point into the rows of `m`.
    Features { xs: &'j Points, start: usize, m: &'j mut Mat<f64> },
    /// ∇h(xᵢ) into row i of `m` (n × p): φ_θ(X).
    Jacobian { xs: &'j Points, m: &'j mut Mat<f64> },
}

/// The cᵢ of [`Job::JacobianT`].
enum Weights<'j> {
    /// Given (a point with cᵢ = 0 is skipped, forward pass included).
    Given(&'j [f64]),
    /// cᵢ = `weight(i, h(xᵢ))`, written into `c`.
    Computed { weight: &'j mut dyn FnMut(usize, f64) -> f64, c: &'j mut [f64] },
}

impl Job<'_> {
    #[inline(always)]
    fn run(self, pass: &mut Pass<'_>) -> f64 {
        match self {
            Job::Predict { x } => pass.forward(x),
            Job::PredictAll { xs, out } => {
                for (o, x) in out.iter_mut().zip(xs.rows()) {
                    *o = pass.forward(x);
                }
                f64::NAN
            }
            Job::Grad { x, out } => pass.grad(x, out),
            Job::JacobianT { xs, c, out } => {
                out.fill(0.0);
                match c {
                    Weights::Given(c) => {
                        for (&ci, x) in c.iter().zip(xs.rows()) {
                            if ci != 0.0 {
                                pass.accumulate(x, out, |_| ci);
                            }
                        }
                    }
                    Weights::Computed { weight, c } => {
                        for (i, (ci, x)) in c.iter_mut().zip(xs.rows()).enumerate() {
                            pass.accumulate(x, out, |h| {
                                *ci = weight(i, h);
                                *ci
                            });
                        }
                    }
                }
                f64::NAN
            }
            Job::Features { xs, start, m } => {
                for (i, x) in xs.rows().enumerate() {
                    pass.forward(x);
                    for j in 0..m.ncols() {
                        m[(i, j)] = pass.acts[start + j];
                    }
                }
                f64::NAN
            }
            Job::Jacobian { xs, m } => {
                let mut g = vec![0.0; m.ncols()];
                for (i, x) in xs.rows().enumerate() {
                    pass.grad(x, &mut g);
                    for (j, gj) in g.iter().enumerate() {
                        m[(i, j)] = *gj;
                    }
                }
                f64::NAN
            }
        }
    }

    /// [`run`](Self::run) compiled for the CPU's widest vector instructions (AVX2 or AVX-512,
    /// chosen at run time by [`pulp::Arch`]; everything it calls is `#[inline(always)]`, so it
    /// is compiled inside the dispatched function), so that the loops over units are vectorized
    /// 8 or 16 `f32` lanes wide. Vectorization only puts independent operations side by side:
    /// none is fused or reassociated, so the bits do not depend on the instruction set.
    fn run_on_best_simd(self, engine: Engine<'_, '_>) -> f64 {
        struct On<'p, 'a, 'j>(Engine<'p, 'a>, Job<'j>);
        impl pulp::WithSimd for On<'_, '_, '_> {
            type Output = f64;
            #[inline(always)]
            fn with_simd<S: pulp::Simd>(self, _: S) -> f64 {
                match self.0 {
                    Engine::Units(pass) => self.1.run(pass),
                    Engine::Points(lanes) => self.1.run_lanes(lanes),
                }
            }
        }
        pulp::Arch::new().dispatch(On(engine, self))
    }

    /// [`run`](Self::run) along points: blocks of [`LANES`] points through a [`Lanes`] pass; the
    /// weights cᵢ are called in increasing i, and each point's gradient is added to φᵀc in
    /// increasing i (skipped where cᵢ = 0), as the scalar pass does.
    #[inline(always)]
    fn run_lanes(self, lanes: &mut Lanes<'_>) -> f64 {
        match self {
            Job::Predict { x } => {
                lanes.load(std::iter::once(x));
                lanes.forward()[0]
            }
            Job::Grad { x, out } => {
                lanes.load(std::iter::once(x));
                let h = lanes.forward()[0];
                lanes.backward(&mut Sink::Store(out));
                h
            }
            Job::PredictAll { xs, out } => {
                for (b, o) in out.chunks_mut(LANES).enumerate() {
                    let m = lanes.load(xs.rows().skip(b * LANES));
                    o.copy_from_slice(&lanes.forward()[..m.min(o.len())]);
                }
                f64::NAN
            }
            Job::JacobianT { xs, mut c, out } => {
                out.fill(0.0);
                let n = xs.len().min(match &c {
                    Weights::Given(c) => c.len(),
                    Weights::Computed { c, .. } => c.len(),
                });
                for i0 in (0..n).step_by(LANES) {
                    let m = lanes.load(xs.rows().skip(i0).take((n - i0).min(LANES)));
                    let h = lanes.forward();
                    let mut cs = [0.0; LANES];
                    match &mut c {
                        Weights::Given(c) => cs[..m].copy_from_slice(&c[i0..i0 + m]),
                        Weights::Computed { weight, c } => {
                            for p in 0..m {
                                c[i0 + p] = weight(i0 + p, h[p]);
                                cs[p] = c[i0 + p];
                            }
                        }
                    }
                    if cs.iter().any(|&ci| ci != 0.0) {
                        lanes.backward(&mut Sink::Add { c: cs, out });
                    }
                }
                f64::NAN
            }
            Job::Jacobian { xs, m } => {
                for first in (0..xs.len()).step_by(LANES) {
                    let points = lanes.load(xs.rows().skip(first));
                    lanes.forward();
                    lanes.backward(&mut Sink::Rows { m, first, points });
                }
                f64::NAN
            }
            Job::Features { xs, start, m } => {
                for i0 in (0..xs.len()).step_by(LANES) {
                    let k = lanes.load(xs.rows().skip(i0));
                    lanes.forward();
                    for j in 0..m.ncols() {
                        for p in 0..k {
                            m[(i0 + p, j)] = lanes.acts[start + j][p];
                        }
                    }
                }
                f64::NAN
            }
        }
    }
}

/// Units computed together in a hidden layer's forward pass (lanes of its loops).
const UNITS: usize = 16;

/// One θ's forward and backward passes over any number of points, with θ's hidden weights
/// transposed once ([`ReluMlp::with_pass`]). The loops run over a layer's units (or a weight
/// row) innermost, so that the compiler vectorizes them; every unit's and every parameter's
/// operations and their order are those of one point's scalar pass: [`dot_in`]'s partial sums
/// for a pre-activation, backpropagation's sum over the units of the layer above in increasing
/// order.
struct Pass<'a> {
    net: &'a ReluMlp,
    theta: &'a [f64],
    /// Wₗᵀ of every hidden layer l (n_l × n_{l+1}, row-major), concatenated.
    wt: &'a [f64],
    acts: &'a mut [f64],
    delta: &'a mut [f64],
    next: &'a mut [f64],
}

/// A hidden layer's post-activations aᵢ = ReLU(bᵢ + ⟨wᵢ, a_in⟩) in `T` into `z_out` (widened),
/// from Wᵀ (`wt`, inputs × units): for a block of [`UNITS`] units at a time, the four partial
/// sums and the tail of [`dot_in`] as arrays over the block's units.
#[inline(always)]
fn hidden_layer<T: Real>(wt: &[f64], b: Option<&[f64]>, a_in: &[f64], z_out: &mut [f64]) {
    let out = z_out.len();
    let full = out - out % UNITS;
    for i0 in (0..full).step_by(UNITS) {
        hidden_block::<T, UNITS>(wt, b, a_in, z_out, i0);
    }
    for i0 in full..out {
        hidden_block::<T, 1>(wt, b, a_in, z_out, i0);
    }
}

/// Units `i0..i0 + M` of [`hidden_layer`]: a block of constant width, so that its loops are
/// unrolled and vectorized whole (measured: relu-1d's weighted φᵀc 10.2–10.6 → 7.5–8.5 µs
/// against loops over a run-time width).
#[inline(always)]
fn hidden_block<T: Real, const M: usize>(wt: &[f64], b: Option<&[f64]>, a_in: &[f64], z_out: &mut [f64], i0: usize) {
    let (inp, out) = (a_in.len(), z_out.len());
    let chunks = if inp < 4 { 0 } else { inp / 4 };
    let mut s = [[T::ZERO; M]; 4];
    let mut tail = [T::ZERO; M];
    for c in 0..chunks {
        for (j, sj) in s.iter_mut().enumerate() {
            let k = 4 * c + j;
            let ak = T::of(a_in[k]);
            for (sv, w) in sj.iter_mut().zip(&wt[k * out + i0..k * out + i0 + M]) {
                *sv = *sv + T::of(*w) * ak;
            }
        }
    }
    for (k, a) in a_in.iter().enumerate().skip(4 * chunks) {
        let ak = T::of(*a);
        for (tv, w) in tail.iter_mut().zip(&wt[k * out + i0..k * out + i0 + M]) {
            *tv = *tv + T::of(*w) * ak;
        }
    }
    // z = b + dot, then the ReLU, each as a loop over the block's units.
    let mut z = [T::ZERO; M];
    for u in 0..M {
        z[u] = if inp < 4 { T::ZERO + tail[u] } else { (s[0][u] + s[1][u]) + (s[2][u] + s[3][u]) + tail[u] };
    }
    match b {
        Some(b) => z.iter_mut().zip(&b[i0..i0 + M]).for_each(|(zu, bu)| *zu = T::of(*bu) + *zu),
        None => z.iter_mut().for_each(|zu| *zu = T::ZERO + *zu),
    }
    for (o, zu) in z_out[i0..i0 + M].iter_mut().zip(&z) {
        *o = if *zu > T::ZERO { zu.wide() } else { 0.0 };
    }
}

/// δₖ ← 1[aₖ > 0]·Σᵢ wᵢₖδᵢ (the sum in increasing i) for the inputs k of `k0..k0 + M` into
/// `next`, from the layer's weights `w` (rows of `a_in.len()`) and the δᵢ of the layer above.
#[inline(always)]
fn backprop_block<T: Real, const M: usize>(w: &[f64], delta: &[f64], a_in: &[f64], next: &mut [f64], k0: usize) {
    let inp = a_in.len();
    let mut acc = [T::ZERO; M];
    for (row, d) in w.chunks_exact(inp).zip(delta) {
        let di = T::of(*d);
        for (av, wv) in acc.iter_mut().zip(&row[k0..k0 + M]) {
            *av = *av + T::of(*wv) * di;
        }
    }
    for ((nk, a), s) in next[k0..k0 + M].iter_mut().zip(&a_in[k0..k0 + M]).zip(&acc) {
        *nk = if *a > 0.0 { s.wide() } else { 0.0 };
    }
}

impl Pass<'_> {
    /// Forward pass in `T`: writes the post-activations of every hidden layer into `acts`
    /// (concatenated, widened to `f64`) and returns h_θ(x). Every pre-activation is
    /// b_i + ⟨w_i, a⟩ with the dot product of [`dot_in`].
    #[inline(always)]
    fn forward_in<T: Real>(&mut self, x: &[f64]) -> f64 {
        let (net, theta) = (self.net, self.theta);
        let (mut start, mut wt_start) = (0, 0);
        for l in 0..net.layers() - 1 {
            let (inp, out) = (net.widths[l], net.widths[l + 1]);
            let (prev, rest) = self.acts.split_at_mut(start);
            let a_in: &[f64] = if l == 0 { &x[..inp] } else { &prev[start - inp..] };
            hidden_layer::<T>(&self.wt[wt_start..wt_start + inp * out], net.bias(theta, l), a_in, &mut rest[..out]);
            start += out;
            wt_start += inp * out;
        }
        let last = net.layers() - 1;
        let inp = net.widths[last];
        let a_in = &self.acts[start - inp..start];
        (net.bias(theta, last).map_or(T::ZERO, |b| T::of(b[0])) + dot_in::<T>(net.weights(theta, last), a_in)).wide()
    }

    /// h_θ(x) in the network's precision.
    #[inline(always)]
    fn forward(&mut self, x: &[f64]) -> f64 {
        match self.net.precision {
            Precision::F32 => self.forward_in::<f32>(x),
            Precision::F64 => self.forward_in::<f64>(x),
        }
    }

    /// ∇h_θ(x) into `out` in the network's precision; returns h_θ(x).
    #[inline(always)]
    fn grad(&mut self, x: &[f64], out: &mut [f64]) -> f64 {
        match self.net.precision {
            Precision::F32 => self.grad_in::<f32, _>(x, out, |_| Some(Store)),
            Precision::F64 => self.grad_in::<f64, _>(x, out, |_| Some(Store)),
        }
    }

    /// Backpropagation in `T` (see [`Model::grad`]): after the forward pass, `emit_for(h_θ(x))`
    /// says where every gradient entry gₖ goes (stored, or accumulated as `out[k] += c·gₖ` by
    /// [`jacobian_t_mul`](Model::jacobian_t_mul)), or `None` to skip the backward pass; returns
    /// h_θ(x).
    #[inline(always)]
    fn grad_in<T: Real, E: Emit>(
        &mut self,
        x: &[f64],
        out: &mut [f64],
        emit_for: impl FnOnce(f64) -> Option<E>,
    ) -> f64 {
        let h = self.forward_in::<T>(x);
        let Some(emit) = emit_for(h) else { return h };
        let (net, theta) = (self.net, self.theta);
        self.delta[0] = 1.0;
        let mut end = net.hidden_total();
        for l in (0..net.layers()).rev() {
            let (inp, outw) = (net.widths[l], net.widths[l + 1]);
            let a_in: &[f64] = if l == 0 { &x[..inp] } else { &self.acts[end - inp..end] };
            let delta = &self.delta[..outw];
            let o = net.offsets[l];
            if inp == 1 {
                // One input: the gradient of unit i's weight is entry o + i, along the units.
                let a0 = T::of(a_in[0]);
                for (gk, d) in out[o..o + outw].iter_mut().zip(delta) {
                    emit.emit(gk, (T::of(*d) * a0).wide());
                }
            } else {
                for (g, d) in out[o..o + outw * inp].chunks_exact_mut(inp).zip(delta) {
                    let di = T::of(*d);
                    for (gk, ak) in g.iter_mut().zip(a_in) {
                        emit.emit(gk, (di * T::of(*ak)).wide());
                    }
                }
            }
            if net.biases[l] {
                let ob = net.bias_offset(l);
                for (gk, d) in out[ob..ob + outw].iter_mut().zip(delta) {
                    emit.emit(gk, *d);
                }
            }
            if l > 0 {
                // δₖ ← 1[aₖ > 0]·Σᵢ wᵢₖδᵢ, the sum in increasing i, along the inputs k.
                let w = net.weights(theta, l);
                let full = inp - inp % UNITS;
                for k0 in (0..full).step_by(UNITS) {
                    backprop_block::<T, UNITS>(w, delta, a_in, self.next, k0);
                }
                for k0 in full..inp {
                    backprop_block::<T, 1>(w, delta, a_in, self.next, k0);
                }
                self.delta[..inp].copy_from_slice(&self.next[..inp]);
                end -= inp;
            }
        }
        h
    }

    /// `out += c·∇h(x)` with c = `scale(h(x))` (nothing when c = 0), in the network's precision.
    #[inline(always)]
    fn accumulate(&mut self, x: &[f64], out: &mut [f64], scale: impl FnOnce(f64) -> f64) {
        let emit = |h| Some(scale(h)).filter(|&c| c != 0.0).map(AddScaled);
        match self.net.precision {
            Precision::F32 => self.grad_in::<f32, _>(x, out, emit),
            Precision::F64 => self.grad_in::<f64, _>(x, out, emit),
        };
    }
}

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

    /// [`rank_matrix`](ReluMlp::rank_matrix): a matrix with the singular values of φ_θ(X),
    /// counted by [`linalg::rank`](crate::linalg::rank) (from the eigenvalues of its Gram
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

impl LossHessian for ReluMlp {
    /// Exact (almost everywhere) by the R-operator ([`ReluMlp::hessian_mul`]), in f64 whatever
    /// the network's precision.
    fn loss_hessian_mul(&self, theta: &[f64], xs: &Points, y: &[f64], w: f64, v: &[f64], out: &mut [f64]) {
        self.hessian_mul(theta, xs, y, w, v, out);
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
