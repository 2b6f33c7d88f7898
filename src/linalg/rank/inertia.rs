//! rank_τ(R·D) by inertia: the count of the ambiguous case from one Cholesky factorization and
//! one small symmetric eigenproblem, instead of a singular value decomposition.
//!
//! The diagonal net's rank (docs/DESIGN.md §4) is #{i : σᵢ(RD) > t}, t = τσ₁(RD), with R the
//! fixed factor of the evaluation points (X = QR) and D = diag(d), dⱼ = √(uⱼ² + vⱼ²) ≥ 0. When
//! the bracket of `bracket.rs` cannot decide, this module decides, in three steps.
//!
//! **1. Counting without singular values.** Columns with dⱼ = 0 only add zero singular values,
//! never counted; let K be the others and G = RᵀR = XᵀX (fixed). The σᵢ(R_K D_K)² are the
//! eigenvalues of D_K G_KK D_K, so #{σᵢ > t} is the number of positive eigenvalues of
//! D_K G_KK D_K − t²I, and by Sylvester's law of inertia (congruence with D_K⁻¹) that of
//!
//!   H = G_KK − t² D_K⁻².
//!
//! Split K into B = {j : dⱼ > M_B·t₊/s₋} (s₋ = σ_min(R), M_B = [`SCHUR_MARGIN`], t₊ ≥ t below)
//! and A = K \ B. On B, H₁₁ = G_BB − t²D_B⁻² ⪰ (s₋² − s₋²/M_B²)·I ≻ 0 (G_BB's eigenvalues
//! interlace G's, all ≥ s₋²). So by Haynsworth's inertia additivity
//!
//!   #pos(H) = |B| + #pos(H₂₂ − H₂₁H₁₁⁻¹H₁₂),
//!
//! and, congruent with D_A, #pos of the |A| × |A| matrix
//!
//!   S̃(t²) = D_A (G_AA − VᵀV) D_A − t²I,   V = L⁻¹G_BA,   H₁₁ = LLᵀ (Cholesky).
//!
//! This is exact: no singular value of RD is approximated. In a run B holds the support and
//! every scale still well above the threshold, A the few scales near or below it, so the cost is
//! one |B|³/3 Cholesky, one |B|²|A| triangular solve and one |A| × |A| eigenproblem — several
//! times less than the SVD of R_K D_K.
//!
//! **2. The threshold.** σ₁ is bracketed without an SVD: with cⱼ = ‖R eⱼ‖ (cⱼ² = Gⱼⱼ), take the
//! columns P of largest cⱼdⱼ until the rest has f² = Σ_{j∉P} cⱼ²dⱼ² ≤ η·maxⱼ cⱼ²dⱼ² (η =
//! [`SIGMA1_TAIL`]), and a² = λ_max(D_P G_PP D_P) = σ₁(R_P D_P)². Adding columns never lowers
//! σ₁, and ‖[M₁ M₂]‖² ≤ ‖M₁‖² + ‖M₂‖_F², so σ₁² ∈ [a², a² + f²] and t² ∈ [t₋², t₊²] :=
//! τ²·[a², a² + f²].
//!
//! **3. When the count is decided.** (With step 4's widened interval in place of [t₋², t₊²].)
//! S̃ is evaluated at t₋². Along t² ∈ [t₋², t₊²] it moves by
//! dS̃/d(t²) = −I − D_A G_AB H₁₁⁻¹ D_B⁻² H₁₁⁻¹ G_BA D_A, whose norm is at most
//! 1 + (max_A d / min_B d)²·s₊⁴·(M_B²/((M_B² − 1)s₋²))² ≤ 1 + 2κ⁴ (κ = s₊/s₋, M_B = 2, and
//! max_A d ≤ min_B d), so by Weyl's inequality no eigenvalue crosses zero if every computed
//! eigenvalue exceeds (1 + 2κ⁴)(t₊² − t₋²) plus the rounding of S̃ in absolute value. Rounding:
//! the entries of D_A G D_A and D_A VᵀV D_A are at most κ²M_B²t₊² and (4/3)κ⁴M_B²t₊² (dⱼ ≤
//! M_B t₊/s₋ on A), computed through a Cholesky factor of condition ≤ (4/3)κ², so the absolute
//! error is below 8·n·ε·κ⁶·M_B²·t₊² (a generous multiple of the standard backward-error
//! bounds). Where the margin holds, the count is the exact count of RD at the exact
//! threshold; otherwise (a singular value within ~0.1 % of t, step 4 — inside the plain SVD's
//! own rounding there, ε/τ ≈ 22 % per ulp of σ₁) the caller falls back to the SVD
//! of `bracket.rs`.
//!
//! **4. Negligible columns.** A may hold many columns of scale far below t, each adding a
//! clearly negative eigenvalue (≈ −t²) to S̃ and only cost. Let S ⊂ A be the longest
//! ascending-scale prefix with ‖R_S D_S‖_F ≤ γt₋ (γ = [`DROP`]) and K = (B ∪ A) \ S. By Weyl's
//! inequality, |σᵢ(RD) − σᵢ(R_K D_K)| ≤ γt₋ for every i; so if no σᵢ(R_K D_K) lies in
//! [t₋(1 − γ), t₊(1 + γ)], every σᵢ(RD) is on the same side of the exact threshold as
//! σᵢ(R_K D_K) and the counts agree. Steps 1–3 are therefore run on K with the interval
//! widened to [t₋²(1 − γ)², t₊²(1 + γ)²]: a decided count is still the exact count of RD. With
//! η = γ = 10⁻⁷ and κ ≈ 6 (400 Gaussian points in ℝ²⁰⁰) the margin of step 3 is about
//! 10⁻³·t²: only a singular value within about 0.1 % of the threshold takes the SVD.
//!
//! `tests/theory/rank_bracket.rs` checks the count against the plain SVD at
//! τ = 1e-6, where the SVD is exact to far better than the margin, and at the release's 1e-15.

