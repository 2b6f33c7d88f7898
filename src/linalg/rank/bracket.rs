//! A bracket on the numerical rank of R·D, D = diag(d) ≥ 0, from the diagonal alone.
//!
//! The diagonal net's rank (DESIGN §4) is rank_τ(R·D) = #{i : σᵢ(RD) > τ·σ₁(RD)} with R the fixed
//! d × d factor of the evaluation points (X = QR, once per run) and dⱼ = √(uⱼ² + vⱼ²). Let
//! s₋ = σ_min(R) > 0, s₊ = σ_max(R), κ = s₊/s₋ and d₁ = maxⱼ dⱼ. Then:
//!
//! 1. σ₁(RD) ∈ [s₋·d₁, s₊·d₁]: ‖RD‖ ≤ ‖R‖‖D‖ = s₊d₁, and ‖RD e₁*‖ = d₁‖R e₁*‖ ≥ s₋d₁ for the
//!    column j* of d₁.
//! 2. Split the columns into B = {j : dⱼ/d₁ > τκ}, S = {j : dⱼ/d₁ ≤ τ/κ} and the rest A.
//!    *Lower bound.* RD restricted to the columns B is R_B·D_B; R_B has full column rank with
//!    σ_min(R_B) ≥ s₋ (its columns are a subset of an invertible R's), so σ_{|B|}(R_B D_B) ≥
//!    s₋·min_B dⱼ > s₋·τκ·d₁ = τ·s₊d₁ ≥ τσ₁(RD). Adding columns never lowers the k-th singular
//!    value (interlacing: σ_k([M, N]) ≥ σ_k(M)), so σ_{|B|}(RD) > τσ₁(RD): rank ≥ |B|.
//!    *Upper bound.* RD = [R_{B∪A}D_{B∪A}, 0] + [0, R_S D_S] (columns permuted, which does not
//!    change singular values); the first term has rank ≤ |B| + |A|, so by Weyl's inequality
//!    σ_{|B|+|A|+1}(RD) ≤ σ₁(R_S D_S) ≤ s₊·max_S dⱼ ≤ s₊·τ d₁/κ = τ·s₋d₁ ≤ τσ₁(RD), not counted
//!    (the count is strict): rank ≤ |B| + |A|.
//! 3. So rank ∈ [|B|, |B| + |A|], exact when A is empty; only then is the SVD skipped.
//!
//! **Rounding.** These bounds hold for exact singular values; the rank the release reports is
//! that of a computed SVD, whose values carry an absolute error of order ε·σ₁ ≈ 2.2e-16·σ₁, near
//! τ = 1e-15. The bracket therefore widens the band A by a factor [`MARGIN`] on each side: a
//! column is in B only when dⱼ/d₁ > τκ·M and in S only when dⱼ/d₁ ≤ τ/(κM). Outside the band
//! the exact values are more than M-fold away from the threshold, so the SVD's rounding would
//! have to be ~M·τ/ε ≈ 450 ulps of σ₁ to change the count; inside it an SVD decides (of the
//! non-negligible columns only, see below). Below the band the exact values are at most
//! τσ₁/M; a computed SVD reports them with its own absolute rounding (a few ε·σ₁, i.e. about
//! τσ₁ itself at τ = 1e-15), so there no method — the plain SVD included — decides the count
//! beyond rounding, and the bracket takes the exact count. `tests/theory/rank_bracket.rs` checks the
//! bracketed count against the plain SVD on random graded scales that straddle the band.
//!
//! # The ambiguous case: SVD of the non-negligible columns only ([`scaled_rank`])
//!
//! Near the divergence edge almost every grid point is ambiguous (the off-support scales decay
//! through the band), and a full d × d SVD per grid point dominated the run. But the columns
//! of tiny scale barely matter: with cⱼ = ‖R eⱼ‖ the column norms of R, order the scales
//! ascending and let S be the longest prefix with
//!
//!   F_S := (Σ_{j∈S} cⱼ² dⱼ²)^{1/2} ≤ τ·σ₁⁻ / M,   σ₁⁻ := maxⱼ cⱼ dⱼ.
//!
//! *Claim.* Let K be the other columns and σ̃ₖ the singular values of R_K·D_K. Then
//! |σₖ(RD) − σ̃ₖ| ≤ τσ₁(RD)/M for every k, so the exact counts of RD and of R_K D_K at τ differ
//! only for singular values within a relative 2/M (2 %) of the threshold τσ₁.
//!
//! *Proof.* Permuting columns leaves singular values unchanged, so RD ~ [R_K D_K, R_S D_S] =
//! [R_K D_K, 0] + [0, R_S D_S]. The singular values of [R_K D_K, 0] are σ̃ (plus zeros). By Weyl's
//! inequality |σₖ(A + E) − σₖ(A)| ≤ ‖E‖₂ ≤ ‖E‖_F = F_S ≤ τσ₁⁻/M, and σ₁⁻ = ‖RD eⱼ*‖ ≤ σ₁(RD).
//! The threshold moves with σ₁ by at most τ·(τσ₁/M) — negligible. ∎
//!
//! So the reduced SVD answers as the plain one does up to a perturbation 2/M of the threshold,
//! far inside the plain SVD's own rounding there (ε/τ ≈ 22 % per ulp of σ₁). R is upper
//! triangular, so R_K has nonzero rows only up to max K; those rows are all the SVD sees. In a
//! run the kept columns are the support plus the scales still decaying through the band, a
//! fraction of d, and the SVD of a d × m block costs O(d m²) instead of O(d³).

