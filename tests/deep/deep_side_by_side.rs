#![cfg(feature = "deep")]
//! Runs trained side by side (one thread each) equal the same runs trained one after another:
//! same logs (but wall-clock seconds), same weights and momentum, bit for bit; and the
//! after-epoch callback sees every epoch of every run.

use candle_core::Device;
use largestep::deep::data::{load, CifarKind};
use largestep::deep::metric::MetricConfig;
use largestep::deep::side_by_side::{run_device, train_all};
use largestep::deep::train::{EpochRecord, RunConfig, ScheduleArg, Setting, Trainer};
use largestep::deep::NetSpec;
use largestep::test_device;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cifar10-mini");

fn trainers(dev: &Device, side_by_side: bool) -> Vec<Trainer> {
    // Two schedules of Fig. 1's pair and a third seed; momentum, L2 and augmentation on.
    [(ScheduleArg::Constant(0.007), 2), (ScheduleArg::Step(1.5, 0.3), 2), (ScheduleArg::Constant(0.05), 5)]
        .into_iter()
        .map(|(schedule, seed)| {
            let cfg = RunConfig {
                net: NetSpec::resnet18(4),
                setting: Setting::Sota,
                schedule,
                epochs: 2,
                batch: 20,
                seed,
                metric: MetricConfig { images: 20, batch: 20, max_neurons: 50, seed: 0 },
                metric_every: 1,
                precision: Default::default(),
            };
            Trainer::new(cfg, 10, 60, &run_device(dev, side_by_side).unwrap()).unwrap()
        })
        .collect()
}

fn state(tr: &Trainer) -> (Vec<EpochRecord>, Vec<Vec<f32>>) {
    let log = tr.log.iter().map(|r| EpochRecord { seconds: 0.0, ..r.clone() }).collect();
    let mut t: Vec<_> = tr.net.params().named_tensors().into_iter().collect();
    t.sort_by(|a, b| a.0.cmp(&b.0));
    (log, t.iter().map(|(_, v)| v.flatten_all().unwrap().to_vec1::<f32>().unwrap()).collect())
}

fn side_by_side_equals_sequential(dev: &Device) {
    let data = load(Path::new(FIXTURE), CifarKind::Cifar10).unwrap();
    let run = |side: bool| {
        let (steps, epochs) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let done = train_all(
            trainers(dev, side),
            &data,
            2,
            side,
            &|_, _| {
                steps.fetch_add(1, Ordering::Relaxed);
            },
            &|_, tr| {
                assert!(!tr.log.is_empty());
                epochs.fetch_add(1, Ordering::Relaxed);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!((steps.into_inner(), epochs.into_inner()), (3 * 2 * 3, 3 * 2));
        done.iter().map(state).collect::<Vec<_>>()
    };
    let (seq, side) = (run(false), run(true));
    assert_eq!(seq.len(), 3);
    for (i, (a, b)) in seq.iter().zip(&side).enumerate() {
        assert_eq!(a.0.len(), 2, "run {i}: epochs");
        assert!(!a.0[1].sparsity.is_empty(), "run {i}: sparsity measured");
        assert_eq!(a, b, "run {i}: side by side differs from sequential");
    }
    // The runs themselves differ (schedules and seeds are each run's own).
    assert_ne!(seq[0].1, seq[1].1);
    assert_ne!(seq[0].1, seq[2].1);
}
test_device!(side_by_side, side_by_side_equals_sequential);
