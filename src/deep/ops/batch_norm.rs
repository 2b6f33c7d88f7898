//! Batch normalization in training mode over (N, H, W) per channel, one read and one write of the
//! data in each direction.
//!
//! With M = N·H·W values per channel, μ = Σx/M, σ² = Σ(x − μ)²/M (biased), r = 1/√(σ² + ε) and
//! x̂ = (x − μ)·r:
//!
//! * forward: y = γ·x̂ + β, written as y = a·(x − μ) + β with a = γr; the statistics come
//!   from one read of x, accumulated in f64 around the channel's first value (a shift that keeps
//!   Σ(x − K)² − (Σ(x − K))²/M free of cancellation when |μ| ≫ σ);
//! * backward, from Σ∂y = Σ ∂L/∂y and Σ∂y·x̂ (one read of x and ∂L/∂y):
//!   ∂L/∂β = Σ∂y, ∂L/∂γ = Σ∂y·x̂, and
//!   ∂L/∂x = γr·(∂L/∂y − Σ∂y/M − x̂·Σ∂y·x̂/M) = p·∂L/∂y + q·(x − μ) + t (one write), with
//!   p = γr, q = −γr²·Σ∂y·x̂/M, t = −p·Σ∂y/M.
//!
//! The statistics are saved by the forward op (for its backward pass and the running averages),
//! so nothing of x̂ is stored.

use super::element::Element;
use super::storage::{read, slice, tensor};
use candle_core::backend::BackendStorage;
use candle_core::{bail, CpuStorage, CustomOp3, DType, Layout, Result, Shape, Tensor};
use rayon::prelude::*;
use std::sync::{Arc, OnceLock};

/// The batch statistics of one forward pass, per channel.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchStats {
    /// μ.
    pub mean: Vec<f64>,
    /// σ² (biased, divided by M).
    pub var: Vec<f64>,
    /// 1/√(σ² + ε).
    pub invstd: Vec<f64>,
    /// M = N·H·W.
    pub count: usize,
}

/// (N, C, H·W) of a 4-D (or 2-D: H·W = 1) input.
fn dims(d: &[usize]) -> Result<(usize, usize, usize)> {
    match d {
        [n, c, rest @ ..] => Ok((*n, *c, rest.iter().product())),
        _ => bail!("batch norm: input of shape {d:?}, need (N, C, …)"),
    }
}

/// Per channel c (in parallel), `f(c, plane)` summed over the N planes of H·W values.
fn per_channel<A: Send + Default + std::ops::AddAssign>(
    (n, c, hw): (usize, usize, usize),
    f: impl Fn(usize, std::ops::Range<usize>) -> A + Sync,
) -> Vec<A> {
    (0..c)
        .into_par_iter()
        .map(|ch| {
            let mut acc = A::default();
            for i in 0..n {
                let off = (i * c + ch) * hw;
                acc += f(ch, off..off + hw);
            }
            acc
        })
        .collect()
}

/// (Σ, Σ²) of f64 values, summed pairwise by [`per_channel`].
#[derive(Debug, Default, Clone, Copy)]
struct Sums(f64, f64);

impl std::ops::AddAssign for Sums {
    fn add_assign(&mut self, o: Self) {
        self.0 += o.0;
        self.1 += o.1;
    }
}

/// The batch statistics of x (N, C, …), ε added to σ² in r.
pub fn stats<T: Element>(x: &[T], shape: (usize, usize, usize), eps: f64) -> BatchStats {
    let (n, _, hw) = shape;
    let m = n * hw;
    // The shift K_c: the channel's first value.
    let shift = |ch: usize| if m > 0 { x[ch * hw].to_f64() } else { 0.0 };
    let sums = per_channel(shape, |ch, r| {
        let k = shift(ch);
        let mut s = Sums::default();
        for &v in &x[r] {
            let d = v.to_f64() - k;
            s.0 += d;
            s.1 += d * d;
        }
        s
    });
    let mf = (m as f64).max(1.0);
    let mut st = BatchStats { mean: vec![], var: vec![], invstd: vec![], count: m };
    for (ch, Sums(s1, s2)) in sums.into_iter().enumerate() {
        let var = ((s2 - s1 * s1 / mf) / mf).max(0.0);
        st.mean.push(shift(ch) + s1 / mf);
        st.var.push(var);
        st.invstd.push(1.0 / (var + eps).sqrt());
    }
    st
}

