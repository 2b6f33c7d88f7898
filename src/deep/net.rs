//! The network interface and the architectures by name.

use super::densenet::DenseNet;
use super::params::ParamStore;
use super::resnet::ResNet;
use crate::rng::{ChaChaSource, RandomSource};
use anyhow::Result;
use candle_core::backprop::GradStore;
use candle_core::{Device, Tensor};

/// One forward pass: logits and the block outputs where sparsity is measured.
#[derive(Debug, Clone)]
pub struct Forward {
    /// (N, classes).
    pub logits: Tensor,
    /// The tapped block outputs, in the order of [`Net::tap_names`].
    pub taps: Vec<Tensor>,
}

/// One training-mode pass over a batch: the loss, the predictions and the gradients.
#[derive(Debug)]
pub struct Step {
    /// Mean cross-entropy of the batch (a scalar tensor).
    pub loss: Tensor,
    /// Correct predictions in the batch.
    pub correct: usize,
    /// ∂loss/∂θ for every trainable parameter θ.
    pub grads: GradStore,
}

/// [`Net::loss_and_grads`] through one graph: the training-mode forward pass, cross-entropy, and
/// backpropagation from the loss (every intermediate is kept until the backward pass).
pub fn backprop<N: Net + ?Sized>(net: &N, x: &Tensor, labels: &Tensor) -> Result<Step> {
    let fw = net.forward(x, true)?;
    let (loss, correct) = super::train::loss_and_correct(&fw.logits, labels)?;
    let grads = loss.backward()?;
    Ok(Step { loss, correct, grads })
}

/// A classification network with batch norm on CIFAR-sized inputs (N, 3, 32, 32) in [0, 1].
pub trait Net: Send + Sync {
    /// Forward pass in training (batch statistics, updates running statistics) or evaluation
    /// mode (running statistics).
    fn forward(&self, x: &Tensor, train: bool) -> Result<Forward>;
    /// Training-mode loss on (x, labels) with its gradients (default: [`backprop`]). Networks may
    /// override it to trade memory for recomputation; the values must not change.
    fn loss_and_grads(&self, x: &Tensor, labels: &Tensor) -> Result<Step> {
        backprop(self, x, labels)
    }
    /// Names of the tapped blocks.
    fn tap_names(&self) -> Vec<String>;
    /// The variables.
    fn params(&self) -> &ParamStore;
    /// Weights of the first convolution (c_out, 3, k, k) and of a middle one, for Fig. 17.
    fn filters(&self) -> (Tensor, Tensor);
}

/// Which architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetSpec {
    /// CIFAR ResNet, post-activation BasicBlocks `blocks` per stage, base width `width` (64).
    ResNet {
        /// Blocks per stage: [2, 2, 2, 2] ResNet-18, [3, 4, 6, 3] ResNet-34.
        blocks: [usize; 4],
        /// Channels of the first stage.
        width: usize,
    },
    /// DenseNet-BC of this depth and growth rate (compression 0.5, bottleneck).
    DenseNet {
        /// Depth (100): (depth − 4)/6 bottleneck layers per dense block.
        depth: usize,
        /// Growth rate k (12).
        growth: usize,
    },
}

impl NetSpec {
    /// ResNet-18 "plain" of base width `width`.
    pub fn resnet18(width: usize) -> Self {
        NetSpec::ResNet { blocks: [2, 2, 2, 2], width }
    }
    /// ResNet-34 of base width `width`.
    pub fn resnet34(width: usize) -> Self {
        NetSpec::ResNet { blocks: [3, 4, 6, 3], width }
    }
    /// DenseNet-BC-100-12.
    pub fn densenet100() -> Self {
        NetSpec::DenseNet { depth: 100, growth: 12 }
    }
}

/// Builds `spec` for `classes` outputs on `device` in f32, weights drawn from ChaCha seeded by
/// `seed`.
pub fn build(spec: NetSpec, classes: usize, device: &Device, seed: u64) -> Result<Box<dyn Net>> {
    build_in(spec, classes, ParamStore::new(device), seed)
}

/// Builds `spec` with its variables in `store` (empty; its device and dtype, e.g. f64 for
/// reference computations). The same seed draws the same weights whatever the dtype.
pub fn build_in(spec: NetSpec, classes: usize, store: ParamStore, seed: u64) -> Result<Box<dyn Net>> {
    let mut rng = ChaChaSource::new(seed);
    let rng: &mut dyn RandomSource = &mut rng;
    Ok(match spec {
        NetSpec::ResNet { blocks, width } => Box::new(ResNet::new(blocks, width, classes, store, rng)?),
        NetSpec::DenseNet { depth, growth } => Box::new(DenseNet::new(depth, growth, classes, store, rng)?),
    })
}
