//! The `[data]` spec: a generator of §3 (sparse regression, the 1-D task, a teacher) or files
//! (docs/DESIGN.md §8), its own-field checks, and drawing or loading the dataset.

use super::validate::positive;
use crate::data::csv::{DataError, FileData};
use crate::data::{Dataset, Relu1d, SparseRegression, Teacher};
use crate::model::Precision;
use crate::rng::RandomSource;
use serde::{Deserialize, Serialize};

/// The data of an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DataSpec {
    /// §3.1 sparse regression (see [`SparseRegression`]).
    SparseRegression {
        /// Training points n ≥ 1.
        n: usize,
        /// Dimension d ≥ 1.
        d: usize,
        /// Support size 1 ≤ r ≤ d.
        r: usize,
        /// Test points ≥ 1.
        n_test: usize,
        /// Base data seed (the run's seed offset is added).
        #[serde(default)]
        seed: u64,
    },
    /// The 12-point 1-D task of Figs. 4, 12, 13 (see [`Relu1d`]).
    Relu1d {
        /// Seed of the rank points.
        #[serde(default)]
        seed: u64,
    },
    /// Teacher–student regression on the unit sphere (see [`Teacher`]).
    Teacher {
        /// Training points n ≥ 1.
        n: usize,
        /// Dimension d ≥ 1.
        d: usize,
        /// Test points ≥ 1.
        n_test: usize,
        /// Hidden widths of the teacher (each ≥ 1, at least one layer).
        hidden: Vec<usize>,
        /// Biases in every teacher layer.
        #[serde(default)]
        biases: bool,
        /// Unit-norm first-layer rows and ±1 output weights (two-layer teacher).
        #[serde(default)]
        unit_rows: bool,
        /// Base data seed.
        #[serde(default)]
        seed: u64,
    },
    /// A regression dataset from CSV or `.npy` files (see [`FileData`], docs/DESIGN.md §8;
    /// the format follows each file's extension, `kind = "npy"` is a synonym).
    #[serde(alias = "npy")]
    Csv(FileData),
}

impl DataSpec {
    /// Base data seed.
    pub fn seed(&self) -> u64 {
        match self {
            DataSpec::SparseRegression { seed, .. } | DataSpec::Relu1d { seed } | DataSpec::Teacher { seed, .. } => {
                *seed
            }
            DataSpec::Csv(f) => f.seed,
        }
    }
    /// Training points n (12 for the 1-D task; `None` for file data, known once loaded).
    pub fn train_points(&self) -> Option<usize> {
        match self {
            DataSpec::SparseRegression { n, .. } | DataSpec::Teacher { n, .. } => Some(*n),
            DataSpec::Relu1d { .. } => Some(12),
            DataSpec::Csv(_) => None,
        }
    }
    /// Input dimension.
    pub fn dim(&self) -> usize {
        match self {
            DataSpec::SparseRegression { d, .. } | DataSpec::Teacher { d, .. } => *d,
            DataSpec::Relu1d { .. } => 1,
            // Unreadable files are reported by `generate`.
            DataSpec::Csv(f) => f.dim().unwrap_or(0),
        }
    }
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        match *self {
            DataSpec::SparseRegression { n, d, r, n_test, .. } => {
                positive("n", n)?;
                positive("d", d)?;
                positive("n_test", n_test)?;
                if r == 0 || r > d {
                    return Err(("r".into(), format!("must be in [1, d = {d}], got {r}")));
                }
                Ok(())
            }
            DataSpec::Relu1d { .. } => Ok(()),
            DataSpec::Teacher { n, d, n_test, ref hidden, unit_rows, .. } => {
                positive("n", n)?;
                positive("d", d)?;
                positive("n_test", n_test)?;
                if hidden.is_empty() || hidden.contains(&0) {
                    return Err(("hidden".into(), format!("needs ≥ 1 layer, each width ≥ 1, got {hidden:?}")));
                }
                if unit_rows && hidden.len() != 1 {
                    return Err(("unit_rows".into(), "needs exactly one hidden layer (`hidden = [m]`)".into()));
                }
                Ok(())
            }
            DataSpec::Csv(ref f) => f.validate(),
        }
    }
    /// Draws (or, for files, loads) the dataset from `rng`, with `rank_points` rank-evaluation
    /// points; only file data can fail, with an error naming file, row and column.
    pub fn generate(&self, rng: &mut dyn RandomSource, rank_points: usize) -> Result<Dataset, DataError> {
        self.generate_in(Precision::F64, rng, rank_points)
    }
    /// As [`generate`](Self::generate) for a model computing in `precision` (the ReLU tasks
    /// round their data to it and label in it, as the release's float32 tensors; the sparse
    /// regression and file data are f64).
    pub fn generate_in(
        &self,
        precision: Precision,
        rng: &mut dyn RandomSource,
        rank_points: usize,
    ) -> Result<Dataset, DataError> {
        Ok(match *self {
            DataSpec::SparseRegression { n, d, r, n_test, .. } => {
                SparseRegression { n, d, r, n_test }.generate(rng, rank_points)
            }
            DataSpec::Relu1d { .. } => Relu1d.generate_in(precision, rng, rank_points),
            DataSpec::Teacher { n, d, n_test, ref hidden, biases, unit_rows, .. } => {
                Teacher { n, d, n_test, hidden: hidden.clone(), biases, unit_rows, precision }
                    .generate(rng, rank_points)
            }
            DataSpec::Csv(ref f) => f.load(rng, rank_points)?,
        })
    }
}
