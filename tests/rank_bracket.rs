//! The diagonal net's rank bracket (src/metrics/rank_bracket.rs) against the plain SVD: wherever
//! the bracket decides the count without an SVD, it equals the count of the SVD of
//! R·diag(√(u² + v²)) and of the full Jacobian φ_θ(X) at τ = 1e-15, on scales that straddle the
//! threshold by many orders of magnitude.

use largestep::linalg::{rank_from_singular_values, singular_values, Points};
use largestep::metrics::{rank_bracket, RankBracket, RANK_BRACKET_MARGIN};
use largestep::model::{DiagonalNet, Model, PointSet};
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Decided counts equal the plain SVD's (of R·D and of φ); undecided counts are the SVD's
    /// and lie in the bracket.
    #[test]
    fn bracket_agrees_with_plain_svd(d in 4usize..40, lo in 0.0f64..40.0, seed in 0u64..10_000) {
        let mut rng = ChaChaSource::new(seed ^ 0x5eed);
        let xs = Points::new(rng.gaussian_matrix(2 * d, d), d);
        let set = PointSet::new(xs.clone());
        let net = DiagonalNet::new(d, 0.1);
        let theta = graded_theta(d, lo, seed);
        let reduced = rank_from_singular_values(&net.jacobian_singular_values(&theta, &set).unwrap(), TAU);
        let fast = net.jacobian_rank(&theta, &set, TAU).unwrap();
        prop_assert_eq!(fast, reduced, "bracketed rank vs SVD of R·D");
        let plain = rank_from_singular_values(&singular_values(&net.jacobian(&theta, &xs)).unwrap(), TAU);
        // The full 2d-column φ rounds differently; it must agree whenever no value is near τ
        // (DESIGN §4; tests/rank.rs bounds the general case).
        let s = singular_values(&net.jacobian(&theta, &xs)).unwrap();
        let near = s.iter().filter(|v| (**v / s[0]) > TAU / 10.0 && (**v / s[0]) < TAU * 10.0).count();
        prop_assert!(plain.abs_diff(fast) <= near, "φ rank {} vs bracketed {}", plain, fast);
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
