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
    use anyhow::{bail, ensure, Result};
    use candle_core::{DType, Device, Tensor};
    use clap::{Args, Subcommand, ValueEnum};
    use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
    use largestep::deep::data::{self, CifarKind};
    use largestep::deep::metric::MetricConfig;
    use largestep::deep::ops::Kernels;
    use largestep::deep::params::ParamStore;
    use largestep::deep::precision::Precision;
    use largestep::deep::profile::{profile_resnet18, table, ProfileConfig};
    use largestep::deep::side_by_side::{run_device, train_all};
    use largestep::deep::train::{loss_and_correct, RunConfig, RunIdentity, ScheduleArg, Setting, Trainer};
    use largestep::deep::{device::synchronize, filters, parse_device, report, DeviceArg, NetSpec};
    use largestep::output::OutputDir;
    use largestep::rng::{ChaChaSource, RandomSource};
    use largestep::stats::median;
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
        /// Train on a seeded uniform sample of K ≥ 1 training images.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        subset: Option<u64>,
        /// Evaluate on a seeded uniform sample of K ≥ 1 test images.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        test_subset: Option<u64>,
        #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65_536))]
        batch: u32,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long, value_enum, default_value = "cpu")]
        device: DeviceArg,
        #[arg(long, default_value = "results/deep")]
        out: PathBuf,
        /// Continue each run from its checkpoint: the one a killed run left (beside OUT, in
        /// `.OUT.resume/<run>/`) or else the finished set's OUT/<run>/checkpoint.safetensors.
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
        /// Arithmetic of convolutions and matrix products (tf32: CUDA only).
        #[arg(long, value_enum, default_value = "f32")]
        precision: Precision,
        /// Train the `--schedule` runs side by side (one thread each; on CUDA one stream each)
        /// instead of one after another; each run's log, weights and files are unchanged.
        #[arg(long)]
        side_by_side: bool,
    }

    fn run_label(s: &ScheduleArg) -> String {
        s.to_string().replace(':', "_")
    }

    /// Trains every `--schedule` run and writes the result set as a whole ([`OutputDir`]):
    /// `deep.csv`, `deep.png`/`.svg`, `run.json`, and per run `<run>/filters.png` and
    /// `<run>/checkpoint.safetensors`. Checkpoints of the epochs so far live in the folder's
    /// resume state (they survive a kill; `--resume` continues from them) until the commit.
    fn train(a: &TrainArgs) -> Result<ExitCode> {
        let labels: Vec<String> = a.schedule.iter().map(run_label).collect();
        for (i, l) in labels.iter().enumerate() {
            if let Some(j) = labels[..i].iter().position(|m| m == l) {
                bail!(
                    "--schedule: `{}` and `{}` are both run `{l}` (one folder each): give distinct schedules",
                    a.schedule[j],
                    a.schedule[i]
                );
            }
        }
        let set = OutputDir::begin(&a.out)?;
        let state = set.resume_dir()?;
        let staging = set.staging().to_path_buf();
        let device = parse_device(a.device)?;
        let mut data = data::load(&a.data, a.dataset)?;
        if let Some(k) = a.subset {
            data.train = data.train.subset(k as usize, &mut ChaChaSource::new(a.seed ^ 0x5eed_0001));
        }
        if let Some(k) = a.test_subset {
            data.test = data.test.subset(k as usize, &mut ChaChaSource::new(a.seed ^ 0x5eed_0002));
        }
        eprintln!("data: {} train, {} test images, {} classes", data.train.len(), data.test.len(), data.classes);
        let title = format!("{:?} {:?} {:?}", a.model, a.dataset, a.setting);
        let identity = RunIdentity {
            model: a.model.to_possible_value().map_or_else(|| format!("{:?}", a.model), |v| v.get_name().to_string()),
            width: a.width as usize,
            dataset: a
                .dataset
                .to_possible_value()
                .map_or_else(|| format!("{:?}", a.dataset), |v| v.get_name().to_string()),
            subset: a.subset.map(|k| k as usize),
            test_subset: a.test_subset.map(|k| k as usize),
        };
        let mut trainers = Vec::new();
        for (schedule, label) in a.schedule.iter().zip(&labels) {
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
                precision: a.precision,
            };
            let run_dev = run_device(&device, a.side_by_side)?;
            let mut tr = Trainer::new(cfg, data.classes, data.train.len(), &run_dev)?;
            tr.identity = identity.clone();
            if a.resume && (tr.resume(&state.join(label))? || tr.resume(&a.out.join(label))?) {
                eprintln!("{label}: resumed after epoch {}", tr.log.len());
            }
            eprintln!("{label}: {} parameters, {} steps/epoch", tr.net.params().num_params(), tr.steps_per_epoch());
            trainers.push(tr);
        }
        let blocks = trainers.first().map(|t| t.net.tap_names()).unwrap_or_default();
        let bars = MultiProgress::new();
        let style =
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({eta})")?.progress_chars("=> ");
        let pbs: Vec<ProgressBar> = trainers
            .iter()
            .zip(&labels)
            .map(|(tr, label)| {
                let pb = bars.add(ProgressBar::new(tr.steps_per_epoch() as u64));
                pb.set_style(style.clone());
                pb.set_prefix(format!("{label} epoch {}", tr.log.len() + 1));
                pb
            })
            .collect();
        // Finished runs' logs, for the combined report written after every epoch.
        let logs = std::sync::Mutex::new(trainers.iter().map(|t| t.log.clone()).collect::<Vec<_>>());
        let tick = |i: usize, l: f64| {
            pbs[i].inc(1);
            pbs[i].set_message(format!("loss {l:.4}"));
        };
        let after_epoch = |i: usize, tr: &Trainer| -> Result<()> {
            let (label, r) = (&labels[i], tr.log.last().expect("an epoch ran"));
            pbs[i].reset();
            pbs[i].set_prefix(format!("{label} epoch {}", tr.log.len() + 1));
            let sp: Vec<String> =
                r.sparsity.iter().map(|s| format!("{}={:.4}/{:.4}", s.block, s.positive, s.coefficient)).collect();
            bars.println(format!(
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
            ))?;
            tr.save(&state.join(label))?;
            let mut logs = logs.lock().map_err(|_| anyhow::anyhow!("report lock poisoned"))?;
            logs[i] = tr.log.clone();
            let runs: Vec<_> =
                labels.iter().cloned().zip(logs.iter().cloned()).filter(|(_, log)| !log.is_empty()).collect();
            // The progress so far, beside the checkpoints (the set itself is written at the end).
            report::write(&state, &title, &runs, &blocks)
        };
        let trainers = train_all(trainers, &data, a.epochs as usize, a.side_by_side, &tick, &after_epoch)?;
        for pb in &pbs {
            pb.finish_and_clear();
        }
        let mut status = ExitCode::SUCCESS;
        let mut runs = Vec::new();
        for (tr, label) in trainers.iter().zip(&labels) {
            if let Some(msg) = &tr.diverged {
                eprintln!("{label}: {msg}");
                status = ExitCode::from(crate::cli::exit::Status::Diverged(String::new()).code());
            }
            let (first, middle) = tr.net.filters();
            filters::filter_grid(&first, &middle, &staging.join(label).join("filters.png"))?;
            tr.save(&staging.join(label))?;
            runs.push((label.clone(), tr.log.clone()));
        }
        report::write(&staging, &title, &runs, &blocks)?;
        let configs: Vec<&RunConfig> = trainers.iter().map(|t| &t.cfg).collect();
        let config_text = serde_json::to_string_pretty(&(&identity, &configs))?;
        let mut flags = std::collections::BTreeMap::new();
        flags.insert("resume".to_string(), a.resume.to_string());
        flags.insert("device".to_string(), format!("{:?}", a.device));
        largestep::provenance::Provenance::start(
            &format!("deep-{}", identity.model),
            &config_text,
            vec![a.seed],
            flags,
        )
        .finish(&staging)?;
        set.commit()?;
        eprintln!(
            "wrote {}/deep.csv, deep.png, run.json, <run>/filters.png, <run>/checkpoint.safetensors",
            a.out.display()
        );
        Ok(status)
    }

    #[derive(Debug, Args)]
    struct CheckArgs {
        /// Models to compare (all by default).
        #[arg(long, value_enum)]
        model: Vec<ModelArg>,
        #[arg(long, default_value_t = 16)]
        batch: usize,
        /// The CPU rows always run; `cuda` adds CUDA f32, TF32 and bf16 rows.
        #[arg(long, value_enum, default_value = "cpu")]
        device: DeviceArg,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// The implementation of the checked rows (the f64 reference is always `composed`).
        #[arg(long, value_enum, default_value = "fused")]
        kernels: Kernels,
    }

    /// Applies `--gemm-reduced-precision` and reports the setting in effect (stderr).
    #[cfg_attr(not(feature = "cuda"), allow(clippy::needless_return))]
    fn gemm_precision(dev: &Device, set: Option<bool>) {
        if !dev.is_cuda() {
            if set.is_some() {
                eprintln!("--gemm-reduced-precision ignored: device is the CPU");
            }
            return;
        }
        #[cfg(feature = "cuda")]
        {
            if let Some(b) = set {
                candle_core::cuda::set_gemm_reduced_precision_f32(b);
            }
            eprintln!(
                "cuBLAS f32 GEMM reduced precision (TF32) allowed: {}",
                candle_core::cuda::gemm_reduced_precision_f32()
            );
        }
    }

    /// ‖a − b‖₂ / ‖b‖₂, both read as f64 on the CPU.
    fn rel_err(a: &Tensor, b: &Tensor) -> Result<f64> {
        let v = |t: &Tensor| -> Result<Vec<f64>> {
            Ok(t.to_device(&Device::Cpu)?.to_dtype(DType::F64)?.flatten_all()?.to_vec1::<f64>()?)
        };
        let (a, b) = (v(a)?, v(b)?);
        let num: f64 = a.iter().zip(&b).map(|(x, y)| (x - y).powi(2)).sum();
        let den: f64 = b.iter().map(|y| y.powi(2)).sum();
        Ok((num / den.max(f64::MIN_POSITIVE)).sqrt())
    }

    /// Logits, loss, and gradients (in parameter order) of one training-mode pass of `model`
    /// with variables of `dtype` on `dev` in `precision`.
    fn pass(
        model: ModelArg,
        (x, y, n): (&[f32], &[u32], usize),
        dev: &Device,
        dtype: DType,
        (precision, kernels): (Precision, Kernels),
        seed: u64,
    ) -> Result<(Tensor, f64, Vec<Tensor>)> {
        precision.apply(dev)?;
        let store = ParamStore::with_dtype(dev, dtype).with_compute(precision.compute_dtype()).with_kernels(kernels);
        let net = largestep::deep::build_in(model.spec(64), 10, store, seed)?;
        let xt = Tensor::from_vec(x.to_vec(), (n, 3, 32, 32), dev)?.to_dtype(dtype)?;
        let yt = Tensor::from_vec(y.to_vec(), n, dev)?;
        let fw = net.forward(&xt, true)?;
        let (loss, _) = loss_and_correct(&fw.logits, &yt)?;
        let grads = loss.backward()?;
        let g = net.params().trainable().iter().filter_map(|(_, v)| grads.get(v.as_tensor()).cloned()).collect();
        Ok((fw.logits, loss.to_dtype(DType::F64)?.to_scalar::<f64>()?, g))
    }

    /// One training-mode pass per (device, precision) against the same pass in f64 on the CPU
    /// (same weights, same batch, candle's composed ops): relative errors of logits and gradients.
    /// A row that cannot run on its device prints one line saying why.
    fn check(a: &CheckArgs) -> Result<ExitCode> {
        let dev = parse_device(a.device)?;
        let models = if a.model.is_empty() { ModelArg::value_variants().to_vec() } else { a.model.clone() };
        let mut rng = ChaChaSource::new(a.seed);
        let x: Vec<f32> = (0..a.batch * 3072).map(|_| rng.uniform() as f32).collect();
        let y: Vec<u32> = (0..a.batch).map(|_| rng.index(10) as u32).collect();
        let batch = (x.as_slice(), y.as_slice(), a.batch);
        let mut rows = vec![(Device::Cpu, "cpu", Precision::F32), (Device::Cpu, "cpu", Precision::Bf16)];
        if dev.is_cuda() {
            for p in [Precision::F32, Precision::Tf32, Precision::Bf16] {
                rows.push((dev.clone(), "cuda", p));
            }
        }
        println!("model,batch,device,precision,loss_f64,loss,rel_err_logits,rel_err_grad_all,max_rel_err_grad_param");
        for m in models {
            let reference = (Precision::F32, Kernels::Composed);
            let (l_ref, loss_ref, g_ref) = pass(m, batch, &Device::Cpu, DType::F64, reference, a.seed)?;
            let flat = |g: &[Tensor]| -> Result<Tensor> {
                let v: Vec<Tensor> = g
                    .iter()
                    .map(|t| t.to_device(&Device::Cpu)?.to_dtype(DType::F64)?.flatten_all())
                    .collect::<candle_core::Result<_>>()?;
                Ok(Tensor::cat(&v, 0)?)
            };
            let g_ref_flat = flat(&g_ref)?;
            for (d, name, p) in &rows {
                let (l, loss, g) = match pass(m, batch, d, DType::F32, (*p, a.kernels), a.seed) {
                    Ok(r) => r,
                    Err(e) => {
                        let why = format!("{e:#}");
                        let why = why.lines().next().unwrap_or("failed");
                        println!("{m:?},{},{name},{p:?},{loss_ref:.9},not available on this device: {why}", a.batch);
                        continue;
                    }
                };
                ensure!(g.len() == g_ref.len(), "gradient count differs: {} vs {}", g.len(), g_ref.len());
                let all = rel_err(&flat(&g)?, &g_ref_flat)?;
                let worst = g_ref
                    .iter()
                    .zip(&g)
                    .map(|(r, t)| rel_err(t, r))
                    .collect::<Result<Vec<_>>>()?
                    .into_iter()
                    .fold(0.0, f64::max);
                println!(
                    "{m:?},{},{name},{p:?},{loss_ref:.9},{loss:.9},{:.3e},{all:.3e},{worst:.3e}",
                    a.batch,
                    rel_err(&l, &l_ref)?
                );
            }
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
        /// Backpropagate through one graph (DenseNet: without recomputing its dense blocks), to
        /// measure the memory that recomputation saves.
        #[arg(long)]
        one_graph: bool,
        /// Arithmetic of convolutions and matrix products (tf32: CUDA only).
        #[arg(long, value_enum, default_value = "f32")]
        precision: Precision,
        /// The op layer (`fused`) or candle's composed ops (the implementation before it).
        #[arg(long, value_enum, default_value = "fused")]
        kernels: Kernels,
    }

    /// The process's peak resident memory (VmHWM of /proc/self/status) in MiB, where readable.
    fn peak_rss_mib() -> Option<f64> {
        let s = std::fs::read_to_string("/proc/self/status").ok()?;
        let kb: f64 = s.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    }

    fn bench(a: &BenchArgs) -> Result<ExitCode> {
        Kernels::set_default(a.kernels);
        let dev = parse_device(a.device)?;
        gemm_precision(&dev, None);
        if a.profile {
            ensure!(a.model == ModelArg::Resnet18, "--profile supports --model resnet18 only");
            let cfg = ProfileConfig {
                width: a.width,
                batch: a.batch,
                warmup: a.warmup,
                repeats: a.steps,
                kernels: a.kernels,
            };
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
            precision: a.precision,
        };
        let mut tr = Trainer::new(cfg, 10, a.batch, &dev)?;
        tr.one_graph = a.one_graph;
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
            "candle,{:?},{:?},batch {},median step {:.2} ms,{:.0} images/s (min step {:.2} ms, {} timed steps),{},peak RSS {}",
            a.model,
            a.device,
            a.batch,
            med * 1e3,
            a.batch as f64 / med,
            times.iter().cloned().fold(f64::INFINITY, f64::min) * 1e3,
            times.len(),
            if a.one_graph { "one graph" } else { "recompute" },
            peak_rss_mib().map_or("unknown".into(), |m| format!("{m:.0} MiB"))
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
