//! The pass engine of [`ReluMlp`] along units: a [`Pass`] point by point, the hidden layers'
//! weights transposed once per call, forward and backpropagation blocks of fixed summation
//! order, compiled for the CPU's widest vector instructions (chosen at run time); a network whose
//! hidden layers are all narrower than [`UNITS`] goes along points instead
//! ([`Lanes`](super::lanes::Lanes)).

use super::lanes::{Lanes, Sink, LANES};
use super::ReluMlp;
use crate::linalg::Points;
use crate::model::precision::{dot_in, Precision, Real};
use faer::Mat;
use std::cell::RefCell;

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
    /// Length of the hidden layers' transposed weights in a [`Pass`].
    fn transposed_len(&self) -> usize {
        (0..self.layers() - 1).map(|l| self.widths[l] * self.widths[l + 1]).sum()
    }

    /// Runs `job` in a [`Pass`] over θ: the hidden layers' weights transposed once (so that a
    /// layer's units are contiguous for every input), scratch for the activations and for
    /// backpropagation, all in one per-thread buffer (no allocation per call).
    pub(super) fn with_pass(&self, theta: &[f64], job: Job<'_>) -> f64 {
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
pub(super) enum Job<'j> {
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
pub(super) enum Weights<'j> {
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
pub(super) const UNITS: usize = 16;

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
