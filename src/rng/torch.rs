//! PyTorch's CPU generator as the authors' ReLU release uses it (`torch.manual_seed`, `randn`,
//! `rand`, `uniform_`, `nn.Linear`'s default initialization), plus numpy's
//! `random.choice(n, 1, replace=False)` for the SGD batch index: a bit-exact reimplementation
//! pinned by reference draws of torch 2.15 / numpy 2.4 (`tests/theory/torch_rng.rs`).
//!
//! Sources followed (PyTorch `aten/src/ATen`):
//!
//! * `core/MT19937RNGEngine.h`: torch's engine is MT19937 with Matsumoto–Nishimura seeding of
//!   the low 32 bits of the seed — the same words as numpy's `np.random.seed` for seeds < 2³²,
//!   so [`NumpySource::next_u32`] is the engine here. `random64()` takes two words, the first as
//!   the high half (`make64BitsFrom32Bits`). `manual_seed` also empties the normal cache.
//! * `core/TransformationHelper.h`: a float uniform on [a, b) is
//!   `(w & (2²⁴ − 1)) · 2⁻²⁴ · (b − a) + a` on one 32-bit word `w`, in float32; a double
//!   uniform is `(w₆₄ & (2⁵³ − 1)) · 2⁻⁵³` on one `random64()`.
//! * `core/DistributionsHelper.h` (`normal_distribution<double>`): if a cached value is
//!   present, return it; otherwise `u1, u2` double uniforms, `r = √(−2 ln(1 − u2))`,
//!   `θ = 2π u1`, cache `r sin θ`, return `r cos θ`.
//! * `native/cpu/DistributionTemplates.h` (`normal_kernel`): a float tensor of fewer than 16
//!   elements takes the scalar double path above element by element (then rounds to float32);
//!   a tensor of ≥ 16 elements is filled with float uniforms, then transformed in blocks of 16 by
//!   Box–Muller in float32 (`u1 = 1 − data[j]`, `u2 = data[j + 8]`, `data[j] = r cos θ`,
//!   `data[j + 8] = r sin θ` for j < 8) and, when 16 does not divide the size, the last 16
//!   elements are redrawn and transformed again. torch vectorizes the float32 `log`/`cos`/`sin`
//!   of that block; here they are the platform's scalar float32 functions, which agree with
//!   torch's to a few float32 ulp (see [`TorchGenerator::randn`]).
//! * `torch/nn/modules/linear.py`: `nn.Linear(in, out)` draws its weight (out × in) with
//!   `kaiming_uniform_(a = √5)`, i.e. `uniform_(−b, b)` with `b = √3 · √(2/(1 + 5)) / √in`, then
//!   its bias `uniform_(−1/√in, 1/√in)`.

use super::{NumpySource, RandomSource};

/// Elements per Box–Muller block of torch's vectorized `randn`.
const BLOCK: usize = 16;

/// The state of `torch.manual_seed(seed)`'s default CPU generator.
#[derive(Debug, Clone)]
pub struct TorchGenerator {
    engine: NumpySource,
    next_double_normal: Option<f64>,
}

impl TorchGenerator {
    /// The generator after `torch.manual_seed(seed)`.
    pub fn new(seed: u64) -> Self {
        Self { engine: NumpySource::new(seed as u32), next_double_normal: None }
    }

    /// One 32-bit engine word (`random()`).
    pub fn random(&mut self) -> u32 {
        self.engine.next_u32()
    }

    /// `random64()`: two words, the first as the high half.
    pub fn random64(&mut self) -> u64 {
        self.engine.next_u64()
    }

    /// A float32 uniform on [from, to): `(w & (2²⁴ − 1)) · 2⁻²⁴ · (to − from) + from`, the last
    /// multiply-add fused (torch's CPU kernels are built with FMA; the unfused form misses
    /// about half of `nn.Linear`'s reference weights by up to 30 ulp near 0).
    pub fn uniform_f32(&mut self, from: f32, to: f32) -> f32 {
        let x = (self.random() & 0x00ff_ffff) as f32 * (1.0 / 16_777_216.0);
        x.mul_add(to - from, from)
    }

