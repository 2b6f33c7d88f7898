//! Random sources.
//!
//! Every random draw of the library goes through [`RandomSource`], so that one experiment can run
//! on the default ChaCha stream ([`ChaChaSource`], `rand_chacha`) or on a stream that reproduces
//! numpy's legacy global generator bit for bit ([`NumpySource`], for parity with the authors'
//! release) or on the release's pair of torch and numpy streams ([`TorchSource`], for the ReLU
//! figures). All are seeded explicitly; nothing reads entropy from the OS.

mod chacha;
mod numpy;
mod torch;

pub use chacha::ChaChaSource;
pub use numpy::NumpySource;
pub use torch::{TorchGenerator, TorchSource};

use serde::{Deserialize, Serialize};

/// The minimal interface the library draws randomness through.
///
/// The order of calls is part of an experiment's definition: the data generators and the trainers
/// document the order in which they draw, so that two sources with the same primitive streams
/// give the same experiment.
pub trait RandomSource: Send {
    /// A standard normal N(0, 1) draw.
    fn standard_normal(&mut self) -> f64;
    /// A uniform draw in [0, 1).
    fn uniform(&mut self) -> f64;
    /// A uniform index in {0, …, n − 1}; `n ≥ 1`.
    fn index(&mut self, n: usize) -> usize;

    /// `n` i.i.d. standard normals, in draw order.
    fn normals(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.standard_normal()).collect()
    }
    /// An `rows × cols` row-major matrix of i.i.d. N(0, 1) entries, as numpy's
    /// `multivariate_normal(zeros(cols), eye(cols), rows)` would give it.
    fn gaussian_matrix(&mut self, rows: usize, cols: usize) -> Vec<f64> {
        self.normals(rows * cols)
    }
    /// A uniform draw in [lo, hi).
    fn uniform_in(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }
    /// A tensor of `n` i.i.d. standard normals drawn at once (torch's `randn(n)`, whose
    /// transform depends on `n`). Default: [`normals`](RandomSource::normals).
    fn normal_tensor(&mut self, n: usize) -> Vec<f64> {
        self.normals(n)
    }
    /// A tensor of `n` uniforms on [lo, hi) drawn at once (torch's `uniform_`). Default:
    /// [`uniform_in`](RandomSource::uniform_in) `n` times.
    fn uniform_tensor(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f64> {
        (0..n).map(|_| self.uniform_in(lo, hi)).collect()
    }
    /// The draws of building an `nn.Linear(fan_in, fan_out, bias)` (weight, then bias), for a
    /// stream that reproduces a PyTorch program, where constructing a layer consumes the
    /// generator before any explicit initialization. `None` (the default): constructing a
    /// layer draws nothing.
    fn linear_init(&mut self, fan_in: usize, fan_out: usize, bias: bool) -> Option<(Vec<f64>, Option<Vec<f64>>)> {
        let _ = (fan_in, fan_out, bias);
        None
    }
}

/// Which generator an experiment draws from (`rng = "chacha" | "numpy" | "torch"` in a config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RngKind {
    /// ChaCha8 from `rand_chacha` (default).
    #[default]
    Chacha,
    /// numpy's legacy MT19937 global generator (`np.random.seed`).
    Numpy,
    /// The release's torch CPU generator and numpy stream, both seeded with the seed
    /// ([`TorchSource`]).
    Torch,
}

impl RngKind {
    /// A boxed source of this kind seeded with `seed`.
    pub fn source(self, seed: u64) -> Box<dyn RandomSource> {
        match self {
            RngKind::Chacha => Box::new(ChaChaSource::new(seed)),
            RngKind::Numpy => Box::new(NumpySource::new(seed as u32)),
            RngKind::Torch => Box::new(TorchSource::new(seed)),
        }
    }
}
