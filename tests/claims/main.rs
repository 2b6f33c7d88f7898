//! Integration tests: The claims engine: the one definition of O1–O3 and its rates, `verify`, the ReLU nets' structure claims, the SDE report's verdicts.
//!
//! One test binary per area (each links the whole library once); one module per former file.

#[allow(dead_code)]
#[path = "../common/mod.rs"]
mod common;

mod observations;
mod relu_claims;
mod relu_models;
mod relu_sparsity;
mod sde_report;
mod verify;
