//! Teacher–student regression (Figs. 5, 10, 14; docs/DESIGN.md §3): inputs on the unit sphere, labels
//! from a ReLU teacher network.

use super::Dataset;
use crate::linalg::Points;
use crate::model::precision::Real;
use crate::model::{MlpInit, Model, Precision, ReluMlp};
use crate::rng::RandomSource;

/// Labels y = h_{θ*}(x) of a ReLU teacher with hidden widths `hidden`; x ~ N(0, I_d) rescaled to
/// unit norm, `n` training and `n_test` test points.
///
/// The teacher: weights N(0, 1), biases (when `biases`) U(±1/√fan_in) — the three-layer
/// teacher of Fig. 5; with `unit_rows`, the first-layer rows are rescaled to unit norm and the
/// output weights replaced by their signs — the two-layer teacher of Figs. 10, 14.
///
/// Draw order: X (n × d), X_test (n_test × d), then θ* (see [`MlpInit::Gaussian`]) — the
/// release's `get_data_*_relu_net`, whose inputs come from numpy's `multivariate_normal` and
/// whose teacher from torch (both streams of a [`TorchSource`](crate::rng::TorchSource)). The
/// rank points are the first `rank_points` test points (the release's `X_test[:n_params]`). The
/// teacher's θ* (in [`ReluMlp`] layout) is the dataset's `truth`.
///
/// In `precision = "f32"` (the release: `.float()` tensors) the inputs are rounded to `f32`
/// before they are normalized, and the normalization, the teacher's rows and the labels are
/// computed in `f32`.
#[derive(Debug, Clone, PartialEq)]
pub struct Teacher {
    /// Training points.
    pub n: usize,
    /// Input dimension.
    pub d: usize,
    /// Test points.
    pub n_test: usize,
    /// Hidden widths of the teacher.
    pub hidden: Vec<usize>,
    /// Biases in every teacher layer.
    pub biases: bool,
    /// Unit-norm first-layer rows and ±1 output weights.
    pub unit_rows: bool,
    /// Arithmetic of the inputs' normalization, the teacher and the labels.
    pub precision: Precision,
}

/// Rescales each row of `v` (`d` values) to unit norm in `T`: x ← x/√(Σ x_k²), the sum taken
/// in order; zero rows are left alone.
fn normalize_rows<T: Real>(v: &mut [f64], d: usize) {
    for row in v.chunks_exact_mut(d) {
        let norm = row.iter().fold(T::ZERO, |s, a| s + T::of(*a) * T::of(*a)).sqrt();
        if norm > T::ZERO {
            row.iter_mut().for_each(|a| *a = (T::of(*a) / norm).wide());
        }
    }
}

fn normalize(precision: Precision, v: &mut [f64], d: usize) {
    match precision {
        Precision::F32 => {
            v.iter_mut().for_each(|a| *a = precision.round(*a));
            normalize_rows::<f32>(v, d);
        }
        Precision::F64 => normalize_rows::<f64>(v, d),
    }
}

fn sphere(rng: &mut dyn RandomSource, n: usize, d: usize, precision: Precision) -> Points {
    let mut v = rng.gaussian_matrix(n, d);
    normalize(precision, &mut v, d);
    Points::new(v, d)
}

impl Teacher {
    /// The teacher network.
    pub fn network(&self) -> ReluMlp {
        let layers = self.hidden.len() + 1;
        ReluMlp::new(self.d, &self.hidden, &vec![self.biases; layers], MlpInit::Gaussian { scales: vec![1.0; layers] })
            .with_precision(self.precision)
    }

    /// Draws the dataset.
    pub fn generate(&self, rng: &mut dyn RandomSource, rank_points: usize) -> Dataset {
        let x = sphere(rng, self.n, self.d, self.precision);
        let x_test = sphere(rng, self.n_test, self.d, self.precision);
        let net = self.network();
        let mut theta = net.init(rng);
        if self.unit_rows {
            let (d, m) = (self.d, self.hidden[0]);
            normalize(self.precision, &mut theta[..m * d], d);
            // Output weights follow W₀ (and b₀ when present) in the layout.
            let o = m * d + if self.biases { m } else { 0 };
            for v in &mut theta[o..o + m] {
                *v = if *v > 0.0 {
                    1.0
                } else if *v < 0.0 {
                    -1.0
                } else {
                    0.0
                };
            }
        }
        let label = |p: &Points| -> Vec<f64> { p.rows().map(|xi| net.predict(&theta, xi)).collect() };
        let (y, y_test) = (label(&x), label(&x_test));
        let rank_points = if rank_points > 0 { Some(x_test.head(rank_points)) } else { None };
        Dataset { x, y, x_test, y_test, rank_points, truth: Some(theta) }
    }
}
