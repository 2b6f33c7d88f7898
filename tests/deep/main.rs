//! Integration tests: The deep nets (feature `deep`, candle): data loaders, the op layer against candle's composed ops and finite differences, the models, training, the metric, resumable runs.
//!
//! One test binary per area (each links the whole library once); one module per former file.

#[allow(dead_code)]
#[path = "../common/mod.rs"]
mod common;

mod deep_data;
mod deep_densenet_memory;
mod deep_gradcheck;
mod deep_metric;
mod deep_models;
mod deep_ops;
mod deep_side_by_side;
mod deep_small;
mod deep_tiny_imagenet;
mod deep_training;
mod writers_deep;
