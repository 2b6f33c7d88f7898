//! The large-step phase: constant steps and the release's warmup forms.

use super::Schedule;

/// η_t = η.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Constant(pub f64);

impl Schedule for Constant {
    fn step_size(&self, _t: usize) -> f64 {
        self.0
    }
}

/// Linear warmup of the 1-D ReLU release (Figs. 4, 12): η_t = η·(1 + (F − 1)·t/N), with N the
/// whole run length (not the warmup length), so at t = sN the step is η(1 + (F − 1)s).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearWarmup {
    /// Base step η.
    pub base: f64,
    /// Factor F.
    pub factor: f64,
    /// Run length N.
    pub total: usize,
}

impl Schedule for LinearWarmup {
    fn step_size(&self, t: usize) -> f64 {
        self.base * (1.0 + (self.factor - 1.0) * t as f64 / self.total as f64)
    }
}

/// Square-root warmup of the three-layer release (Fig. 5): η_t = η·(1 + c·√(t/N)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SqrtWarmup {
    /// Base step η.
    pub base: f64,
    /// Coefficient c (5 in the release).
    pub coef: f64,
    /// Run length N.
    pub total: usize,
}

impl Schedule for SqrtWarmup {
    fn step_size(&self, t: usize) -> f64 {
        self.base * (1.0 + self.coef * (t as f64 / self.total as f64).sqrt())
    }
}

/// Exponential warmup of the deep-net release: η_t = η₀·ρ^(100·t/T) (ρ = 1.05), T the run length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExponentialWarmup {
    /// Initial step η₀.
    pub base: f64,
    /// Rate ρ.
    pub rate: f64,
    /// Run length T.
    pub total: usize,
}

impl Schedule for ExponentialWarmup {
    fn step_size(&self, t: usize) -> f64 {
        self.base * self.rate.powf(100.0 * t as f64 / self.total as f64)
    }
}
