//! The default random source: ChaCha8 (`rand_chacha`), seeded with `seed_from_u64`.

use super::RandomSource;
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// ChaCha8 stream. Normals by the Box–Muller transform on two uniforms (one normal per pair of
/// uniforms, no caching), so the stream position after `k` normals is always `2k` uniforms.
#[derive(Debug, Clone)]
pub struct ChaChaSource {
    rng: ChaCha8Rng,
}

impl ChaChaSource {
    /// A stream seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self { rng: ChaCha8Rng::seed_from_u64(seed) }
    }
    /// The underlying generator, for code that needs the `rand` traits.
    pub fn rng(&mut self) -> &mut impl Rng {
        &mut self.rng
    }
}

impl RandomSource for ChaChaSource {
    fn standard_normal(&mut self) -> f64 {
        // u1 in (0, 1] so that ln(u1) is finite.
        let u1 = 1.0 - self.rng.random::<f64>();
        let u2 = self.rng.random::<f64>();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    fn uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }
    fn index(&mut self, n: usize) -> usize {
        self.rng.random_range(0..n)
    }
}
