//! Layers: convolution, batch norm, linear.
//!
//! Each layer computes with its store's [`Kernels`]: the op layer ([`super::ops`]) where it
//! applies, candle's composed ops otherwise (and always with [`Kernels::Composed`]).

use super::ops::{self, Kernels};
use super::params::ParamStore;
use super::precision::cast_product;
use crate::rng::RandomSource;
use anyhow::Result;
use candle_core::{DType, Tensor, Var};

/// A 2-D convolution without bias, weights Kaiming-normal with fan-out:
/// w ~ N(0, 2/(c_out·k²)) (the release's initialization of its ResNets).
#[derive(Debug, Clone)]
pub struct Conv {
    /// Weights (c_out, c_in, k, k).
    pub weight: Tensor,
    stride: usize,
    padding: usize,
    compute: Option<DType>,
    kernels: Kernels,
}

impl Conv {
    /// A k×k convolution c_in → c_out with this stride, padding k/2.
    pub fn new(
        p: &mut ParamStore,
        name: &str,
        (c_in, c_out, k, stride): (usize, usize, usize, usize),
        rng: &mut dyn RandomSource,
    ) -> Result<Self> {
        let std = (2.0 / (c_out * k * k) as f64).sqrt();
        let weight = p.normal(format!("{name}.weight"), &[c_out, c_in, k, k], std, rng)?;
        Ok(Self { weight, stride, padding: k / 2, compute: p.compute(), kernels: p.kernels() })
    }
    /// y = w ⋆ x (in the store's compute dtype, see [`super::precision`]).
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (stride, pad) = (self.stride, self.padding);
        cast_product(x, &self.weight, self.compute, |x, w| {
            if self.kernels.applies(x) {
                ops::conv2d(x, w, stride, pad)
            } else {
                x.conv2d(w, pad, stride, 1, 1)
            }
        })
    }
}

/// Batch normalization over (N, H, W) per channel: y = γ·(x − μ)/√(σ² + ε) + β, ε = 1e-5.
/// Training mode uses the batch's μ, σ² (biased) and updates the running statistics
/// r ← 0.9·r + 0.1·s (the running variance with the unbiased batch variance); evaluation mode
/// uses the running statistics. γ = 1, β = 0 at init.
#[derive(Debug, Clone)]
pub struct BatchNorm {
    gamma: Tensor,
    beta: Tensor,
    running_mean: Var,
    running_var: Var,
    kernels: Kernels,
}

/// How batch norm normalizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BnMode {
    /// Batch statistics; the running statistics move towards them.
    Train,
    /// Batch statistics, running statistics untouched: the second pass over the same batch when
    /// a segment is recomputed for its backward pass (the values equal the first pass's).
    Recompute,
    /// Running statistics.
    Eval,
}

const BN_EPS: f64 = 1e-5;
const BN_MOMENTUM: f64 = 0.1;

impl BatchNorm {
    /// Batch norm over `c` channels.
    pub fn new(p: &mut ParamStore, name: &str, c: usize) -> Result<Self> {
        Ok(Self {
            gamma: p.fill(format!("{name}.weight"), &[c], 1.0)?,
            beta: p.fill(format!("{name}.bias"), &[c], 0.0)?,
            running_mean: p.buffer(format!("{name}.running_mean"), vec![0.0; c], &[c])?,
            running_var: p.buffer(format!("{name}.running_var"), vec![1.0; c], &[c])?,
            kernels: p.kernels(),
        })
    }
    /// Normalizes `x` (N, C, H, W): training mode (`true`) or evaluation mode (`false`).
    pub fn forward(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        self.forward_mode(x, if train { BnMode::Train } else { BnMode::Eval })
    }
    /// relu(BN(x)) in `mode`, the ReLU through the same kernels.
    pub fn forward_relu(&self, x: &Tensor, mode: BnMode) -> Result<Tensor> {
        Ok(self.kernels.relu(&self.forward_mode(x, mode)?)?)
    }
    /// r ← 0.9·r + 0.1·s for the batch's mean and (unbiased) variance, M values per channel.
    fn update_running(&self, mean: &Tensor, var: &Tensor, m: usize) -> Result<()> {
        let n = m as f64;
        let rm =
            ((self.running_mean.as_tensor() * (1.0 - BN_MOMENTUM))? + (mean.detach().flatten_all()? * BN_MOMENTUM)?)?;
        let unbiased = n / (n - 1.0).max(1.0);
        let rv = ((self.running_var.as_tensor() * (1.0 - BN_MOMENTUM))?
            + (var.detach().flatten_all()? * (BN_MOMENTUM * unbiased))?)?;
        self.running_mean.set(&rm)?;
        self.running_var.set(&rv)?;
        Ok(())
    }
    /// Normalizes `x` (N, C, H, W) in `mode`.
    pub fn forward_mode(&self, x: &Tensor, mode: BnMode) -> Result<Tensor> {
        let c = self.gamma.dim(0)?;
        if mode != BnMode::Eval && self.kernels.applies(x) {
            let (y, st) = ops::batch_norm_train(x, &self.gamma, &self.beta, BN_EPS)?;
            if mode == BnMode::Train {
                let dtype = x.dtype();
                let mean = Tensor::from_vec(st.mean, c, x.device())?.to_dtype(dtype)?;
                let var = Tensor::from_vec(st.var, c, x.device())?.to_dtype(dtype)?;
                self.update_running(&mean, &var, st.count)?;
            }
            return Ok(y);
        }
        let (mean, var) = if mode != BnMode::Eval {
            let mean = x.mean_keepdim((0, 2, 3))?;
            let var = x.broadcast_sub(&mean)?.sqr()?.mean_keepdim((0, 2, 3))?;
            if mode == BnMode::Train {
                self.update_running(&mean, &var, x.elem_count() / c)?;
            }
            (mean, var)
        } else {
            (self.running_mean.as_tensor().reshape((1, c, 1, 1))?, self.running_var.as_tensor().reshape((1, c, 1, 1))?)
        };
        let scale = (var + BN_EPS)?.sqrt()?.recip()?.broadcast_mul(&self.gamma.reshape((1, c, 1, 1))?)?;
        let shift = self.beta.reshape((1, c, 1, 1))?.broadcast_sub(&mean.broadcast_mul(&scale)?)?;
        Ok(x.broadcast_mul(&scale)?.broadcast_add(&shift)?)
    }
}

/// A dense layer y = W x + b with PyTorch's default initialization W, b ~ U(±1/√fan_in).
#[derive(Debug, Clone)]
pub struct Linear {
    weight: Tensor,
    bias: Tensor,
    compute: Option<DType>,
}

impl Linear {
    /// `d_in → d_out`.
    pub fn new(p: &mut ParamStore, name: &str, d_in: usize, d_out: usize, rng: &mut dyn RandomSource) -> Result<Self> {
        let bound = 1.0 / (d_in as f64).sqrt();
        let weight = p.uniform(format!("{name}.weight"), &[d_out, d_in], bound, rng)?;
        let bias = p.uniform(format!("{name}.bias"), &[d_out], bound, rng)?;
        Ok(Self { weight, bias, compute: p.compute() })
    }
    /// `x` (N, d_in) ↦ (N, d_out) (the product in the store's compute dtype).
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(cast_product(x, &self.weight, self.compute, |x, w| x.matmul(&w.t()?))?.broadcast_add(&self.bias)?)
    }
}

/// Global average pooling (N, C, H, W) ↦ (N, C).
pub fn global_avg_pool(x: &Tensor) -> Result<Tensor> {
    Ok(x.mean((2, 3))?)
}
