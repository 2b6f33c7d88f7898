//! Concrete counterexamples to Proposition 2.2 / B.1 *as written*, each a reproducible
//! trajectory: the law ρ̂, θ*, η, θ₀, the time t and the value that breaks the statement.
//!
//! Every η here lies inside the step-size window of Prop. B.1, and every θ₀ in (0, θ*), so each
//! one is an instance the proposition covers. The module docs of [`crate::stabilization`] list
//! what holds instead.

use crate::distribution::Rho;
use crate::stabilization::{self, lands_exactly_on_one, window, Setting, Side};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A trajectory that breaks one part of the statement.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// Which part of the statement, as the paper writes it.
    pub statement: &'static str,
    /// The instance.
    pub setting: Setting,
    /// θ₀.
    pub theta0: f64,
    /// The seed of the x-stream (`ChaCha8Rng::seed_from_u64`).
    pub seed: u64,
    /// The time at which it breaks.
    pub t: usize,
    /// What is observed at t, in words with numbers.
    pub observed: String,
    /// True when the observation contradicts the statement (checked, not assumed).
    pub breaks: bool,
}

impl Counterexample {
    /// `rho=…, θ*=…, η=…, θ₀=…, t=…`.
    pub fn describe_instance(&self) -> String {
        format!(
            "rho={}, theta*={}, eta={:.6} (window {:.6}..{:.6}), theta0={}, seed={}, t={}",
            self.setting.rho.describe(),
            self.setting.theta_star,
            self.setting.eta,
            window(&self.setting.rho, self.setting.theta_star).0,
            window(&self.setting.rho, self.setting.theta_star).1,
            self.theta0,
            self.seed,
            self.t
        )
    }
}

/// The midpoint of the window for ρ̂ and θ*.
pub fn mid_window(rho: &Rho, theta_star: f64) -> Setting {
    let (lo, hi) = window(rho, theta_star);
    Setting { rho: rho.clone(), theta_star, eta: 0.5 * (lo + hi) }
}

/// Eq. (22), lower end, "for t ∈ ℕ": θ₀ just below θ* gives F(θ₁) ≪ ε₀²θ*².
pub fn band_lower_at_t1() -> Counterexample {
    let setting = mid_window(&Rho::Uniform { a: 1.0, b: 1.05 }, 1.0);
    let theta0 = 1.0 - 1e-6;
    let run = stabilization::simulate(&setting, theta0, 1, &mut ChaCha8Rng::seed_from_u64(0));
    let f1 = run.loss_extremes.0 .1;
    let (d1, _) = setting.paper_band();
    Counterexample {
        statement: "Eq. (22): F(theta_t) > eps0^2 theta*^2 for all t",
        observed: format!("F(theta_1) = {f1:.3e} <= eps0^2 theta*^2 = {d1:.3e}"),
        breaks: f1 <= d1,
        setting,
        theta0,
        seed: 0,
        t: 1,
    }
}

/// Eq. (22), upper end, "for t ∈ ℕ": θ₀ near 0 gives F(θ₁) ≈ ¼E[x²]θ*⁴ > 0.17θ*².
pub fn band_upper_at_t1() -> Counterexample {
    let setting = mid_window(&Rho::Uniform { a: 1.0, b: 1.05 }, 1.0);
    let theta0 = 0.01;
    let run = stabilization::simulate(&setting, theta0, 1, &mut ChaCha8Rng::seed_from_u64(0));
    let f1 = run.loss_extremes.1 .1;
    let (_, d2) = setting.paper_band();
    Counterexample {
        statement: "Eq. (22): F(theta_t) < 0.17 theta*^2 for all t",
        observed: format!("F(theta_1) = {f1:.4} >= 0.17 theta*^2 = {d2:.4}"),
        breaks: f1 >= d2,
        setting,
        theta0,
        seed: 0,
        t: 1,
    }
}

