//! Ending the large-step phase: piecewise decay relative to the peak.

use super::Schedule;
use serde::{Deserialize, Serialize};

/// From which iteration a milestone's new step applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecayFrom {
    /// The step of the threshold iteration is still the old one; the new step applies from
    /// threshold + 1 (the diagonal-net release, `diag_nets.py`: `if i == threshold:
    /// gamma /= decay` after the update of iteration i).
    #[default]
    Next,
    /// The new step applies from the threshold iteration itself, divided from the step of the
    /// iteration before it (the deep-net runs).
    Threshold,
    /// The ReLU release, `fc_nets.py`: at iteration i it first sets the warmup step for
    /// i ≤ ⌊sN⌋, then `if i == threshold: lr /= decay`, then steps — so the warmup includes
    /// the threshold iteration, whose step is already its own warmup value divided: the new
    /// step applies from the threshold on and the peak is s(threshold).
    ThresholdInclusive,
}

/// A decay point: from iteration `at` on (see [`DecayFrom`]) the step is peak / `divisor`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Milestone {
    /// Threshold iteration.
    pub at: usize,
    /// Divisor applied to the peak.
    pub divisor: f64,
}

/// Piecewise decay of an inner schedule s:
///
/// η_t = s(t) for t < e₁, and η_t = s(p) / D_k for e_k ≤ t < e_{k+1},
///
/// where e_k = at_k + 1 ([`DecayFrom::Next`]) or at_k (the two others), and the peak index p
/// is at₁ for `Next` and `ThresholdInclusive` (the last warmup value the release computes) and
/// at₁ − 1 for `Threshold` (the last step taken before the decay). Milestones must be
/// increasing.
#[derive(Debug, Clone)]
pub struct Decay<S> {
    inner: S,
    milestones: Vec<Milestone>,
    from: DecayFrom,
}

impl<S: Schedule> Decay<S> {
    /// Decays `inner` at `milestones` (sorted by `at`).
    pub fn new(inner: S, mut milestones: Vec<Milestone>, from: DecayFrom) -> Self {
        milestones.sort_by_key(|m| m.at);
        Self { inner, milestones, from }
    }
    fn start(&self, m: &Milestone) -> usize {
        match self.from {
            DecayFrom::Next => m.at + 1,
            DecayFrom::Threshold | DecayFrom::ThresholdInclusive => m.at,
        }
    }
    /// Index of the peak the divisors apply to.
    fn peak(&self, first: &Milestone) -> usize {
        match self.from {
            DecayFrom::Next | DecayFrom::ThresholdInclusive => first.at,
            DecayFrom::Threshold => first.at.saturating_sub(1),
        }
    }
}

impl<S: Schedule> Schedule for Decay<S> {
    fn step_size(&self, t: usize) -> f64 {
        let Some(first) = self.milestones.first() else { return self.inner.step_size(t) };
        match self.milestones.iter().rev().find(|m| t >= self.start(m)) {
            None => self.inner.step_size(t),
            Some(m) => self.inner.step_size(self.peak(first)) / m.divisor,
        }
    }
    fn large_phase_end(&self, total: usize) -> usize {
        self.milestones.first().map_or(total / 2, |m| self.start(m).min(total))
    }
}