    /// A double uniform on [0, 1): `(w₆₄ & (2⁵³ − 1)) · 2⁻⁵³`.
    pub fn uniform_f64(&mut self) -> f64 {
        (self.random64() & ((1u64 << 53) - 1)) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `normal_distribution<double>` with the generator's one-value cache (Box–Muller on two
    /// double uniforms u1, u2: r = √(−2 ln(1 − u2)), θ = 2π·u1; returns r cos θ, caches r sin θ).
    pub fn normal_f64(&mut self) -> f64 {
        if let Some(v) = self.next_double_normal.take() {
            return v;
        }
        let u1 = self.uniform_f64();
        let u2 = self.uniform_f64();
        let r = (-2.0 * (-u2).ln_1p()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u1;
        self.next_double_normal = Some(r * theta.sin());
        r * theta.cos()
    }

    /// `torch.rand(n)`: `n` float32 uniforms on [0, 1).
    pub fn rand(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.uniform_f32(0.0, 1.0)).collect()
    }

    /// `torch.empty(n).uniform_(from, to)`, the bounds cast to float32 first.
    pub fn uniform_tensor(&mut self, n: usize, from: f64, to: f64) -> Vec<f32> {
        let (a, b) = (from as f32, to as f32);
        (0..n).map(|_| self.uniform_f32(a, b)).collect()
    }

    /// `torch.randn(n)` (any shape with `n` elements, C order).
    ///
    /// n < 16: [`normal_f64`](Self::normal_f64) per element, rounded to float32 — bit-exact.
    /// n ≥ 16: the block transform of the module documentation. The float32 uniforms, `1 − u`,
    /// the float32 `2π·u2` product and the
    /// sequence of float32 operations are torch's; `ln`, `cos`, `sin` are the platform's float32
    /// functions where torch uses its own vectorized ones, so a value may differ from torch's in
    /// the last bits (on the reference draws: most values bit-identical, the others within
    /// 2·10⁻⁷ relative; `tests/theory/torch_rng.rs`).
    pub fn randn(&mut self, n: usize) -> Vec<f32> {
        if n < BLOCK {
            return (0..n).map(|_| self.normal_f64() as f32).collect();
        }
        let mut data = self.rand(n);
        for block in data.chunks_exact_mut(BLOCK) {
            box_muller_16(block);
        }
        if n % BLOCK != 0 {
            let tail = &mut data[n - BLOCK..];
            for v in tail.iter_mut() {
                *v = self.uniform_f32(0.0, 1.0);
            }
            box_muller_16(tail);
        }
        data
    }

    /// `nn.Linear(fan_in, fan_out, bias)`'s construction: the weight (fan_out × fan_in,
    /// row-major) by `kaiming_uniform_(a = √5)`, then the bias, both uniform on
    /// ±1/√fan_in (computed as torch does, in double, then cast to float32).
    pub fn linear(&mut self, fan_in: usize, fan_out: usize, bias: bool) -> (Vec<f32>, Option<Vec<f32>>) {
        let fan = fan_in as f64;
        let gain = (2.0 / (1.0 + 5.0f64)).sqrt();
        let bound_w = 3.0f64.sqrt() * (gain / fan.sqrt());
        let w = self.uniform_tensor(fan_in * fan_out, -bound_w, bound_w);
        let bound_b = if fan_in > 0 { 1.0 / fan.sqrt() } else { 0.0 };
        let b = bias.then(|| self.uniform_tensor(fan_out, -bound_b, bound_b));
        (w, b)
    }
}

/// torch's `normal_fill_16` on float32 uniforms: for j < 8, with u1 = 1 − data[j],
/// u2 = data[j + 8]: r = √(−2 ln u1), θ = 2π u2; data[j] = r cos θ, data[j + 8] = r sin θ, every
/// operation in float32 (θ = fl(2π)·u2 rounded: computing θ in double instead moves values by
/// up to 2.5·10⁻⁶ relative).
fn box_muller_16(data: &mut [f32]) {
    for j in 0..BLOCK / 2 {
        let u1 = 1.0f32 - data[j];
        let u2 = data[j + BLOCK / 2];
        let radius = (-2.0f32 * u1.ln()).sqrt();
        let theta = std::f32::consts::TAU * u2;
        data[j] = radius * theta.cos();
        data[j + BLOCK / 2] = radius * theta.sin();
    }
}

/// The release's two streams after `np.random.seed(seed); torch.manual_seed(seed)`: torch's
/// generator for every tensor the nets and the teacher draw, numpy's for the inputs
/// (`multivariate_normal`) and the SGD batch index (`np.random.choice(n, 1, replace=False)`).
///
/// As a [`RandomSource`]: [`standard_normal`](RandomSource::standard_normal) is one scalar torch
/// normal, [`uniform`](RandomSource::uniform) one float32 torch uniform, the tensor draws
/// ([`normal_tensor`](RandomSource::normal_tensor), [`uniform_tensor`](RandomSource::uniform_tensor),
/// [`linear_init`](RandomSource::linear_init)) are torch's, and
/// [`gaussian_matrix`](RandomSource::gaussian_matrix) and [`index`](RandomSource::index) are
/// numpy's.
#[derive(Debug, Clone)]
pub struct TorchSource {
    torch: TorchGenerator,
    numpy: NumpySource,
    /// The permutation of `np.random.choice`, reused.
    perm: Vec<usize>,
}

impl TorchSource {
    /// Both streams seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self { torch: TorchGenerator::new(seed), numpy: NumpySource::new(seed as u32), perm: Vec::new() }
    }
    /// The torch generator.
    pub fn torch(&mut self) -> &mut TorchGenerator {
        &mut self.torch
    }
    /// The numpy stream.
    pub fn numpy(&mut self) -> &mut NumpySource {
        &mut self.numpy
    }
}

impl RandomSource for TorchSource {
    fn standard_normal(&mut self) -> f64 {
        f64::from(self.torch.normal_f64() as f32)
    }
    fn uniform(&mut self) -> f64 {
        f64::from(self.torch.uniform_f32(0.0, 1.0))
    }
    /// `np.random.choice(n, 1, replace=False)`: see [`NumpySource::choice_one`].
    fn index(&mut self, n: usize) -> usize {
        self.numpy.choice_one(n, &mut self.perm)
    }
    fn gaussian_matrix(&mut self, rows: usize, cols: usize) -> Vec<f64> {
        self.numpy.gaussian_matrix(rows, cols)
    }
    fn normal_tensor(&mut self, n: usize) -> Vec<f64> {
        self.torch.randn(n).into_iter().map(f64::from).collect()
    }
    fn uniform_tensor(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f64> {
        self.torch.uniform_tensor(n, lo, hi).into_iter().map(f64::from).collect()
    }
    fn linear_init(&mut self, fan_in: usize, fan_out: usize, bias: bool) -> Option<(Vec<f64>, Option<Vec<f64>>)> {
        let (w, b) = self.torch.linear(fan_in, fan_out, bias);
        let wide = |v: Vec<f32>| v.into_iter().map(f64::from).collect::<Vec<f64>>();
        Some((wide(w), b.map(wide)))
    }
}
