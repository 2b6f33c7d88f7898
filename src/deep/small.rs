//! The reduced-scale CPU protocol of the deep-net observations (§3.3; Figs. 6, 15):
//! `largestep reproduce deep-cifar10-small`.
//!
//! CIFAR ResNet-18 "plain" at a small base width, trained in the basic setting (no momentum, no
//! L2, no augmentation) on a seeded class-balanced subset of CIFAR-10, evaluated on a stated
//! class-balanced test subset: a small constant step against the release's large-step schedule
//! (exponential warm-up η₀·1.05^(100t/T) up to the decay at ⌊sT⌋, s = 0.1 / 0.3 / 0.5, then
//! the peak ÷10 until ⌊0.9T⌋, then ÷100; [`ScheduleArg::Warmup`]), over several seeds (the
//! seed draws the initialization and the shuffling; the subsets are fixed by `data_seed`).
//!
//! Each (seed, run) logs per epoch the train loss, the test loss and error, and the sparsity of
//! every block (docs/DESIGN.md §4), and per `loss_every` steps the mean mini-batch train loss
//! (the rows O1 reads its plateau window on). The claims O1–O3 are decided from these by
//! [`crate::claims::deep_small`]; this module trains and writes.
//!
//! The protocol is a TOML file (`experiments/deep-cifar10-small.toml`, embedded); unknown keys
//! and values out of range are errors naming the file, the field and the allowed range.

use super::data::{balanced_indices, decode_files, folder_files, load, Cifar, CifarKind, ImageSet};
use super::metric::MetricConfig;
use super::precision::Precision;
use super::report;
use super::train::{EpochRecord, RunConfig, RunIdentity, ScheduleArg, Setting, Trainer};
use super::NetSpec;
use crate::claims::deep_small::{SeedRun, Summary};
use crate::output::{fmt_f64, Table};
use crate::rng::ChaChaSource;
use crate::schedule::Schedule;
use anyhow::{anyhow, bail, ensure, Context, Result};
use candle_core::Device;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One run of the protocol: a name and its schedule (`constant:η`, `warmup:η₀:s`, `step:η:s`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtocolRun {
    /// Run name (a folder-safe word).
    pub name: String,
    /// The schedule, as `deep train --schedule` takes it.
    pub schedule: String,
}

/// The protocol file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    /// Name (the output folder).
    pub name: String,
    /// Figure title.
    pub title: String,
    /// ResNet-18 base width (the paper: 64).
    pub width: usize,
    /// Training setting (the paper's Fig. 15 basic panel: `basic`).
    pub setting: Setting,
    /// Seed of the class-balanced train and test subsets (fixed across training seeds).
    pub data_seed: u64,
    /// Training images per class (CIFAR-10: at most 5000).
    pub train_per_class: usize,
    /// Test images per class (CIFAR-10: at most 1000).
    pub test_per_class: usize,
    /// Epochs.
    pub epochs: usize,
    /// Mini-batch size (the last incomplete batch is dropped).
    pub batch: usize,
    /// First training seed.
    pub first_seed: u64,
    /// Number of training seeds.
    pub seeds: usize,
    /// Steps averaged into one logged train-loss row.
    pub loss_every: usize,
    /// Images of the sparsity metric (the first training images).
    pub metric_images: usize,
    /// Neurons sampled per block by the sparsity metric (the release: 1000).
    pub max_neurons: usize,
    /// The runs, reference (small constant step) first.
    pub runs: Vec<ProtocolRun>,
}

/// The embedded protocol files (name, TOML).
pub use crate::experiment::registry::DEEP;

