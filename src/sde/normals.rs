//! The Brownian increments of the Euler–Maruyama runs: a ChaCha8 stream and Marsaglia and
//! Tsang's ziggurat (256 layers), about 3× faster than a Box–Muller normal.
//!
//! Eq. (58) draws n normals per EM step (Z_k ~ N(0, Iₙ)), 10 steps per SGD iteration, so the
//! generator is a large part of an EM step's cost. [`Normals`] is seeded once per run from the run's
//! own stream ([`Normals::from_source`]), so a run is still a function of (config, seed) alone,
//! and two runs seeded alike (the calibration's common random numbers) share their Z_k.
//!
//! The ziggurat (Marsaglia & Tsang, J. Stat. Softw. 5(8), 2000) covers the density
//! f(x) = exp(−x²/2) by 256 layers of equal area V: a layer i is the box |x| < xᵢ, f(xᵢ) ≤ y <
//! f(xᵢ₊₁). One 64-bit draw gives the layer (8 bits), the sign (1 bit) and a uniform u (52 bits);
//! x = u·xᵢ is accepted at once when |x| < xᵢ₊₁ (≈ 99 %), else by the wedge test
//! f(xᵢ) + U·(f(xᵢ₊₁) − f(xᵢ)) < f(x), or drawn from the tail |x| > R by Marsaglia's method
//! (x = R − ln(U₁)/R accepted when −2 ln U₂ > (x − R)²). Exact in distribution; only integer
//! arithmetic, f64 products, `exp` and `ln`, so deterministic on a given platform.

use crate::rng::RandomSource;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::OnceLock;

/// Layers.
const LAYERS: usize = 256;
/// Right edge of the base layer (Marsaglia & Tsang's R for 256 layers).
const R: f64 = 3.654_152_885_361_009;
/// Area of each layer under exp(−x²/2) (with the tail in the base layer).
const V: f64 = 0.004_928_673_233_99;

/// x₀ = V/f(R) (the base layer's virtual width), x₁ = R, xᵢ₊₁ = f⁻¹(V/xᵢ + f(xᵢ)), x₂₅₆ = 0; and
/// fᵢ = f(xᵢ).
struct Tables {
    x: [f64; LAYERS + 1],
    f: [f64; LAYERS + 1],
}

fn density(x: f64) -> f64 {
    (-0.5 * x * x).exp()
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut x = [0.0; LAYERS + 1];
        x[0] = V / density(R);
        x[1] = R;
        for i in 1..LAYERS - 1 {
            let y = (V / x[i] + density(x[i])).min(1.0);
            x[i + 1] = (-2.0 * y.ln()).sqrt();
        }
        x[LAYERS] = 0.0;
        let mut f = [0.0; LAYERS + 1];
        for (fi, xi) in f.iter_mut().zip(&x) {
            *fi = density(*xi);
        }
        Tables { x, f }
    })
}

/// 64-bit words drawn from ChaCha8 at a time (one block refill: 4 ChaCha blocks of 16 words of
/// 32 bits).
const WORDS: usize = 32;

/// A stream of standard normals: ChaCha8 and the 256-layer ziggurat.
///
/// The 64-bit words are taken from ChaCha8 [`WORDS`] at a time (`fill_bytes`, little-endian: the
/// words `next_u64` would give, in the same order), so the per-draw work is the ziggurat's alone.
#[derive(Debug, Clone)]
pub struct Normals {
    rng: ChaCha8Rng,
    words: [u64; WORDS],
    /// The next unused word of `words` (`WORDS`: none left).
    next: usize,
}

