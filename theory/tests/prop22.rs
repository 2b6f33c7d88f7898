//! Proposition 2.2 / B.1 (loss stabilization of SGD on y = xθ*², Eq. 5), checked by simulation.
//!
//! Case counts are set deliberately: each in-window case simulates 10⁵ steps (≈ 4 ms in the
//! test profile, opt-level 2), so 48 cases cost ≈ 0.2 s; the discrimination properties run 32
//! cases each of 2·10⁴ steps. The "as written" tests replay the fixed counterexamples of
//! `largestep_theory::counterexample` and assert that they do break the statement.

use largestep_theory::counterexample;
use largestep_theory::distribution::Rho;
use largestep_theory::stabilization::{simulate, window, Setting};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A law on [a, b] with b/a < √1.25 (so the window is non-empty), a ∈ [0.2, 5].
fn rho() -> impl Strategy<Value = Rho> {
    (0.2f64..5.0, 0.0f64..0.999, 0usize..4, 0.05f64..0.95, 0.5f64..5.0, 0.5f64..5.0, 2usize..40, any::<u64>()).prop_map(
        |(a, r, kind, p, alpha, beta, m, seed)| {
            let b = a * (1.0 + r * (1.25f64.sqrt() - 1.0));
            match kind {
                0 => Rho::Uniform { a, b },
                1 => Rho::TwoPoint { lo: a, hi: b, p },
                2 => Rho::Beta { a, b, alpha, beta },
                _ => {
                    let mut rng = ChaCha8Rng::seed_from_u64(seed);
                    let u = Rho::Uniform { a, b };
                    Rho::Empirical((0..m).map(|_| u.sample(&mut rng)).collect())
                }
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// In the window, over 10⁵ steps: the iterates stay in (0, 1.162θ*) (Lemma B.2); after a
    /// burn-in T they alternate between (0.65θ*, (1−ε₀)θ*) and ((1+ε₀)θ*, 1.162θ*) (Lemma B.3,
    /// Eq. 7); the loss then stays in the band those intervals imply (Eq. 22 corrected).
    #[test]
    fn stabilizes_in_the_window(rho in rho(), theta_star in 0.3f64..3.0, f in 0.01f64..0.99,
                                u0 in 0.001f64..0.999, seed in any::<u64>()) {
        let (lo, hi) = window(&rho, theta_star);
        let setting = Setting { rho, theta_star, eta: lo + f * (hi - lo) };
        prop_assert!(setting.in_window());
        let steps = 100_000;
        let run = simulate(&setting, u0 * theta_star, steps, &mut ChaCha8Rng::seed_from_u64(seed));
        prop_assert_eq!(run.first_exit, None, "left (0, 1.162 theta*)");
        let t = run.burn_in.expect("no alternation at the end of the run");
        prop_assert!(t <= 1000, "burn-in T = {} unusually long", t);
        let ((_, fmin), (_, fmax)) = run.loss_extremes_after.unwrap();
        let (b1, b2) = setting.band_after_burn_in();
        prop_assert!(b1 < fmin && fmax < b2, "loss [{fmin}, {fmax}] outside ({b1}, {b2})");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Below the window (every γ = ηθ*²x² < 1) the iterates converge to θ*: no stabilization.
    #[test]
    fn converges_below_the_window(rho in rho(), theta_star in 0.3f64..3.0, f in 0.05f64..0.95,
                                  u0 in 0.01f64..0.999, seed in any::<u64>()) {
        let (_, b) = rho.support();
        let setting = Setting { rho, theta_star, eta: f * (theta_star * b).powi(-2) };
        let run = simulate(&setting, u0 * theta_star, 20_000, &mut ChaCha8Rng::seed_from_u64(seed));
        prop_assert!(run.converged(), "tail distance {}", run.tail_distance);
        prop_assert!(setting.loss(run.last_theta) < 1e-12 * theta_star.powi(4) * setting.rho.second_moment());
    }

    /// Well above the window (η ≥ 1.5× its upper end) the iterates leave (0, 1.162θ*); from
    /// 2.5× on (γ_min ≥ 2.5) they diverge.
    #[test]
    fn leaves_or_diverges_above_the_window(rho in rho(), theta_star in 0.3f64..3.0, f in 1.5f64..4.0,
                                           u0 in 0.01f64..0.999, seed in any::<u64>()) {
        let (_, hi) = window(&rho, theta_star);
        let setting = Setting { rho, theta_star, eta: f * hi };
        let run = simulate(&setting, u0 * theta_star, 20_000, &mut ChaCha8Rng::seed_from_u64(seed));
        prop_assert!(run.first_exit.is_some());
        if f >= 2.5 {
            prop_assert!(run.diverged_at.is_some());
        }
    }
}

/// Each counterexample is an instance the proposition covers (η in the window, θ₀ in (0, θ*))
/// and breaks the statement as written.
#[test]
fn statement_as_written_has_counterexamples() {
    for c in counterexample::all() {
        assert!(c.setting.in_window(), "{}: eta outside the window", c.statement);
        assert!(c.theta0 > 0.0 && c.theta0 < c.setting.theta_star);
        assert!(c.breaks, "{}: {} — {}", c.statement, c.describe_instance(), c.observed);
    }
}

/// The atom counterexample also in floating point: from θ₀ = 0.6 every path whose first draw is
/// x = 1 sits at θ* (to rounding) for a while instead of alternating; with a density it does not.
#[test]
fn atom_path_sits_on_theta_star() {
    let c = counterexample::atom_lands_on_theta_star();
    let theta1 = c.setting.step(0.6, 1.0);
    assert!((theta1 - 1.0).abs() <= 2.0 * f64::EPSILON, "theta_1 = {theta1}");
    assert!(c.setting.loss(theta1) < 1e-30);
}
