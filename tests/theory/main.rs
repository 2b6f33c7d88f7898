//! Integration tests: The paper's mathematics and the numerics under it: Prop. 2.1, gradients, schedules, rank counts, the log grid, the release's generators, parity with the release, the SDE model and its integrators, determinism.
//!
//! One test binary per area (each links the whole library once); one module per former file.

#[allow(dead_code)]
#[path = "../common/mod.rs"]
mod common;

mod determinism;
mod gradients;
mod grid;
mod numpy_rng;
mod parity;
mod prop21;
mod rank;
mod rank_bracket;
mod schedules;
mod sde_convergence;
mod sde_model;
mod torch_rng;
