//! # largestep-theory
//!
//! The propositions of *SGD with Large Step Sizes Learns Sparse Features* (Andriushchenko, Varre,
//! Pillaud-Vivien, Flammarion, ICML 2023) stated as code. No I/O, no plotting: the core crate
//! implements the small traits defined here for its models, and the tests and the `largestep
//! verify` command check the statements.

pub mod appendix_b;
pub mod counterexample;
pub mod criterion;
pub mod distribution;
pub mod label_noise;
pub mod stabilization;
pub mod verdict;
