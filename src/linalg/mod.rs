//! Small dense linear-algebra helpers: a row-major point matrix, a fixed-order dot product, and
//! the numerical rank of a matrix ([`rank`](mod@rank): by SVD, by the Gram matrix's eigenvalues, and the
//! diagonal net's exact bracket and inertia count).

pub mod rank;

pub use rank::{rank, rank_from_singular_values, singular_values};

use faer::Mat;

/// `n` points of dimension `dim`, stored row-major (point `i` is `data[i*dim..(i+1)*dim]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Points {
    data: Vec<f64>,
    dim: usize,
}

impl Points {
    /// Wraps row-major `data`; `data.len()` must be a multiple of `dim`.
    ///
    /// # Panics
    /// If `dim == 0` or `data.len() % dim != 0` (a programming error, not user input).
    pub fn new(data: Vec<f64>, dim: usize) -> Self {
        assert!(dim > 0 && data.len() % dim == 0, "Points: {} values do not form rows of {dim}", data.len());
        Self { data, dim }
    }
    /// Number of points.
    pub fn len(&self) -> usize {
        self.data.len() / self.dim
    }
    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    /// Dimension of each point.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// Point `i`.
    #[inline]
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }
    /// Iterator over the points.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[f64]> + '_ {
        self.data.chunks_exact(self.dim)
    }
    /// The raw row-major values.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }
    /// The first `k` points.
    pub fn head(&self, k: usize) -> Points {
        Points::new(self.data[..k.min(self.len()) * self.dim].to_vec(), self.dim)
    }
    /// As a faer matrix (n × dim).
    pub fn to_mat(&self) -> Mat<f64> {
        Mat::from_fn(self.len(), self.dim, |i, j| self.data[i * self.dim + j])
    }
}

/// Dot product ⟨a, b⟩ over the common length, summed in four interleaved partial sums
/// (lanes k mod 4, then (s₀ + s₁) + (s₂ + s₃), then the tail) so the compiler can vectorize it;
/// the order is fixed, so results are deterministic.
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut s = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ta, tb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            s[k] += x[k] * y[k];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ta.iter().zip(tb) {
        tail += x * y;
    }
    (s[0] + s[1]) + (s[2] + s[3]) + tail
}
