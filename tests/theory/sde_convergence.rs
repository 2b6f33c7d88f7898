//! Euler–Maruyama convergence orders on nested grids Δt = T·2⁻ᵏ (docs/DESIGN.md §5), least-squares slopes
//! of ln(error) against ln(Δt), fixed seeds. The path counts are `convergence::{GBM_PATHS,
//! LINEAR_PATHS, ADDITIVE_PATHS}`; the spreads quoted below are the sample standard deviations of
//! each slope over 20 base seeds (`largestep sde-vs-sgd --order-sweep 20`, seeds 1000–1019).

use largestep::sde::convergence::{
    additive_study, gbm_study, linear_multiplicative_study, moments_observable, ADDITIVE_PATHS, GBM_PATHS,
    LINEAR_PATHS, LINEAR_X0,
};
use largestep::sde::reference::{Gbm, LinearAdditive, LinearMultiplicative};

/// GBM du = 1.01u dt + 0.87u dW, u₀ = ½, T = 1, exact solution on the same path, Δt = 2⁻²…2⁻⁸,
/// 40 000 paths: strong order 0.5 ± 0.1 and weak order 1.0 ± 0.15. Over 20 seeds: strong slope
/// sd 0.0020 (range 0.482–0.490), weak slope sd 0.022 (range 0.914–1.009).
#[test]
fn gbm_strong_half_weak_one() {
    let s = gbm_study(7, GBM_PATHS);
    assert!((s.strong_order - 0.5).abs() < 0.1, "strong order {} (errors {:?})", s.strong_order, s.strong);
    assert!((s.weak_order - 1.0).abs() < 0.15, "weak order {} (errors {:?})", s.weak_order, s.weak);
    // Errors shrink monotonically with Δt (strong: each halving by about 2^-1/2).
    assert!(s.strong.windows(2).all(|w| w[1] < w[0]), "{:?}", s.strong);
    // The exact-path solution has the closed-form mean u₀e^{μT} (within 4 standard errors).
    let g = Gbm::standard();
    let sd = 0.5 * 1.01f64.exp() * (0.87f64.powi(2).exp_m1()).sqrt();
    let se = sd / (GBM_PATHS as f64).sqrt();
    assert!(
        (s.reference_mean[0] - g.mean(0.5, 1.0)).abs() < 4.0 * se,
        "{} vs {}",
        s.reference_mean[0],
        g.mean(0.5, 1.0)
    );
}

/// Linear SDE with state-dependent full 3 × 2 noise G(X) = [B₁X, B₂X] (commuting A, Bₖ), exact
/// solution on the path, Δt = 2⁻³…2⁻⁸, 40 000 paths: strong order 0.5 ± 0.1, weak order (first
/// and second moments) 1.0 ± 0.15. Over 20 seeds: strong sd 0.0014 (range 0.505–0.511), weak sd 0.043 (range 0.914–1.075).
#[test]
fn matrix_noise_orders_and_closed_form_moments() {
    let s = linear_multiplicative_study(11, LINEAR_PATHS);
    assert!((s.strong_order - 0.5).abs() < 0.1, "strong order {} ({:?})", s.strong_order, s.strong);
    assert!((s.weak_order - 1.0).abs() < 0.15, "weak order {} ({:?})", s.weak_order, s.weak);
    // Sample moments of the exact-path solution and of EM at the finest Δt against the closed
    // form: E X and E XXᵀ (relative tolerance 3 %: Monte-Carlo error of 40 000 paths is < 1 %,
    // EM's bias at Δt = 2⁻⁸ is < 0.5 %).
    let (m1, m2) = LinearMultiplicative::standard().moments(&LINEAR_X0, 1.0);
    let mut closed: Vec<f64> = m1.to_vec();
    for (i, row) in m2.iter().enumerate() {
        closed.extend_from_slice(&row[i..]);
    }
    let finest = s.level_means.last().unwrap();
    let scale = closed.iter().map(|v| v.abs()).fold(0.0, f64::max);
    for (k, c) in closed.iter().enumerate() {
        assert!((s.reference_mean[k] - c).abs() < 0.03 * scale, "exact moment {k}: {} vs {c}", s.reference_mean[k]);
        assert!((finest[k] - c).abs() < 0.03 * scale, "EM moment {k}: {} vs {c}", finest[k]);
    }
    assert_eq!(moments_observable(&LINEAR_X0).len(), closed.len());
}

/// Additive noise dX = AX dt + B dW (B 3 × 2): EM has strong order 1 (here 1.0 ± 0.1), against EM
/// at Δt = 2⁻¹⁴ on the same path, Δt = 2⁻³…2⁻⁸, 250 paths. Over 20 seeds: strong
/// sd 0.009 (range 0.990–1.027). The finest level's moments match the closed-form mean and covariance.
#[test]
fn additive_noise_strong_order_one() {
    let s = additive_study(3, ADDITIVE_PATHS);
    assert!((s.strong_order - 1.0).abs() < 0.1, "strong order {} ({:?})", s.strong_order, s.strong);
    let (m, cov) = LinearAdditive::standard().moments(&LINEAR_X0, 1.0);
    let r = &s.reference_mean;
    // E X within 4 standard errors (sd ≤ ‖cov‖^½).
    let se = (0..3).map(|i| cov[i][i]).fold(0.0, f64::max).sqrt() / (ADDITIVE_PATHS as f64).sqrt();
    for i in 0..3 {
        assert!((r[i] - m[i]).abs() < 4.0 * se, "mean {i}: {} vs {}", r[i], m[i]);
    }
    // Second moments E XᵢXⱼ = Covᵢⱼ + mᵢmⱼ (15 %: 250 paths).
    let mut k = 3;
    for i in 0..3 {
        for j in i..3 {
            let e = cov[i][j] + m[i] * m[j];
            assert!((r[k] - e).abs() < 0.15 * (cov[i][i] * cov[j][j]).sqrt() + 4.0 * se, "E X{i}X{j}: {} vs {e}", r[k]);
            k += 1;
        }
    }
}
