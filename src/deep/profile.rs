//! Per-op profile of a ResNet-18 training step (`largestep deep bench --profile`).
//!
//! Every clock read follows a device synchronization; warm-up repeats are excluded; each row is
//! the median over the timed repeats. The step is split into (a) batch assembly on the host and
//! copy to the device, (b) forward in training mode plus the loss, (c) backward, (d) optimizer
//! step. Then single ops at the network's own shapes (batch `n`, stage s = 1..4 with `w·2^(s-1)`
//! channels on `32/2^(s-1)` squared maps): a 3×3 stride-1 convolution forward and its backward,
//! batch norm (training mode) forward and backward, ReLU forward and backward, and the final
//! linear layer's matmul. A backward row times `backward()` of `sum(y)` on a graph whose forward
//! already ran, so it includes seeding dL/dy with ones (one elementwise pass).
//!
//! The "count" column is how often the op occurs at that shape in one ResNet-18 step, and the
//! The profile runs with [`ProfileConfig::kernels`]: the op layer ([`super::ops`], the default)
//! or candle's composed ops (the implementation before the op layer), for before/after tables.
//!
//! The "count" column is how often the op occurs at that shape in one ResNet-18 step, and the
//! share is count × ms over the measured step (a + b + c + d medians). Convolutions that are not
//! 3×3 stride 1 (the stem 3→w, the strided first conv of stages 2–4, the 1×1 shortcuts) are not
//! in the per-op rows, so the per-op shares do not add up to 100 %.

use super::data::ImageSet;
use super::device::synchronize;
use super::layers::{BatchNorm, BnMode};
use super::ops::{self, Kernels};
use super::optim::SgdMomentum;
use super::params::ParamStore;
use super::train::loss_and_correct;
use super::{build_in, NetSpec};
use crate::rng::{ChaChaSource, RandomSource};
use crate::stats::median;
use anyhow::{ensure, Result};
use candle_core::{Device, Tensor, Var};
use std::time::Instant;

/// One row of the profile.
#[derive(Debug, Clone)]
pub struct Row {
    /// The op.
    pub op: String,
    /// Its input shape.
    pub shape: String,
    /// Median milliseconds of one call.
    pub ms: f64,
    /// How often it occurs at this shape in one step (1 for the phases).
    pub count: usize,
}

/// Profile settings.
#[derive(Debug, Clone, Copy)]
pub struct ProfileConfig {
    /// ResNet-18 base width (64 in the paper).
    pub width: usize,
    /// Batch size.
    pub batch: usize,
    /// Untimed repeats before timing.
    pub warmup: usize,
    /// Timed repeats (the median is reported).
    pub repeats: usize,
    /// The op layer or candle's composed ops.
    pub kernels: Kernels,
}

/// Median seconds of `f` over `repeats` after `warmup` calls, the device synchronized before
/// every clock read.
fn time<F: FnMut() -> Result<()>>(dev: &Device, warmup: usize, repeats: usize, mut f: F) -> Result<f64> {
    let mut times = Vec::with_capacity(repeats);
    for i in 0..warmup + repeats {
        synchronize(dev)?;
        let t0 = Instant::now();
        f()?;
        synchronize(dev)?;
        if i >= warmup {
            times.push(t0.elapsed().as_secs_f64());
        }
    }
    Ok(median(&times))
}

fn randn(shape: &[usize], dev: &Device, rng: &mut dyn RandomSource) -> Result<Tensor> {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n).map(|_| rng.standard_normal() as f32).collect();
    Ok(Tensor::from_vec(v, shape, dev)?)
}

