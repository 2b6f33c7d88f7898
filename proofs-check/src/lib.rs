//! # largestep-proofs (WIP)
pub mod claims;
pub mod exact;
pub mod expr;
pub mod identity;
pub mod interval;
pub mod prover;
pub mod report;

pub use prover::Budget;
pub use report::{check_all, Report};
