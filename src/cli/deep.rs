//! `largestep deep …`: deep networks on CIFAR (needs `--features deep`).

#[cfg(not(feature = "deep"))]
mod disabled {
    use anyhow::{bail, Result};
    use std::process::ExitCode;

    /// Arguments, accepted only to report that the feature is missing.
    #[derive(Debug, clap::Args)]
    pub struct DeepArgs {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        rest: Vec<String>,
    }

    /// Fails: this binary was built without candle.
    pub fn deep(_: &DeepArgs) -> Result<ExitCode> {
        bail!("`largestep deep` needs a binary built with `--features deep` (or `--features cuda`)")
    }
}

#[cfg(not(feature = "deep"))]
pub use disabled::{deep, DeepArgs};

#[cfg(feature = "deep")]
pub use enabled::{deep, DeepArgs};

#[cfg(feature = "deep")]
mod enabled {
    use crate::deep::data::{self, CifarKind};
    use crate::deep::metric::MetricConfig;
    use crate::deep::profile::{profile_resnet18, table, ProfileConfig};
    use crate::deep::train::{loss_and_correct, RunConfig, ScheduleArg, Setting, Trainer};
    use crate::deep::{device::synchronize, filters, parse_device, report, DeviceArg, NetSpec};
    use crate::linalg::median;
    use crate::rng::{ChaChaSource, RandomSource};
    use anyhow::{ensure, Result};
    use candle_core::{Device, Tensor};
    use clap::{Args, Subcommand, ValueEnum};
    use indicatif::{ProgressBar, ProgressStyle};
    use std::path::PathBuf;
    use std::process::ExitCode;
    use std::time::Instant;

    /// Deep networks on CIFAR.
    #[derive(Debug, Args)]
    pub struct DeepArgs {
        #[command(subcommand)]
        cmd: DeepCmd,
    }

    #[derive(Debug, Subcommand)]
    enum DeepCmd {
        /// Train one run per `--schedule`, with sparsity per block per epoch, CSV, plots, filters.
        Train(TrainArgs),
        /// Compare a forward/backward pass on `--device` against the CPU (relative errors).
        Check(CheckArgs),
        /// Training throughput (images/s): median over timed steps after warm-up.
        Bench(BenchArgs),
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
    enum ModelArg {
        Resnet18,
        Resnet34,
        Densenet100,
    }

    impl ModelArg {
        fn spec(self, width: usize) -> NetSpec {
            match self {
                ModelArg::Resnet18 => NetSpec::resnet18(width),
                ModelArg::Resnet34 => NetSpec::resnet34(width),
                ModelArg::Densenet100 => NetSpec::densenet100(),
            }
        }
    }

