//! What the metrics prepare once per dataset and share among its runs: the rank points' QR
//! factor and the linear test loss's factor of the test set.

use super::jacobian_rank::RankPoints;
use super::linear_test_loss::LinearTestLoss;
use crate::data::Dataset;
use std::sync::{Arc, OnceLock};

/// A dataset with the metrics' precomputations on it, each built on first use and shared by
/// every run and thread that evaluates on this dataset: the [`RankPoints`] of its rank points
/// (their QR factor) and the [`LinearTestLoss`] factor of its test set.
#[derive(Debug)]
pub struct Prepared {
    data: Arc<Dataset>,
    rank: Option<RankPoints>,
    test_loss: OnceLock<Option<LinearTestLoss>>,
}

impl Prepared {
    /// The state of `data` (nothing is computed yet).
    pub fn new(data: Arc<Dataset>) -> Self {
        let rank = data.rank_points.clone().map(RankPoints::new);
        Self { data, rank, test_loss: OnceLock::new() }
    }

    /// One state per distinct dataset of `datasets` (entries that are the same `Arc` share one).
    pub fn per_dataset(datasets: &[Arc<Dataset>]) -> Vec<Arc<Prepared>> {
        let mut out: Vec<Arc<Prepared>> = Vec::with_capacity(datasets.len());
        for (k, d) in datasets.iter().enumerate() {
            let shared = datasets[..k].iter().position(|e| Arc::ptr_eq(e, d)).map(|j| Arc::clone(&out[j]));
            out.push(shared.unwrap_or_else(|| Arc::new(Prepared::new(Arc::clone(d)))));
        }
        out
    }

    /// The dataset.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// The rank points (`None`: the dataset has none, no rank metric).
    pub fn rank_points(&self) -> Option<&RankPoints> {
        self.rank.as_ref()
    }

    /// The [`LinearTestLoss`] factor of the test set, built once (`None` where it does not
    /// apply: see [`LinearTestLoss::new`]).
    pub fn linear_test_loss(&self) -> Option<&LinearTestLoss> {
        self.test_loss.get_or_init(|| LinearTestLoss::new(&self.data.x_test, &self.data.y_test)).as_ref()
    }
}
