//! The SGD update in place, one pass over each tensor it writes:
//!
//! v ← μv + (g + λθ)   then   θ ← θ − ηv       (momentum μ ≠ 0)
//! θ ← θ − η(g + λθ)                          (μ = 0)
//!
//! in the parameters' dtype, with the composed update's order of operations (so the same
//! rounding as [`crate::deep::optim::SgdMomentum`] on candle's ops).

use super::element::Element;
use super::storage::{slice, slice_mut};
use candle_core::backend::BackendStorage;
use candle_core::{bail, CpuStorage, InplaceOp2, InplaceOp3, Layout, Result, Tensor};

/// v ← μv + (g + λθ) (on v; sources θ, g).
#[derive(Debug, Clone, Copy)]
struct Velocity {
    momentum: f64,
    decay: f64,
}

fn velocity<T: Element>(op: &Velocity, v: &mut [T], theta: &[T], g: &[T]) {
    let (mu, lambda) = (T::from_f64(op.momentum), T::from_f64(op.decay));
    for ((v, &t), &g) in v.iter_mut().zip(theta).zip(g) {
        *v = *v * mu + (g + t * lambda);
    }
}

impl InplaceOp3 for Velocity {
    fn name(&self) -> &'static str {
        "largestep-sgd-velocity"
    }
    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<()> {
        check(l1, &[l2, l3])?;
        match s1 {
            CpuStorage::F32(_) => velocity::<f32>(self, slice_mut(s1, l1)?, slice(s2, l2)?, slice(s3, l3)?),
            CpuStorage::F64(_) => velocity::<f64>(self, slice_mut(s1, l1)?, slice(s2, l2)?, slice(s3, l3)?),
            _ => bail!("sgd: dtype {:?}", s1.dtype()),
        }
        Ok(())
    }
}

/// θ ← θ − η(d + λθ) (on θ; source d), the λ term skipped when λ = 0.
#[derive(Debug, Clone, Copy)]
struct Descend {
    eta: f64,
    decay: f64,
}

fn descend<T: Element>(op: &Descend, theta: &mut [T], d: &[T]) {
    let (eta, lambda) = (T::from_f64(op.eta), T::from_f64(op.decay));
    if op.decay == 0.0 {
        for (t, &d) in theta.iter_mut().zip(d) {
            *t = *t - d * eta;
        }
    } else {
        for (t, &d) in theta.iter_mut().zip(d) {
            *t = *t - (d + *t * lambda) * eta;
        }
    }
}

impl InplaceOp2 for Descend {
    fn name(&self) -> &'static str {
        "largestep-sgd-descend"
    }
    fn cpu_fwd(&self, s1: &mut CpuStorage, l1: &Layout, s2: &CpuStorage, l2: &Layout) -> Result<()> {
        check(l1, &[l2])?;
        match s1 {
            CpuStorage::F32(_) => descend::<f32>(self, slice_mut(s1, l1)?, slice(s2, l2)?),
            CpuStorage::F64(_) => descend::<f64>(self, slice_mut(s1, l1)?, slice(s2, l2)?),
            _ => bail!("sgd: dtype {:?}", s1.dtype()),
        }
        Ok(())
    }
}

fn check(dst: &Layout, srcs: &[&Layout]) -> Result<()> {
    for s in srcs {
        if s.dims() != dst.dims() {
            bail!("sgd: shapes {:?} and {:?}", dst.dims(), s.dims());
        }
    }
    Ok(())
}

/// One step on θ (in place) with gradient g: with momentum μ ≠ 0 the velocity `v` (same shape,
/// in place; zeros before the first step) is updated first. CPU f32 or f64, contiguous θ and v.
pub fn step(theta: &Tensor, g: &Tensor, v: Option<&Tensor>, (eta, momentum, decay): (f64, f64, f64)) -> Result<()> {
    let g = g.contiguous()?;
    match v {
        Some(v) if momentum != 0.0 => {
            v.inplace_op3(theta, &g, &Velocity { momentum, decay })?;
            theta.inplace_op2(v, &Descend { eta, decay: 0.0 })
        }
        _ => theta.inplace_op2(&g, &Descend { eta, decay }),
    }
}
