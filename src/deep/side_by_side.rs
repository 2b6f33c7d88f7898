//! Several runs of a figure trained side by side: one process, one thread per run.
//!
//! Each run keeps everything that defines it — its [`RunConfig`] (schedule, seed), its network,
//! optimizer state, shuffling stream and output folder — so its log and weights are those of the
//! same run trained alone; the threads only share the read-only data set and the device. On CUDA
//! each run gets its own stream ([`run_device`]), so one run's kernels fill the gaps another
//! leaves while its host thread prepares the next launch (the paper's four Fig. 1 runs are small
//! enough that one alone leaves most of an H200 idle).

use super::data::Cifar;
use super::train::Trainer;
use anyhow::{anyhow, Result};
use candle_core::Device;

/// The device of one run: the CPU, or on CUDA device 0 a new stream when runs go side by side.
pub fn run_device(base: &Device, side_by_side: bool) -> Result<Device> {
    if side_by_side && base.is_cuda() {
        return Ok(Device::new_cuda_with_stream(0)?);
    }
    Ok(base.clone())
}

/// Trains every trainer to `epochs` (or until it diverges), one after another or all at once.
/// `tick(i, loss)` follows each step of run i and `after_epoch(i, trainer)` each of its epochs
/// (checkpoints, logs); both may run concurrently for different runs. Returns the trainers in
/// their order.
pub fn train_all(
    trainers: Vec<Trainer>,
    data: &Cifar,
    epochs: usize,
    side_by_side: bool,
    tick: &(dyn Fn(usize, f64) + Sync),
    after_epoch: &(dyn Fn(usize, &Trainer) -> Result<()> + Sync),
) -> Result<Vec<Trainer>> {
    let one = |(i, mut tr): (usize, Trainer)| -> Result<Trainer> {
        while tr.log.len() < epochs && tr.diverged.is_none() {
            tr.run_epoch(data, |l| tick(i, l))?;
            after_epoch(i, &tr)?;
        }
        Ok(tr)
    };
    if !side_by_side {
        return trainers.into_iter().enumerate().map(one).collect();
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = trainers.into_iter().enumerate().map(|run| s.spawn(move || one(run))).collect();
        handles.into_iter().map(|h| h.join().map_err(|_| anyhow!("a training thread panicked"))?).collect()
    })
}
