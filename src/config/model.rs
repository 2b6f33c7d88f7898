//! The `[model]` spec: the diagonal net (Eq. 9) or a ReLU net of any depth, its own-field checks,
//! and the model it builds.

use crate::model::{DiagonalNet, MlpInit, Model, Precision, ReluMlp};
use serde::{Deserialize, Serialize};

/// The model of an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelSpec {
    /// Diagonal linear network, u₀ = init_scale·𝟙, v₀ = 0.
    Diagonal {
        /// α > 0.
        init_scale: f64,
    },
    /// ReLU network d → hidden\[0\] → … → 1 (see [`ReluMlp`]).
    ReluMlp {
        /// Hidden widths (each ≥ 1, at least one layer).
        hidden: Vec<usize>,
        /// One bias flag per layer (hidden layers, then the output): `hidden.len() + 1` values.
        biases: Vec<bool>,
        /// Initialization.
        init: MlpInit,
        /// Arithmetic: "f64" (default) or "f32" (the release's float32 tensors; the data are
        /// then rounded to f32 too).
        #[serde(default)]
        precision: Precision,
    },
}

impl ModelSpec {
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        match *self {
            ModelSpec::Diagonal { init_scale } => {
                if !(init_scale.is_finite() && init_scale > 0.0) {
                    return Err(("init_scale".into(), format!("must be finite and > 0, got {init_scale}")));
                }
                Ok(())
            }
            ModelSpec::ReluMlp { ref hidden, ref biases, ref init, .. } => {
                if hidden.is_empty() || hidden.contains(&0) {
                    return Err(("hidden".into(), format!("needs ≥ 1 layer, each width ≥ 1, got {hidden:?}")));
                }
                if biases.len() != hidden.len() + 1 {
                    return Err((
                        "biases".into(),
                        format!("needs {} flags (hidden layers + output), got {}", hidden.len() + 1, biases.len()),
                    ));
                }
                match init {
                    MlpInit::Blanc if hidden.len() != 1 => {
                        Err(("init.kind".into(), "\"blanc\" needs exactly one hidden layer".into()))
                    }
                    MlpInit::Gaussian { scales } if scales.len() != hidden.len() + 1 => Err((
                        "init.scales".into(),
                        format!("needs {} scales (one per layer), got {}", hidden.len() + 1, scales.len()),
                    )),
                    MlpInit::Gaussian { scales } if scales.iter().any(|s| !(s.is_finite() && *s >= 0.0)) => {
                        Err(("init.scales".into(), format!("each scale must be finite and ≥ 0, got {scales:?}")))
                    }
                    _ => Ok(()),
                }
            }
        }
    }
    /// The model on inputs of dimension `dim`.
    pub fn build(&self, dim: usize) -> Box<dyn Model> {
        match *self {
            ModelSpec::Diagonal { init_scale } => Box::new(DiagonalNet::new(dim, init_scale)),
            ModelSpec::ReluMlp { ref hidden, ref biases, ref init, precision } => {
                Box::new(ReluMlp::new(dim, hidden, biases, init.clone()).with_precision(precision))
            }
        }
    }
    /// The format of the model's arithmetic.
    pub fn precision(&self) -> Precision {
        match *self {
            ModelSpec::Diagonal { .. } => Precision::F64,
            ModelSpec::ReluMlp { precision, .. } => precision,
        }
    }
}
