//! Step-size schedules η_t.
//!
//! Each schedule is a small type with its formula in its doc comment; they compose: a warmup
//! ([`Constant`], [`LinearWarmup`], [`SqrtWarmup`], [`ExponentialWarmup`]) gives the large-step
//! phase and [`Decay`] ends it, dividing the value at the end of that phase (the *peak*) by the
//! divisor of the last milestone passed. [`ScheduleSpec`] is the config form.

mod decay;
mod spec;
mod warmup;

pub use decay::{Decay, DecayFrom, Milestone};
pub use spec::{ScheduleSpec, WarmupKind};
pub use warmup::{Constant, ExponentialWarmup, LinearWarmup, SqrtWarmup};

/// A step-size schedule t ↦ η_t over a run of `total` iterations.
pub trait Schedule: Send + Sync {
    /// Step size of iteration t (the step taken from θ_t to θ_{t+1}).
    fn step_size(&self, t: usize) -> f64;
    /// First iteration after the large-step phase (the run length when it never ends). The
    /// plateau of a run is measured over the second half of `[0, large_phase_end)`.
    fn large_phase_end(&self, total: usize) -> usize {
        total / 2
    }
}

impl<S: Schedule + ?Sized> Schedule for Box<S> {
    fn step_size(&self, t: usize) -> f64 {
        (**self).step_size(t)
    }
    fn large_phase_end(&self, total: usize) -> usize {
        (**self).large_phase_end(total)
    }
}
