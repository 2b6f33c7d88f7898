//! A model of your own through the `Model` trait, trained by the library's generic loop with its
//! metrics: h_θ(x) = ⟨w ⊙ w, x⟩ (a "squared" diagonal network, one weight vector), SGD with a
//! large step then a decayed one, on the sparse regression task of §3.1.
//!
//! Only `num_params`, `input_dim`, `init` and `grad` are required; the Jacobian, its rank, the
//! losses come from the trait's defaults; ‖β‖₀ from the optional `LinearInX` capability.
//!
//! ```text
//! cargo run --release --example custom_model
//! ```

use largestep::data::SparseRegression;
use largestep::experiment::train;
use largestep::loss::Loss;
use largestep::metrics::{log_grid, MetricsSpec, Prepared};
use largestep::model::{LinearInX, Model};
use largestep::optim::Sgd;
use largestep::record::{Recorder, RunLog};
use largestep::rng::{ChaChaSource, RandomSource};
use largestep::schedule::ScheduleSpec;

/// h_θ(x) = Σᵢ wᵢ² xᵢ with θ = w ∈ ℝᵈ, w₀ = α·𝟙; ∇_θ h = 2 w ⊙ x.
struct SquaredDiagonal {
    d: usize,
    alpha: f64,
}

impl Model for SquaredDiagonal {
    fn num_params(&self) -> usize {
        self.d
    }
    fn input_dim(&self) -> usize {
        self.d
    }
    fn init(&self, _rng: &mut dyn RandomSource) -> Vec<f64> {
        vec![self.alpha; self.d]
    }
    fn grad(&self, w: &[f64], x: &[f64], out: &mut [f64]) -> f64 {
        let mut h = 0.0;
        for ((o, wi), xi) in out.iter_mut().zip(w).zip(x) {
            *o = 2.0 * wi * xi;
            h += wi * wi * xi;
        }
        h
    }
    fn as_linear(&self) -> Option<&dyn LinearInX> {
        Some(self)
    }
}

/// Linear in x with β = w ⊙ w: the ‖β‖₀ metric needs this optional capability.
impl LinearInX for SquaredDiagonal {
    fn linear_predictor(&self, w: &[f64]) -> Vec<f64> {
        w.iter().map(|wi| wi * wi).collect()
    }
}

fn main() -> anyhow::Result<()> {
    let (d, total) = (60, 20_001);
    let data = SparseRegression { n: 30, d, r: 5, n_test: 500 }.generate(&mut ChaChaSource::new(0), 2 * d);
    // The dataset with what the metrics prepare on it once (the rank points' QR factor).
    let data = Prepared::new(std::sync::Arc::new(data));
    let model = SquaredDiagonal { d, alpha: 0.1 };
    let metrics: MetricsSpec =
        toml::from_str("grid_points = 40\nsupport_size = true\njacobian_rank = { points = 120, tol = 1e-10 }")?;
    let grid = log_grid(total, metrics.grid_dense, metrics.grid_points);
    println!("{:<22} {:>12} {:>12} {:>6} {:>6}", "schedule", "train loss", "test loss", "rank", "‖β‖₀");
    for (name, schedule) in [
        ("small constant 0.02", ScheduleSpec::constant(0.02)),
        ("large 0.1, ÷10 at 50%", toml::from_str::<ScheduleSpec>("step = 0.1\ndecay_at = [0.5]\ndecay_by = [10.0]")?),
        ("large 0.15, ÷10 at 50%", toml::from_str::<ScheduleSpec>("step = 0.15\ndecay_at = [0.5]\ndecay_by = [10.0]")?),
    ] {
        let schedule = schedule.build(total);
        let mut rng = ChaChaSource::new(1);
        let mut theta = model.init(&mut rng);
        let log = RunLog { run: name.into(), total, ..Default::default() };
        let mut rec = Recorder::new(&metrics, Loss::HalfMse, Box::new(std::io::sink()), false, log);
        let mut sgd = Sgd::new(1, Loss::HalfMse);
        train(&model, &data, &mut sgd, schedule.as_ref(), total, &grid, &mut theta, &mut rec, &mut rng, &|_| {})?;
        let log = rec.finish()?;
        let last = log.last().expect("a logged row");
        println!(
            "{name:<22} {:>12.3e} {:>12.3e} {:>6} {:>6}{}",
            last.train_loss,
            last.test_loss,
            last.metrics[0],
            last.metrics[1],
            log.diverged_at.map_or(String::new(), |t| format!("  (diverged at {t})"))
        );
    }
    Ok(())
}