use super::bracket::{bracket, drop_negligible, scaled_rank, RankBracket};
use faer::linalg::triangular_solve::solve_lower_triangular_in_place;
use faer::{Mat, Par, Side};

/// M_B of the module doc: B's scales exceed the threshold's scale t₊/s₋ by this factor.
pub const SCHUR_MARGIN: f64 = 2.0;

/// η of the module doc: the columns left out of σ₁'s estimate weigh at most η·maxⱼ cⱼ²dⱼ².
pub const SIGMA1_TAIL: f64 = 1e-7;

/// γ of the module doc: the columns dropped from A weigh at most γ·t₋ in Frobenius norm.
pub const DROP: f64 = 1e-7;

/// The fixed part of every rank evaluation of a run: R (X = QR), its extreme singular values and
/// G = RᵀR.
#[derive(Debug, Clone)]
pub struct RankFactor {
    r: Mat<f64>,
    gram: Mat<f64>,
    s_min: f64,
    s_max: f64,
}

impl RankFactor {
    /// The factor of `r` (n × d, upper triangular when it comes from a QR). A wide `r` (n < d)
    /// has rank < d and gets no bracket (every ambiguous count takes the SVD).
    pub fn new(r: Mat<f64>) -> Result<Self, String> {
        let s = super::singular_values(&r)?;
        let s_min = if r.nrows() < r.ncols() { 0.0 } else { s.last().copied().unwrap_or(0.0) };
        let s_max = s.first().copied().unwrap_or(0.0);
        let gram = r.transpose() * &r;
        Ok(Self { r, gram, s_min, s_max })
    }

    /// R.
    pub fn r(&self) -> &Mat<f64> {
        &self.r
    }

    /// rank_τ(R·diag(d)) = #{σᵢ(RD) > τσ₁(RD)}: from the bracket when it decides, else by
    /// inertia (module doc), else — a singular value within the inertia margin of the
    /// threshold, non-finite scales, or no bracket — by the SVD of the non-negligible columns
    /// ([`scaled_rank`]).
    pub fn rank(&self, d: &[f64], tol: f64) -> Result<usize, String> {
        if let RankBracket::Exact(k) = bracket(d, self.s_min, self.s_max, tol) {
            return Ok(k);
        }
        if let Some(k) = self.inertia_count(d, tol) {
            return Ok(k);
        }
        scaled_rank(&self.r, self.s_min, self.s_max, d, tol)
    }

