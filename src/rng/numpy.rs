//! A bit-for-bit reimplementation of numpy's legacy global generator (`np.random.seed`,
//! `numpy.random.RandomState` on MT19937), for parity with the authors' release.
//!
//! Everything here follows numpy's own sources (checked against numpy 2.4.6 output, see
//! `tests/theory/numpy_rng.rs`):
//!
//! * the bit generator is MT19937 (`numpy/random/src/mt19937/mt19937.c`);
//! * an integer seed goes through `MT19937._legacy_seeding` (`numpy/random/_mt19937.pyx`), i.e.
//!   `mt19937_seed(state, seed)`, and `RandomState.seed` then clears the Gaussian cache
//!   (`_reset_gauss`);
//! * `random_sample` is `mt19937_next_double`, normals are `legacy_gauss`
//!   (`numpy/random/src/legacy/legacy-distributions.c`), and `randint(n)` is the default-dtype
//!   (int64) path of `numpy/random/_bounded_integers.pyx.in` with masked rejection
//!   (`random_bounded_uint64_fill` in `numpy/random/src/distributions/distributions.c`).
//!
//! # Draw order
//!
//! The Gaussian cache is independent of the MT19937 stream: a `standard_normal` call that finds a
//! cached value returns it without touching the stream, and `uniform`/`index` calls made between
//! two normals consume the stream but leave the cache alone — exactly as numpy interleaves
//! `randn`, `random_sample` and `randint`. A sequence of calls on a [`NumpySource`] therefore
//! reproduces the same sequence of numpy calls (with `size=None` or any `size`, since numpy fills
//! arrays element by element in C order through the same scalar routines).

use super::RandomSource;

/// Number of 32-bit words of MT19937 state (`RK_STATE_LEN`).
const N: usize = 624;
/// MT19937 middle word offset (`_MT19937_M`).
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// numpy's legacy `RandomState` stream: MT19937 plus the `legacy_gauss` cache.
///
/// [`NumpySource::new`]`(seed)` is the state right after `np.random.seed(seed)`; the
/// [`RandomSource`] methods are then
///
/// * [`uniform`](RandomSource::uniform) = `np.random.random_sample()`,
/// * [`standard_normal`](RandomSource::standard_normal) = `np.random.standard_normal()` (= one
///   element of `np.random.randn(...)`),
/// * [`index`](RandomSource::index)`(n)` = `np.random.randint(n)`,
/// * [`gaussian_matrix`](RandomSource::gaussian_matrix)`(r, c)` =
///   `np.random.multivariate_normal(np.zeros(c), np.eye(c), r)` (row-major), which numpy computes
///   as the `r·c` raw normals bit for bit (see the method's documentation),
/// * [`uniform_in`](RandomSource::uniform_in)`(lo, hi)` = `np.random.uniform(lo, hi)`.
#[derive(Clone)]
pub struct NumpySource {
    /// MT19937 state words (`mt19937_state.key`).
    key: [u32; N],
    /// Index of the next state word to temper (`mt19937_state.pos`); `N` means "regenerate".
    pos: usize,
    /// Whether `gauss` holds the second value of the last polar pair (`aug_bitgen_t.has_gauss`).
    has_gauss: bool,
    /// The cached second value (`aug_bitgen_t.gauss`).
    gauss: f64,
}

impl std::fmt::Debug for NumpySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NumpySource")
            .field("pos", &self.pos)
            .field("has_gauss", &self.has_gauss)
            .field("gauss", &self.gauss)
            .finish_non_exhaustive()
    }
}

