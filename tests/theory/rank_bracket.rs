//! The diagonal net's rank bracket (src/linalg/rank/bracket.rs) against the plain SVD: wherever
//! the bracket decides the count without an SVD, it equals the count of the SVD of
//! R·diag(√(u² + v²)) and of the full Jacobian φ_θ(X) at τ = 1e-15, on scales that straddle the
//! threshold by many orders of magnitude.

use faer::Mat;
use largestep::linalg::rank::{
    bracket as rank_bracket, scaled_rank, RankBracket, RankFactor, MARGIN as RANK_BRACKET_MARGIN,
};
use largestep::linalg::{rank_from_singular_values, singular_values, Points};
use largestep::metrics::{jacobian_rank, jacobian_singular_values, RankPoints};
use largestep::model::{DiagonalNet, Model};
use largestep::rng::{ChaChaSource, RandomSource};
use proptest::prelude::*;

const TAU: f64 = 1e-15;

/// θ = (u, v) with |uⱼ|, |vⱼ| spread log-uniformly over [10^-lo, 1], as in the large-step phase
/// (off-support coordinates decay exponentially), some exactly zero.
fn graded_theta(d: usize, lo: f64, seed: u64) -> Vec<f64> {
    let mut rng = ChaChaSource::new(seed);
    let mut theta = vec![0.0; 2 * d];
    for j in 0..d {
        let e = -lo * rng.uniform();
        let (a, b) = (rng.standard_normal(), rng.standard_normal());
        theta[j] = a * 10f64.powf(e);
        theta[d + j] = b * 10f64.powf(e - rng.uniform());
        if rng.uniform() < 0.05 {
            theta[j] = 0.0;
            theta[d + j] = 0.0;
        }
    }
    theta
}

/// R of the QR of 2d Gaussian points in ℝᵈ, with its extreme singular values.
fn factor(d: usize, seed: u64) -> (Mat<f64>, f64, f64) {
    let mut rng = ChaChaSource::new(seed ^ 0xfac7);
    let r = Points::new(rng.gaussian_matrix(2 * d, d), d).to_mat().qr().thin_R().to_owned();
    let s = singular_values(&r).unwrap();
    (r, s[s.len() - 1], s[0])
}

/// One graded case: R of 2d Gaussian points with its extreme singular values, the scales
/// √(uⱼ² + vⱼ²) of [`graded_theta`], and the plain SVD's singular values of R·D (descending).
struct Case {
    r: Mat<f64>,
    s_min: f64,
    s_max: f64,
    scales: Vec<f64>,
    full: Vec<f64>,
}

