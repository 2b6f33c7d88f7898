//! DenseNet-BC for CIFAR (Huang et al., 2017), depth 100, growth 12, compression 0.5 (Figs. 6, 7;
//! not in the release).
//!
//! Stem 3×3 conv to 2k channels; three dense blocks of (depth − 4)/6 bottleneck layers
//! x ↦ [x, conv₃ₓ₃(relu(bn(conv₁ₓ₁(relu(bn x)))))] (1×1 to 4k channels, 3×3 to k), with
//! transitions relu(bn) → conv₁ₓ₁ (× 0.5 channels) → 2×2 average pooling between them; final
//! BN + ReLU, global average pooling, linear. The paper measures sparsity at the "end of
//! super-blocks 3 and 4": here the output of the third dense block (`block3`, raw concatenation)
//! and the final BN + ReLU map before global pooling (`block4`).

use super::layers::{global_avg_pool, BatchNorm, Conv, Linear};
use super::net::{Forward, Net};
use super::params::ParamStore;
use crate::rng::RandomSource;
use anyhow::{ensure, Result};
use candle_core::{Device, Tensor};

#[derive(Debug, Clone)]
struct Bottleneck {
    bn1: BatchNorm,
    conv1: Conv,
    bn2: BatchNorm,
    conv2: Conv,
}

impl Bottleneck {
    fn forward(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let h = self.conv1.forward(&self.bn1.forward(x, train)?.relu()?)?;
        let h = self.conv2.forward(&self.bn2.forward(&h, train)?.relu()?)?;
        Ok(Tensor::cat(&[x, &h], 1)?)
    }
}

#[derive(Debug, Clone)]
struct Transition {
    bn: BatchNorm,
    conv: Conv,
}

impl Transition {
    fn forward(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        Ok(self.conv.forward(&self.bn.forward(x, train)?.relu()?)?.avg_pool2d(2)?)
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
    /// DenseNet-BC of `depth` ((depth − 4) divisible by 6) and growth `k`.
    pub fn new(depth: usize, k: usize, classes: usize, device: &Device, rng: &mut dyn RandomSource) -> Result<Self> {
        ensure!(
            depth >= 10 && (depth - 4) % 6 == 0,
            "DenseNet depth {depth}: need depth − 4 divisible by 6, depth ≥ 10"
        );
        let layers = (depth - 4) / 6;
        let mut p = ParamStore::new(device);
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
}

impl Net for DenseNet {
    fn forward(&self, x: &Tensor, train: bool) -> Result<Forward> {
        let mut h = self.stem.forward(x)?;
        for (b, block) in self.blocks.iter().enumerate() {
            for layer in block {
                h = layer.forward(&h, train)?;
            }
            if let Some(t) = self.transitions.get(b) {
                h = t.forward(&h, train)?;
            }
        }
        let block3 = h.clone();
        let block4 = self.bn.forward(&h, train)?.relu()?;
        let pooled = global_avg_pool(&block4)?;
        Ok(Forward { logits: self.linear.forward(&pooled)?, taps: vec![block3, block4] })
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