    /// Steps 1–3 of the module doc; `None` when the count is not decided there.
    pub fn inertia_count(&self, d: &[f64], tol: f64) -> Option<usize> {
        let n = d.len();
        if n != self.gram.ncols()
            || self.s_min.is_nan()
            || self.s_min <= 0.0
            || d.iter().any(|v| !v.is_finite() || *v < 0.0)
        {
            return None;
        }
        let kappa = self.s_max / self.s_min;
        let (t2_lo, t2_hi) = self.threshold_squared(d, tol)?;
        if t2_lo.is_nan() || t2_lo <= 0.0 {
            return None;
        }
        // Step 4: the interval the inertia must be constant on, widened by the dropped columns.
        let (t2_lo, t2_hi) = (t2_lo * (1.0 - DROP).powi(2), t2_hi * (1.0 + DROP).powi(2));
        let cut = SCHUR_MARGIN * t2_hi.sqrt() / self.s_min;
        let b: Vec<usize> = (0..n).filter(|&j| d[j] > cut).collect();
        let below: Vec<usize> = (0..n).filter(|&j| d[j] > 0.0 && d[j] <= cut).collect();
        let a = drop_negligible(below, d, |j| self.gram[(j, j)] * d[j] * d[j], DROP * t2_lo.sqrt());
        if a.is_empty() {
            return Some(b.len());
        }
        let g = &self.gram;
        // V = L⁻¹G_BA with H₁₁ = G_BB − t₋²D_B⁻² = LLᵀ.
        let mut v = Mat::from_fn(b.len(), a.len(), |i, k| g[(b[i], a[k])]);
        if !b.is_empty() {
            let h11 = Mat::from_fn(b.len(), b.len(), |i, k| {
                g[(b[i], b[k])] - if i == k { t2_lo / (d[b[i]] * d[b[i]]) } else { 0.0 }
            });
            let l = h11.llt(Side::Lower).ok()?;
            solve_lower_triangular_in_place(l.L(), v.as_mut(), Par::Seq);
        }
        let vtv = v.transpose() * &v;
        let s = Mat::from_fn(a.len(), a.len(), |i, k| {
            d[a[i]] * d[a[k]] * (g[(a[i], a[k])] - vtv[(i, k)]) - if i == k { t2_lo } else { 0.0 }
        });
        let eig = s.self_adjoint_eigenvalues(Side::Lower).ok()?;
        let k4 = kappa.powi(4);
        let rounding = 8.0 * n as f64 * f64::EPSILON * k4 * kappa * kappa * SCHUR_MARGIN * SCHUR_MARGIN * t2_hi;
        let margin = (1.0 + 2.0 * k4) * (t2_hi - t2_lo) + rounding;
        if eig.iter().any(|l| !l.is_finite() || l.abs() <= margin) {
            return None;
        }
        Some(b.len() + eig.iter().filter(|&&l| l > 0.0).count())
    }

    /// [t₋², t₊²] of step 2 of the module doc.
    fn threshold_squared(&self, d: &[f64], tol: f64) -> Option<(f64, f64)> {
        let w: Vec<f64> = d.iter().enumerate().map(|(j, dj)| self.gram[(j, j)] * dj * dj).collect();
        let mut order: Vec<usize> = (0..d.len()).collect();
        order.sort_by(|&x, &y| w[y].total_cmp(&w[x]).then(x.cmp(&y)));
        let top = *w.get(*order.first()?)?;
        // suffix[k] = Σ_{i ≥ k} w[order[i]], summed from the smallest.
        let mut suffix = vec![0.0; d.len() + 1];
        for k in (0..d.len()).rev() {
            suffix[k] = suffix[k + 1] + w[order[k]];
        }
        let p = (0..=d.len()).find(|&k| suffix[k] <= SIGMA1_TAIL * top)?;
        let mut cols = order[..p].to_vec();
        cols.sort_unstable();
        let gp = Mat::from_fn(p, p, |i, k| d[cols[i]] * d[cols[k]] * self.gram[(cols[i], cols[k])]);
        let a2 = gp.self_adjoint_eigenvalues(Side::Lower).ok()?.last().copied()?;
        // λ_max is computed to a few ε relative: widen by 8pε each side.
        let slack = 8.0 * p as f64 * f64::EPSILON * a2;
        let tau2 = tol * tol;
        Some((tau2 * (a2 - slack), tau2 * (a2 + slack + suffix[p])))
    }
}
