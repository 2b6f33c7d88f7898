//! One (seed, run) job: the unit every experiment, sweep cell and SDE comparison is made of.

use super::train;
use crate::config::ExperimentConfig;
use crate::metrics::Prepared;
use crate::model::Model;
use crate::optim::Optimizer;
use crate::record::{Recorder, RunLog};
use crate::rng::RandomSource;
use anyhow::Result;

/// Everything one run of one seed needs: the config (its runs, metrics, loss, stream), the
/// model, the seed's dataset, the logging grid, and the run length.
#[derive(Clone, Copy)]
pub struct Job<'a> {
    /// The configuration (runs, metrics, loss, random stream).
    pub cfg: &'a ExperimentConfig,
    /// The model.
    pub model: &'a dyn Model,
    /// The seed's dataset, with what the metrics prepare on it.
    pub data: &'a Prepared,
    /// Iterations at which metrics are logged.
    pub grid: &'a [usize],
    /// Run length N: the schedules are built for it.
    pub total: usize,
    /// Iterations actually run (N, or fewer: a calibration needs only the large-step phase).
    pub stop: usize,
    /// Seed offset (added to the config's training seed, wrapping).
    pub seed: u64,
}

impl Job<'_> {
    /// The seed's training stream and θ₀ drawn from it (every run of the seed starts here).
    pub fn start(&self) -> (Box<dyn RandomSource>, Vec<f64>) {
        let mut rng = self.cfg.rng.source(self.cfg.training.seed.wrapping_add(self.seed));
        let theta = self.model.init(rng.as_mut());
        (rng, theta)
    }

    /// Trains run `r` of the config with `opt` from the seed's θ₀ on the schedule of an
    /// N-iteration run, for its first `stop` iterations; `tick` is told the iterations done.
    pub fn run(&self, r: usize, opt: &mut dyn Optimizer, tick: &(dyn Fn(u64) + Sync)) -> Result<RunLog> {
        let spec = &self.cfg.runs[r];
        let schedule = spec.schedule.build(self.total);
        let (mut rng, mut theta) = self.start();
        let log = RunLog {
            run: spec.name.clone(),
            label: spec.label.clone().unwrap_or_else(|| spec.name.clone()),
            seed: self.seed,
            initial: theta.clone(),
            large_phase_end: schedule.large_phase_end(self.total),
            total: self.total,
            ..Default::default()
        };
        let mut rec = Recorder::new(
            &self.cfg.metrics,
            self.cfg.training.loss,
            Box::new(std::io::sink()),
            self.cfg.training.snapshots,
            log,
        );
        train(
            self.model,
            self.data,
            opt,
            schedule.as_ref(),
            self.stop,
            self.grid,
            &mut theta,
            &mut rec,
            rng.as_mut(),
            tick,
        )?;
        rec.finish()
    }
}
