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
//! have to be ~M·τ/ε ≈ 450 ulps of σ₁ to change the count; inside it the caller runs the SVD,
//! so the count is the plain SVD's by construction. `tests/rank_bracket.rs` checks the bracketed
//! count against the plain SVD on random graded scales that straddle the band.

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
