//! The deep nets' op layer: convolution, train-mode batch norm, ReLU and the SGD update as
//! candle custom ops with explicit backward passes, on CPU f32/f64 tensors.
//!
//! Each op replaces a chain of candle's composed ops (which stay, as [`Kernels::Composed`], the
//! reference every op is tested against):
//!
//! * [`conv2d`]: y = w ⋆ x as GEMMs through the `gemm` crate (im2col per group of images,
//!   groups on rayon's threads); its backward pass computes ∂L/∂x (Wᵀ·∂L/∂y, col2im) and ∂L/∂w
//!   (∂L/∂y·colsᵀ) in one sweep over the batch ([`conv`]);
//! * [`batch_norm_train`]: batch statistics in one read of x, y in one write; backward in one
//!   read of (x, ∂L/∂y) and one write of ∂L/∂x ([`batch_norm`]);
//! * [`relu`]: forward and backward one pass each ([`relu`](mod@relu));
//! * [`sgd`]: the momentum update in place, one pass over each of v and θ.
//!
//! The ops run where [`Kernels::applies`]: the CPU, f32 or f64. Elsewhere (CUDA, bf16 storage)
//! the layers use the composed candle ops.

pub mod batch_norm;
pub mod conv;
mod element;
mod gemm;
pub mod relu;
pub mod sgd;
mod storage;

pub use batch_norm::{batch_norm_train, BatchStats};
pub use conv::conv2d;
pub use element::Element;
pub use relu::relu;

use candle_core::{DType, Tensor};
use std::sync::atomic::{AtomicBool, Ordering};

/// Which implementation the layers use. The default is [`Kernels::Fused`] unless the process
/// chose otherwise with [`Kernels::set_default`] (the CLI's `--kernels`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kernels {
    /// The op layer of this module where it applies (CPU f32/f64), candle's ops elsewhere.
    Fused,
    /// candle's composed ops everywhere: the reference.
    Composed,
}

static DEFAULT_COMPOSED: AtomicBool = AtomicBool::new(false);

impl Default for Kernels {
    fn default() -> Self {
        if DEFAULT_COMPOSED.load(Ordering::Relaxed) {
            Kernels::Composed
        } else {
            Kernels::Fused
        }
    }
}

/// Makes candle run its own elementwise ops (gradient accumulation, residual sums) on the calling
/// thread (`CANDLE_NUM_THREADS=1` unless the environment sets it), before candle first uses it.
///
/// candle 0.11 runs elementwise ops on a barrier pool whose caller spin-waits for its workers;
/// beside rayon's pool, which the op layer uses, that oversubscribes the cores: on the 2-core
/// machine a ResNet-18 width-16 step took 1.7× as long (BENCHMARKS.md, issue 30), a quarter of
/// it in the spin loop. The heavy work is in the op layer, which keeps every core.
pub fn single_threaded_candle_elementwise() {
    if std::env::var_os("CANDLE_NUM_THREADS").is_none() {
        // Called from the CLI's device choice, before any candle op and any other thread.
        std::env::set_var("CANDLE_NUM_THREADS", "1");
    }
}

impl Kernels {
    /// Makes `k` the default of stores and optimizers created from now on in this process.
    pub fn set_default(k: Kernels) {
        DEFAULT_COMPOSED.store(k == Kernels::Composed, Ordering::Relaxed);
    }
    /// Whether the op layer computes on `t`: [`Kernels::Fused`], on the CPU, f32 or f64.
    pub fn applies(self, t: &Tensor) -> bool {
        self == Kernels::Fused && t.device().is_cpu() && matches!(t.dtype(), DType::F32 | DType::F64)
    }
    /// max(x, 0) through the op layer where it applies, candle's `relu` otherwise.
    pub fn relu(self, x: &Tensor) -> candle_core::Result<Tensor> {
        if self.applies(x) {
            relu(x)
        } else {
            x.relu()
        }
    }
}
