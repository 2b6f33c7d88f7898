#![cfg(feature = "deep")]
//! Training on real CIFAR-10 images: SGD lowers the loss, runs are seeded, checkpoints resume
//! exactly; the schedules.

use candle_core::Device;
use largestep::deep::data::{load, CifarKind};
use largestep::deep::metric::MetricConfig;
use largestep::deep::train::{RunConfig, ScheduleArg, Setting, Trainer};
use largestep::deep::NetSpec;
use largestep::test_device;
use std::path::Path;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cifar10-mini");

fn config(setting: Setting, schedule: ScheduleArg, epochs: usize, batch: usize) -> RunConfig {
    RunConfig {
        net: NetSpec::resnet18(4),
        setting,
        schedule,
        epochs,
        batch,
        seed: 2,
        metric: MetricConfig { images: 20, batch: 20, max_neurons: 50, seed: 0 },
        metric_every: 1,
        precision: Default::default(),
    }
}

/// A few full-batch SGD steps on 60 real images lower the training loss.
fn sgd_lowers_loss(dev: &Device) {
    let data = load(Path::new(FIXTURE), CifarKind::Cifar10).unwrap();
    let mut tr = Trainer::new(config(Setting::Basic, ScheduleArg::Constant(0.1), 1, 60), 10, 60, dev).unwrap();
    let idx: Vec<usize> = (0..60).collect();
    let (x, y) = data.train.batch(&idx, None, dev).unwrap();
    let first = tr.step(&x, &y, 0.1).unwrap().0;
    let mut last = first;
    for _ in 0..8 {
        last = tr.step(&x, &y, 0.1).unwrap().0;
    }
    assert!(first > 1.8 && first < 3.5, "initial cross-entropy {first} (≈ ln 10 expected)");
    // Clearly lower, and below the chance level ln 10 ≈ 2.303.
    assert!(last < 0.9 * first && last < 10f64.ln() - 0.1, "loss {first} → {last}");
}
test_device!(lowers_loss, sgd_lowers_loss);

fn params_of(tr: &Trainer) -> Vec<f32> {
    tr.net
        .params()
        .named_tensors()
        .into_iter()
        .collect::<std::collections::BTreeMap<_, _>>()
        .values()
        .flat_map(|t| t.flatten_all().unwrap().to_vec1::<f32>().unwrap())
        .collect()
}

/// Two epochs straight equal one epoch, a checkpoint, a resume and one more epoch (momentum,
/// L2, augmentation all on), bit for bit; and a second straight run reproduces the first.
fn checkpoint_resume(dev: &Device) {
    let data = load(Path::new(FIXTURE), CifarKind::Cifar10).unwrap();
    let cfg = config(Setting::Sota, ScheduleArg::Warmup(0.05, 0.3), 2, 20);
    let strip = |tr: &Trainer| -> Vec<_> {
        tr.log.iter().map(|r| (r.epoch, r.step_size, r.train_loss, r.test_error, r.sparsity.clone())).collect()
    };
    let mut a = Trainer::new(cfg.clone(), 10, 60, dev).unwrap();
    a.run_epoch(&data, |_| {}).unwrap();
    a.run_epoch(&data, |_| {}).unwrap();
    let mut a2 = Trainer::new(cfg.clone(), 10, 60, dev).unwrap();
    a2.run_epoch(&data, |_| {}).unwrap();
    a2.run_epoch(&data, |_| {}).unwrap();
    assert_eq!(strip(&a), strip(&a2));
    assert_eq!(params_of(&a), params_of(&a2));

    let dir = tempfile::tempdir().unwrap();
    let mut b = Trainer::new(cfg.clone(), 10, 60, dev).unwrap();
    assert!(!b.resume(dir.path()).unwrap());
    b.run_epoch(&data, |_| {}).unwrap();
    b.save(dir.path()).unwrap();
    let mut c = Trainer::new(cfg.clone(), 10, 60, dev).unwrap();
    assert!(c.resume(dir.path()).unwrap());
    assert_eq!(c.log.len(), 1);
    c.run_epoch(&data, |_| {}).unwrap();
    assert_eq!(strip(&a), strip(&c));
    assert_eq!(params_of(&a), params_of(&c));
    assert_eq!(a.log[1].sparsity.len(), 5);

    // A checkpoint of another configuration is refused with the file named.
    let mut other = Trainer::new(RunConfig { seed: 9, ..cfg }, 10, 60, dev).unwrap();
    let err = other.resume(dir.path()).unwrap_err().to_string();
    assert!(err.contains("checkpoint.safetensors") && err.contains("different configuration"), "{err}");
}
test_device!(resume, checkpoint_resume);

#[test]
fn schedules() {
    let t = 1000;
    let w: ScheduleArg = "warmup:0.75:0.3".parse().unwrap();
    let s = w.build(t);
    assert_eq!(s.step_size(0), 0.75);
    let peak = 0.75 * 1.05f64.powf(100.0 * 299.0 / 1000.0);
    assert!((s.step_size(299) - peak).abs() < 1e-12);
    assert!((s.step_size(300) - peak / 10.0).abs() < 1e-12);
    assert!((s.step_size(899) - peak / 10.0).abs() < 1e-12);
    assert!((s.step_size(900) - peak / 100.0).abs() < 1e-12);
    let st = "step:0.05:0.5".parse::<ScheduleArg>().unwrap().build(t);
    assert_eq!((st.step_size(499), st.step_size(500), st.step_size(999)), (0.05, 0.005, 0.0005));
    assert_eq!("constant:0.01".parse::<ScheduleArg>().unwrap().build(t).step_size(777), 0.01);
    for (bad, msg) in [
        ("warmup:0.75", "expected 3"),
        ("constant:-1", "outside"),
        ("cosine:1", "unknown kind"),
        ("step:0.1:0.95", "decay fraction"),
    ] {
        let e = bad.parse::<ScheduleArg>().unwrap_err();
        assert!(e.contains(msg), "{bad}: {e}");
    }
    assert_eq!(w.to_string(), "warmup:0.75:0.3");
    assert_eq!(Setting::Sota.hyper(), (0.9, 5e-4, true));
}
