//! Training: settings, schedules, the epoch loop, evaluation, checkpoints.

use super::data::{permutation, Cifar, ImageSet};
use super::metric::{measure, BlockSparsity, MetricConfig};
use super::net::{build_in, Net, NetSpec};
use super::optim::SgdMomentum;
use super::params::ParamStore;
use super::precision::Precision;
use crate::rng::ChaChaSource;
use crate::schedule::{Constant, Decay, DecayFrom, ExponentialWarmup, Milestone, Schedule};
use anyhow::{bail, ensure, Context, Result};
use candle_core::{DType, Device, Tensor, D};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The paper's training settings (docs/DESIGN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Setting {
    /// No momentum, no L2, no augmentation.
    Basic,
    /// Momentum 0.9, L2 5e-4, random crop + flip ("state of the art").
    Sota,
    /// Fig. 1: L2 5e-4, no momentum, no augmentation.
    Fig1,
}

impl Setting {
    /// (momentum μ, L2 λ, augmentation).
    pub fn hyper(self) -> (f64, f64, bool) {
        match self {
            Setting::Basic => (0.0, 0.0, false),
            Setting::Sota => (0.9, 5e-4, true),
            Setting::Fig1 => (0.0, 5e-4, false),
        }
    }
}

/// A step-size schedule over T iterations:
/// * `constant:η` — η;
/// * `warmup:η₀:s` — the release's large-step schedule: η₀·1.05^(100t/T) until ⌊sT⌋, then the
///   peak ÷10 until ⌊0.9T⌋, then the peak ÷100 ([`ExponentialWarmup`] + [`Decay`]);
/// * `step:η:s` — η until ⌊sT⌋, then η/10 until ⌊0.9T⌋, then η/100.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum ScheduleArg {
    /// Constant η.
    Constant(f64),
    /// Exponential warmup from η₀ then decay at fraction s.
    Warmup(f64, f64),
    /// Constant then decay at fraction s.
    Step(f64, f64),
}

impl std::str::FromStr for ScheduleArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split(':').collect();
        let num = |i: usize, what: &str, lo: f64, hi: f64| -> Result<f64, String> {
            let v: f64 = parts
                .get(i)
                .ok_or_else(|| format!("schedule `{s}`: missing {what}"))?
                .parse()
                .map_err(|_| format!("schedule `{s}`: {what} is not a number"))?;
            if !(v > lo && v < hi) {
                return Err(format!("schedule `{s}`: {what} {v} outside ({lo}, {hi})"));
            }
            Ok(v)
        };
        let arity = |n: usize| {
            if parts.len() == n {
                Ok(())
            } else {
                Err(format!("schedule `{s}`: expected {n} fields separated by `:`"))
            }
        };
        match parts[0] {
            "constant" => arity(2).and_then(|_| Ok(ScheduleArg::Constant(num(1, "step", 0.0, 1e3)?))),
            "warmup" => arity(3)
                .and_then(|_| Ok(ScheduleArg::Warmup(num(1, "step", 0.0, 1e3)?, num(2, "decay fraction", 0.0, 0.9)?))),
            "step" => arity(3)
                .and_then(|_| Ok(ScheduleArg::Step(num(1, "step", 0.0, 1e3)?, num(2, "decay fraction", 0.0, 0.9)?))),
            other => Err(format!("schedule `{s}`: unknown kind `{other}` (constant:η | warmup:η₀:s | step:η:s)")),
        }
    }
}

impl std::fmt::Display for ScheduleArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScheduleArg::Constant(e) => write!(f, "constant:{e}"),
            ScheduleArg::Warmup(e, s) => write!(f, "warmup:{e}:{s}"),
            ScheduleArg::Step(e, s) => write!(f, "step:{e}:{s}"),
        }
    }
}

impl ScheduleArg {
    /// The schedule over `total` iterations.
    pub fn build(&self, total: usize) -> Box<dyn Schedule> {
        let milestones = |s: f64| {
            vec![
                Milestone { at: (s * total as f64) as usize, divisor: 10.0 },
                Milestone { at: (0.9 * total as f64) as usize, divisor: 100.0 },
            ]
        };
        match *self {
            ScheduleArg::Constant(e) => Box::new(Constant(e)),
            ScheduleArg::Warmup(e, s) => Box::new(Decay::new(
                ExponentialWarmup { base: e, rate: 1.05, total: total.max(1) },
                milestones(s),
                DecayFrom::Threshold,
            )),
            ScheduleArg::Step(e, s) => Box::new(Decay::new(Constant(e), milestones(s), DecayFrom::Threshold)),
        }
    }
}