impl NumpySource {
    /// The state after `np.random.seed(seed)`.
    ///
    /// For an integer seed in `[0, 2³²)`, `MT19937._legacy_seeding` calls
    /// `mt19937_seed(state, seed)` (`mt19937.c`), which is Matsumoto–Nishimura's `init_genrand`:
    /// `key[0] = seed`, `key[i] = 1812433253 · (key[i−1] ⊕ (key[i−1] ≫ 30)) + i (mod 2³²)` for
    /// `i = 1, …, 623`, and `pos = 624` so that the first draw regenerates the whole state.
    /// `RandomState.seed` then empties the Gaussian cache (`has_gauss = 0`, `gauss = 0.0`).
    pub fn new(seed: u32) -> Self {
        let mut key = [0u32; N];
        key[0] = seed;
        for i in 1..N {
            let prev = key[i - 1];
            key[i] = 1_812_433_253u32.wrapping_mul(prev ^ (prev >> 30)).wrapping_add(i as u32);
        }
        Self { key, pos: N, has_gauss: false, gauss: 0.0 }
    }

    /// Regenerates the 624 state words (`mt19937_gen`): for each `i`,
    /// `y = (key[i] & 0x80000000) | (key[i+1] & 0x7fffffff)` and
    /// `key[i] = key[i+397] ⊕ (y ≫ 1) ⊕ (0x9908b0df if y is odd)`, indices mod 624, updated in
    /// place in increasing `i`.
    fn generate(&mut self) {
        for i in 0..N {
            let y = (self.key[i] & UPPER_MASK) | (self.key[(i + 1) % N] & LOWER_MASK);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            self.key[i] = self.key[(i + M) % N] ^ (y >> 1) ^ mag;
        }
        self.pos = 0;
    }

