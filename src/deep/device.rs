//! Choosing the compute device.

use anyhow::{bail, Result};
use candle_core::Device;

/// The `--device` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeviceArg {
    /// The CPU (always available).
    Cpu,
    /// CUDA device 0 (needs a binary built with `--features cuda`).
    Cuda,
}

/// The candle device for `arg`, with a one-line error when CUDA is unavailable. On the CPU it
/// also calls [`super::ops::single_threaded_candle_elementwise`].
pub fn parse_device(arg: DeviceArg) -> Result<Device> {
    match arg {
        DeviceArg::Cpu if super::ops::Kernels::default() == super::ops::Kernels::Fused => {
            super::ops::single_threaded_candle_elementwise();
            Ok(Device::Cpu)
        }
        DeviceArg::Cpu => Ok(Device::Cpu),
        DeviceArg::Cuda => {
            if !cfg!(feature = "cuda") {
                bail!("--device cuda needs a binary built with `--features cuda` (see experiments/gpu/build.sh)");
            }
            Device::new_cuda(0).map_err(|e| anyhow::anyhow!("--device cuda: no usable CUDA device 0 ({e})"))
        }
    }
}

/// Waits for queued work on `dev` (a no-op on the CPU); call before reading clocks.
pub fn synchronize(dev: &Device) -> Result<()> {
    dev.synchronize()?;
    Ok(())
}
