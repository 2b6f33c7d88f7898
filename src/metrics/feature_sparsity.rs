//! The feature sparsity coefficient (§2.3.2, docs/DESIGN.md §4; the release's `rm_too_correlated`).

use faer::Mat;

/// How the coefficient treats the activation matrix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SparsityOptions {
    /// Correlation threshold τ: a neuron is a duplicate when |corr| > τ (strict).
    pub tau: f64,
    /// Rescale each sample (row) to unit ℓ₂ norm first (small nets; zero rows stay zero).
    pub normalize_rows: bool,
}

impl SparsityOptions {
    /// The small-net setting: rows normalized, threshold τ (0.999 Fig. 4, 0.99 Figs. 5, 10, 14).
    pub fn small_net(tau: f64) -> Self {
        Self { tau, normalize_rows: true }
    }
    /// The deep-net setting: raw activations, τ = 0.95.
    pub fn deep_net() -> Self {
        Self { tau: 0.95, normalize_rows: false }
    }
}

/// Fraction of positive entries of `f`.
pub fn positive_fraction(f: &Mat<f64>) -> f64 {
    let total = f.nrows() * f.ncols();
    if total == 0 {
        return 0.0;
    }
    let mut pos = 0usize;
    for j in 0..f.ncols() {
        for i in 0..f.nrows() {
            if f[(i, j)] > 0.0 {
                pos += 1;
            }
        }
    }
    pos as f64 / total as f64
}

/// Feature sparsity coefficient of an activation matrix `f` (samples × neurons):
///
/// 1. optionally rescale each row to unit ℓ₂ norm;
/// 2. drop neurons (columns) never positive;
/// 3. Pearson correlation between the remaining columns; greedy de-duplication in index order:
///    neuron i is deleted if |corr(i, j)| > τ for some other neuron j still present, so the last
///    neuron of a correlated group survives; a constant column has NaN correlations and is kept;
/// 4. coefficient = (#positive entries in kept columns) / (n_samples × all neurons).
pub fn sparsity_coefficient(f: &Mat<f64>, opts: &SparsityOptions) -> f64 {
    let (n, m) = (f.nrows(), f.ncols());
    if n == 0 || m == 0 {
        return 0.0;
    }
    let mut a = f.to_owned();
    if opts.normalize_rows {
        for i in 0..n {
            let norm = (0..m).map(|j| a[(i, j)] * a[(i, j)]).sum::<f64>().sqrt();
            if norm > 0.0 {
                for j in 0..m {
                    a[(i, j)] /= norm;
                }
            }
        }
    }
    let alive: Vec<usize> = (0..m).filter(|&j| (0..n).any(|i| a[(i, j)] > 0.0)).collect();
    // Centered, unit-norm columns: corr(i, j) = ⟨zᵢ, zⱼ⟩ (NaN for a constant column, as numpy).
    let z: Vec<Vec<f64>> = alive
        .iter()
        .map(|&j| {
            let mean = (0..n).map(|i| a[(i, j)]).sum::<f64>() / n as f64;
            let c: Vec<f64> = (0..n).map(|i| a[(i, j)] - mean).collect();
            let norm = c.iter().map(|v| v * v).sum::<f64>().sqrt();
            c.iter().map(|v| v / norm).collect()
        })
        .collect();
    let mut present = vec![true; alive.len()];
    for i in 0..alive.len() {
        let dup = (0..alive.len()).any(|j| {
            j != i && present[j] && {
                let c: f64 = z[i].iter().zip(&z[j]).map(|(x, y)| x * y).sum();
                c.abs() > opts.tau
            }
        });
        if dup {
            present[i] = false;
        }
    }
    let kept_positive: usize =
        alive.iter().zip(&present).filter(|(_, &p)| p).map(|(&j, _)| (0..n).filter(|&i| a[(i, j)] > 0.0).count()).sum();
    kept_positive as f64 / (n * m) as f64
}