/// Per channel c, in parallel over images: y = a_c·(x − μ_c) + b_c, plus p_c·dy when `dy` is
/// given as (p, dy).
fn affine<T: Element>(
    x: &[T],
    (_, c, hw): (usize, usize, usize),
    (mu, a, b): (&[T], &[T], &[T]),
    dy: Option<(&[T], &[T])>,
) -> Vec<T> {
    let mut y = vec![T::ZERO; x.len()];
    if y.is_empty() {
        return y;
    }
    y.par_chunks_mut(c * hw).zip(x.par_chunks(c * hw)).enumerate().for_each(|(i, (yi, xi))| {
        for ch in 0..c {
            let (ys, xs) = (&mut yi[ch * hw..][..hw], &xi[ch * hw..][..hw]);
            let (mu, a, b) = (mu[ch], a[ch], b[ch]);
            match dy {
                None => {
                    for (o, &v) in ys.iter_mut().zip(xs) {
                        *o = a * (v - mu) + b;
                    }
                }
                Some((p, dy)) => {
                    let p = p[ch];
                    let ds = &dy[(i * c + ch) * hw..][..hw];
                    for ((o, &v), &d) in ys.iter_mut().zip(xs).zip(ds) {
                        *o = p * d + a * (v - mu) + b;
                    }
                }
            }
        }
    });
    y
}

/// y = γ·x̂ + β and the statistics.
pub fn forward<T: Element>(
    x: &[T],
    shape: (usize, usize, usize),
    gamma: &[T],
    beta: &[T],
    eps: f64,
) -> (Vec<T>, BatchStats) {
    let st = stats(x, shape, eps);
    let cast = |v: Vec<f64>| -> Vec<T> { v.into_iter().map(T::from_f64).collect() };
    let mu = cast(st.mean.clone());
    let a = cast(gamma.iter().zip(&st.invstd).map(|(g, r)| g.to_f64() * r).collect());
    (affine(x, shape, (&mu, &a, beta), None), st)
}

/// (∂L/∂x, ∂L/∂γ, ∂L/∂β) from x, γ, ∂L/∂y and the forward pass's statistics.
pub fn backward<T: Element>(
    x: &[T],
    shape: (usize, usize, usize),
    gamma: &[T],
    dy: &[T],
    st: &BatchStats,
) -> (Vec<T>, Vec<T>, Vec<T>) {
    let sums = per_channel(shape, |ch, r| {
        let mu = st.mean[ch];
        let mut s = Sums::default();
        for (&v, &d) in x[r.clone()].iter().zip(&dy[r]) {
            let d = d.to_f64();
            s.0 += d;
            s.1 += d * (v.to_f64() - mu);
        }
        s
    });
    let m = (st.count as f64).max(1.0);
    let cast = |v: Vec<f64>| -> Vec<T> { v.into_iter().map(T::from_f64).collect() };
    let (mut p, mut q, mut t) = (vec![], vec![], vec![]);
    let (mut dgamma, mut dbeta) = (vec![], vec![]);
    for (ch, Sums(sdy, sdxc)) in sums.into_iter().enumerate() {
        let (r, g) = (st.invstd[ch], gamma[ch].to_f64());
        let sdyx = sdxc * r;
        p.push(g * r);
        q.push(-g * r * r * sdyx / m);
        t.push(-g * r * sdy / m);
        dgamma.push(sdyx);
        dbeta.push(sdy);
    }
    let (mu, p, q, t) = (cast(st.mean.clone()), cast(p), cast(q), cast(t));
    (affine(x, shape, (&mu, &q, &t), Some((&p, dy))), cast(dgamma), cast(dbeta))
}

