//! Jacobian rank: matrices of known rank, and the diagonal net's structured shortcut
//! (φφᵀ = X diag(u² + v²) Xᵀ, singular values of R·diag(√(u² + v²)) with X = QR) against the
//! plain SVD of φ.

use crate::common::tol;
use faer::Mat;
use largestep::linalg::{rank, rank_from_singular_values, singular_values, Points};
use largestep::metrics::{jacobian_singular_values, RankPoints};
use largestep::model::{DiagonalNet, Model};
use largestep::rng::{ChaChaSource, RandomSource};
use proptest::prelude::*;

/// A rank-k matrix m × n as a product of Gaussian factors.
fn low_rank(m: usize, n: usize, k: usize, seed: u64) -> Mat<f64> {
    let mut rng = ChaChaSource::new(seed);
    let a = Mat::from_fn(m, k, |_, _| rng.standard_normal());
    let b = Mat::from_fn(k, n, |_, _| rng.standard_normal());
    &a * &b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn known_rank(m in 1usize..40, n in 1usize..40, k in 0usize..40, seed in 0u64..1000) {
        let k = k.min(m).min(n);
        let r = rank(&low_rank(m, n, k, seed), 1e-10).unwrap();
        prop_assert_eq!(r, k);
    }
}

/// A matrix m × n with singular values `sigma` (in order) and random orthonormal factors.
fn with_singular_values(m: usize, n: usize, sigma: &[f64], seed: u64) -> Mat<f64> {
    let mut rng = ChaChaSource::new(seed);
    let u = Mat::from_fn(m, m, |_, _| rng.standard_normal()).qr().compute_Q();
    let v = Mat::from_fn(n, n, |_, _| rng.standard_normal()).qr().compute_Q();
    let s = Mat::from_fn(m, n, |i, j| if i == j && i < sigma.len() { sigma[i] } else { 0.0 });
    &u * &s * v.transpose()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// `rank` (Gram eigenvalues, SVD near the threshold) counts what the SVD counts, on spectra
    /// spread over 12 decades around τ = 10⁻⁴, with values near the threshold and exact zeros.
    #[test]
    fn gram_count_is_the_svd_count(m in 1usize..30, n in 1usize..30, exps in prop::collection::vec(-12.0f64..1.0, 1..30), near in 0usize..3, seed in 0u64..1000) {
        let k = m.min(n);
        let mut sigma: Vec<f64> = exps.iter().take(k).map(|e| 10f64.powf(*e)).collect();
        if let Some(first) = sigma.first_mut() {
            *first = 10.0;
        }
        for (i, s) in sigma.iter_mut().enumerate().skip(1).take(near) {
            *s = 10.0 * 1e-4 * (1.0 + (i as f64 - 1.5) * 1e-9);
        }
        let a = with_singular_values(m, n, &sigma, seed);
        let svd = rank_from_singular_values(&singular_values(&a).unwrap(), 1e-4);
        prop_assert_eq!(rank(&a, 1e-4).unwrap(), svd);
    }
}

#[test]
fn rank_threshold_is_strict_and_relative() {
    assert_eq!(rank_from_singular_values(&[2.0, 1.0, 2e-15], 1e-15), 2);
    assert_eq!(rank_from_singular_values(&[2.0, 1.0, 2.1e-15], 1e-15), 3);
    assert_eq!(rank_from_singular_values(&[0.0, 0.0], 1e-15), 0);
    assert_eq!(rank_from_singular_values(&[], 1e-15), 0);
    assert_eq!(rank_from_singular_values(&[1.0, f64::NAN], 0.5), 1);
}

/// A seeded stream, d = 25, 60 Gaussian points (as points and as a rank point set) and the
/// diagonal net on ℝ²⁵.
fn diagonal_setup(seed: u64) -> (ChaChaSource, usize, Points, RankPoints, DiagonalNet) {
    let mut rng = ChaChaSource::new(seed);
    let (n, d) = (60, 25);
    let xs = Points::new(rng.gaussian_matrix(n, d), d);
    let set = RankPoints::new(xs.clone());
    (rng, d, xs, set, DiagonalNet::new(d, 0.1))
}

