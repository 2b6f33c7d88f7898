//! The training loop shared by every model and optimizer.

use crate::metrics::Prepared;
use crate::model::Model;
use crate::optim::{Optimizer, Step};
use crate::record::Recorder;
use crate::rng::RandomSource;
use crate::schedule::Schedule;
use anyhow::Result;

/// How often (in iterations) the parameters are checked for NaN/±∞ between grid points.
const FINITE_CHECK_EVERY: usize = 256;

/// Runs `total` iterations from θ = `theta`. At every grid point t the recorder logs θ_t
/// *before* the step of iteration t (the release's convention). Stops early, setting
/// `recorder.log.diverged_at`, when the loss or θ becomes NaN/±∞; rows logged so far are kept.
/// `progress` is called with the number of iterations done since its last call.
#[allow(clippy::too_many_arguments)]
pub fn train(
    model: &dyn Model,
    data: &Prepared,
    optimizer: &mut dyn Optimizer,
    schedule: &dyn Schedule,
    total: usize,
    grid: &[usize],
    theta: &mut [f64],
    recorder: &mut Recorder<'_>,
    rng: &mut dyn RandomSource,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    let mut next = grid.iter().copied().peekable();
    let mut reported = 0usize;
    for t in 0..total {
        let eta = schedule.step_size(t);
        if next.peek() == Some(&t) {
            next.next();
            if !recorder.record(t, eta, model, theta, data)? {
                recorder.log.diverged_at = Some(t);
                break;
            }
        } else if t % FINITE_CHECK_EVERY == 0 && !theta.iter().all(|v| v.is_finite()) {
            recorder.log.diverged_at = Some(t);
            break;
        }
        optimizer.step(Step::new(model, data.data(), eta, t), theta, rng);
        if t + 1 - reported >= 4096 {
            progress((t + 1 - reported) as u64);
            reported = t + 1;
        }
    }
    if recorder.log.diverged_at.is_none() && !theta.iter().all(|v| v.is_finite()) {
        recorder.log.diverged_at = Some(total);
    }
    progress((total - reported.min(total)) as u64);
    recorder.log.final_theta = theta.to_vec();
    Ok(())
}