/// Times forward and backward (of `sum(y)`) of `f` applied to fresh variables `inputs`.
fn fwd_bwd<F: Fn(&[Tensor]) -> Result<Tensor>>(
    dev: &Device,
    cfg: &ProfileConfig,
    inputs: &[Tensor],
    f: F,
) -> Result<(f64, f64)> {
    let vars: Vec<Var> = inputs.iter().map(Var::from_tensor).collect::<candle_core::Result<_>>()?;
    let ts: Vec<Tensor> = vars.iter().map(|v| v.as_tensor().clone()).collect();
    let fwd = time(dev, cfg.warmup, cfg.repeats, || {
        f(&ts)?;
        Ok(())
    })?;
    let loss = f(&ts)?.sum_all()?;
    synchronize(dev)?;
    let bwd = time(dev, cfg.warmup, cfg.repeats, || {
        loss.backward()?;
        Ok(())
    })?;
    Ok((fwd, bwd))
}

/// Runs the profile of ResNet-18 on `dev`; returns the rows, the first four being the step's
/// phases (a)–(d).
pub fn profile_resnet18(cfg: ProfileConfig, dev: &Device) -> Result<Vec<Row>> {
    ensure!(cfg.batch >= 1 && cfg.repeats >= 1, "profile needs --batch ≥ 1 and --steps ≥ 1");
    ensure!(cfg.width >= 1, "profile needs --width ≥ 1");
    let (n, w) = (cfg.batch, cfg.width);
    let mut rng = ChaChaSource::new(0);
    let set = ImageSet {
        pixels: (0..n * 3072).map(|_| rng.index(256) as u8).collect(),
        labels: (0..n).map(|_| rng.index(10) as u32).collect(),
    };
    let idx: Vec<usize> = (0..n).collect();
    let kernels = cfg.kernels;
    let net = build_in(NetSpec::resnet18(w), 10, ParamStore::new(dev).with_kernels(kernels), 0)?;
    let mut opt = SgdMomentum::new(0.9, 5e-4).with_kernels(kernels);
    let mut rows = Vec::new();
    let phase = |op: &str, ms: f64| Row { op: op.into(), shape: format!("batch {n}, width {w}"), ms, count: 1 };

    // (a) host batch assembly (u8 → f32, crop + flip) and copy to the device.
    let mut aug = ChaChaSource::new(1);
    let t = time(dev, cfg.warmup, cfg.repeats, || {
        set.batch(&idx, Some(&mut aug), dev)?;
        Ok(())
    })?;
    rows.push(phase("(a) batch host→device", t * 1e3));
    let (x, y) = set.batch(&idx, Some(&mut aug), dev)?;

    // (b) forward (training mode) + cross-entropy.
    let t = time(dev, cfg.warmup, cfg.repeats, || {
        let fw = net.forward(&x, true)?;
        loss_and_correct(&fw.logits, &y)?;
        Ok(())
    })?;
    rows.push(phase("(b) forward (train) + loss", t * 1e3));
    // (c) backward of one graph, (d) optimizer step with those gradients: run warm-up and timed
    // steps as in training (each repeat a fresh forward, untimed).
    let (mut tb, mut to) = (Vec::new(), Vec::new());
    for i in 0..cfg.warmup + cfg.repeats {
        let fw = net.forward(&x, true)?;
        let loss = candle_nn::loss::cross_entropy(&fw.logits, &y)?;
        synchronize(dev)?;
        let t0 = Instant::now();
        let grads = loss.backward()?;
        synchronize(dev)?;
        let t1 = Instant::now();
        opt.step(net.params(), &grads, 0.01)?;
        synchronize(dev)?;
        if i >= cfg.warmup {
            tb.push((t1 - t0).as_secs_f64());
            to.push(t1.elapsed().as_secs_f64());
        }
    }
    rows.push(phase("(c) backward", median(&tb) * 1e3));
    rows.push(phase("(d) optimizer step (SGD m 0.9, L2)", median(&to) * 1e3));

    // Per-op rows at each stage's shape.
    for s in 0..4 {
        let (c, h) = (w << s, 32 >> s);
        // 3×3 stride-1 convs c→c at this shape: layer1 has 4, later stages 3 (plus the strided one).
        let convs = if s == 0 { 4 } else { 3 };
        // BN / ReLU: two per block (4 per stage); the stem (stage 1) or shortcut (stages 2–4) adds
        // one BN; the stem adds one ReLU.
        let bns = 5;
        let relus = if s == 0 { 5 } else { 4 };
        let shape = format!("{n}×{c}×{h}×{h}");
        let xs = randn(&[n, c, h, h], dev, &mut rng)?;
        let ws = (randn(&[c, c, 3, 3], dev, &mut rng)? * (2.0 / (9 * c) as f64).sqrt())?;
        let (f, b) = fwd_bwd(dev, &cfg, &[xs.clone(), ws], |t| {
            Ok(if kernels.applies(&t[0]) { ops::conv2d(&t[0], &t[1], 1, 1)? } else { t[0].conv2d(&t[1], 1, 1, 1, 1)? })
        })?;
        rows.push(Row { op: "conv 3×3 forward".into(), shape: shape.clone(), ms: f * 1e3, count: convs });
        rows.push(Row { op: "conv 3×3 backward".into(), shape: shape.clone(), ms: b * 1e3, count: convs });
        let mut p = ParamStore::new(dev).with_kernels(kernels);
        let bn = BatchNorm::new(&mut p, "bn", c)?;
        let (f, b) = fwd_bwd(dev, &cfg, std::slice::from_ref(&xs), |t| bn.forward_mode(&t[0], BnMode::Train))?;
        rows.push(Row { op: "batch norm forward (train)".into(), shape: shape.clone(), ms: f * 1e3, count: bns });
        rows.push(Row { op: "batch norm backward".into(), shape: shape.clone(), ms: b * 1e3, count: bns });
        let (f, b) = fwd_bwd(dev, &cfg, std::slice::from_ref(&xs), |t| Ok(kernels.relu(&t[0])?))?;
        rows.push(Row { op: "relu forward".into(), shape: shape.clone(), ms: f * 1e3, count: relus });
        rows.push(Row { op: "relu backward".into(), shape, ms: b * 1e3, count: relus });
    }
    let d = 8 * w;
    let xs = randn(&[n, d], dev, &mut rng)?;
    let ws = (randn(&[10, d], dev, &mut rng)? * (1.0 / (d as f64).sqrt()))?;
    let (f, b) = fwd_bwd(dev, &cfg, &[xs, ws], |t| Ok(t[0].matmul(&t[1].t()?)?))?;
    rows.push(Row { op: "linear matmul forward".into(), shape: format!("{n}×{d} · {d}×10"), ms: f * 1e3, count: 1 });
    rows.push(Row {
        op: "linear matmul backward".into(), shape: format!("{n}×{d} · {d}×10"), ms: b * 1e3, count: 1
    });
    Ok(rows)
}

/// The profile as a Markdown table (op, shape, ms, count, share of a step).
pub fn table(rows: &[Row]) -> String {
    let step: f64 = rows.iter().take(4).map(|r| r.ms).sum();
    let mut s = String::from("| op | shape | ms | count/step | share of a step |\n|---|---|---|---|---|\n");
    for r in rows {
        s += &format!(
            "| {} | {} | {:.3} | {} | {:.1} % |\n",
            r.op,
            r.shape,
            r.ms,
            r.count,
            100.0 * r.ms * r.count as f64 / step
        );
    }
    s += &format!("| step (a+b+c+d) | | {step:.3} | 1 | 100.0 % |\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_profile_has_every_row() {
        let cfg = ProfileConfig { width: 2, batch: 2, warmup: 0, repeats: 1, kernels: Kernels::Fused };
        let rows = profile_resnet18(cfg, &Device::Cpu).unwrap();
        assert_eq!(rows.len(), 4 + 4 * 6 + 2);
        assert!(rows.iter().all(|r| r.ms.is_finite() && r.ms >= 0.0));
        assert!(table(&rows).contains("step (a+b+c+d)"));
    }
}
