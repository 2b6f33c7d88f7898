//! Metrics evaluated on the logging grid (docs/DESIGN.md §4): losses, Jacobian rank, ‖u⊙v‖₀ and the
//! feature sparsity coefficient.

mod column;
mod feature_sparsity;
mod grid;
mod jacobian_rank;
pub mod linear_test_loss;
mod prepared;

pub use column::Column;
pub use feature_sparsity::{positive_fraction, sparsity_coefficient, SparsityOptions};
pub use grid::log_grid;
pub use jacobian_rank::{jacobian_rank, jacobian_singular_values, RankPoints};
pub use linear_test_loss::LinearTestLoss;
pub use prepared::Prepared;

use crate::data::Dataset;
use crate::loss::Loss;
use crate::model::Model;
use serde::{Deserialize, Serialize};

/// Jacobian-rank settings: rank = #{σ/σ_max > τ} of φ_θ on `points` fresh points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankSpec {
    /// Number of fresh evaluation points.
    pub points: usize,
    /// Relative threshold τ (strict), in [0, 1).
    pub tol: f64,
}

/// Feature-sparsity settings (docs/DESIGN.md §4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SparsitySpec {
    /// Hidden layers, 1-based (column `feature_sparsity_l{k}`).
    pub layers: Vec<usize>,
    /// Correlation threshold τ of the greedy de-duplication, in (0, 1).
    pub tau: f64,
}

/// Which metrics a run records, and on which grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSpec {
    /// Every iteration below this is logged (100 in the release).
    #[serde(default = "default_dense")]
    pub grid_dense: usize,
    /// K of `round(linspace(0, N, K))` (250 diagonal net, 151 ReLU nets).
    pub grid_points: usize,
    /// Jacobian rank, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jacobian_rank: Option<RankSpec>,
    /// ‖u⊙v‖₀ = #{i : |uᵢvᵢ| > 1e-50} (linear models only).
    #[serde(default)]
    pub support_size: bool,
    /// Feature sparsity per hidden layer, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_sparsity: Option<SparsitySpec>,
}

fn default_dense() -> usize {
    100
}

/// |β_i| above this counts as non-zero in ‖u⊙v‖₀ (the release's threshold).
pub const SUPPORT_THRESHOLD: f64 = 1e-50;

impl MetricsSpec {
    /// Column names after the leading `run,seed,iteration,step_size,train_loss,test_loss`.
    pub fn columns(&self) -> Vec<String> {
        self.metric_columns().into_iter().map(Column::name).collect()
    }

    /// The recorded metrics, in column order.
    pub fn metric_columns(&self) -> Vec<Column> {
        let mut c = Vec::new();
        if self.jacobian_rank.is_some() {
            c.push(Column::JacobianRank);
        }
        if self.support_size {
            c.push(Column::SupportSize);
        }
        if let Some(s) = &self.feature_sparsity {
            c.extend(s.layers.iter().map(|&layer| Column::FeatureSparsity { layer }));
        }
        c
    }

    /// Evaluates the extra metrics (same order as [`columns`](Self::columns)).
    pub fn evaluate(&self, model: &dyn Model, theta: &[f64], prepared: &Prepared) -> Result<Vec<f64>, String> {
        let data = prepared.data();
        let mut out = Vec::new();
        if let Some(r) = &self.jacobian_rank {
            let rank = match prepared.rank_points() {
                Some(set) => jacobian_rank(model, theta, set, r.tol)?,
                None => 0,
            };
            out.push(rank as f64);
        }
        if self.support_size {
            let beta = model.as_linear().ok_or("support_size needs a model linear in x")?.linear_predictor(theta);
            out.push(beta.iter().filter(|b| b.abs() > SUPPORT_THRESHOLD).count() as f64);
        }
        if let Some(s) = &self.feature_sparsity {
            for &l in &s.layers {
                let f = model
                    .as_features()
                    .and_then(|m| m.features(theta, &data.x, l - 1))
                    .ok_or_else(|| format!("model has no hidden layer {l}"))?;
                out.push(sparsity_coefficient(&f, &SparsityOptions::small_net(s.tau)));
            }
        }
        Ok(out)
    }
}

/// The training loss at θ.
pub fn train_loss(model: &dyn Model, loss: Loss, theta: &[f64], data: &Dataset) -> f64 {
    let mut p = vec![0.0; data.len()];
    model.predict_all(theta, &data.x, &mut p);
    loss.value(&p, &data.y)
}

/// Train and test loss at θ. For a model linear in x in double precision the test loss comes
/// from the test set's [`LinearTestLoss`] factor (d² instead of 2·n_test·d flops; the same sum
/// of squares up to rounding), built once per dataset ([`Prepared`]).
pub fn losses(model: &dyn Model, loss: Loss, theta: &[f64], prepared: &Prepared) -> (f64, f64) {
    let data = prepared.data();
    let mut p = vec![0.0; data.len()];
    model.predict_all(theta, &data.x, &mut p);
    let train = loss.value(&p, &data.y);
    if let Some(linear) = model.as_linear().filter(|_| model.precision() == crate::model::Precision::F64) {
        if let Some(form) = prepared.linear_test_loss() {
            let sum = form.sum_of_squares(&linear.linear_predictor(theta));
            return (train, loss.mean_of_sum(sum, data.y_test.len()));
        }
    }
    p.resize(data.y_test.len(), 0.0);
    model.predict_all(theta, &data.x_test, &mut p);
    (train, loss.value(&p, &data.y_test))
}