    /// One raw 32-bit MT19937 output (`mt19937_next32`): regenerate the state when it is used up,
    /// then temper the next word (`y ^= y≫11; y ^= (y≪7) & 0x9d2c5680; y ^= (y≪15) & 0xefc60000;
    /// y ^= y≫18`).
    pub fn next_u32(&mut self) -> u32 {
        if self.pos == N {
            self.generate();
        }
        let mut y = self.key[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    /// One 64-bit output (`mt19937_next64`): the first 32-bit draw is the high word, the second
    /// the low word.
    pub fn next_u64(&mut self) -> u64 {
        let hi = u64::from(self.next_u32());
        let lo = u64::from(self.next_u32());
        (hi << 32) | lo
    }

    /// `random_sample()` (`mt19937_next_double`, the `legacy_double` of `legacy_gauss`): two
    /// 32-bit draws `a`, `b` give `((a ≫ 5) · 2²⁶ + (b ≫ 6)) / 2⁵³`, a multiple of 2⁻⁵³ in
    /// [0, 1). Every step is exact in `f64`.
    pub fn random_sample(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// `randint(0, rng + 1)` on the int64 path, i.e. `random_bounded_uint64` with
    /// `off = 0`, `use_masked = true` (`distributions.c`):
    ///
    /// * `rng == 0`: returns 0 **without drawing**;
    /// * `rng ≤ 0xFFFFFFFF`: masked rejection on 32-bit draws
    ///   (`buffered_bounded_masked_uint32`; the buffer is unused for 32 bits): with
    ///   `mask = gen_mask(rng)` (the smallest `2ᵏ − 1 ≥ rng`), draw `next_u32() & mask` until it
    ///   is `≤ rng`;
    /// * otherwise: the same on 64-bit draws (`bounded_masked_uint64`), except that
    ///   `rng == 2⁶⁴ − 1` takes one `next_u64()` as is.
    pub fn bounded_u64(&mut self, rng: u64) -> u64 {
        if rng == 0 {
            0
        } else if rng <= u64::from(u32::MAX) {
            let rng = rng as u32;
            let mask = gen_mask(u64::from(rng)) as u32;
            loop {
                let v = self.next_u32() & mask;
                if v <= rng {
                    return u64::from(v);
                }
            }
        } else if rng == u64::MAX {
            self.next_u64()
        } else {
            let mask = gen_mask(rng);
            loop {
                let v = self.next_u64() & mask;
                if v <= rng {
                    return v;
                }
            }
        }
    }

    /// `np.random.choice(n, 1, replace=False)[0]`: legacy `choice` without replacement takes
    /// `permutation(n)[:1]`, and `permutation` shuffles `arange(n)` by Fisher–Yates from the
    /// end (`_shuffle_raw`: for i = n − 1, …, 1, j = `random_interval(i)` — masked rejection on
    /// 32-bit words, as [`bounded_u64`](Self::bounded_u64) — then swap x[i], x[j]). So every
    /// call draws n − 1 bounded integers. `scratch` holds the permutation (reused across calls
    /// so that a training step allocates nothing). Panics if `n == 0`.
    pub fn choice_one(&mut self, n: usize, scratch: &mut Vec<usize>) -> usize {
        assert!(n >= 1, "NumpySource::choice_one: n must be at least 1");
        let x = scratch;
        x.clear();
        x.extend(0..n);
        for i in (1..n).rev() {
            let j = self.bounded_u64(i as u64) as usize;
            x.swap(i, j);
        }
        x[0]
    }
}

/// Smallest bit mask `2ᵏ − 1 ≥ max` (`gen_mask` in `distributions.c`).
fn gen_mask(max: u64) -> u64 {
    let mut mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    mask
}

impl RandomSource for NumpySource {
    /// `legacy_gauss` (`legacy-distributions.c`), the Marsaglia polar form of Box–Muller with a
    /// one-value cache. If a value is cached, return it and clear the cache (`gauss = 0.0`).
    /// Otherwise repeat `x1 = 2·u − 1`, `x2 = 2·u′ − 1` (two [`random_sample`]s, in that order)
    /// until `r2 = x1² + x2²` satisfies `0 < r2 < 1`; then `f = sqrt(−2·ln(r2) / r2)`, cache
    /// `f·x1` and return `f·x2`.
    ///
    /// `ln` is the platform `log` (glibc on Linux, like numpy's wheels); `sqrt` is exact.
    ///
    /// [`random_sample`]: NumpySource::random_sample
    fn standard_normal(&mut self) -> f64 {
        if self.has_gauss {
            let cached = self.gauss;
            self.has_gauss = false;
            self.gauss = 0.0;
            return cached;
        }
        let (x1, x2, r2) = loop {
            let x1 = 2.0 * self.random_sample() - 1.0;
            let x2 = 2.0 * self.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                break (x1, x2, r2);
            }
        };
        let f = (-2.0 * r2.ln() / r2).sqrt();
        self.gauss = f * x1;
        self.has_gauss = true;
        f * x2
    }

    /// `random_sample()`: see [`NumpySource::random_sample`].
    fn uniform(&mut self) -> f64 {
        self.random_sample()
    }

    /// `randint(n)` = `randint(0, n)` with the default dtype (int64): `_rand_int64(0, n − 1)`
    /// computes `rng = n − 1` and calls [`NumpySource::bounded_u64`]. For `n = 1` nothing is
    /// drawn. Panics if `n == 0` (numpy raises `ValueError: high <= 0`).
    fn index(&mut self, n: usize) -> usize {
        assert!(n >= 1, "NumpySource::index: n must be at least 1 (numpy: high <= 0)");
        self.bounded_u64(n as u64 - 1) as usize
    }

    /// `multivariate_normal(zeros(cols), eye(cols), rows)` (`RandomState.multivariate_normal` in
    /// `numpy/random/mtrand.pyx`): numpy draws `standard_normal((rows, cols))` in C order, then
    /// returns `x @ (sqrt(s)[:, None] * v) + mean` with `(u, s, v) = svd(cov)`. For the identity
    /// LAPACK returns `s = 1` and `v = I` exactly (no sign flips), and every entry of the product
    /// is `x_ij · 1` plus products with `0`, so the result equals the raw normals bit for bit
    /// (checked with numpy 2.4.6 for 80 × 200; normals are never 0, so no `−0.0` can arise).
    fn gaussian_matrix(&mut self, rows: usize, cols: usize) -> Vec<f64> {
        self.normals(rows * cols)
    }
}