/// The shortcut and the plain SVD of φ agree on the singular values to 64·p·ε relative (of
/// σ_max), and on the rank at τ = 1e-4 and τ = 1e-10 where the gap is wide. At τ = 1e-15 the
/// threshold sits at the SVD's own rounding level (backward error ≈ p·ε·σ_max with p = 50,
/// ε = 2.2e-16), so on these spread spectra rounding decides what is counted: the counts are
/// printed, not asserted (see `rank_at_1e15_on_gap_separated_spectra` for the assertion).
#[test]
fn diagonal_shortcut_matches_plain_svd() {
    let (mut rng, d, xs, set, net) = diagonal_setup(7);
    for case in 0..20 {
        let mut theta: Vec<f64> = (0..2 * d).map(|_| rng.standard_normal()).collect();
        // Spread the scales over many orders of magnitude, as during the large-step phase.
        for (j, t) in theta.iter_mut().enumerate() {
            *t *= 10f64.powi(-(((j * (case + 1)) % 23) as i32));
        }
        let plain = singular_values(&net.jacobian(&theta, &xs)).unwrap();
        let fast = jacobian_singular_values(&net, &theta, &set).unwrap();
        let smax = plain[0];
        // Both routes' backward errors (the SVDs and the QR) are a few p·ε·σ_max, p = 2d columns.
        let bound = tol(64.0, 2 * d, smax);
        assert!((fast[0] - smax).abs() <= bound, "σ_max {} vs {}", fast[0], smax);
        for (a, b) in plain.iter().zip(&fast) {
            assert!((a - b).abs() <= bound, "case {case}: σ {a} vs {b} (bound {bound:e})");
        }
        for tol in [1e-4, 1e-10] {
            assert_eq!(rank_from_singular_values(&plain, tol), rank_from_singular_values(&fast, tol));
        }
        let (rp, rf) = (rank_from_singular_values(&plain, 1e-15), rank_from_singular_values(&fast, 1e-15));
        println!("case {case}: τ = 1e-15 ranks plain {rp}, shortcut {rf}");
    }
}

/// τ = 1e-15 with an answer known before computing: coordinate scales s_j = √(u_j² + v_j²)
/// drawn from {1, 1e-3, 1e-6, 1e-9, 1e-12} ∪ {0}. For X of full column rank,
/// σ_min(X)·σ_i(D) ≤ σ_i(X·D) ≤ σ_max(X)·σ_i(D) (D = diag s), so every non-zero scale gives a
/// singular value ≥ 1e-12/κ(X) ≈ 1e-13 of σ_max (100× above the threshold), and every zero
/// scale gives two exactly zero columns of φ. The rank at τ = 1e-15 is therefore the number of
/// non-zero scales, for the plain SVD and the shortcut alike: no allowance.
#[test]
fn rank_at_1e15_on_gap_separated_spectra() {
    let (_, d, xs, set, net) = diagonal_setup(11);
    let scales = [1.0, 1e-3, 1e-6, 1e-9, 1e-12, 0.0];
    for case in 0..20u64 {
        let mut pick = ChaChaSource::new(100 + case);
        let s: Vec<f64> =
            (0..d).map(|_| scales[(pick.uniform() * scales.len() as f64) as usize % scales.len()]).collect();
        let expected = s.iter().filter(|v| **v > 0.0).count();
        // u_j = s_j cos a, v_j = s_j sin a, so √(u² + v²) = s_j up to rounding.
        let mut theta = vec![0.0; 2 * d];
        for j in 0..d {
            let a = pick.uniform() * std::f64::consts::TAU;
            theta[j] = s[j] * a.cos();
            theta[d + j] = s[j] * a.sin();
        }
        let plain = singular_values(&net.jacobian(&theta, &xs)).unwrap();
        let fast = jacobian_singular_values(&net, &theta, &set).unwrap();
        assert_eq!(rank_from_singular_values(&plain, 1e-15), expected, "case {case}: plain SVD");
        assert_eq!(rank_from_singular_values(&fast, 1e-15), expected, "case {case}: shortcut");
    }
}