/// Eq. (22), upper end, even after the burn-in: with ρ̂ = U[3, 3.1] and θ* = 1 the stabilized
/// loss is ≈ 0.7, because F scales with E[x²]θ*⁴ and the band does not.
pub fn band_scale_after_burn_in() -> Counterexample {
    let setting = mid_window(&Rho::Uniform { a: 3.0, b: 3.1 }, 1.0);
    let theta0 = 0.5;
    let steps = 10_000;
    let run = stabilization::simulate(&setting, theta0, steps, &mut ChaCha8Rng::seed_from_u64(0));
    let t_burn = run.burn_in.unwrap_or(steps);
    let ((_, _), (t, fmax)) = run.loss_extremes_after.unwrap_or(((0, f64::NAN), (0, f64::NAN)));
    let (_, d2) = setting.paper_band();
    Counterexample {
        statement: "Eq. (22): F(theta_t) < 0.17 theta*^2 (after any burn-in)",
        observed: format!("burn-in T = {t_burn}; F(theta_{t}) = {fmax:.4} >= 0.17 theta*^2 = {d2:.4}"),
        breaks: run.burn_in.is_some() && fmax >= d2,
        setting,
        theta0,
        seed: 0,
        t,
    }
}

/// Eq. (7) with its quantifier "for all t > 0": after the burn-in T the low iterates have one
/// parity, so for the other parity t, θ_{t+2k} > 1 for every large k.
pub fn eq7_wrong_parity() -> Counterexample {
    let setting = mid_window(&Rho::Uniform { a: 1.0, b: 1.05 }, 1.0);
    let theta0 = 0.5;
    let steps = 1000;
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let run = stabilization::simulate(&setting, theta0, steps, &mut rng);
    let (t, observed, breaks) = match (run.burn_in, run.low_parity) {
        (Some(tb), Some(p)) => {
            // The smallest t > T with the wrong parity: θ_{t+2k} is on the high side for all k.
            let t = if (tb + 1) % 2 != p { tb + 1 } else { tb + 2 };
            let mut rng = ChaCha8Rng::seed_from_u64(0);
            let mut theta = theta0;
            let mut all_high = true;
            for s in 1..=steps {
                theta = setting.step(theta, setting.rho.sample(&mut rng));
                if s >= t && (s - t) % 2 == 0 {
                    all_high &= stabilization::side(theta, setting.eps0()) == Side::High;
                }
            }
            (t, format!("T = {tb}; theta_(t+2k) > 1 for every k with t+2k <= {steps}"), all_high)
        }
        _ => (0, "no burn-in within the horizon".to_string(), false),
    };
    Counterexample {
        statement: "Eq. (7): for all t > 0, exists T, for all k > T: theta_(t+2k) < 1 < theta_(t+2k+1)",
        observed,
        breaks,
        setting,
        theta0,
        seed: 0,
        t,
    }
}

/// "Any initialization θ₀ ∈ (0, θ*)" with an atom in ρ̂: ρ̂ = ½δ₁ + ½δ_{1.05}, θ* = 1,
/// η = 25/24 (in the window (1, 1.1338)), θ₀ = 3/5. With probability ½, x₀ = 1, γ₀ = 25/24 and
/// `h_{25/24}(3/5) = 1` exactly (rational arithmetic); then `θ_t = θ*` for all t ≥ 1, so
/// F(θ_t) = 0 and the iterates never alternate.
pub fn atom_lands_on_theta_star() -> Counterexample {
    let setting = Setting { rho: Rho::TwoPoint { lo: 1.0, hi: 1.05, p: 0.5 }, theta_star: 1.0, eta: 25.0 / 24.0 };
    let (gamma, u0, u1, u2) = lands_exactly_on_one();
    Counterexample {
        statement: "Prop. 2.2/B.1: for any theta0 in (0, theta*), almost surely F(theta_t) > delta_1 and Eq. (7)",
        observed: format!(
            "exact: h_{{{}/{}}}({}/{}) = {}/{}, then {}/{} for any gamma; P(x_0 = 1) = 1/2, so with probability 1/2 theta_t = theta* and F = 0 for all t >= 1",
            gamma.0, gamma.1, u0.0, u0.1, u1.0, u1.1, u2.0, u2.1
        ),
        breaks: u1 == (1, 1) && u2 == (1, 1) && setting.in_window(),
        theta0: 0.6,
        seed: 0,
        t: 1,
        setting,
    }
}

/// All the counterexamples, in the order of the statement.
pub fn all() -> Vec<Counterexample> {
    vec![
        band_lower_at_t1(),
        band_upper_at_t1(),
        band_scale_after_burn_in(),
        eq7_wrong_parity(),
        atom_lands_on_theta_star(),
    ]
}
