//! Core benches: one SGD step and one rank evaluation of the diagonal net at Fig. 2's size, and a
//! reduced Fig. 2 run end to end. Lower bounds are in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion};
use largestep::config::ExperimentConfig;
use largestep::data::SparseRegression;
use largestep::experiment::{registry, run, RunOptions};
use largestep::model::{DiagonalNet, Model};
use largestep::optim::{Optimizer, Sgd, Step};
use largestep::rng::{NumpySource, RandomSource};
use std::hint::black_box;

fn fig2_state() -> (DiagonalNet, largestep::data::Dataset, Vec<f64>) {
    let mut rng = NumpySource::new(0);
    let data = SparseRegression { n: 80, d: 200, r: 20, n_test: 1000 }.generate(&mut rng, 400);
    let net = DiagonalNet::new(200, 0.1);
    let mut theta = net.init(&mut rng);
    // Move off the initialization (v₀ = 0) so every coordinate is non-zero.
    let mut sgd = Sgd::new(1, largestep::loss::Loss::HalfMse);
    for t in 0..2000 {
        sgd.step(Step::new(&net, &data, 0.25, t), &mut theta, &mut rng);
    }
    (net, data, theta)
}

fn sgd_step(c: &mut Criterion) {
    let (net, data, mut theta) = fig2_state();
    let mut sgd = Sgd::new(1, largestep::loss::Loss::HalfMse);
    let mut rng = NumpySource::new(1);
    c.bench_function("sgd_step_diag_d200", |b| {
        b.iter(|| {
            sgd.step(Step::new(&net, &data, 1e-3, 0), black_box(&mut theta), &mut rng as &mut dyn RandomSource);
        })
    });
}

fn rank_eval(c: &mut Criterion) {
    faer::set_global_parallelism(faer::Par::Seq);
    let (net, data, theta) = fig2_state();
    let xs = data.rank_points.clone().unwrap();
    let set = largestep::metrics::RankPoints::new(xs.clone());
    let _ = largestep::metrics::jacobian_singular_values(&net, &theta, &set); // builds the QR factor
    c.bench_function("rank_eval_diag_400x200_shortcut", |b| {
        b.iter(|| largestep::metrics::jacobian_singular_values(&net, black_box(&theta), &set).unwrap())
    });
    c.bench_function("rank_eval_diag_400x400_plain_svd", |b| {
        b.iter(|| largestep::linalg::singular_values(&net.jacobian(black_box(&theta), &xs)).unwrap())
    });
}

fn reduced_run(c: &mut Criterion) {
    let text = registry::EMBEDDED.iter().find(|(n, _)| *n == "fig2").unwrap().1;
    let mut cfg =
        ExperimentConfig::parse_with_overrides(text, "fig2 (reduced)", &["metrics.grid_points=50".into()]).unwrap();
    cfg.training.iterations = Some(10001);
    cfg.training.iterations_log10 = None;
    let dir = tempfile::tempdir().unwrap();
    let mut opts = RunOptions::new(dir.path());
    opts.plot = false;
    let mut group = c.benchmark_group("reduced_run");
    group.sample_size(10);
    group.bench_function("fig2_N1e4_grid149", |b| b.iter(|| run(&cfg, &opts).unwrap()));
    group.finish();
}

criterion_group!(benches, sgd_step, rank_eval, reduced_run);
criterion_main!(benches);