impl Normals {
    /// A stream seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        tables();
        Self { rng: ChaCha8Rng::seed_from_u64(seed), words: [0; WORDS], next: WORDS }
    }
    /// A stream seeded by one draw of `source` (⌊U·2⁵³⌋ of a uniform U): the run's stream decides
    /// it, and consumes one uniform for it.
    pub fn from_source(source: &mut dyn RandomSource) -> Self {
        Self::new((source.uniform() * (1u64 << 53) as f64) as u64)
    }
    /// The stream's next 64-bit word.
    #[inline(always)]
    fn word(&mut self) -> u64 {
        if self.next == WORDS {
            let mut bytes = [0u8; 8 * WORDS];
            self.rng.fill_bytes(&mut bytes);
            for (w, b) in self.words.iter_mut().zip(bytes.chunks_exact(8)) {
                *w = u64::from_le_bytes(b.try_into().expect("eight bytes"));
            }
            self.next = 0;
        }
        self.next += 1;
        self.words[self.next - 1]
    }
    /// A uniform in (0, 1] from 53 bits.
    fn open_uniform(&mut self) -> f64 {
        ((self.word() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// One N(0, 1) draw.
    #[inline]
    pub fn sample(&mut self) -> f64 {
        self.draw(tables())
    }
    /// One N(0, 1) draw: the box test of one word (≈ 99 % of draws), else [`Self::edge`], and on
    /// a rejection a new word.
    #[inline(always)]
    fn draw(&mut self, t: &Tables) -> f64 {
        loop {
            let bits = self.word();
            let i = (bits & 0xff) as usize;
            // 52 bits → u ∈ [0, 1), then a sign bit.
            let u = (bits >> 12) as f64 * (1.0 / (1u64 << 52) as f64);
            let sign = if bits & 0x100 != 0 { -1.0 } else { 1.0 };
            let x = u * t.x[i];
            if x < t.x[i + 1] {
                return sign * x;
            }
            if let Some(z) = self.edge(t, i, x, sign) {
                return z;
            }
        }
    }
    /// The rest of a draw whose word fell outside its layer's box: the tail beyond R (layer 0,
    /// always accepted in the end) or the wedge test (None: rejected).
    #[cold]
    fn edge(&mut self, t: &Tables, i: usize, x: f64, sign: f64) -> Option<f64> {
        if i == 0 {
            loop {
                let a = -self.open_uniform().ln() / R;
                let b = -self.open_uniform().ln();
                if 2.0 * b > a * a {
                    return Some(sign * (R + a));
                }
            }
        }
        (t.f[i] + self.open_uniform() * (t.f[i + 1] - t.f[i]) < density(x)).then_some(sign * x)
    }
    /// Fills `out` with i.i.d. N(0, 1) draws, in index order.
    pub fn fill(&mut self, out: &mut [f64]) {
        let t = tables();
        for o in out.iter_mut() {
            *o = self.draw(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words come from ChaCha8 in bulk, but they are the words `next_u64` gives, in order
    /// (across refills), so the normals are those of a draw-by-draw ziggurat.
    #[test]
    fn buffered_words_are_the_next_u64_stream() {
        let (mut z, mut rng) = (Normals::new(11), ChaCha8Rng::seed_from_u64(11));
        for k in 0..5 * WORDS + 3 {
            assert_eq!(z.word(), rng.next_u64(), "word {k}");
        }
    }

    #[test]
    fn ziggurat_tables_close_at_zero() {
        let t = tables();
        // The recursion from R with area V must land on x ≈ 0 at the top layer: the constants
        // fit together.
        assert!(t.x[LAYERS - 1] > 0.0 && t.x[LAYERS - 1] < 0.3, "x₂₅₅ = {}", t.x[LAYERS - 1]);
        assert!(t.x.windows(2).skip(1).all(|w| w[0] > w[1]), "layers not decreasing");
    }

    #[test]
    fn ziggurat_moments_and_tails_match_the_normal() {
        let mut z = Normals::new(7);
        let n = 400_000;
        let (mut m1, mut m2, mut m4, mut tail, mut below) = (0.0, 0.0, 0.0, 0usize, 0usize);
        for _ in 0..n {
            let x = z.sample();
            m1 += x;
            m2 += x * x;
            m4 += x * x * x * x;
            tail += usize::from(x.abs() > R);
            below += usize::from(x < -1.0);
        }
        let nf = n as f64;
        let (m1, m2, m4) = (m1 / nf, m2 / nf, m4 / nf);
        // Standard errors: mean 1/√n, variance √2/√n, fourth moment √96/√n.
        assert!(m1.abs() < 5.0 / nf.sqrt(), "mean {m1}");
        assert!((m2 - 1.0).abs() < 5.0 * 2f64.sqrt() / nf.sqrt(), "variance {m2}");
        assert!((m4 - 3.0).abs() < 5.0 * 96f64.sqrt() / nf.sqrt(), "fourth moment {m4}");
        // P(|Z| > R) = 2.58e-4 and P(Z < −1) = 0.158655.
        let p_tail = 2.0 * 0.000_129_0;
        let sd = (p_tail * nf).sqrt();
        assert!(((tail as f64) - p_tail * nf).abs() < 5.0 * sd, "tail count {tail}");
        let p1 = 0.158_655_253_9;
        assert!(((below as f64) / nf - p1).abs() < 5.0 * (p1 * (1.0 - p1) / nf).sqrt(), "P(Z < −1)");
    }
}