/// Everything that defines one training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// Architecture (not serialized; checked by parameter names on resume).
    #[serde(skip, default = "default_net")]
    pub net: NetSpec,
    /// Setting.
    pub setting: Setting,
    /// Step-size schedule.
    pub schedule: ScheduleArg,
    /// Epochs.
    pub epochs: usize,
    /// Batch size (256; the last incomplete batch is dropped).
    pub batch: usize,
    /// Seed of initialization, shuffling and augmentation.
    pub seed: u64,
    /// Sparsity metric.
    pub metric: MetricConfig,
    /// Measure sparsity every this many epochs (and at the last one); 0 = never.
    pub metric_every: usize,
    /// Arithmetic of convolutions and matrix products (f32 in checkpoints written before it).
    #[serde(default)]
    pub precision: Precision,
}

/// What a checkpoint must match besides its [`RunConfig`]: the model, its width and the data it
/// was trained on. Recorded in every checkpoint; resume refuses another one naming both.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunIdentity {
    /// Model (`resnet18`, `resnet34`, `densenet100`).
    pub model: String,
    /// Base width.
    pub width: usize,
    /// Dataset (`cifar10`, `cifar100`).
    pub dataset: String,
    /// `--subset` (training images sampled), `None` for all.
    pub subset: Option<usize>,
    /// `--test-subset`, `None` for all.
    pub test_subset: Option<usize>,
}

impl std::fmt::Display for RunIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let k = |v: Option<usize>| v.map_or("all".to_string(), |k| k.to_string());
        write!(
            f,
            "{} width {} on {} (subset {}, test subset {})",
            self.model,
            self.width,
            self.dataset,
            k(self.subset),
            k(self.test_subset)
        )
    }
}

/// The JSON part of a checkpoint, stored inside the one checkpoint file (tensor `meta.json`).
#[derive(Serialize, Deserialize)]
struct CheckpointMeta {
    identity: RunIdentity,
    cfg: RunConfig,
    log: Vec<EpochRecord>,
}

/// The file of a run's checkpoint in `dir`.
pub const CHECKPOINT: &str = "checkpoint.safetensors";

fn default_net() -> NetSpec {
    NetSpec::resnet18(64)
}

/// One row of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based epoch.
    pub epoch: usize,
    /// Step size of the epoch's last iteration.
    pub step_size: f64,
    /// Mean cross-entropy over the epoch's mini-batches (training mode, without the L2 term).
    pub train_loss: f64,
    /// Mean error over the epoch's mini-batches.
    pub train_error: f64,
    /// Test cross-entropy (evaluation mode).
    pub test_loss: f64,
    /// Test error (evaluation mode).
    pub test_error: f64,
    /// Per-block sparsity, when measured this epoch.
    pub sparsity: Vec<BlockSparsity>,
    /// Wall-clock seconds of the epoch's training.
    pub seconds: f64,
}

/// A run in progress.
pub struct Trainer {
    /// Configuration.
    pub cfg: RunConfig,
    /// The network.
    pub net: Box<dyn Net>,
    opt: SgdMomentum,
    schedule: Box<dyn Schedule>,
    steps_per_epoch: usize,
    device: Device,
    /// Completed epochs.
    pub log: Vec<EpochRecord>,
    /// Set when the loss became non-finite: the message, and training stops.
    pub diverged: Option<String>,
    /// Backpropagate through one graph ([`super::net::backprop`]) instead of the network's own
    /// [`Net::loss_and_grads`] (DenseNet: recomputation); same values, for memory comparisons.
    pub one_graph: bool,
    /// Model, width and data of the run, recorded in checkpoints and checked on resume.
    pub identity: RunIdentity,
}

/// Cross-entropy and the number of correct predictions of `logits` for `labels`.
pub fn loss_and_correct(logits: &Tensor, labels: &Tensor) -> Result<(Tensor, usize)> {
    let loss = candle_nn::loss::cross_entropy(logits, labels)?;
    let correct = logits.argmax(D::Minus1)?.eq(labels)?.to_dtype(DType::F32)?.sum_all()?.to_scalar::<f32>()? as usize;
    Ok((loss, correct))
}