    #[derive(Debug, Args)]
    struct TrainArgs {
        #[arg(long, value_enum, default_value = "resnet18")]
        model: ModelArg,
        /// Base width of the ResNets (64 in the paper).
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=1024))]
        width: u32,
        #[arg(long, value_enum, default_value = "cifar10")]
        dataset: CifarKind,
        /// Official binary files, or a class-folder layout DIR/{train,test}/<class>/*.
        #[arg(long)]
        data: PathBuf,
        #[arg(long, value_enum, default_value = "basic")]
        setting: Setting,
        /// One run per value: constant:η | warmup:η₀:s | step:η:s.
        #[arg(long, required = true)]
        schedule: Vec<ScheduleArg>,
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        epochs: u32,
        /// Train on a seeded uniform sample of K training images.
        #[arg(long)]
        subset: Option<usize>,
        /// Evaluate on a seeded uniform sample of K test images.
        #[arg(long)]
        test_subset: Option<usize>,
        #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65_536))]
        batch: u32,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long, value_enum, default_value = "cpu")]
        device: DeviceArg,
        #[arg(long, default_value = "results/deep")]
        out: PathBuf,
        /// Continue each run from its checkpoint in OUT/<run>/.
        #[arg(long)]
        resume: bool,
        /// Images of the sparsity metric (the first ones of the training set).
        #[arg(long, default_value_t = 10_752)]
        metric_images: usize,
        /// Measure sparsity every this many epochs (and at the last); 0 = never.
        #[arg(long, default_value_t = 1)]
        metric_every: usize,
        #[arg(long, default_value_t = 1000)]
        max_neurons: usize,
    }

    fn run_label(s: &ScheduleArg) -> String {
        s.to_string().replace(':', "_")
    }

    fn train(a: &TrainArgs) -> Result<ExitCode> {
        let device = parse_device(a.device)?;
        let mut data = data::load(&a.data, a.dataset)?;
        if let Some(k) = a.subset {
            data.train = data.train.subset(k, &mut ChaChaSource::new(a.seed ^ 0x5eed_0001));
        }
        if let Some(k) = a.test_subset {
            data.test = data.test.subset(k, &mut ChaChaSource::new(a.seed ^ 0x5eed_0002));
        }
        eprintln!("data: {} train, {} test images, {} classes", data.train.len(), data.test.len(), data.classes);
        let mut runs = Vec::new();
        let mut status = ExitCode::SUCCESS;
        let title = format!("{:?} {:?} {:?}", a.model, a.dataset, a.setting);
        for schedule in &a.schedule {
            let cfg = RunConfig {
                net: a.model.spec(a.width as usize),
                setting: a.setting,
                schedule: *schedule,
                epochs: a.epochs as usize,
                batch: a.batch as usize,
                seed: a.seed,
                metric: MetricConfig {
                    images: a.metric_images,
                    seed: a.seed,
                    max_neurons: a.max_neurons,
                    ..Default::default()
                },
                metric_every: a.metric_every,
            };
            let label = run_label(schedule);
            let dir = a.out.join(&label);
            let mut tr = Trainer::new(cfg, data.classes, data.train.len(), &device)?;
            let blocks = tr.net.tap_names();
            if a.resume && tr.resume(&dir)? {
                eprintln!("{label}: resumed after epoch {}", tr.log.len());
            }
            eprintln!("{label}: {} parameters, {} steps/epoch", tr.net.params().num_params(), tr.steps_per_epoch());
            while tr.log.len() < a.epochs as usize && tr.diverged.is_none() {
                let pb = ProgressBar::new(tr.steps_per_epoch() as u64);
                pb.set_style(
                    ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({eta})")?
                        .progress_chars("=> "),
                );
                pb.set_prefix(format!("{label} epoch {}", tr.log.len() + 1));
                let r = tr.run_epoch(&data, |l| {
                    pb.inc(1);
                    pb.set_message(format!("loss {l:.4}"));
                })?;
                pb.finish_and_clear();
                let sp: Vec<String> =
                    r.sparsity.iter().map(|s| format!("{}={:.4}/{:.4}", s.block, s.positive, s.coefficient)).collect();
                println!(
                    "{label} epoch {:>3} eta {:.4} train_loss {:.4} train_err {:.4} test_loss {:.4} test_err {:.4} time {:.1}s{}{}",
                    r.epoch,
                    r.step_size,
                    r.train_loss,
                    r.train_error,
                    r.test_loss,
                    r.test_error,
                    r.seconds,
                    if sp.is_empty() { "" } else { " sparsity(positive/coef) " },
                    sp.join(" ")
                );
                tr.save(&dir)?;
                let mut so_far = runs.clone();
                so_far.push((label.clone(), tr.log.clone()));
                report::write(&a.out, &title, &so_far, &blocks)?;
            }
            if let Some(msg) = &tr.diverged {
                eprintln!("{label}: {msg}");
                status = ExitCode::from(1);
            }
            let (first, middle) = tr.net.filters();
            filters::filter_grid(&first, &middle, &dir.join("filters.png"))?;
            runs.push((label, tr.log.clone()));
            report::write(&a.out, &title, &runs, &blocks)?;
        }
        eprintln!("wrote {}/deep.csv, deep.png, <run>/filters.png", a.out.display());
        Ok(status)
    }

    #[derive(Debug, Args)]
    struct CheckArgs {
        /// Models to compare (all by default).
        #[arg(long, value_enum)]
        model: Vec<ModelArg>,
        #[arg(long, default_value_t = 16)]
        batch: usize,
        #[arg(long, value_enum, default_value = "cuda")]
        device: DeviceArg,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Allow (true) or forbid (false) TF32 in cuBLAS f32 GEMMs on CUDA (candle's
        /// `set_gemm_reduced_precision_f32`); unset: candle's default (false in candle 0.11).
        #[arg(long)]
        gemm_reduced_precision: Option<bool>,
    }

    /// Applies `--gemm-reduced-precision` and reports the setting in effect (stderr).
    fn gemm_precision(dev: &Device, set: Option<bool>) {
        if !dev.is_cuda() {
            if set.is_some() {
                eprintln!("--gemm-reduced-precision ignored: device is the CPU");
            }
            return;
        }
        if let Some(b) = set {
            candle_core::cuda::set_gemm_reduced_precision_f32(b);
        }
        eprintln!(
            "cuBLAS f32 GEMM reduced precision (TF32) allowed: {}",
            candle_core::cuda::gemm_reduced_precision_f32()
        );
    }

    fn rel_err(a: &Tensor, b: &Tensor) -> Result<f64> {
        let a = a.to_device(&Device::Cpu)?.flatten_all()?.to_vec1::<f32>()?;
        let b = b.to_device(&Device::Cpu)?.flatten_all()?.to_vec1::<f32>()?;
        let num: f64 = a.iter().zip(&b).map(|(x, y)| ((x - y) as f64).powi(2)).sum();
        let den: f64 = b.iter().map(|y| (*y as f64).powi(2)).sum();
        Ok((num / den.max(f64::MIN_POSITIVE)).sqrt())
    }

    /// Logits, loss, and gradients (in parameter order) of one training-mode pass.
    fn pass(
        model: ModelArg,
        x: &[f32],
        y: &[u32],
        n: usize,
        dev: &Device,
        seed: u64,
    ) -> Result<(Tensor, f64, Vec<Tensor>)> {
        let net = crate::deep::build(model.spec(64), 10, dev, seed)?;
        let xt = Tensor::from_vec(x.to_vec(), (n, 3, 32, 32), dev)?;
        let yt = Tensor::from_vec(y.to_vec(), n, dev)?;
        let fw = net.forward(&xt, true)?;
        let (loss, _) = loss_and_correct(&fw.logits, &yt)?;
        let grads = loss.backward()?;
        let g = net.params().trainable().iter().filter_map(|(_, v)| grads.get(v.as_tensor()).cloned()).collect();
        Ok((fw.logits, loss.to_scalar::<f32>()? as f64, g))
    }

    fn check(a: &CheckArgs) -> Result<ExitCode> {
        let dev = parse_device(a.device)?;
        gemm_precision(&dev, a.gemm_reduced_precision);
        let models = if a.model.is_empty() { ModelArg::value_variants().to_vec() } else { a.model.clone() };
        let mut rng = ChaChaSource::new(a.seed);
        let x: Vec<f32> = (0..a.batch * 3072).map(|_| rng.uniform() as f32).collect();
        let y: Vec<u32> = (0..a.batch).map(|_| rng.index(10) as u32).collect();
        println!("model,batch,loss_cpu,loss_dev,rel_err_logits,rel_err_grad_all,max_rel_err_grad_param");
        for m in models {
            let (l_cpu, loss_cpu, g_cpu) = pass(m, &x, &y, a.batch, &Device::Cpu, a.seed)?;
            let (l_dev, loss_dev, g_dev) = pass(m, &x, &y, a.batch, &dev, a.seed)?;
            ensure!(g_cpu.len() == g_dev.len(), "gradient count differs: {} vs {}", g_cpu.len(), g_dev.len());
            let flat = |g: &[Tensor]| -> Result<Tensor> {
                let v: Vec<Tensor> =
                    g.iter().map(|t| t.to_device(&Device::Cpu)?.flatten_all()).collect::<candle_core::Result<_>>()?;
                Ok(Tensor::cat(&v, 0)?)
            };
            let all = rel_err(&flat(&g_dev)?, &flat(&g_cpu)?)?;
            let worst = g_cpu
                .iter()
                .zip(&g_dev)
                .map(|(c, d)| rel_err(d, c))
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .fold(0.0, f64::max);
            println!(
                "{m:?},{},{loss_cpu:.6},{loss_dev:.6},{:.3e},{all:.3e},{worst:.3e}",
                a.batch,
                rel_err(&l_dev, &l_cpu)?
            );
        }
        Ok(ExitCode::SUCCESS)
    }

    #[derive(Debug, Args)]
    struct BenchArgs {
        #[arg(long, value_enum, default_value = "resnet18")]
        model: ModelArg,
        #[arg(long, default_value_t = 64)]
        width: usize,
        #[arg(long, default_value_t = 256)]
        batch: usize,
        /// Untimed warm-up steps.
        #[arg(long, default_value_t = 3)]
        warmup: usize,
        /// Timed steps (each synchronized).
        #[arg(long, default_value_t = 10)]
        steps: usize,
        #[arg(long, value_enum, default_value = "cpu")]
        device: DeviceArg,
        #[arg(long, value_enum, default_value = "sota")]
        setting: Setting,
        /// Per-op profile of ResNet-18 instead: step phases and single ops at the network's
        /// shapes (width `--width`, batch `--batch`, `--warmup` + `--steps` repeats, median).
        #[arg(long)]
        profile: bool,
    }

    fn bench(a: &BenchArgs) -> Result<ExitCode> {
        let dev = parse_device(a.device)?;
        gemm_precision(&dev, None);
        if a.profile {
            ensure!(a.model == ModelArg::Resnet18, "--profile supports --model resnet18 only");
            let cfg = ProfileConfig { width: a.width, batch: a.batch, warmup: a.warmup, repeats: a.steps };
            let rows = profile_resnet18(cfg, &dev)?;
            println!(
                "profile: ResNet-18 width {}, batch {}, {:?}, median of {} after {} warm-up, synchronized",
                a.width, a.batch, a.device, a.steps, a.warmup
            );
            print!("{}", table(&rows));
            return Ok(ExitCode::SUCCESS);
        }
        let mut rng = ChaChaSource::new(0);
        let set = data::ImageSet {
            pixels: (0..a.batch * 3072).map(|_| rng.index(256) as u8).collect(),
            labels: (0..a.batch).map(|_| rng.index(10) as u32).collect(),
        };
        let cfg = RunConfig {
            net: a.model.spec(a.width),
            setting: a.setting,
            schedule: ScheduleArg::Constant(0.01),
            epochs: 1,
            batch: a.batch,
            seed: 0,
            metric: MetricConfig::default(),
            metric_every: 0,
        };
        let mut tr = Trainer::new(cfg, 10, a.batch, &dev)?;
        let idx: Vec<usize> = (0..a.batch).collect();
        let mut times = Vec::new();
        for i in 0..a.warmup + a.steps {
            synchronize(&dev)?;
            let t0 = Instant::now();
            let (x, y) = set.batch(&idx, if a.setting.hyper().2 { Some(&mut rng) } else { None }, &dev)?;
            tr.step(&x, &y, 0.01)?;
            synchronize(&dev)?;
            if i >= a.warmup {
                times.push(t0.elapsed().as_secs_f64());
            }
        }
        let med = median(&times);
        println!(
            "candle,{:?},{:?},batch {},median step {:.2} ms,{:.0} images/s (min step {:.2} ms, {} timed steps)",
            a.model,
            a.device,
            a.batch,
            med * 1e3,
            a.batch as f64 / med,
            times.iter().cloned().fold(f64::INFINITY, f64::min) * 1e3,
            times.len()
        );
        Ok(ExitCode::SUCCESS)
    }

    /// Dispatches `largestep deep …`.
    pub fn deep(a: &DeepArgs) -> Result<ExitCode> {
        match &a.cmd {
            DeepCmd::Train(t) => train(t),
            DeepCmd::Check(c) => check(c),
            DeepCmd::Bench(b) => bench(b),
        }
    }
}
