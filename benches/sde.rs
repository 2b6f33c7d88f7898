//! Euler–Maruyama for Eq. (58) against SGD on the diagonal net of Fig. 2 (n = 80, d = 200):
//! one SGD step, one EM substep of the SDE and of gradient flow, their two products
//! (predictions Xβ and φᵀc) separately, and one EM step of GBM. See BENCHMARKS.md (SDE section).

use criterion::{criterion_group, criterion_main, Criterion};
use largestep::data::SparseRegression;
use largestep::loss::Loss;
use largestep::model::{DiagonalNet, LinearInX, Model};
use largestep::optim::{Optimizer, Sgd, Step};
use largestep::rng::{ChaChaSource, NumpySource, RandomSource};
use largestep::sde::normals::Normals;
use largestep::sde::reference::Gbm;
use largestep::sde::{Eq58, EulerMaruyama, GradientNoiseSde, Sde};
use std::hint::black_box;
use std::sync::Arc;

fn bench(c: &mut Criterion) {
    let data = SparseRegression { n: 80, d: 200, r: 20, n_test: 10 }.generate(&mut ChaChaSource::new(0), 0);
    let model = DiagonalNet::new(200, 0.1);
    let mut rng = ChaChaSource::new(1);
    let theta0: Vec<f64> = (0..400).map(|_| 0.1 + 0.01 * rng.standard_normal()).collect();

    let mut g = c.benchmark_group("diagonal_n80_d200");
    let mut theta = theta0.clone();
    let mut sgd = Sgd::new(1, Loss::HalfMse);
    g.bench_function("sgd_step", |b| {
        b.iter(|| {
            sgd.step(Step::new(&model, &data, 1e-6, 0), &mut theta, &mut rng);
            black_box(&theta);
        })
    });
    // One SGD iteration of Eq. (58) = 10 EM substeps; report per substep by dividing by 10.
    let mut sde = Eq58::new(Loss::HalfMse, 0.03, 1, Arc::from(vec![0.04]));
    let mut theta = theta0.clone();
    g.bench_function("sde_em_substep", |b| {
        b.iter(|| {
            sde.step(Step::new(&model, &data, 1e-6, 0), &mut theta, &mut rng);
            black_box(&theta);
        })
    });
    let mut gf = Eq58::gradient_flow(Loss::HalfMse, 1);
    let mut theta = theta0.clone();
    g.bench_function("gf_em_substep", |b| {
        b.iter(|| {
            gf.step(Step::new(&model, &data, 1e-6, 0), &mut theta, &mut rng);
            black_box(&theta);
        })
    });
    let mut pred = vec![0.0; 80];
    g.bench_function("predict_all_X_beta", |b| {
        b.iter(|| {
            model.predict_all(black_box(&theta0), &data.x, &mut pred);
            black_box(&pred);
        })
    });
    // The same Xβ with four independent accumulators per dot product (what a vectorizing
    // `linalg::dot` would do): the latency-bound sequential sum is the EM step's bottleneck.
    g.bench_function("predict_X_beta_4acc", |b| {
        b.iter(|| {
            let beta = model.linear_predictor(black_box(&theta0));
            for (p, x) in pred.iter_mut().zip(data.x.rows()) {
                let mut acc = [0.0; 4];
                for (xc, bc) in x.chunks_exact(4).zip(beta.chunks_exact(4)) {
                    for k in 0..4 {
                        acc[k] += xc[k] * bc[k];
                    }
                }
                *p = (acc[0] + acc[1]) + (acc[2] + acc[3]);
            }
            black_box(&pred);
        })
    });
    let mut out = vec![0.0; 400];
    let cvec: Vec<f64> = (0..80).map(|i| i as f64 * 1e-3).collect();
    g.bench_function("jacobian_t_mul", |b| {
        b.iter(|| {
            model.jacobian_t_mul(black_box(&theta0), &data.x, &cvec, &mut out);
            black_box(&out);
        })
    });
    let mut z = vec![0.0; 80];
    g.bench_function("normals_80_chacha_box_muller", |b| {
        b.iter(|| {
            for v in z.iter_mut() {
                *v = rng.standard_normal();
            }
            black_box(&z);
        })
    });
    let mut zig = Normals::new(3);
    g.bench_function("normals_80_ziggurat", |b| {
        b.iter(|| {
            zig.fill(&mut z);
            black_box(&z);
        })
    });
    let mut np = NumpySource::new(3);
    g.bench_function("normals_80_numpy_polar", |b| {
        b.iter(|| {
            for v in z.iter_mut() {
                *v = np.standard_normal();
            }
            black_box(&z);
        })
    });
    let mut noise = GradientNoiseSde::new(&model, &data, Loss::HalfMse, 0.1);
    let (mut inc, mut scratch) = (vec![0.0; 400], vec![0.0; 400]);
    g.bench_function("sde_increment_fused", |b| {
        b.iter(|| {
            noise.increment(0.0, black_box(&theta0), 1e-3, &cvec, &mut inc, &mut scratch);
            black_box(&inc);
        })
    });
    g.finish();

    let mut gbm = Gbm::standard();
    let mut em = EulerMaruyama::new();
    let mut x = [0.5];
    c.bench_function("gbm_em_step", |b| {
        b.iter(|| {
            em.step(&mut gbm, 0.0, &mut x, 1e-9, black_box(&[1e-5]));
            black_box(&x);
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots().sample_size(30).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