impl Trainer {
    /// A fresh run on `train_len` training images with `classes` classes.
    pub fn new(cfg: RunConfig, classes: usize, train_len: usize, device: &Device) -> Result<Self> {
        ensure!(
            cfg.batch >= 1 && train_len >= cfg.batch,
            "batch {} larger than the {train_len} training images",
            cfg.batch
        );
        let steps_per_epoch = train_len / cfg.batch;
        cfg.precision.apply(device)?;
        let store = ParamStore::new(device).with_compute(cfg.precision.compute_dtype());
        let net = build_in(cfg.net, classes, store, cfg.seed)?;
        let (momentum, wd, _) = cfg.setting.hyper();
        let schedule = cfg.schedule.build(steps_per_epoch * cfg.epochs);
        Ok(Self {
            cfg,
            net,
            opt: SgdMomentum::new(momentum, wd),
            schedule,
            steps_per_epoch,
            device: device.clone(),
            log: Vec::new(),
            diverged: None,
            one_graph: false,
            identity: RunIdentity::default(),
        })
    }

    /// Iterations per epoch.
    pub fn steps_per_epoch(&self) -> usize {
        self.steps_per_epoch
    }

    /// One SGD step on the batch (x, y) with step η; returns (loss, #correct).
    pub fn step(&mut self, x: &Tensor, y: &Tensor, eta: f64) -> Result<(f64, usize)> {
        let s = if self.one_graph { super::net::backprop(&*self.net, x, y)? } else { self.net.loss_and_grads(x, y)? };
        self.opt.step(self.net.params(), &s.grads, eta)?;
        Ok((s.loss.to_dtype(DType::F64)?.to_scalar::<f64>()?, s.correct))
    }

