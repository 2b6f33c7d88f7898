//! Passes along points: a narrow network (every hidden layer narrower than
//! [`UNITS`](super::pass::UNITS) units) evaluated for [`LANES`] points at a time, one point per lane.
//!
//! A narrow layer has too few units to fill vector lanes along its units, but a block of points
//! always fills them: every scalar operation of one point's pass —
//! [`dot_in`](crate::model::precision::dot_in)'s four partial sums and tail for a pre-activation,
//! the ReLU, a weight's gradient δᵢ·aₖ, backpropagation's sum over the units of the layer above in
//! increasing order — becomes the same operation on an array of [`LANES`] values, one per point,
//! which the compiler vectorizes. Each lane therefore computes its point's numbers bit for bit.
//! φᵀc takes each parameter's gradients at the block's points in increasing point order
//! (`out[k] += cᵢ·gᵢₖ`, [`Sink::Add`]): each parameter sees the additions of the scalar pass, in
//! its order.

use super::{Precision, ReluMlp};
use crate::model::precision::Real;
use faer::Mat;

/// Points per block (the lanes of every array below).
pub(super) const LANES: usize = 8;

/// One quantity at the block's points (widened to `f64`).
pub(super) type Lane = [f64; LANES];

/// The scratch of a block pass over θ (views into the network's per-thread buffer).
pub(super) struct Lanes<'a> {
    net: &'a ReluMlp,
    theta: &'a [f64],
    /// The block's inputs, one lane per input coordinate (padding points are 0).
    xin: &'a mut [Lane],
    /// Post-activations of every hidden unit.
    pub(super) acts: &'a mut [Lane],
    delta: &'a mut [Lane],
    next: &'a mut [Lane],
}

