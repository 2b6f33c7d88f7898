//! Access to the contiguous CPU data behind tensors and storages.

use super::element::Element;
use candle_core::backend::BackendStorage;
use candle_core::op::BackpropOp;
use candle_core::{bail, CpuStorage, Layout, Result, Storage, Tensor};

/// The elements of a contiguous layout over `s`.
pub fn slice<'a, T: Element>(s: &'a CpuStorage, l: &Layout) -> Result<&'a [T]> {
    let Some((start, end)) = l.contiguous_offsets() else { bail!("op layer: non-contiguous input") };
    let Some(v) = T::slice(s) else { bail!("op layer: dtype {:?} differs from the op's", s.dtype()) };
    Ok(&v[start..end])
}

/// The elements of a contiguous layout over `s`, mutably.
pub fn slice_mut<'a, T: Element>(s: &'a mut CpuStorage, l: &Layout) -> Result<&'a mut [T]> {
    let Some((start, end)) = l.contiguous_offsets() else { bail!("op layer: non-contiguous operand") };
    let dtype = s.dtype();
    let Some(v) = T::slice_mut(s) else { bail!("op layer: dtype {dtype:?} differs from the op's") };
    Ok(&mut v[start..end])
}

/// Runs `f` on the elements of `t` (a CPU tensor, made contiguous first if it is not).
pub fn read<T: Element, R>(t: &Tensor, f: impl FnOnce(&[T]) -> Result<R>) -> Result<R> {
    let t = t.contiguous()?;
    let (guard, layout) = t.storage_and_layout();
    let Storage::Cpu(cpu) = &*guard else { bail!("op layer: tensor not on the CPU") };
    f(slice(cpu, layout)?)
}

/// A CPU tensor of this shape holding `v` (no graph).
pub fn tensor<T: Element>(v: Vec<T>, shape: &[usize]) -> Tensor {
    debug_assert_eq!(v.len(), shape.iter().product::<usize>());
    Tensor::from_storage(Storage::Cpu(T::storage(v)), shape, BackpropOp::none(), false)
}
