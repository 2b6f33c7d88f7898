//! DenseNet-BC for CIFAR (Huang et al., 2017), depth 100, growth 12, compression 0.5 (Figs. 6, 7;
//! not in the release).
//!
//! Stem 3×3 conv to 2k channels; three dense blocks of (depth − 4)/6 bottleneck layers
//! x ↦ [x, conv₃ₓ₃(relu(bn(conv₁ₓ₁(relu(bn x)))))] (1×1 to 4k channels, 3×3 to k), with
//! transitions relu(bn) → conv₁ₓ₁ (× 0.5 channels) → 2×2 average pooling between them; final
//! BN + ReLU, global average pooling, linear.
//!
//! **Taps.** The paper measures sparsity on activations at the "end of super-block 3 (the middle
//! of the network) and super-block 4 (right before global average pooling)". DenseNet-BC has three
//! dense blocks, whose outputs are raw concatenations of convolution outputs; the post-ReLU
//! features at a block's end are the BN + ReLU that the next stage applies to it. So `block4` is the
//! final relu(bn(·)) of dense block 3 before pooling, and `block3`, the penultimate super-block,
//! is relu(bn(·)) of dense block 2's output inside transition 2 ((N, 300, 16, 16) at depth 100).
//! (Before 2026-11-28 `block3` was the raw concatenation of dense block 3, not an activation.)
//!
//! **Memory.** Backpropagating through one graph keeps, for each of the L layers of a block, its
//! concatenated input and the batch-norm intermediates of that input: O(L²·k) feature maps per
//! block, which put batch 256 out of reach of a 141 GB card. [`Net::loss_and_grads`] instead
//! recomputes (as the memory-efficient DenseNet of Pleiss et al., 2017, does for its
//! concatenation and BN-ReLU): the forward pass keeps only each block's input and the k new
//! channels of every layer (O(L·k) per block); the backward pass rebuilds one layer's input at a
//! time, reruns the layer with a graph and takes its vector–Jacobian product
//! ([`super::recompute::vjp`]), accumulating the gradient of every piece of the concatenation.
//! The gradients are those of the one-graph path ([`super::net::backprop`]); the price is one
//! more forward pass of each layer.

use super::layers::{global_avg_pool, BatchNorm, BnMode, Conv, Linear};
use super::net::{Forward, Net, Step};
use super::params::ParamStore;
use super::recompute::{split_channels, vjp};
use crate::rng::RandomSource;
use anyhow::{ensure, Result};
use candle_core::backprop::GradStore;
use candle_core::{Tensor, Var};

#[derive(Debug, Clone)]
struct Bottleneck {
    bn1: BatchNorm,
    conv1: Conv,
    bn2: BatchNorm,
    conv2: Conv,
}

impl Bottleneck {
    /// The k new channels conv₃ₓ₃(relu(bn₂(conv₁ₓ₁(relu(bn₁ x))))).
    fn features(&self, x: &Tensor, mode: BnMode) -> Result<Tensor> {
        let h = self.conv1.forward(&self.bn1.forward_relu(x, mode)?)?;
        self.conv2.forward(&self.bn2.forward_relu(&h, mode)?)
    }
}

#[derive(Debug, Clone)]
struct Transition {
    bn: BatchNorm,
    conv: Conv,
}

impl Transition {
    /// The activation relu(bn x) of the block's output.
    fn activation(&self, x: &Tensor, mode: BnMode) -> Result<Tensor> {
        self.bn.forward_relu(x, mode)
    }
    /// avgpool₂ₓ₂(conv₁ₓ₁(a)) of the activation a.
    fn reduce(&self, a: &Tensor) -> Result<Tensor> {
        Ok(self.conv.forward(a)?.avg_pool2d(2)?)
    }
    fn forward(&self, x: &Tensor, mode: BnMode) -> Result<Tensor> {
        self.reduce(&self.activation(x, mode)?)
    }
}

/// DenseNet-BC (see the module documentation).
#[derive(Debug)]
pub struct DenseNet {
    stem: Conv,
    blocks: Vec<Vec<Bottleneck>>,
    transitions: Vec<Transition>,
    bn: BatchNorm,
    linear: Linear,
    params: ParamStore,
}

impl DenseNet {
    /// DenseNet-BC of `depth` ((depth − 4) divisible by 6) and growth `k`, its variables in `store`
    /// (empty).
    pub fn new(depth: usize, k: usize, classes: usize, store: ParamStore, rng: &mut dyn RandomSource) -> Result<Self> {
        ensure!(
            depth >= 10 && (depth - 4) % 6 == 0,
            "DenseNet depth {depth}: need depth − 4 divisible by 6, depth ≥ 10"
        );
        let layers = (depth - 4) / 6;
        let mut p = store;
        let mut c = 2 * k;
        let stem = Conv::new(&mut p, "conv1", (3, c, 3, 1), rng)?;
        let (mut blocks, mut transitions) = (Vec::new(), Vec::new());
        for b in 0..3 {
            let mut block = Vec::new();
            for l in 0..layers {
                let name = format!("dense{}.{l}", b + 1);
                block.push(Bottleneck {
                    bn1: BatchNorm::new(&mut p, &format!("{name}.bn1"), c)?,
                    conv1: Conv::new(&mut p, &format!("{name}.conv1"), (c, 4 * k, 1, 1), rng)?,
                    bn2: BatchNorm::new(&mut p, &format!("{name}.bn2"), 4 * k)?,
                    conv2: Conv::new(&mut p, &format!("{name}.conv2"), (4 * k, k, 3, 1), rng)?,
                });
                c += k;
            }
            blocks.push(block);
            if b < 2 {
                let name = format!("trans{}", b + 1);
                let out = c / 2;
                transitions.push(Transition {
                    bn: BatchNorm::new(&mut p, &format!("{name}.bn"), c)?,
                    conv: Conv::new(&mut p, &format!("{name}.conv"), (c, out, 1, 1), rng)?,
                });
                c = out;
            }
        }
        let bn = BatchNorm::new(&mut p, "bn", c)?;
        let linear = Linear::new(&mut p, "linear", c, classes, rng)?;
        Ok(Self { stem, blocks, transitions, bn, linear, params: p })
    }