/// Where the backward pass puts ∇h at the block's points.
pub(super) enum Sink<'o> {
    /// ∇h at the first point into `out` (`out[k] = gₖ`).
    Store(&'o mut [f64]),
    /// `out[k] += cₚ·gₚₖ` for the points p in increasing order, skipping cₚ = 0 (the scalar
    /// pass's accumulation into φᵀc, parameter by parameter).
    Add { c: [f64; LANES], out: &'o mut [f64] },
    /// ∇h at point p of the block into row `first + p` of `m` (p < `points`): a block of φ_θ(X).
    Rows { m: &'o mut Mat<f64>, first: usize, points: usize },
}

impl Sink<'_> {
    /// Gradient entry k at every lane.
    #[inline(always)]
    fn put(&mut self, k: usize, g: &Lane) {
        match self {
            Sink::Store(out) => out[k] = g[0],
            Sink::Add { c, out } => {
                let mut o = out[k];
                for p in 0..LANES {
                    if c[p] != 0.0 {
                        o += c[p] * g[p];
                    }
                }
                out[k] = o;
            }
            Sink::Rows { m, first, points } => {
                for (p, gp) in g.iter().enumerate().take(*points) {
                    m[(*first + p, k)] = *gp;
                }
            }
        }
    }
}

/// `a` rounded to `T`, lane by lane.
#[inline(always)]
fn narrow<T: Real>(a: &Lane) -> [T; LANES] {
    let mut t = [T::ZERO; LANES];
    for p in 0..LANES {
        t[p] = T::of(a[p]);
    }
    t
}

/// ⟨w, a⟩ at every lane in `T`: [`dot_in`](crate::model::precision::dot_in)'s operations and order on each lane.
#[inline(always)]
fn lane_dot<T: Real>(w: &[f64], a: &[Lane]) -> [T; LANES] {
    let n = w.len().min(a.len());
    let mut tail = [T::ZERO; LANES];
    let chunks = if n < 4 { 0 } else { n / 4 };
    let mut s = [[T::ZERO; LANES]; 4];
    for c in 0..chunks {
        for (j, sj) in s.iter_mut().enumerate() {
            let (wk, ak) = (T::of(w[4 * c + j]), narrow::<T>(&a[4 * c + j]));
            for p in 0..LANES {
                sj[p] = sj[p] + wk * ak[p];
            }
        }
    }
    for k in 4 * chunks..n {
        let (wk, ak) = (T::of(w[k]), narrow::<T>(&a[k]));
        for p in 0..LANES {
            tail[p] = tail[p] + wk * ak[p];
        }
    }
    let mut dot = [T::ZERO; LANES];
    for p in 0..LANES {
        dot[p] = if n < 4 { T::ZERO + tail[p] } else { (s[0][p] + s[1][p]) + (s[2][p] + s[3][p]) + tail[p] };
    }
    dot
}

impl ReluMlp {
    /// Whether passes go along points (every hidden layer narrower than [`super::pass::UNITS`]).
    pub(super) fn along_points(&self) -> bool {
        self.widths[1..self.widths.len() - 1].iter().all(|&w| w < super::pass::UNITS)
    }
    /// Scratch length of a block pass.
    pub(super) fn lanes_len(&self) -> usize {
        LANES * (self.widths[0] + self.hidden_total() + 2 * self.max_width())
    }
}

impl<'a> Lanes<'a> {
    /// A block pass over θ in `buf` (length [`ReluMlp::lanes_len`]).
    pub(super) fn new(net: &'a ReluMlp, theta: &'a [f64], buf: &'a mut [f64]) -> Self {
        let maxw = net.max_width();
        let lanes = pulp::as_arrays_mut::<LANES, f64>(buf).0;
        let (xin, rest) = lanes.split_at_mut(net.widths[0]);
        let (acts, rest) = rest.split_at_mut(net.hidden_total());
        let (delta, next) = rest.split_at_mut(maxw);
        Self { net, theta, xin, acts, delta, next }
    }

    /// Loads the points `rows` (at most [`LANES`]) into the lanes; returns how many.
    #[inline(always)]
    pub(super) fn load<'x>(&mut self, rows: impl Iterator<Item = &'x [f64]>) -> usize {
        let mut m = 0;
        for (p, x) in rows.take(LANES).enumerate() {
            for (lane, v) in self.xin.iter_mut().zip(x) {
                lane[p] = *v;
            }
            m = p + 1;
        }
        for lane in self.xin.iter_mut() {
            lane[m..].fill(0.0);
        }
        m
    }

    /// h_θ at the block's points, in the network's precision (the hidden post-activations are
    /// left in `acts`).
    #[inline(always)]
    pub(super) fn forward(&mut self) -> Lane {
        match self.net.precision {
            Precision::F32 => self.forward_in::<f32>(),
            Precision::F64 => self.forward_in::<f64>(),
        }
    }

    /// ∇h_θ at the block's points into `sink` (after [`forward`](Self::forward)).
    #[inline(always)]
    pub(super) fn backward(&mut self, sink: &mut Sink<'_>) {
        match self.net.precision {
            Precision::F32 => self.backward_in::<f32>(sink),
            Precision::F64 => self.backward_in::<f64>(sink),
        }
    }

    #[inline(always)]
    fn forward_in<T: Real>(&mut self) -> Lane {
        let (net, theta) = (self.net, self.theta);
        let last = net.layers() - 1;
        let mut start = 0;
        for l in 0..last {
            let (inp, out) = (net.widths[l], net.widths[l + 1]);
            let (prev, rest) = self.acts.split_at_mut(start);
            let a_in: &[Lane] = if l == 0 { &self.xin[..inp] } else { &prev[start - inp..] };
            let b = net.bias(theta, l);
            for (i, (o, wi)) in rest[..out].iter_mut().zip(net.weights(theta, l).chunks_exact(inp)).enumerate() {
                let dot = lane_dot::<T>(wi, a_in);
                let bi = b.map_or(T::ZERO, |b| T::of(b[i]));
                for p in 0..LANES {
                    let z = bi + dot[p];
                    o[p] = if z > T::ZERO { z.wide() } else { 0.0 };
                }
            }
            start += out;
        }
        let inp = net.widths[last];
        let dot = lane_dot::<T>(net.weights(theta, last), &self.acts[start - inp..start]);
        let b = net.bias(theta, last).map_or(T::ZERO, |b| T::of(b[0]));
        let mut h = [0.0; LANES];
        for p in 0..LANES {
            h[p] = (b + dot[p]).wide();
        }
        h
    }

    #[inline(always)]
    fn backward_in<T: Real>(&mut self, sink: &mut Sink<'_>) {
        let (net, theta) = (self.net, self.theta);
        self.delta[0] = [1.0; LANES];
        let mut end = net.hidden_total();
        for l in (0..net.layers()).rev() {
            let (inp, outw) = (net.widths[l], net.widths[l + 1]);
            let a_in: &[Lane] = if l == 0 { &self.xin[..inp] } else { &self.acts[end - inp..end] };
            let o = net.offsets[l];
            for (i, d) in self.delta[..outw].iter().enumerate() {
                let di = narrow::<T>(d);
                for (k, a) in a_in.iter().enumerate() {
                    let ak = narrow::<T>(a);
                    let mut g = [0.0; LANES];
                    for p in 0..LANES {
                        g[p] = (di[p] * ak[p]).wide();
                    }
                    sink.put(o + i * inp + k, &g);
                }
            }
            if net.biases[l] {
                let ob = net.bias_offset(l);
                for (i, d) in self.delta[..outw].iter().enumerate() {
                    sink.put(ob + i, d);
                }
            }
            if l > 0 {
                // δₖ ← 1[aₖ > 0]·Σᵢ wᵢₖδᵢ, the sum in increasing i.
                let w = net.weights(theta, l);
                for (k, (nk, a)) in self.next[..inp].iter_mut().zip(a_in).enumerate() {
                    let mut acc = [T::ZERO; LANES];
                    for (i, d) in self.delta[..outw].iter().enumerate() {
                        let (wik, di) = (T::of(w[i * inp + k]), narrow::<T>(d));
                        for p in 0..LANES {
                            acc[p] = acc[p] + wik * di[p];
                        }
                    }
                    for p in 0..LANES {
                        nk[p] = if a[p] > 0.0 { acc[p].wide() } else { 0.0 };
                    }
                }
                self.delta[..inp].copy_from_slice(&self.next[..inp]);
                end -= inp;
            }
        }
    }
}
