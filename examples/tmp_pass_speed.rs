use largestep::linalg::Points;
use largestep::model::{MlpInit, Model, Precision, ReluMlp};
use largestep::rng::{ChaChaSource, RandomSource};
use std::time::Instant;
fn main() {
    let cases: Vec<(&str, ReluMlp, usize)> = vec![
        (
            "relu-1d f32 1-100-1 n=12",
            ReluMlp::new(1, &[100], &[true, false], MlpInit::Blanc).with_precision(Precision::F32),
            12,
        ),
        ("relu-1d f64 1-100-1 n=12", ReluMlp::new(1, &[100], &[true, false], MlpInit::Blanc), 12),
    ];
    for (name, net, n) in cases {
        let mut rng = ChaChaSource::new(1);
        let theta = net.init(&mut rng);
        let d = net.input_dim();
        let xs = Points::new((0..n * d).map(|_| rng.standard_normal()).collect(), d);
        let y: Vec<f64> = (0..n).map(|_| rng.standard_normal()).collect();
        let mut c = vec![0.0; n];
        let mut out = vec![0.0; net.num_params()];
        let reps = 200_000;
        for round in 0..3 {
            let t = Instant::now();
            for _ in 0..reps {
                net.weighted_jacobian_t_mul(&theta, &xs, &mut |i, h| 0.01 * (h - y[i]), &mut c, &mut out);
            }
            let per = t.elapsed().as_secs_f64() / reps as f64;
            println!("{name}: round {round}: {:.3} µs per weighted φᵀc ({})", per * 1e6, out[0]);
        }
    }
}