use faer::Mat;

/// Safety factor on each side of the ambiguous band (see the module doc).
pub const MARGIN: f64 = 100.0;

/// The rank decided from the diagonal, or the range it is known to lie in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankBracket {
    /// The count is decided: no scale lies in the ambiguous band.
    Exact(usize),
    /// The count lies in `[lower, upper]`; an SVD decides it.
    Ambiguous {
        /// |B|: scales certainly counted.
        lower: usize,
        /// |B| + |A|.
        upper: usize,
    },
}

/// Brackets rank_τ(R·diag(d)) given σ_min(R) = `s_min` > 0 and σ_max(R) = `s_max` (module doc).
/// NaN or infinite scales, or a singular R, give `Ambiguous` over the whole range.
pub fn bracket(d: &[f64], s_min: f64, s_max: f64, tol: f64) -> RankBracket {
    let d1 = d.iter().copied().fold(0.0_f64, f64::max);
    if !(s_min > 0.0 && s_max.is_finite() && d1.is_finite()) || d.iter().any(|v| v.is_nan()) {
        return RankBracket::Ambiguous { lower: 0, upper: d.len() };
    }
    if d1 == 0.0 {
        return RankBracket::Exact(0);
    }
    let kappa = s_max / s_min;
    let (hi, lo) = (tol * kappa * MARGIN * d1, tol / (kappa * MARGIN) * d1);
    let big = d.iter().filter(|&&v| v > hi).count();
    let small = d.iter().filter(|&&v| v <= lo).count();
    let ambiguous = d.len() - big - small;
    if ambiguous == 0 {
        RankBracket::Exact(big)
    } else {
        RankBracket::Ambiguous { lower: big, upper: big + ambiguous }
    }
}

/// rank_τ(R·diag(d)) (module doc): decided by [`bracket`] from the scales when it can, else by
/// the SVD of the columns that are not negligible (the claim of the module doc). `r` is the fixed
/// factor with σ_min(R) = `s_min`, σ_max(R) = `s_max`; non-finite scales or `s_min = 0` (no bracket)
/// take the SVD of every column.
pub fn scaled_rank(r: &Mat<f64>, s_min: f64, s_max: f64, d: &[f64], tol: f64) -> Result<usize, String> {
    let keep: Vec<usize> = match bracket(d, s_min, s_max, tol) {
        RankBracket::Exact(k) => return Ok(k),
        RankBracket::Ambiguous { .. } if d.iter().all(|v| v.is_finite()) => kept_columns(r, d, tol),
        RankBracket::Ambiguous { .. } => (0..d.len()).collect(),
    };
    // Rows below the last kept column are zero in an upper-triangular R (and stay so after
    // scaling): they do not change the singular values.
    let rows = if is_upper_triangular(r) { keep.last().map_or(0, |&j| j + 1).min(r.nrows()) } else { r.nrows() };
    let m = Mat::from_fn(rows, keep.len(), |i, k| r[(i, keep[k])] * d[keep[k]]);
    Ok(super::rank_from_singular_values(&super::singular_values(&m)?, tol))
}

/// K of the module doc: every column but the longest ascending-scale prefix S with
/// ‖R_S D_S‖_F ≤ τ·maxⱼ ‖R eⱼ‖dⱼ / M, in increasing column order.
fn kept_columns(r: &Mat<f64>, d: &[f64], tol: f64) -> Vec<usize> {
    // cⱼ by a plain sum of squares (R's entries are O(1)·√n: no overflow); only rows ≤ j of an
    // upper-triangular R are nonzero, but summing the zeros changes nothing.
    let w: Vec<f64> =
        (0..d.len()).map(|j| (0..r.nrows()).map(|i| r[(i, j)] * r[(i, j)]).sum::<f64>().sqrt() * d[j]).collect();
    let budget = tol * w.iter().copied().fold(0.0, f64::max) / MARGIN;
    drop_negligible((0..d.len()).collect(), d, |j| w[j] * w[j], budget)
}

/// `cols` without the longest ascending-scale prefix S whose weight (Σ_{j∈S} `w2(j)`)^{1/2} stays
/// ≤ `budget`, in increasing column order. With `w2(j)` = ‖R eⱼ‖²dⱼ², ‖R_S D_S‖₂ ≤ ‖R_S D_S‖_F ≤
/// `budget`, so by Weyl's inequality dropping S moves every singular value by at most `budget`
/// (used here and by the inertia count, `inertia.rs` step 4).
pub(super) fn drop_negligible(mut cols: Vec<usize>, d: &[f64], w2: impl Fn(usize) -> f64, budget: f64) -> Vec<usize> {
    cols.sort_by(|&a, &b| d[a].total_cmp(&d[b]).then(a.cmp(&b)));
    let mut acc = 0.0;
    let dropped = cols
        .iter()
        .take_while(|&&j| {
            acc += w2(j);
            acc.sqrt() <= budget
        })
        .count();
    let mut keep = cols.split_off(dropped);
    keep.sort_unstable();
    keep
}

fn is_upper_triangular(r: &Mat<f64>) -> bool {
    (0..r.ncols()).all(|j| (j + 1..r.nrows()).all(|i| r[(i, j)] == 0.0))
}
