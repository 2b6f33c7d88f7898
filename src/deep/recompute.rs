//! Backpropagation by recomputation (gradient checkpointing, Chen et al., 2016): a segment
//! y = f(x; θ) is run once without keeping its graph; in the backward pass it is run again with
//! a graph, only for as long as its vector–Jacobian product takes:
//!
//! given the upstream gradient g = ∂L/∂y, return ∂L/∂x = (∂y/∂x)ᵀ g and add ∂L/∂θ = (∂y/∂θ)ᵀ g
//! to the parameter gradients, both obtained as gradients of the scalar ⟨y, g⟩ with g held fixed.
//!
//! Memory then holds the segments' inputs and outputs plus one segment's intermediates, instead of
//! every intermediate of the network at once.

use anyhow::{Context, Result};
use candle_core::backprop::GradStore;
use candle_core::{Tensor, Var};

/// ∂⟨f(x), g⟩/∂x, adding ∂⟨f(x), g⟩/∂θ for every variable θ of `f` into `acc` (summed with what
/// is there). `x` is copied into a fresh leaf, so its own graph (if any) is not followed.
pub fn vjp(f: impl FnOnce(&Tensor) -> Result<Tensor>, x: &Tensor, g: &Tensor, acc: &mut GradStore) -> Result<Tensor> {
    let leaf = Var::from_tensor(&x.detach())?;
    let y = f(leaf.as_tensor())?;
    let mut grads = (y * g.detach())?.sum_all()?.backward()?;
    let gx = grads.remove(leaf.as_tensor()).context("recomputed segment does not depend on its input")?;
    acc.extend(grads)?;
    Ok(gx)
}

/// Splits `t` along dimension 1 into consecutive pieces of these sizes.
pub fn split_channels(t: &Tensor, sizes: &[usize]) -> Result<Vec<Tensor>> {
    let mut start = 0;
    sizes
        .iter()
        .map(|&c| {
            let piece = t.narrow(1, start, c)?;
            start += c;
            Ok(piece)
        })
        .collect()
}
