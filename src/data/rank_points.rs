//! Where a file dataset's Jacobian-rank points come from (`[data] rank_points`, docs/DESIGN.md
//! §8).
//!
//! The paper counts rank φ_θ(X) on |θ| fresh points (the release: `X_test[:n_params]`); the rank
//! of an n × |θ| matrix is at most n, so on fewer points the metric is capped by their number
//! and says nothing above it. A generator draws as many fresh points as asked; a data file
//! holds what it holds. The choices:
//!
//! - `"test"` (default): the first `metrics.jacobian_rank.points` test inputs (all of them if
//!   there are fewer);
//! - `"gaussian"`: fresh points xᵢⱼ = mⱼ + sⱼ·zᵢⱼ, zᵢⱼ ~ N(0, 1) drawn row by row from the data
//!   stream after the split, with mⱼ and sⱼ the mean and sample standard deviation
//!   √(Σ(xⱼ − mⱼ)²/(n − 1)) of column j of the training inputs: as many as asked, on the data's
//!   scale;
//! - `"file"`: the first `points` rows of `rank_points_file` (the feature columns only, in the
//!   training file's order and header convention);
//! - `"train"`: the first `points` training inputs (not fresh: the rank of the features on the
//!   points the net fits).

use crate::linalg::Points;
use crate::rng::RandomSource;
use serde::{Deserialize, Serialize};

/// The source of a file dataset's rank points (module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankSource {
    /// The first test inputs.
    #[default]
    Test,
    /// Fresh Gaussian points matched to the training inputs' per-column mean and spread.
    Gaussian,
    /// The rows of a points file (`rank_points_file`).
    File,
    /// The first training inputs (not fresh).
    Train,
}

impl RankSource {
    /// The choices as written in a config.
    pub const NAMES: [&'static str; 4] = ["test", "gaussian", "file", "train"];

    /// The choice as written in a config.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Whether the points are fresh (not training inputs).
    pub fn fresh(self) -> bool {
        self != RankSource::Train
    }

    /// Whether this is the default (`"test"`; kept out of a written config).
    pub fn is_default(&self) -> bool {
        *self == RankSource::Test
    }
}

/// `k` fresh points xᵢⱼ = mⱼ + sⱼ·zᵢⱼ (module doc) matched to the columns of `x`, the zᵢⱼ drawn
/// from `rng` row by row (i outer, j inner).
pub fn gaussian_matched(x: &Points, k: usize, rng: &mut dyn RandomSource) -> Points {
    let (n, d) = (x.len(), x.dim());
    let mut mean = vec![0.0; d];
    for row in x.rows() {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n.max(1) as f64);
    let mut spread = vec![0.0; d];
    for row in x.rows() {
        for ((s, v), m) in spread.iter_mut().zip(row).zip(&mean) {
            *s += (v - m) * (v - m);
        }
    }
    spread.iter_mut().for_each(|s| *s = (*s / (n.max(2) - 1) as f64).sqrt());
    let mut data = Vec::with_capacity(k * d);
    for _ in 0..k {
        for (m, s) in mean.iter().zip(&spread) {
            data.push(m + s * rng.standard_normal());
        }
    }
    Points::new(data, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::ChaChaSource;

    /// The drawn points have the columns' mean and spread (to sampling error), and a constant
    /// column stays constant.
    #[test]
    fn gaussian_points_follow_the_columns_scale() {
        let mut rng = ChaChaSource::new(3);
        let x = Points::new((0..200).flat_map(|i| [100.0 + 0.01 * (i % 7) as f64, 5.0]).collect(), 2);
        let p = gaussian_matched(&x, 4000, &mut rng);
        assert_eq!((p.len(), p.dim()), (4000, 2));
        let col = |j: usize| p.rows().map(|r| r[j]).collect::<Vec<_>>();
        let m0 = col(0).iter().sum::<f64>() / 4000.0;
        let s0 = (col(0).iter().map(|v| (v - m0) * (v - m0)).sum::<f64>() / 3999.0).sqrt();
        let xm = x.rows().map(|r| r[0]).sum::<f64>() / 200.0;
        let xs = (x.rows().map(|r| (r[0] - xm) * (r[0] - xm)).sum::<f64>() / 199.0).sqrt();
        assert!((m0 - xm).abs() < 0.1 * xs && (s0 / xs - 1.0).abs() < 0.1, "mean {m0} vs {xm}, sd {s0} vs {xs}");
        assert!(col(1).iter().all(|v| *v == 5.0));
    }
}
