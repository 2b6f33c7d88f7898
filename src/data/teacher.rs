//! Teacher–student regression (Figs. 5, 10, 14; docs/DESIGN.md §3): inputs on the unit sphere, labels
//! from a ReLU teacher network.

use super::Dataset;
use crate::linalg::Points;
use crate::model::{MlpInit, Model, PointSet, ReluMlp};
use crate::rng::RandomSource;

/// Labels y = h_{θ*}(x) of a ReLU teacher with hidden widths `hidden`; x ~ N(0, I_d) rescaled to
/// unit norm, `n` training and `n_test` test points.
///
/// The teacher: weights N(0, 1), biases (when `biases`) U(±1/√fan_in) — the three-layer
/// teacher of Fig. 5; with `unit_rows`, the first-layer rows are rescaled to unit norm and the
/// output weights replaced by their signs — the two-layer teacher of Figs. 10, 14.
///
/// Draw order: X (n × d), X_test (n_test × d), then θ* (see [`MlpInit::Gaussian`]). The rank
/// points are the first `rank_points` test points (the release's `X_test[:n_params]`). The
/// teacher's θ* (in [`ReluMlp`] layout) is the dataset's `truth`.
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
}

fn sphere(rng: &mut dyn RandomSource, n: usize, d: usize) -> Points {
    let mut v = rng.gaussian_matrix(n, d);
    for row in v.chunks_exact_mut(d) {
        let norm = row.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm > 0.0 {
            row.iter_mut().for_each(|a| *a /= norm);
        }
    }
    Points::new(v, d)
}

impl Teacher {
    /// The teacher network.
    pub fn network(&self) -> ReluMlp {
        let layers = self.hidden.len() + 1;
        ReluMlp::new(self.d, &self.hidden, &vec![self.biases; layers], MlpInit::Gaussian { scales: vec![1.0; layers] })
    }

    /// Draws the dataset.
    pub fn generate(&self, rng: &mut dyn RandomSource, rank_points: usize) -> Dataset {
        let x = sphere(rng, self.n, self.d);
        let x_test = sphere(rng, self.n_test, self.d);
        let net = self.network();
        let mut theta = net.init(rng);
        if self.unit_rows {
            let (d, m) = (self.d, self.hidden[0]);
            for row in theta[..m * d].chunks_exact_mut(d) {
                let norm = row.iter().map(|a| a * a).sum::<f64>().sqrt();
                if norm > 0.0 {
                    row.iter_mut().for_each(|a| *a /= norm);
                }
            }
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
        let rank_points = if rank_points > 0 { PointSet::new(x_test.head(rank_points)) } else { PointSet::default() };
        Dataset { x, y, x_test, y_test, rank_points, truth: Some(theta) }
    }
}
