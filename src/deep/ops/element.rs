//! The floating-point types the op layer computes in.

use candle_core::CpuStorage;
use std::ops::{Add, AddAssign, Mul, Sub};

/// f32 or f64: arithmetic, conversion through f64, and the matching [`CpuStorage`] variant.
pub trait Element:
    Copy + Send + Sync + PartialOrd + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + AddAssign + 'static
{
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// The nearest value to `v`.
    fn from_f64(v: f64) -> Self;
    /// The value as f64 (exact).
    fn to_f64(self) -> f64;
    /// The elements of `s` when it holds this type.
    fn slice(s: &CpuStorage) -> Option<&[Self]>;
    /// The elements of `s` when it holds this type, mutably.
    fn slice_mut(s: &mut CpuStorage) -> Option<&mut [Self]>;
    /// `v` as storage.
    fn storage(v: Vec<Self>) -> CpuStorage;
}

macro_rules! element {
    ($t:ty, $variant:ident) => {
        impl Element for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            #[inline]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn slice(s: &CpuStorage) -> Option<&[Self]> {
                match s {
                    CpuStorage::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn slice_mut(s: &mut CpuStorage) -> Option<&mut [Self]> {
                match s {
                    CpuStorage::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn storage(v: Vec<Self>) -> CpuStorage {
                CpuStorage::$variant(v)
            }
        }
    };
}
element!(f32, F32);
element!(f64, F64);
