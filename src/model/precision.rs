//! The floating-point format of a model's arithmetic: `f64` (default) or `f32`, the format the
//! authors' ReLU release trains in (PyTorch float32 tensors).
//!
//! Parameters and data stay `f64` slices everywhere (one representation for every trainer); a
//! model in `f32` reads them as `f32` (exact: they hold `f32` values), computes in `f32` and
//! writes back the `f32` results widened, which is again exact. The kernels are written once,
//! generic over [`Real`].

use serde::{Deserialize, Serialize};
use std::ops::{Add, Div, Mul, Sub};

/// Precision of a model's arithmetic (`precision = "f32" | "f64"` in a config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// IEEE binary32, as PyTorch's float32 tensors.
    F32,
    /// IEEE binary64.
    #[default]
    F64,
}

impl Precision {
    /// x rounded to the format (to nearest, ties to even).
    pub fn round(self, x: f64) -> f64 {
        match self {
            Precision::F32 => f64::from(x as f32),
            Precision::F64 => x,
        }
    }
    /// The product a·b computed in the format (both factors rounded to it first).
    pub fn mul(self, a: f64, b: f64) -> f64 {
        match self {
            Precision::F32 => f64::from(a as f32 * b as f32),
            Precision::F64 => a * b,
        }
    }
}

/// A float format the generic kernels compute in (`f32` or `f64`).
pub trait Real:
    Copy + PartialOrd + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self>
{
    /// 0.
    const ZERO: Self;
    /// x rounded to this format.
    fn of(x: f64) -> Self;
    /// The value widened to `f64` (exact).
    fn wide(self) -> f64;
    /// √x in this format (correctly rounded).
    fn sqrt(self) -> Self;
}

impl Real for f32 {
    const ZERO: Self = 0.0;
    #[inline(always)]
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn wide(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        f32::sqrt(self)
    }
}

impl Real for f64 {
    const ZERO: Self = 0.0;
    #[inline(always)]
    fn of(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn wide(self) -> f64 {
        self
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
}

/// ⟨a, b⟩ computed in `T` with four partial sums, `((s₀ + s₁) + (s₂ + s₃)) + tail` — the order of
/// [`crate::linalg::dot`], so that `T = f64` gives its bits.
#[inline(always)]
pub fn dot_in<T: Real>(a: &[f64], b: &[f64]) -> T {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    if n < 4 {
        // No chunk: the partial sums are +0, and ((0 + 0) + (0 + 0)) + tail is 0 + tail.
        let mut tail = T::ZERO;
        for (x, y) in a.iter().zip(b) {
            tail = tail + T::of(*x) * T::of(*y);
        }
        return T::ZERO + tail;
    }
    let mut s = [T::ZERO; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ta, tb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            s[k] = s[k] + T::of(x[k]) * T::of(y[k]);
        }
    }
    let mut tail = T::ZERO;
    for (x, y) in ta.iter().zip(tb) {
        tail = tail + T::of(*x) * T::of(*y);
    }
    (s[0] + s[1]) + (s[2] + s[3]) + tail
}
