//! # largestep
//!
//! Executable checks and fast reproductions of *SGD with Large Step Sizes Learns Sparse Features*
//! (Andriushchenko, Varre, Pillaud-Vivien, Flammarion, ICML 2023).
//!
//! The library has one generic training path:
//!
//! * a [`model::Model`] maps flat parameters θ ∈ ℝᵖ and an input x to h_θ(x), with its analytic
//!   gradient ∇_θ h_θ(x) and the Jacobian φ_θ(X) = [∇_θ h_θ(x_i)ᵀ]ᵢ of Eq. (8);
//! * a [`schedule::Schedule`] gives the step size η_t;
//! * an [`optim::Optimizer`] (SGD with batch B, full-batch GD, …) advances θ by one iteration;
//! * a [`record::Recorder`] evaluates the metrics of [`metrics`] on the release's logging grid and
//!   streams rows to CSV;
//! * [`experiment`] runs the runs × seeds of a configuration, and [`plot`] draws the figure.
//!
//! Every random draw goes through [`rng::RandomSource`] with an explicit seed.
//!
//! The items a library user needs are re-exported here: a model, data, a schedule, an optimizer,
//! the recorder, [`simulate`] for any config, and the typed verdicts with their criterion.

#![warn(missing_docs)]

pub mod claims;
pub mod config;
pub mod data;
#[cfg(feature = "deep")]
pub mod deep;
pub mod experiment;
pub mod layers;
pub mod linalg;
pub mod loss;
pub mod metrics;
pub mod model;
pub mod number;
pub mod optim;
pub mod output;
pub mod overrides;
pub mod plot;
pub mod provenance;
pub mod record;
pub mod report;
pub mod rng;
pub mod schedule;
pub mod sde;
pub mod stats;
pub mod sweep;
pub mod theory_bridge;
pub mod verify;

pub use claims::registry::{Claim, CLAIMS};
pub use config::{schema, ExperimentConfig};
pub use data::Dataset;
pub use experiment::{simulate, simulate_model, Outcome, RunOptions};
pub use largestep_theory::criterion::Criterion;
pub use largestep_theory::verdict::Verdict;
pub use model::{DiagonalNet, Model, ReluMlp};
pub use optim::{Gd, Optimizer, Sgd};
pub use record::{Recorder, RunLog};
pub use schedule::{Schedule, ScheduleSpec};