impl Protocol {
    /// Parses `text` (read from `file`), applies `KEY=VALUE` overrides of top-level fields (the
    /// value as TOML, else as a string), and validates.
    pub fn parse(text: &str, file: &str, overrides: &[String]) -> Result<Self> {
        let mut table: toml::Table = toml::from_str(text).map_err(|e| anyhow!("{file}: {}", e.message()))?;
        for o in overrides {
            let (k, v) = o.split_once('=').ok_or_else(|| anyhow!("--set `{o}`: expected KEY=VALUE"))?;
            let k = k.trim();
            ensure!(
                table.contains_key(k),
                "--set `{o}`: `{k}` is not a field of {file} (fields: {})",
                table.keys().cloned().collect::<Vec<_>>().join(", ")
            );
            let value = toml::from_str::<toml::Table>(&format!("v = {v}"))
                .ok()
                .and_then(|mut t| t.remove("v"))
                .unwrap_or_else(|| toml::Value::String(v.trim().to_string()));
            table.insert(k.to_string(), value);
        }
        let p: Protocol = table.try_into().map_err(|e: toml::de::Error| anyhow!("{file}: {}", e.message()))?;
        p.validate(file)?;
        Ok(p)
    }

    /// The embedded protocol `name` with overrides; `None` when there is none of that name.
    pub fn embedded(name: &str, overrides: &[String]) -> Option<Result<Self>> {
        DEEP.text(name).map(|(file, text)| Self::parse(text, &file, overrides))
    }

    /// Every field in its range (errors name the file, the field and the range).
    pub fn validate(&self, file: &str) -> Result<()> {
        let range = |field: &str, v: usize, lo: usize, hi: usize| -> Result<()> {
            ensure!((lo..=hi).contains(&v), "{file}: field `{field}`: {v} outside the allowed range {lo}..={hi}");
            Ok(())
        };
        range("width", self.width, 1, 16)?;
        range("train_per_class", self.train_per_class, 1, 5000)?;
        range("test_per_class", self.test_per_class, 1, 1000)?;
        range("epochs", self.epochs, 1, 1000)?;
        range("batch", self.batch, 1, self.train_images())?;
        range("seeds", self.seeds, 1, 1000)?;
        range("loss_every", self.loss_every, 1, self.steps_per_epoch())?;
        range("metric_images", self.metric_images, 1, self.train_images())?;
        range("max_neurons", self.max_neurons, 1, 100_000)?;
        ensure!(
            self.runs.len() >= 2,
            "{file}: field `runs`: {} runs, at least 2 (a reference and a large step)",
            self.runs.len()
        );
        for (i, r) in self.runs.iter().enumerate() {
            ensure!(
                !r.name.is_empty() && r.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
                "{file}: field `runs[{i}].name`: `{}` must be a non-empty word of [A-Za-z0-9_-]",
                r.name
            );
            ensure!(
                self.runs[..i].iter().all(|q| q.name != r.name),
                "{file}: field `runs[{i}].name`: `{}` appears twice",
                r.name
            );
            r.schedule.parse::<ScheduleArg>().map_err(|e| anyhow!("{file}: field `runs[{i}].schedule`: {e}"))?;
        }
        Ok(())
    }

    /// Training images (10 classes × `train_per_class`).
    pub fn train_images(&self) -> usize {
        10 * self.train_per_class
    }
    /// Iterations per epoch.
    pub fn steps_per_epoch(&self) -> usize {
        self.train_images() / self.batch.max(1)
    }
    /// The training seeds.
    pub fn seed_list(&self) -> Vec<u64> {
        (0..self.seeds as u64).map(|k| self.first_seed + k).collect()
    }
    /// One line of what the protocol is (labels every verdict it decides).
    pub fn describe(&self) -> String {
        format!(
            "reduced scale (CPU protocol): ResNet-18 width {}, {} CIFAR-10 training images ({} per class), {} test \
             images, {} epochs of batch {}, {} setting, {} seeds",
            self.width,
            self.train_images(),
            self.train_per_class,
            10 * self.test_per_class,
            self.epochs,
            self.batch,
            format!("{:?}", self.setting).to_lowercase(),
            self.seeds
        )
    }
    /// The TOML of the effective protocol.
    pub fn to_toml(&self) -> Result<String> {
        Ok(toml::to_string(self)?)
    }
}

