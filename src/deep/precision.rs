//! Arithmetic precision of convolutions and matrix products.
//!
//! * `f32`: IEEE single precision throughout (on CUDA with TF32 forbidden in cuBLAS).
//! * `tf32`: f32 tensors, GEMMs on CUDA tensor cores with inputs rounded to TF32 (10-bit
//!   mantissa, f32 accumulation) — a CUDA mode; the CPU has no TF32 arithmetic.
//! * `bf16`: mixed precision as PyTorch's autocast: convolution and linear inputs and weights are
//!   cast to bfloat16 (8-bit mantissa) for the product, its output back to f32; the master
//!   weights, batch-norm statistics, the loss and the optimizer stay f32. Gradients flow through
//!   the casts (bf16 products in the backward pass as well). candle's CPU backend has no bf16
//!   matrix product, so on the CPU the operands and the output are rounded to bf16 and the
//!   product runs in f32: the same values as bf16 data with f32 accumulation.

use anyhow::{bail, Result};
use candle_core::{DType, Device, Tensor};
use serde::{Deserialize, Serialize};

/// The `--precision` argument.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// f32 everywhere.
    #[default]
    F32,
    /// TF32 tensor-core GEMMs (CUDA only).
    Tf32,
    /// bf16 convolutions and matrix products, f32 master weights, statistics and loss.
    Bf16,
}

impl Precision {
    /// The dtype of convolution/linear products, when it differs from the weights' (bf16).
    pub fn compute_dtype(self) -> Option<DType> {
        (self == Precision::Bf16).then_some(DType::BF16)
    }
    /// Sets the device-wide modes this precision needs (cuBLAS TF32 on CUDA); an error for TF32
    /// on the CPU.
    pub fn apply(self, dev: &Device) -> Result<()> {
        #[cfg(feature = "cuda")]
        if dev.is_cuda() {
            candle_core::cuda::set_gemm_reduced_precision_f32(self == Precision::Tf32);
            return Ok(());
        }
        if self == Precision::Tf32 && !dev.is_cuda() {
            bail!("--precision tf32: TF32 is a CUDA tensor-core mode; on the CPU use f32 or bf16");
        }
        Ok(())
    }
}

/// `op(x, w)` computed in `compute` (when given) and cast back to `x`'s dtype: the autocast
/// pattern for one product. On the CPU the product itself runs in `x`'s dtype on operands
/// rounded to `compute`, its output rounded to `compute` as well (see the module documentation).
pub fn cast_product(
    x: &Tensor,
    w: &Tensor,
    compute: Option<DType>,
    op: impl FnOnce(&Tensor, &Tensor) -> candle_core::Result<Tensor>,
) -> Result<Tensor> {
    let round = |t: &Tensor, c: DType| t.to_dtype(c)?.to_dtype(t.dtype());
    Ok(match compute {
        Some(c) if c != x.dtype() && x.device().is_cpu() => round(&op(&round(x, c)?, &round(w, c)?)?, c)?,
        Some(c) if c != x.dtype() => op(&x.to_dtype(c)?, &w.to_dtype(c)?)?.to_dtype(x.dtype())?,
        _ => op(x, w)?,
    })
}
