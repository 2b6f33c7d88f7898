//! CIFAR ResNets: ResNet-18 "plain" and ResNet-34 (docs/DESIGN.md §3; the release's `ResNet` with
//! `BasicBlockResNet34`): 3×3 stem, no max-pool, post-activation BasicBlocks.

use super::layers::{global_avg_pool, BatchNorm, BnMode, Conv, Linear};
use super::net::{Forward, Net};
use super::ops::Kernels;
use super::params::ParamStore;
use crate::rng::RandomSource;
use anyhow::Result;
use candle_core::Tensor;

/// relu(bn₂(conv₂(relu(bn₁(conv₁ x)))) + s(x)), s = identity or 1×1 conv + BN when the shape
/// changes.
#[derive(Debug, Clone)]
struct BasicBlock {
    conv1: Conv,
    bn1: BatchNorm,
    conv2: Conv,
    bn2: BatchNorm,
    shortcut: Option<(Conv, BatchNorm)>,
    kernels: Kernels,
}

impl BasicBlock {
    fn new(
        p: &mut ParamStore,
        name: &str,
        c_in: usize,
        c_out: usize,
        stride: usize,
        rng: &mut dyn RandomSource,
    ) -> Result<Self> {
        let conv1 = Conv::new(p, &format!("{name}.conv1"), (c_in, c_out, 3, stride), rng)?;
        let bn1 = BatchNorm::new(p, &format!("{name}.bn1"), c_out)?;
        let conv2 = Conv::new(p, &format!("{name}.conv2"), (c_out, c_out, 3, 1), rng)?;
        let bn2 = BatchNorm::new(p, &format!("{name}.bn2"), c_out)?;
        let shortcut = if stride != 1 || c_in != c_out {
            Some((
                Conv::new(p, &format!("{name}.shortcut.0"), (c_in, c_out, 1, stride), rng)?,
                BatchNorm::new(p, &format!("{name}.shortcut.1"), c_out)?,
            ))
        } else {
            None
        };
        Ok(Self { conv1, bn1, conv2, bn2, shortcut, kernels: p.kernels() })
    }
    fn forward(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let h = self.bn1.forward_relu(&self.conv1.forward(x)?, mode(train))?;
        let h = self.bn2.forward(&self.conv2.forward(&h)?, train)?;
        let s = match &self.shortcut {
            Some((c, b)) => b.forward(&c.forward(x)?, train)?,
            None => x.clone(),
        };
        Ok(self.kernels.relu(&(h + s)?)?)
    }
}

fn mode(train: bool) -> BnMode {
    if train {
        BnMode::Train
    } else {
        BnMode::Eval
    }
}

/// The CIFAR ResNet: stem conv 3×3 (width) + BN + ReLU, four stages of BasicBlocks with widths
/// w, 2w, 4w, 8w and strides 1, 2, 2, 2, global average pooling, linear. Taps: the outputs of
/// layer1–layer4 and the pooled vector.
#[derive(Debug)]
pub struct ResNet {
    stem: Conv,
    bn: BatchNorm,
    stages: Vec<Vec<BasicBlock>>,
    linear: Linear,
    params: ParamStore,
}

impl ResNet {
    /// A ResNet with `blocks` per stage and base width `width`, for `classes` outputs, its
    /// variables in `store` (empty).
    pub fn new(
        blocks: [usize; 4],
        width: usize,
        classes: usize,
        store: ParamStore,
        rng: &mut dyn RandomSource,
    ) -> Result<Self> {
        let mut p = store;
        let stem = Conv::new(&mut p, "conv1", (3, width, 3, 1), rng)?;
        let bn = BatchNorm::new(&mut p, "bn1", width)?;
        let mut c_in = width;
        let mut stages = Vec::new();
        for (s, &n) in blocks.iter().enumerate() {
            let c_out = width << s;
            let mut stage = Vec::new();
            for b in 0..n {
                let stride = if s > 0 && b == 0 { 2 } else { 1 };
                stage.push(BasicBlock::new(&mut p, &format!("layer{}.{b}", s + 1), c_in, c_out, stride, rng)?);
                c_in = c_out;
            }
            stages.push(stage);
        }
        let linear = Linear::new(&mut p, "linear", c_in, classes, rng)?;
        Ok(Self { stem, bn, stages, linear, params: p })
    }
}

impl Net for ResNet {
    fn forward(&self, x: &Tensor, train: bool) -> Result<Forward> {
        let mut h = self.bn.forward_relu(&self.stem.forward(x)?, mode(train))?;
        let mut taps = Vec::with_capacity(5);
        for stage in &self.stages {
            for block in stage {
                h = block.forward(&h, train)?;
            }
            taps.push(h.clone());
        }
        let pooled = global_avg_pool(&h)?;
        taps.push(pooled.clone());
        Ok(Forward { logits: self.linear.forward(&pooled)?, taps })
    }
    fn tap_names(&self) -> Vec<String> {
        vec!["layer1".into(), "layer2".into(), "layer3".into(), "layer4".into(), "pooled".into()]
    }
    fn params(&self) -> &ParamStore {
        &self.params
    }
    fn filters(&self) -> (Tensor, Tensor) {
        (self.stem.weight.clone(), self.stages[1][0].conv1.weight.clone())
    }
}