/// The class-balanced subsets of CIFAR-10 in `dir`: `train_per_class` and `test_per_class`
/// images per class drawn with ChaCha seeded by `data_seed` (train) and `data_seed + 1`
/// (test). With the class-folder layout only the chosen files are decoded.
pub fn load_subsets(dir: &Path, p: &Protocol) -> Result<Cifar> {
    let pick = |labels: &[u32], per: usize, seed: u64, what: &str| {
        balanced_indices(labels, 10, per, &mut ChaChaSource::new(seed))
            .with_context(|| format!("{}: {what}", dir.display()))
    };
    if dir.join("train").is_dir() {
        let split = |name: &str, per: usize, seed: u64| -> Result<ImageSet> {
            let (files, classes) = folder_files(dir, name)?;
            ensure!(
                classes.len() == 10,
                "{}: {} class folders in {name}/, CIFAR-10 has 10",
                dir.display(),
                classes.len()
            );
            let labels: Vec<u32> = files.iter().map(|f| f.0).collect();
            let idx = pick(&labels, per, seed, name)?;
            decode_files(&idx.iter().map(|&i| files[i].clone()).collect::<Vec<_>>())
        };
        let train = split("train", p.train_per_class, p.data_seed)?;
        let test = split("test", p.test_per_class, p.data_seed + 1)?;
        return Ok(Cifar { train, test, classes: 10 });
    }
    let all = load(dir, CifarKind::Cifar10)?;
    let train = all.train.select(&pick(&all.train.labels, p.train_per_class, p.data_seed, "train")?);
    let test = all.test.select(&pick(&all.test.labels, p.test_per_class, p.data_seed + 1, "test")?);
    Ok(Cifar { train, test, classes: 10 })
}

/// The training configuration of run `r` on `seed`.
pub fn run_config(p: &Protocol, r: &ProtocolRun, seed: u64) -> Result<RunConfig> {
    Ok(RunConfig {
        net: NetSpec::resnet18(p.width),
        setting: p.setting,
        schedule: r.schedule.parse().map_err(|e: String| anyhow!(e))?,
        epochs: p.epochs,
        batch: p.batch,
        seed,
        metric: MetricConfig { images: p.metric_images, max_neurons: p.max_neurons, seed, ..Default::default() },
        metric_every: 1,
        precision: Precision::F32,
    })
}

