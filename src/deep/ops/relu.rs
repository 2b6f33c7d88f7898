//! ReLU with a one-pass backward: ∂L/∂x = ∂L/∂y · 1[y > 0].
//!
//! The derivative at 0 is taken as 0 (PyTorch's convention; candle's composed `relu` takes 1).

use super::element::Element;
use super::storage::{read, slice, tensor};
use candle_core::backend::BackendStorage;
use candle_core::{bail, CpuStorage, CustomOp1, DType, Layout, Result, Shape, Tensor};
use rayon::prelude::*;

/// Elements per parallel task.
const CHUNK: usize = 1 << 14;

/// y = max(x, 0).
pub fn forward<T: Element>(x: &[T]) -> Vec<T> {
    let mut y = vec![T::ZERO; x.len()];
    y.par_chunks_mut(CHUNK).zip(x.par_chunks(CHUNK)).for_each(|(y, x)| {
        for (o, &v) in y.iter_mut().zip(x) {
            *o = if v > T::ZERO { v } else { T::ZERO };
        }
    });
    y
}

/// ∂L/∂x from y and ∂L/∂y.
pub fn backward<T: Element>(y: &[T], dy: &[T]) -> Vec<T> {
    let mut dx = vec![T::ZERO; y.len()];
    dx.par_chunks_mut(CHUNK).zip(y.par_chunks(CHUNK).zip(dy.par_chunks(CHUNK))).for_each(|(dx, (y, dy))| {
        for ((o, &v), &d) in dx.iter_mut().zip(y).zip(dy) {
            *o = if v > T::ZERO { d } else { T::ZERO };
        }
    });
    dx
}

/// The candle op y = max(x, 0).
#[derive(Debug, Clone, Copy)]
struct Relu;

impl CustomOp1 for Relu {
    fn name(&self) -> &'static str {
        "largestep-relu"
    }
    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let y = match s {
            CpuStorage::F32(_) => CpuStorage::F32(forward::<f32>(slice(s, l)?)),
            CpuStorage::F64(_) => CpuStorage::F64(forward::<f64>(slice(s, l)?)),
            _ => bail!("relu: dtype {:?}", s.dtype()),
        };
        Ok((y, l.shape().clone()))
    }
    fn bwd(&self, _x: &Tensor, y: &Tensor, dy: &Tensor) -> Result<Option<Tensor>> {
        fn grad<T: Element>(y: &Tensor, dy: &Tensor) -> Result<Tensor> {
            let dx = read(y, |y| read(dy, |dy| Ok(backward::<T>(y, dy))))?;
            Ok(tensor(dx, y.dims()))
        }
        Ok(Some(match y.dtype() {
            DType::F32 => grad::<f32>(y, dy)?,
            DType::F64 => grad::<f64>(y, dy)?,
            d => bail!("relu backward: dtype {d:?}"),
        }))
    }
}

/// max(x, 0) for a CPU f32 or f64 tensor, differentiable.
pub fn relu(x: &Tensor) -> Result<Tensor> {
    x.contiguous()?.apply_op1(Relu)
}
