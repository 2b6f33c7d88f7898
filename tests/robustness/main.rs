//! Integration tests: Bad input, atomic outputs, killed processes, paths and full disks: one clear error, never a lost or mixed set.
//!
//! One test binary per area (each links the whole library once); one module per former file.

#[allow(dead_code)]
#[path = "../common/mod.rs"]
mod common;

mod config_errors;
mod robustness;
mod robustness_bad_input;
mod robustness_config;
mod robustness_paths;
mod robustness_stderr;
mod writers;
