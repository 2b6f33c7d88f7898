//! The config form of a schedule.

use super::{Constant, Decay, DecayFrom, ExponentialWarmup, LinearWarmup, Milestone, Schedule, SqrtWarmup};
use serde::{Deserialize, Serialize};

/// Shape of the large-step phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarmupKind {
    /// η_t = η.
    #[default]
    Constant,
    /// η(1 + (F − 1)t/N), `warmup_factor` = F.
    Linear,
    /// η(1 + c√(t/N)), `warmup_factor` = c.
    Sqrt,
    /// η·ρ^(100t/N), `warmup_factor` = ρ.
    Exponential,
}

/// A schedule as written in a config:
///
/// ```toml
/// schedule = { step = 0.282, decay_at = [0.1], decay_by = [4.8] }
/// schedule = { step = 2e-4, warmup = "linear", warmup_factor = 8.0, decay_at = [0.02], decay_by = [2.5] }
/// ```
///
/// `decay_at` are fractions of the run length N (threshold = ⌊a·N⌋); `decay_by` the divisors
/// applied to the peak; `decay_from` = "next" (default), "threshold" or "threshold_inclusive"
/// (see [`DecayFrom`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSpec {
    /// Base step size η (> 0).
    pub step: f64,
    /// Warmup shape.
    #[serde(default)]
    pub warmup: WarmupKind,
    /// F, c or ρ of the warmup (see [`WarmupKind`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup_factor: Option<f64>,
    /// Decay points as fractions of N, in (0, 1].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decay_at: Vec<f64>,
    /// Divisors (> 0), one per decay point.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decay_by: Vec<f64>,
    /// Whether the new step starts at the threshold or after it.
    #[serde(default)]
    pub decay_from: DecayFrom,
}

impl ScheduleSpec {
    /// A constant schedule.
    pub fn constant(step: f64) -> Self {
        Self {
            step,
            warmup: WarmupKind::Constant,
            warmup_factor: None,
            decay_at: vec![],
            decay_by: vec![],
            decay_from: DecayFrom::Next,
        }
    }

    /// Checks the ranges; the error names the field and the allowed range.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let err = |f: &str, m: String| Err((f.to_string(), m));
        if !(self.step.is_finite() && self.step > 0.0) {
            return err("step", format!("must be finite and > 0, got {}", self.step));
        }
        if let Some(f) = self.warmup_factor {
            if !(f.is_finite() && f > 0.0) {
                return err("warmup_factor", format!("must be finite and > 0, got {f}"));
            }
        }
        if self.warmup != WarmupKind::Constant && self.warmup_factor.is_none() {
            return err("warmup_factor", "is required when warmup is not \"constant\"".into());
        }
        if self.decay_at.len() != self.decay_by.len() {
            return err(
                "decay_by",
                format!(
                    "needs one divisor per decay point ({} points, {} divisors)",
                    self.decay_at.len(),
                    self.decay_by.len()
                ),
            );
        }
        for a in &self.decay_at {
            if !(*a > 0.0 && *a <= 1.0) {
                return err("decay_at", format!("each decay point must be in (0, 1], got {a}"));
            }
        }
        if self.decay_at.windows(2).any(|w| w[0] >= w[1]) {
            return err("decay_at", "decay points must be strictly increasing".into());
        }
        for d in &self.decay_by {
            if !(d.is_finite() && *d > 0.0) {
                return err("decay_by", format!("each divisor must be finite and > 0, got {d}"));
            }
        }
        Ok(())
    }

    /// The schedule over a run of `total` iterations.
    pub fn build(&self, total: usize) -> Box<dyn Schedule> {
        let f = self.warmup_factor.unwrap_or(1.0);
        let inner: Box<dyn Schedule> = match self.warmup {
            WarmupKind::Constant => Box::new(Constant(self.step)),
            WarmupKind::Linear => Box::new(LinearWarmup { base: self.step, factor: f, total }),
            WarmupKind::Sqrt => Box::new(SqrtWarmup { base: self.step, coef: f, total }),
            WarmupKind::Exponential => Box::new(ExponentialWarmup { base: self.step, rate: f, total }),
        };
        if self.decay_at.is_empty() {
            return inner;
        }
        let milestones = self
            .decay_at
            .iter()
            .zip(&self.decay_by)
            .map(|(a, d)| Milestone { at: (a * total as f64).floor() as usize, divisor: *d })
            .collect();
        Box::new(Decay::new(inner, milestones, self.decay_from))
    }

    /// Whether the schedule has a large-step phase that ends (a decay).
    pub fn decays(&self) -> bool {
        !self.decay_at.is_empty()
    }
}