/// The candle op y = BN(x; γ, β) in training mode.
#[derive(Debug)]
struct BatchNormTrain {
    eps: f64,
    saved: Arc<OnceLock<BatchStats>>,
}

impl CustomOp3 for BatchNormTrain {
    fn name(&self) -> &'static str {
        "largestep-batch-norm-train"
    }
    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let shape = dims(l1.dims())?;
        if l2.dims() != [shape.1] || l3.dims() != [shape.1] {
            bail!("batch norm: γ {:?}, β {:?} for {} channels", l2.dims(), l3.dims(), shape.1);
        }
        fn run<T: Element>(
            op: &BatchNormTrain,
            shape: (usize, usize, usize),
            ss: [(&CpuStorage, &Layout); 3],
        ) -> Result<CpuStorage> {
            let (y, st) = forward::<T>(
                slice(ss[0].0, ss[0].1)?,
                shape,
                slice(ss[1].0, ss[1].1)?,
                slice(ss[2].0, ss[2].1)?,
                op.eps,
            );
            // A second forward through the same op (not done by candle) would keep the first.
            let _ = op.saved.set(st);
            Ok(T::storage(y))
        }
        let ss = [(s1, l1), (s2, l2), (s3, l3)];
        let y = match s1.dtype() {
            DType::F32 => run::<f32>(self, shape, ss)?,
            DType::F64 => run::<f64>(self, shape, ss)?,
            d => bail!("batch norm: dtype {d:?}"),
        };
        Ok((y, l1.shape().clone()))
    }
    fn bwd(
        &self,
        x: &Tensor,
        gamma: &Tensor,
        _beta: &Tensor,
        _y: &Tensor,
        dy: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let Some(st) = self.saved.get() else { bail!("batch norm backward before its forward") };
        let shape = dims(x.dims())?;
        fn grads<T: Element>(
            x: &Tensor,
            gamma: &Tensor,
            dy: &Tensor,
            st: &BatchStats,
            shape: (usize, usize, usize),
        ) -> Result<(Tensor, Tensor, Tensor)> {
            let (dx, dg, db) = read(x, |x| read(gamma, |g| read(dy, |dy| Ok(backward::<T>(x, shape, g, dy, st)))))?;
            Ok((tensor(dx, x.dims()), tensor(dg, &[shape.1]), tensor(db, &[shape.1])))
        }
        let (dx, dg, db) = match x.dtype() {
            DType::F32 => grads::<f32>(x, gamma, dy, st, shape)?,
            DType::F64 => grads::<f64>(x, gamma, dy, st, shape)?,
            d => bail!("batch norm backward: dtype {d:?}"),
        };
        Ok((Some(dx), Some(dg), Some(db)))
    }
}

/// y = γ·(x − μ)/√(σ² + ε) + β with the batch's μ, σ² over (N, H, W) per channel: x (N, C, H, W)
/// (or (N, C)), γ and β (C), CPU f32 or f64; differentiable in all three. Returns y and the
/// batch statistics (for the running averages).
pub fn batch_norm_train(x: &Tensor, gamma: &Tensor, beta: &Tensor, eps: f64) -> Result<(Tensor, BatchStats)> {
    let saved = Arc::new(OnceLock::new());
    let op = BatchNormTrain { eps, saved: saved.clone() };
    let y = x.contiguous()?.apply_op3(&gamma.contiguous()?, &beta.contiguous()?, op)?;
    let Some(st) = saved.get().cloned() else { bail!("batch norm: forward did not run") };
    Ok((y, st))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_survive_a_large_offset() {
        // Values 1e6 + {0, 1, 2, 3}: μ = 1e6 + 1.5, σ² = 1.25 exactly (no cancellation).
        let x: Vec<f32> = (0..4).map(|i| 1e6 + i as f32).collect();
        let st = stats(&x, (2, 1, 2), 0.0);
        assert_eq!(st.mean, vec![1e6 + 1.5]);
        assert_eq!(st.var, vec![1.25]);
    }
}
