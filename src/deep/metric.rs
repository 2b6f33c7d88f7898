//! Deep-net feature sparsity (docs/DESIGN.md §4): block outputs in evaluation mode on the first training
//! images (no augmentation, no shuffle); each (channel, h, w) entry is a neuron; at most
//! `max_neurons` of them, sampled without replacement (seeded); then the plain fraction of
//! positive activations and the de-duplicated coefficient with τ = 0.95 on raw activations.

use super::data::ImageSet;
use super::net::Net;
use crate::metrics::{positive_fraction, sparsity_coefficient, SparsityOptions};
use crate::rng::{ChaChaSource, RandomSource};
use anyhow::Result;
use candle_core::{Device, Tensor};
use faer::Mat;
use serde::{Deserialize, Serialize};

/// How the metric samples images and neurons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricConfig {
    /// First `images` training images (the release: 10 752 = 21 × 512).
    pub images: usize,
    /// Evaluation batch size (512).
    pub batch: usize,
    /// At most this many neurons per block (1000).
    pub max_neurons: usize,
    /// Seed of the neuron sample.
    pub seed: u64,
}

impl Default for MetricConfig {
    fn default() -> Self {
        Self { images: 10_752, batch: 512, max_neurons: 1000, seed: 0 }
    }
}

/// Sparsity of one block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockSparsity {
    /// Tap name.
    pub block: String,
    /// Fraction of positive activations (over the sampled neurons).
    pub positive: f64,
    /// De-duplicated feature sparsity coefficient (τ = 0.95).
    pub coefficient: f64,
}

/// Both numbers for an activation matrix `f` (samples × neurons).
pub fn block_sparsity(block: &str, f: &Mat<f64>) -> BlockSparsity {
    BlockSparsity {
        block: block.to_string(),
        positive: positive_fraction(f),
        coefficient: sparsity_coefficient(f, &SparsityOptions::deep_net()),
    }
}

/// `k` of `0..n` without replacement, sorted (all of them when n ≤ k).
pub fn sample_neurons(n: usize, k: usize, rng: &mut dyn RandomSource) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..n as u32).collect();
    if n > k {
        for i in 0..k {
            idx.swap(i, i + rng.index(n - i));
        }
        idx.truncate(k);
        idx.sort_unstable();
    }
    idx
}

/// Measures every tapped block of `net` on the first `cfg.images` images of `set`.
pub fn measure(net: &dyn Net, set: &ImageSet, cfg: &MetricConfig, device: &Device) -> Result<Vec<BlockSparsity>> {
    let n = cfg.images.min(set.len());
    let names = net.tap_names();
    let mut cols: Vec<Option<(Tensor, usize)>> = vec![None; names.len()];
    let mut rows: Vec<Vec<f32>> = vec![Vec::new(); names.len()];
    let mut rng = ChaChaSource::new(cfg.seed);
    for start in (0..n).step_by(cfg.batch.max(1)) {
        let idx: Vec<usize> = (start..(start + cfg.batch).min(n)).collect();
        let (x, _) = set.batch(&idx, None, device)?;
        let fw = net.forward(&x, false)?;
        for (t, tap) in fw.taps.iter().enumerate() {
            let flat = tap.flatten_from(1)?;
            if cols[t].is_none() {
                let pick = sample_neurons(flat.dim(1)?, cfg.max_neurons, &mut rng);
                let m = pick.len();
                cols[t] = Some((Tensor::from_vec(pick, m, device)?, m));
            }
            let (pick, _) = cols[t].as_ref().expect("set above");
            rows[t].extend(flat.index_select(pick, 1)?.flatten_all()?.to_vec1::<f32>()?);
        }
    }
    use rayon::prelude::*;
    Ok(names
        .par_iter()
        .zip(rows.par_iter())
        .zip(cols.par_iter())
        .map(|((name, r), c)| {
            let m = c.as_ref().map_or(0, |c| c.1);
            let f = Mat::from_fn(n, m, |i, j| r[i * m + j] as f64);
            block_sparsity(name, &f)
        })
        .collect())
}