    /// Logits of the head linear(pool(relu(bn x))) on dense block 3's output.
    fn head(&self, x: &Tensor, mode: BnMode) -> Result<(Tensor, Tensor)> {
        let block4 = self.bn.forward_relu(x, mode)?;
        let logits = self.linear.forward(&global_avg_pool(&block4)?)?;
        Ok((logits, block4))
    }
}

impl Net for DenseNet {
    /// One graph through the whole network (in evaluation mode the graph of each layer is dropped
    /// as soon as its output exists: nothing is differentiated there).
    fn forward(&self, x: &Tensor, train: bool) -> Result<Forward> {
        let mode = if train { BnMode::Train } else { BnMode::Eval };
        let keep = |t: Tensor| if train { t } else { t.detach() };
        let mut h = keep(self.stem.forward(x)?);
        let mut block3 = None;
        for (b, block) in self.blocks.iter().enumerate() {
            for layer in block {
                let new = keep(layer.features(&h, mode)?);
                h = keep(Tensor::cat(&[&h, &new], 1)?);
            }
            if let Some(t) = self.transitions.get(b) {
                let a = keep(t.activation(&h, mode)?);
                h = keep(t.reduce(&a)?);
                if b == 1 {
                    block3 = Some(a);
                }
            }
        }
        let (logits, block4) = self.head(&h, mode)?;
        let block3 = block3.expect("three dense blocks");
        Ok(Forward { logits, taps: vec![block3, block4] })
    }

    /// The recomputing backward pass of the module documentation.
    fn loss_and_grads(&self, x: &Tensor, labels: &Tensor) -> Result<Step> {
        let (train, again) = (BnMode::Train, BnMode::Recompute);
        // Forward, no graph kept: per block its input and every layer's new channels.
        let mut pieces: Vec<Vec<Tensor>> = Vec::with_capacity(self.blocks.len());
        let mut h = self.stem.forward(x)?.detach();
        for (b, block) in self.blocks.iter().enumerate() {
            let mut p = vec![h];
            for layer in block {
                let new = layer.features(&Tensor::cat(&p, 1)?, train)?.detach();
                p.push(new);
            }
            h = Tensor::cat(&p, 1)?;
            if let Some(t) = self.transitions.get(b) {
                h = t.forward(&h, train)?.detach();
            }
            pieces.push(p);
        }
        // Head: loss and the gradient at dense block 3's output.
        let mut grads = GradStore::default();
        let leaf = Var::from_tensor(&h)?;
        let (logits, _) = self.head(leaf.as_tensor(), train)?;
        let (loss, correct) = super::train::loss_and_correct(&logits, labels)?;
        let mut head = loss.backward()?;
        let mut g_out = head.remove(leaf.as_tensor()).expect("the loss depends on the head's input");
        grads.extend(head)?;
        drop((leaf, logits));
        // Blocks in reverse: one layer's graph at a time.
        for (b, block) in self.blocks.iter().enumerate().rev() {
            let p = &pieces[b];
            let sizes: Vec<usize> = p.iter().map(|t| t.dim(1)).collect::<candle_core::Result<_>>()?;
            let mut g = split_channels(&g_out, &sizes)?;
            for (l, layer) in block.iter().enumerate().rev() {
                let input = Tensor::cat(&p[..=l], 1)?;
                let gi = vjp(|x| layer.features(x, again), &input, &g[l + 1], &mut grads)?;
                for (gj, dj) in g.iter_mut().zip(split_channels(&gi, &sizes[..=l])?) {
                    *gj = (&*gj + dj)?;
                }
            }
            g_out = match b.checked_sub(1) {
                Some(prev) => {
                    let input = Tensor::cat(&pieces[prev], 1)?;
                    vjp(|x| self.transitions[prev].forward(x, again), &input, &g[0], &mut grads)?
                }
                None => {
                    vjp(|x| self.stem.forward(x), x, &g[0], &mut grads)?;
                    break;
                }
            };
        }
        Ok(Step { loss, correct, grads })
    }

    fn tap_names(&self) -> Vec<String> {
        vec!["block3".into(), "block4".into()]
    }
    fn params(&self) -> &ParamStore {
        &self.params
    }
    fn filters(&self) -> (Tensor, Tensor) {
        (self.stem.weight.clone(), self.blocks[1][0].conv2.weight.clone())
    }
}
