//! # largestep-proofs (WIP)
pub mod exact;
pub mod expr;
pub mod interval;