/// One trained (seed, run): its epoch log, the per-step losses, and the summary the claims read.
#[derive(Debug, Clone)]
pub struct Trained {
    /// Run name.
    pub run: String,
    /// Training seed.
    pub seed: u64,
    /// Per-epoch log.
    pub log: Vec<EpochRecord>,
    /// Step size and mini-batch loss of every step.
    pub steps: Vec<(f64, f64)>,
    /// Why training stopped early, if it did.
    pub diverged: Option<String>,
    /// Total iterations T of the schedule.
    pub total: usize,
    /// End of the large-step phase ([`Schedule::large_phase_end`]).
    pub large_phase_end: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl Trained {
    /// The plain numbers the claims decide on ([`crate::claims::deep_small`]): the train loss
    /// averaged over chunks of `every` steps (row at the chunk's first iteration, its last step
    /// size, the test loss of the epoch it ends in), the final test loss and block sparsity.
    pub fn seed_run(&self, every: usize, steps_per_epoch: usize) -> SeedRun {
        let epoch_test = |t: usize| {
            let e = (t / steps_per_epoch.max(1)).min(self.log.len().saturating_sub(1));
            self.log.get(e).map_or(f64::NAN, |r| r.test_loss)
        };
        let rows = self
            .steps
            .chunks(every.max(1))
            .enumerate()
            .map(|(c, ch)| {
                let t = c * every.max(1);
                let mean = ch.iter().map(|s| s.1).sum::<f64>() / ch.len() as f64;
                (t, ch[ch.len() - 1].0, mean, epoch_test(t + ch.len() - 1))
            })
            .collect();
        let last = self.log.last();
        SeedRun {
            run: self.run.clone(),
            seed: self.seed,
            rows,
            total: self.total,
            large_phase_end: self.large_phase_end,
            diverged: self.diverged.is_some(),
            final_test_loss: last.map_or(f64::NAN, |r| r.test_loss),
            final_test_error: last.map_or(f64::NAN, |r| r.test_error),
            sparsity: last
                .map(|r| r.sparsity.iter().map(|s| (s.block.clone(), s.coefficient)).collect())
                .unwrap_or_default(),
        }
    }
}

/// Trains every (seed, run) of `p` on `data`, seed-major; `progress(done, total, line)` after
/// each epoch. A run that diverges stops and is kept (the claims leave its seed undecided).
pub fn train(p: &Protocol, data: &Cifar, device: &Device, progress: &dyn Fn(&str)) -> Result<Vec<Trained>> {
    let mut out = Vec::new();
    for seed in p.seed_list() {
        for r in &p.runs {
            let cfg = run_config(p, r, seed)?;
            let t0 = std::time::Instant::now();
            let mut tr = Trainer::new(cfg, data.classes, data.train.len(), device)?;
            tr.identity = RunIdentity {
                model: "resnet18".into(),
                width: p.width,
                dataset: "cifar10".into(),
                subset: Some(data.train.len()),
                test_subset: Some(data.test.len()),
            };
            let total = tr.steps_per_epoch() * p.epochs;
            let large_phase_end = tr.cfg.schedule.build(total).large_phase_end(total);
            let mut steps: Vec<(f64, f64)> = Vec::with_capacity(total);
            let schedule = tr.cfg.schedule.build(total);
            while tr.log.len() < p.epochs && tr.diverged.is_none() {
                let before = steps.len();
                let epoch = tr.log.len();
                let spe = tr.steps_per_epoch();
                let mut k = 0;
                tr.run_epoch(data, |l| {
                    steps.push((schedule.step_size(epoch * spe + k), l));
                    k += 1;
                })?;
                let e = tr.log.last().expect("an epoch ran");
                let sp: Vec<String> = e
                    .sparsity
                    .iter()
                    .filter(|s| s.block == "layer3" || s.block == "layer4")
                    .map(|s| format!("{} {:.3}", s.block, s.coefficient))
                    .collect();
                progress(&format!(
                    "seed {seed} {} epoch {}/{}: η {:.4}, train loss {:.4}, test loss {:.4}, test error {:.3}, {} ({} steps, {:.1} s)",
                    r.name,
                    e.epoch,
                    p.epochs,
                    e.step_size,
                    e.train_loss,
                    e.test_loss,
                    e.test_error,
                    sp.join(", "),
                    steps.len() - before,
                    e.seconds
                ));
            }
            out.push(Trained {
                run: r.name.clone(),
                seed,
                log: tr.log.clone(),
                steps,
                diverged: tr.diverged.clone(),
                total,
                large_phase_end,
                seconds: t0.elapsed().as_secs_f64(),
            });
        }
    }
    Ok(out)
}

/// The per-epoch CSV: `seed` then the columns of [`report::table`] without its wall-clock
/// `seconds` (so that the same seeds give the same bytes; the times are in `run.json`).
pub fn epochs_table(trained: &[Trained], blocks: &[String]) -> Table {
    let mut t: Option<Table> = None;
    for tr in trained {
        let part = report::table(&[(tr.run.clone(), tr.log.clone())], blocks);
        let keep: Vec<usize> = (0..part.header.len()).filter(|&i| part.header[i] != "seconds").collect();
        let all = t.get_or_insert_with(|| {
            Table::new(std::iter::once("seed".to_string()).chain(keep.iter().map(|&i| part.header[i].clone())))
        });
        for row in part.rows {
            all.push(std::iter::once(tr.seed.to_string()).chain(keep.iter().map(|&i| row[i].clone())));
        }
    }
    t.unwrap_or_else(|| Table::new(["seed"]))
}

/// The per-chunk CSV: `seed,run,iteration,step_size,train_loss,test_loss` (the rows O1 reads).
pub fn steps_table(runs: &[SeedRun]) -> Table {
    let mut t = Table::new(["seed", "run", "iteration", "step_size", "train_loss", "test_loss"]);
    for r in runs {
        for &(it, eta, loss, test) in &r.rows {
            t.push([r.seed.to_string(), r.run.clone(), it.to_string(), fmt_f64(eta), fmt_f64(loss), fmt_f64(test)]);
        }
    }
    t
}

/// Per run, the mean over seeds of every epoch's numbers (the epochs all seeds reached).
pub fn mean_logs(p: &Protocol, trained: &[Trained]) -> Vec<(String, Vec<EpochRecord>)> {
    p.runs
        .iter()
        .map(|r| {
            let logs: Vec<&Vec<EpochRecord>> = trained.iter().filter(|t| t.run == r.name).map(|t| &t.log).collect();
            let n = logs.iter().map(|l| l.len()).min().unwrap_or(0);
            let k = logs.len() as f64;
            let mean = (0..n)
                .map(|e| {
                    let f = |g: &dyn Fn(&EpochRecord) -> f64| logs.iter().map(|l| g(&l[e])).sum::<f64>() / k;
                    let first = &logs[0][e];
                    let sparsity = first
                        .sparsity
                        .iter()
                        .enumerate()
                        .map(|(b, s)| super::metric::BlockSparsity {
                            block: s.block.clone(),
                            positive: f(&|r| r.sparsity.get(b).map_or(f64::NAN, |x| x.positive)),
                            coefficient: f(&|r| r.sparsity.get(b).map_or(f64::NAN, |x| x.coefficient)),
                        })
                        .collect();
                    EpochRecord {
                        epoch: first.epoch,
                        step_size: first.step_size,
                        train_loss: f(&|r| r.train_loss),
                        train_error: f(&|r| r.train_error),
                        test_loss: f(&|r| r.test_loss),
                        test_error: f(&|r| r.test_error),
                        sparsity,
                        seconds: f(&|r| r.seconds),
                    }
                })
                .collect();
            (format!("{} (mean of {})", r.name, logs.len()), mean)
        })
        .collect()
}

/// Writes the protocol's files into `dir` (a staging folder): `epochs.csv`, `steps.csv`,
/// `claims.json` and `claims.csv` (the decided O1–O3), `protocol.toml`, and the figure
/// `deep-small.{png,svg}` (per run the mean over seeds of train loss, test error and the
/// sparsity of blocks 3 and 4, Fig. 15's panels). Returns the summary.
pub fn write(dir: &Path, p: &Protocol, trained: &[Trained], plot: bool) -> Result<Summary> {
    let blocks: Vec<String> = trained
        .first()
        .and_then(|t| t.log.first())
        .map_or_else(Vec::new, |r| r.sparsity.iter().map(|s| s.block.clone()).collect());
    epochs_table(trained, &blocks).write(&dir.join("epochs.csv"))?;
    let runs: Vec<SeedRun> = trained.iter().map(|t| t.seed_run(p.loss_every, p.steps_per_epoch())).collect();
    steps_table(&runs).write(&dir.join("steps.csv"))?;
    let summary = crate::claims::deep_small::decide_all(&p.name, &p.describe(), &runs);
    summary.write(dir)?;
    crate::output::atomic_write(&dir.join("protocol.toml"), p.to_toml()?.as_bytes())?;
    if plot {
        let shown: Vec<String> = blocks.iter().filter(|b| *b == "layer3" || *b == "layer4").cloned().collect();
        if shown.is_empty() {
            bail!("no sparsity measured at layer3/layer4: nothing to draw");
        }
        report::figure(&p.title, &mean_logs(p, trained), &shown).render(&dir.join("deep-small"))?;
    }
    Ok(summary)
}
