//! Small dense linear-algebra helpers: a row-major point matrix and singular-value rank.

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

/// Singular values of `m` (descending), computed by faer.
///
/// Returns an error string when faer's SVD does not converge or gives a NaN singular value
/// (a rank counted from the others would look plausible and be wrong).
pub fn singular_values(m: &Mat<f64>) -> Result<Vec<f64>, String> {
    if m.nrows() == 0 || m.ncols() == 0 {
        return Ok(Vec::new());
    }
    let mut s = m.singular_values().map_err(|e| format!("singular value decomposition failed: {e:?}"))?;
    if s.iter().any(|v| v.is_nan()) {
        return Err("singular value decomposition gave NaN singular values".into());
    }
    s.sort_by(|a, b| b.total_cmp(a));
    Ok(s)
}

/// Numerical rank of singular values `s` (any order): #{σ : σ / σ_max > τ}, strict, as the
/// release computes it (docs/DESIGN.md §4). Zero when every σ is zero or `s` is empty; a NaN σ is never
/// counted.
pub fn rank_from_singular_values(s: &[f64], tol: f64) -> usize {
    let smax = s.iter().copied().fold(0.0_f64, f64::max);
    if smax <= 0.0 || !smax.is_finite() {
        return 0;
    }
    s.iter().filter(|&&v| v / smax > tol).count()
}

/// Rank of `m` (r × c) at relative tolerance `tol` (see [`rank_from_singular_values`]), counted
/// from the eigenvalues of its smaller Gram matrix G (mᵀm or mmᵀ, k × k with k = min(r, c)),
/// with the SVD where that count could differ from the SVD's.
///
/// σᵢ/σ_max > τ ⇔ λᵢ(G) > t := τ²λ_max(G). The computed G has an error of norm at most
/// r·c·ε·σ_max²-ish (‖E‖ ≤ γ·‖m‖_F² ≤ max(r, c)·ε·k·σ_max²), and the symmetric eigensolver adds a
/// backward error of order k·ε·‖G‖; so by Weyl's inequality every computed eigenvalue is within
/// δ = 4(r + c)·k·ε·λ_max of the exact σᵢ². Where one lies within δ + t/100 of the threshold the
/// count could depend on rounding, and the SVD decides (as before: its σᵢ are accurate to
/// ~ε·σ_max, far inside that band at the τ = 10⁻⁴ of the ReLU figures); elsewhere the two counts
/// agree. The eigenvalues of a k × k matrix cost about half the SVD of the 300 × 200 Jacobian
/// factor of Fig. 4's net (measured: 4.2 ms against 8.2 ms; 3.4 against 5.0 ms for the
/// three-layer net's 181 × 191). With τ below about 10⁻⁵ the near-zero eigenvalues fall in the
/// band and the SVD decides. `tests/theory/rank.rs` compares both counts.
pub fn rank(m: &Mat<f64>, tol: f64) -> Result<usize, String> {
    let by_svd = || Ok(rank_from_singular_values(&singular_values(m)?, tol));
    let (r, c) = (m.nrows(), m.ncols());
    if r == 0 || c == 0 {
        return Ok(0);
    }
    let g = if r >= c { m.transpose() * m } else { m * m.transpose() };
    let Ok(eig) = g.self_adjoint_eigenvalues(faer::Side::Lower) else { return by_svd() };
    let top = eig.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !(top.is_finite() && top > 0.0) || eig.iter().any(|e| e.is_nan()) {
        return by_svd();
    }
    let t = tol * tol * top;
    let band = 4.0 * (r + c) as f64 * r.min(c) as f64 * f64::EPSILON * top + 0.01 * t;
    if eig.iter().any(|&e| (e - t).abs() <= band) {
        return by_svd();
    }
    Ok(eig.iter().filter(|&&e| e > t).count())
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

/// Least-squares slope of `y` against `x`: Σ(x − x̄)(y − ȳ) / Σ(x − x̄)².
pub fn slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    sxy / sxx
}

/// Median of finite values (NaN and ±∞ ignored); NaN when none.
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        0.5 * (v[m - 1] + v[m])
    }
}