impl Case {
    fn new(d: usize, lo: f64, seed: u64) -> Self {
        let (r, s_min, s_max) = factor(d, seed);
        let theta = graded_theta(d, lo, seed);
        let scales: Vec<f64> = (0..d).map(|j| theta[j].hypot(theta[d + j])).collect();
        let full = singular_values(&Mat::from_fn(d, d, |i, j| r[(i, j)] * scales[j])).unwrap();
        Self { r, s_min, s_max, scales, full }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Decided counts equal the plain SVD's (of R·D and of φ); undecided counts are the SVD's
    /// and lie in the bracket.
    #[test]
    fn bracket_agrees_with_plain_svd(d in 4usize..40, lo in 0.0f64..40.0, seed in 0u64..10_000) {
        let mut rng = ChaChaSource::new(seed ^ 0x5eed);
        let xs = Points::new(rng.gaussian_matrix(2 * d, d), d);
        let set = RankPoints::new(xs.clone());
        let net = DiagonalNet::new(d, 0.1);
        let theta = graded_theta(d, lo, seed);
        let reduced = rank_from_singular_values(&jacobian_singular_values(&net, &theta, &set).unwrap(), TAU);
        let fast = jacobian_rank(&net, &theta, &set, TAU).unwrap();
        // The ambiguous case takes the SVD of the non-negligible columns only: it may differ
        // from the full d × d SVD only by values the full SVD rounds across τ.
        let s_rd = jacobian_singular_values(&net, &theta, &set).unwrap();
        let near_rd = s_rd.iter().filter(|v| (**v / s_rd[0]) > TAU / 10.0 && (**v / s_rd[0]) < TAU * 10.0).count();
        prop_assert!(fast.abs_diff(reduced) <= near_rd, "rank {} vs SVD of R·D {} ({} near τ)", fast, reduced, near_rd);
        let plain = rank_from_singular_values(&singular_values(&net.jacobian(&theta, &xs)).unwrap(), TAU);
        // The full 2d-column φ rounds differently; it must agree whenever no value is near τ
        // (DESIGN §4; tests/theory/rank.rs bounds the general case).
        let s = singular_values(&net.jacobian(&theta, &xs)).unwrap();
        let near = s.iter().filter(|v| (**v / s[0]) > TAU / 10.0 && (**v / s[0]) < TAU * 10.0).count();
        prop_assert!(plain.abs_diff(fast) <= near, "φ rank {} vs bracketed {}", plain, fast);
    }

    /// The claim of `scaled_rank` (linalg/rank/bracket.rs): dropping the negligible columns moves
    /// every singular value by at most τσ₁/M. At τ = 1e-6 that budget (1e-8·σ₁) dwarfs rounding,
    /// so the test sees the claim itself: the count equals the plain SVD's of the full R·D unless
    /// a value lies within 2/M of the threshold.
    #[test]
    fn dropping_negligible_columns_keeps_the_count(d in 4usize..48, lo in 4.0f64..40.0, seed in 0u64..10_000) {
        let tol = 1e-6;
        let Case { r, s_min, s_max, scales, full } = Case::new(d, lo, seed);
        let fast = scaled_rank(&r, s_min, s_max, &scales, tol).unwrap();
        let plain = rank_from_singular_values(&full, tol);
        let t = tol * full[0];
        let near = full.iter().filter(|v| (**v - t).abs() <= 2.0 * t / RANK_BRACKET_MARGIN + 1e3 * f64::EPSILON * full[0]).count();
        prop_assert!(fast.abs_diff(plain) <= near, "scaled_rank {} vs plain {} ({} near)", fast, plain, near);
        if near == 0 {
            prop_assert_eq!(fast, plain);
        }
    }

    /// At the release's τ = 1e-15 the count is the plain SVD's up to the values that the plain SVD
    /// itself rounds across the threshold (within a factor 10 of τσ₁).
    #[test]
    fn scaled_rank_agrees_with_plain_svd(d in 4usize..48, lo in 0.0f64..40.0, seed in 0u64..10_000) {
        let Case { r, s_min, s_max, scales, full } = Case::new(d, lo, seed);
        let fast = scaled_rank(&r, s_min, s_max, &scales, TAU).unwrap();
        let plain = rank_from_singular_values(&full, TAU);
        let near = full.iter().filter(|v| (**v / full[0]) > TAU / 10.0 && (**v / full[0]) < TAU * 10.0).count();
        prop_assert!(fast.abs_diff(plain) <= near, "scaled_rank {} vs plain {} ({} near τ)", fast, plain, near);
    }

    /// The inertia count (linalg/rank/inertia.rs) is exact: at τ = 1e-6 the plain SVD of R·D is
    /// accurate to ~1e-10 of the threshold, so the two counts are equal; and where no value lies
    /// within 10 % of t the inertia count must decide by itself (its margin is ~0.1 %), without
    /// falling back to an SVD.
    #[test]
    fn inertia_count_equals_the_exact_count(d in 4usize..48, lo in 2.0f64..40.0, seed in 0u64..10_000) {
        let tol = 1e-6;
        let Case { r, scales, full, .. } = Case::new(d, lo, seed);
        let plain = rank_from_singular_values(&full, tol);
        let t = tol * full[0];
        let clear = full.iter().all(|v| (*v - t).abs() > 0.1 * t);
        let f = RankFactor::new(r).unwrap();
        prop_assert_eq!(f.rank(&scales, tol).unwrap(), plain);
        if clear && scales.iter().any(|&v| v > 0.0) {
            prop_assert_eq!(f.inertia_count(&scales, tol), Some(plain));
        }
    }

    /// At the release's τ = 1e-15 the inertia count is the plain SVD's up to the values that the
    /// plain SVD itself rounds across the threshold (within a factor 10 of τσ₁).
    #[test]
    fn rank_factor_agrees_with_plain_svd(d in 4usize..48, lo in 0.0f64..40.0, seed in 0u64..10_000) {
        let Case { r, scales, full, .. } = Case::new(d, lo, seed);
        let fast = RankFactor::new(r).unwrap().rank(&scales, TAU).unwrap();
        let plain = rank_from_singular_values(&full, TAU);
        let near = full.iter().filter(|v| (**v / full[0]) > TAU / 10.0 && (**v / full[0]) < TAU * 10.0).count();
        prop_assert!(fast.abs_diff(plain) <= near, "inertia {} vs plain {} ({} near τ)", fast, plain, near);
    }

    /// With R = I the singular values of R·D are the scales themselves, so every decided count is
    /// the exact count, and the band is [τ/M, τM]·d₁.
    #[test]
    fn identity_factor_gives_exact_counts(exps in proptest::collection::vec(-30.0f64..0.0, 1..60)) {
        let d: Vec<f64> = exps.iter().map(|e| 10f64.powf(*e)).collect();
        let d1 = d.iter().copied().fold(0.0, f64::max);
        let exact = d.iter().filter(|v| **v / d1 > TAU).count();
        match rank_bracket(&d, 1.0, 1.0, TAU) {
            RankBracket::Exact(k) => prop_assert_eq!(k, exact),
            RankBracket::Ambiguous { lower, upper } => {
                prop_assert!(lower <= exact && exact <= upper);
                prop_assert!(d.iter().any(|v| *v / d1 > TAU / RANK_BRACKET_MARGIN && *v / d1 <= TAU * RANK_BRACKET_MARGIN));
            }
        }
    }
}

/// The bracket decides (no SVD) when the scales keep clear of the band, and defers when one
/// scale sits on the threshold.
#[test]
fn bracket_decides_away_from_the_threshold() {
    let d = [1.0, 0.5, 1e-3, 1e-20, 0.0];
    assert_eq!(rank_bracket(&d, 0.5, 2.0, TAU), RankBracket::Exact(3));
    let d = [1.0, 0.5, 1e-15, 0.0];
    assert_eq!(rank_bracket(&d, 0.5, 2.0, TAU), RankBracket::Ambiguous { lower: 2, upper: 3 });
    assert_eq!(rank_bracket(&[0.0, 0.0], 1.0, 1.0, TAU), RankBracket::Exact(0));
    assert!(matches!(rank_bracket(&[1.0, f64::NAN], 1.0, 1.0, TAU), RankBracket::Ambiguous { .. }));
    assert!(matches!(rank_bracket(&[1.0, 0.5], 0.0, 1.0, TAU), RankBracket::Ambiguous { .. }));
}

/// Only the non-negligible columns reach the SVD, yet a column on the threshold still counts and
/// one far below does not (R = I: the singular values are the scales).
#[test]
fn scaled_rank_on_the_threshold() {
    let r = Mat::<f64>::identity(5, 5);
    // 3e-15 > τ: counted; 5e-16 < τ: not; 1e-40: dropped before the SVD.
    let d = [1.0, 1e-3, 3e-15, 5e-16, 1e-40];
    assert_eq!(scaled_rank(&r, 1.0, 1.0, &d, TAU).unwrap(), 3);
    // A wide factor (no bracket) still gives the plain count.
    let wide = Mat::from_fn(2, 3, |i, j| if i == j { 1.0 } else { 0.0 });
    assert_eq!(scaled_rank(&wide, 0.0, 1.0, &[1.0, 1e-20, 0.0], TAU).unwrap(), 1);
}

/// The inertia count on R = I (singular values = scales): values on either side of the threshold
/// are counted exactly, a value within the margin of the threshold is left undecided (`None`, the
/// SVD decides), and a wide factor (no bracket) is never counted by inertia.
#[test]
fn inertia_count_on_the_threshold() {
    let f = RankFactor::new(Mat::<f64>::identity(5, 5)).unwrap();
    assert_eq!(f.inertia_count(&[1.0, 1e-3, 3e-15, 5e-16, 1e-40], TAU), Some(3));
    assert_eq!(f.inertia_count(&[1.0, 1e-3, 1.000000000000001e-15, 0.0, 1e-40], TAU), None);
    assert_eq!(f.rank(&[1.0, 1e-3, 1.000000000000001e-15, 0.0, 1e-40], TAU).unwrap(), 3);
    let wide = RankFactor::new(Mat::from_fn(2, 3, |i, j| if i == j { 1.0 } else { 0.0 })).unwrap();
    assert_eq!(wide.inertia_count(&[1.0, 1e-20, 0.0], TAU), None);
    assert_eq!(wide.rank(&[1.0, 1e-20, 0.0], TAU).unwrap(), 1);
}