    /// Trains the next epoch; `tick` is called after each step. The epoch's shuffling and
    /// augmentation are drawn from ChaCha seeded by (seed, epoch), so a resumed run continues
    /// the same stream.
    pub fn train_epoch(&mut self, train: &ImageSet, mut tick: impl FnMut(f64)) -> Result<(f64, f64, f64)> {
        let epoch = self.log.len();
        let mut rng = ChaChaSource::new(self.cfg.seed ^ ((epoch as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        let order = permutation(train.len(), &mut rng);
        let augment = self.cfg.setting.hyper().2;
        let (mut loss_sum, mut correct, mut eta) = (0.0, 0usize, 0.0);
        for b in 0..self.steps_per_epoch {
            let idx = &order[b * self.cfg.batch..(b + 1) * self.cfg.batch];
            let (x, y) = train.batch(idx, if augment { Some(&mut rng) } else { None }, &self.device)?;
            let t = epoch * self.steps_per_epoch + b;
            eta = self.schedule.step_size(t);
            let (l, c) = self.step(&x, &y, eta)?;
            if !l.is_finite() {
                self.diverged = Some(format!("diverged at epoch {} iteration {t} (step {eta}): loss {l}", epoch + 1));
                break;
            }
            loss_sum += l;
            correct += c;
            tick(l);
        }
        let n = self.steps_per_epoch as f64;
        Ok((eta, loss_sum / n, 1.0 - correct as f64 / (n * self.cfg.batch as f64)))
    }

    /// (cross-entropy, error) of the network in evaluation mode on `set`.
    pub fn evaluate(&self, set: &ImageSet) -> Result<(f64, f64)> {
        let bs = self.cfg.metric.batch.max(1);
        let (mut loss, mut correct) = (0.0, 0usize);
        for start in (0..set.len()).step_by(bs) {
            let idx: Vec<usize> = (start..(start + bs).min(set.len())).collect();
            let (x, y) = set.batch(&idx, None, &self.device)?;
            let (l, c) = loss_and_correct(&self.net.forward(&x, false)?.logits, &y)?;
            loss += l.to_scalar::<f32>()? as f64 * idx.len() as f64;
            correct += c;
        }
        let n = set.len().max(1) as f64;
        Ok((loss / n, 1.0 - correct as f64 / n))
    }

    /// Trains one epoch, evaluates, measures sparsity when due, and appends the record.
    pub fn run_epoch(&mut self, data: &Cifar, tick: impl FnMut(f64)) -> Result<&EpochRecord> {
        let t0 = std::time::Instant::now();
        let (step_size, train_loss, train_error) = self.train_epoch(&data.train, tick)?;
        super::device::synchronize(&self.device)?;
        let seconds = t0.elapsed().as_secs_f64();
        let (test_loss, test_error) = self.evaluate(&data.test)?;
        let epoch = self.log.len() + 1;
        let due = self.cfg.metric_every > 0 && (epoch % self.cfg.metric_every == 0 || epoch == self.cfg.epochs);
        let sparsity = if due && self.diverged.is_none() {
            measure(&*self.net, &data.train, &self.cfg.metric, &self.device)?
        } else {
            Vec::new()
        };
        self.log.push(EpochRecord {
            epoch,
            step_size,
            train_loss,
            train_error,
            test_loss,
            test_error,
            sparsity,
            seconds,
        });
        Ok(self.log.last().expect("pushed"))
    }

    /// Writes the checkpoint `dir/checkpoint.safetensors` in one atomic step: one file (through
    /// a temporary file and a rename) holding the weights, the optimizer state, the epoch and,
    /// as the tensor `meta.json`, the run's identity, configuration and log (floats round-trip).
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
        let mut tensors = self.net.params().named_tensors();
        tensors.extend(self.opt.named_state(self.net.params()));
        tensors.insert("meta.epoch".into(), Tensor::new(&[self.log.len() as u32], &Device::Cpu)?);
        let meta = CheckpointMeta { identity: self.identity.clone(), cfg: self.cfg.clone(), log: self.log.clone() };
        let json = serde_json::to_vec(&meta)?;
        tensors.insert("meta.json".into(), Tensor::new(json.as_slice(), &Device::Cpu)?);
        let tensors: std::collections::HashMap<String, Tensor> =
            tensors.into_iter().map(|(k, v)| Ok((k, v.to_device(&Device::Cpu)?))).collect::<Result<_>>()?;
        let st = dir.join(CHECKPOINT);
        crate::output::atomic_write_via_path(&st, |tmp| Ok(candle_core::safetensors::save(&tensors, tmp)?))
    }

    /// Restores a checkpoint written by [`Trainer::save`] for the same model, width, data and
    /// configuration; returns false when `dir` has none. A checkpoint of another run is refused
    /// with one line naming both.
    pub fn resume(&mut self, dir: &Path) -> Result<bool> {
        let st = dir.join(CHECKPOINT);
        if !st.is_file() {
            return Ok(false);
        }
        let tensors = candle_core::safetensors::load(&st, &Device::Cpu)
            .with_context(|| format!("{}: cannot load", st.display()))?;
        let json = tensors
            .get("meta.json")
            .with_context(|| format!("{}: not a checkpoint of this version (no meta.json)", st.display()))?
            .to_vec1::<u8>()?;
        let CheckpointMeta { identity, cfg, log } =
            serde_json::from_slice(&json).with_context(|| format!("{}: not a checkpoint", st.display()))?;
        if identity != self.identity {
            bail!(
                "{}: checkpoint of {identity}, this run is {}; remove it or drop --resume",
                st.display(),
                self.identity
            );
        }
        let mut mine = self.cfg.clone();
        mine.epochs = cfg.epochs;
        if cfg != (RunConfig { net: cfg.net, ..mine }) {
            bail!("{}: checkpoint of a different configuration ({:?}); remove it or drop --resume", st.display(), cfg);
        }
        let epoch = tensors.get("meta.epoch").map(|t| t.to_vec1::<u32>()).transpose()?.and_then(|v| v.first().copied());
        ensure!(
            epoch == Some(log.len() as u32),
            "{}: epoch {:?} does not match its log of {}",
            st.display(),
            epoch,
            log.len()
        );
        ensure!(
            log.len() <= self.cfg.epochs,
            "{}: already {} epochs, more than --epochs {}",
            st.display(),
            log.len(),
            self.cfg.epochs
        );
        ensure!(
            cfg.epochs == self.cfg.epochs,
            "{}: run of {} epochs, --epochs is {} (the schedule depends on it)",
            st.display(),
            cfg.epochs,
            self.cfg.epochs
        );
        self.net.params().load_from(&tensors, &st)?;
        self.opt.load_state(self.net.params(), &tensors)?;
        self.log = log;
        Ok(true)
    }
}
