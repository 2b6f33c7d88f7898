//! The 1-D regression task of Blanc et al. (2020) used in Figs. 4, 12, 13 (docs/DESIGN.md §3).

use super::Dataset;
use crate::linalg::Points;
use crate::model::Precision;
use crate::rng::RandomSource;

/// Offsets of the 12 inputs before scaling: xᵢ = offsetᵢ/4 + 0.07.
const OFFSETS: [f64; 12] = [-5.5, -4.5, -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5];
/// Targets before the shift: yᵢ = 0.345 + levelᵢ.
const LEVELS: [f64; 12] = [-2.0, 1.5, 0.0, 0.0, 2.0, 1.0, 0.0, -1.0, 0.0, 1.0, 2.0, -1.0];

/// The 12-point set x = (−5.5, −4.5, …, 5.5)/4 + 0.07, y = 0.345 + (−2, 1.5, 0, 0, 2, 1, 0, −1,
/// 0, 1, 2, −1). The test set is the training set. Rank points: `rank_points` draws uniform in
/// [x_min, x_max] (the only randomness; drawn in order).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Relu1d;

impl Relu1d {
    /// The training inputs.
    pub fn inputs() -> Vec<f64> {
        OFFSETS.iter().map(|o| o / 4.0 + 0.07).collect()
    }
    /// The dataset, with `rank_points` uniform rank-evaluation points.
    pub fn generate(&self, rng: &mut dyn RandomSource, rank_points: usize) -> Dataset {
        self.generate_in(Precision::F64, rng, rank_points)
    }
    /// The dataset with x and y rounded to `precision` (the release: computed in double, then
    /// `.float()`); the rank points stay as drawn.
    pub fn generate_in(&self, precision: Precision, rng: &mut dyn RandomSource, rank_points: usize) -> Dataset {
        let x: Vec<f64> = Self::inputs().into_iter().map(|v| precision.round(v)).collect();
        let y: Vec<f64> = LEVELS.iter().map(|l| precision.round(0.345 + l)).collect();
        let (lo, hi) = (x[0], x[x.len() - 1]);
        let rank_points = if rank_points > 0 {
            let r: Vec<f64> = (0..rank_points).map(|_| rng.uniform_in(lo, hi)).collect();
            Some(Points::new(r, 1))
        } else {
            None
        };
        Dataset {
            x: Points::new(x.clone(), 1),
            y: y.clone(),
            x_test: Points::new(x, 1),
            y_test: y,
            rank_points,
            truth: None,
        }
    }
}
