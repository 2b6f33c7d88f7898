//! Deep networks on CIFAR with candle (§3.3, Appendix D; Figs. 1, 6, 7, 15–17).
//!
//! Feature-gated (`--features deep`; `--features cuda` adds the CUDA device). The pieces:
//!
//! * [`params::ParamStore`]: the trainable variables and the batch-norm buffers of a network,
//!   initialized from our own seeded generator (candle's CPU generator cannot be seeded);
//! * [`layers`]: convolution, batch norm (batch statistics in training, running statistics in
//!   evaluation), linear;
//! * [`resnet::ResNet`] (CIFAR ResNet-18 "plain" and ResNet-34) and [`densenet::DenseNet`]
//!   (DenseNet-BC-100, growth 12), behind the [`net::Net`] trait, which exposes the block outputs
//!   where the paper measures sparsity;
//! * [`ops`]: the op layer the layers compute with on the CPU (convolution as GEMMs, batch norm,
//!   ReLU, the SGD update as candle custom ops with explicit backward passes), candle's composed
//!   ops as the reference ([`ops::Kernels`]);
//! * [`optim::SgdMomentum`]: SGD with heavy-ball momentum and L2 0.5·λ‖θ‖² in the loss;
//! * [`data`]: the official CIFAR-10/100 binary files and the class-folder JPEG layout, batching
//!   with seeded shuffling and augmentation (random crop 32 pad 4, horizontal flip);
//!   [`tiny_imagenet`]: Tiny ImageNet in its distribution's folder layout;
//! * [`metric`]: the deep-net feature sparsity (docs/DESIGN.md §4) through
//!   [`crate::metrics::sparsity_coefficient`];
//! * [`train`]: settings (basic / sota / fig1), schedules (through [`crate::schedule`]), the
//!   epoch loop with checkpoints, and [`report`]: CSV and the Figs. 6/7 layout, Fig. 17 filters;
//! * [`small`]: the reduced-scale CPU protocol (`reproduce deep-cifar10-small`): its config,
//!   seeds × schedules, per-epoch and per-chunk logs, the figure.

pub mod data;
pub mod densenet;
pub mod device;
pub mod filters;
pub mod layers;
pub mod metric;
pub mod net;
pub mod ops;
pub mod optim;
pub mod params;
pub mod precision;
pub mod profile;
pub mod recompute;
pub mod report;
pub mod resnet;
pub mod side_by_side;
pub mod small;
pub mod tiny_imagenet;
pub mod train;

pub use device::{parse_device, DeviceArg};
pub use net::{backprop, build, build_in, Forward, Net, NetSpec, Step};

/// Runs a test body on the CPU, and on CUDA device 0 when built with `--features cuda`:
/// `test_device!(name, body)` with `fn body(dev: &candle_core::Device)` defined beside it.
#[macro_export]
macro_rules! test_device {
    ($name:ident, $body:ident) => {
        mod $name {
            #[test]
            fn cpu() {
                super::$body(&candle_core::Device::Cpu);
            }
            #[cfg(feature = "cuda")]
            #[test]
            fn cuda() {
                super::$body(&candle_core::Device::new_cuda(0).expect("CUDA device 0"));
            }
        }
    };
}
