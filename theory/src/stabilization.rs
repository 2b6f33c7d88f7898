//! Proposition 2.2 / B.1: almost-sure loss stabilization of SGD on `y = x θ*²` (Eq. 5), simulated.
//!
//! # Setting (Eqs. 5, 21–26)
//!
//! Inputs `x ~ ρ̂` with `supp ρ̂ ⊂ [a, b] ⊂ (0, ∞)`, labels `y = x θ*²`, loss
//! `F(θ) = ¼ E(y − xθ²)² = ¼ E[x²] (θ*² − θ²)²`, SGD `θ_{t+1} = θ_t + η θ_t x_t (y_t − x_t θ_t²)`.
//! With `u = θ/θ*` and `γ_t = η θ*² x_t²` this is `u_{t+1} = h_{γ_t}(u_t)` (Eq. 26, see
//! [`crate::appendix_b`]).
//!
//! # The statement as written (Prop. B.1, with Prop. 2.2 the case θ* = 1)
//!
//! For `η ∈ ((θ* a)⁻², 1.25 (θ* b)⁻²)` and any `θ₀ ∈ (0, θ*)`, almost surely
//! (Eq. 22) `F(θ_t) ∈ (ε₀² θ*², 0.17 θ*²)` for all t, with `ε₀ = min{(η(θ* a)² − 1)/3, 0.02}`;
//! (Eq. 7 / Lemma B.3) there is a T after which the iterates alternate
//! `θ_{t+2k} ∈ (0.65 θ*, (1 − ε₀) θ*)`, `θ_{t+2k+1} ∈ ((1 + ε₀) θ*, 1.162 θ*)`;
//! (Lemma B.2) `θ_t ∈ (0, 1.162 θ*)` for all t.
//!
//! # What the simulations find (see `largestep verify`)
//!
//! Lemma B.2 and the eventual alternation of Lemma B.3 hold for every law with a density. As
//! written, the statement fails in four ways, each with a concrete counterexample built here:
//! 1. *the band of Eq. (22) for all t*: at t = 1 the loss can be arbitrarily close to 0 (θ₀ near
//!    θ*) or close to `¼E[x²]θ*⁴` (θ₀ near 0), outside `(ε₀²θ*², 0.17θ*²)`;
//! 2. *the band's scale*: F is `θ*⁴ E[x²]` times a function of u, so no band in units of θ*² can
//!    hold for every ρ̂ — e.g. ρ̂ = U[3, 3.1], θ* = 1 exceeds 0.17 even after the burn-in. What the
//!    intervals of Lemma B.3 give is `F(θ_t) / (E[x²] θ*⁴) ∈ (ε₀²(1 − ε₀/2)², (1 − 0.65²)²/4)`
//!    for t ≥ T ([`Setting::band_after_burn_in`]);
//! 3. *"for all t > 0 … ∃T ∀k > T θ_{t+2k} < 1 < θ_{t+2k+1}" (Eq. 7)*: it cannot hold for both t
//!    and t + 1; only one parity of t works;
//! 4. *"any initialization"*: with an atom in ρ̂ the iterate can land exactly on θ* with positive
//!    probability and stay there (`h_γ(1) = 1`): `h_{25/24}(3/5) = 1` exactly
//!    ([`lands_exactly_on_one`]). Lemma B.3's θ₀ uniform and a law with a density avoid it.

use crate::appendix_b::{self, GAMMA_HI, I1_LO, THETA_BOUND};
use crate::distribution::Rho;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One instance of Proposition B.1: the law of x, the target θ* > 0 and the step size η.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The input law ρ̂.
    pub rho: Rho,
    /// The target θ* > 0 (labels y = x θ*²).
    pub theta_star: f64,
    /// The step size η > 0.
    pub eta: f64,
}

/// The step-size window of Prop. B.1: `((θ* a)⁻², 1.25 (θ* b)⁻²)` (empty when `b/a ≥ √1.25`).
pub fn window(rho: &Rho, theta_star: f64) -> (f64, f64) {
    let (a, b) = rho.support();
    ((theta_star * a).powi(-2), GAMMA_HI.f64() * (theta_star * b).powi(-2))
}

impl Setting {
    /// `(γ_min, γ_max) = (η θ*² a², η θ*² b²)`: the range of the rescaled step γ = ηθ*²x².
    pub fn gamma_range(&self) -> (f64, f64) {
        let (a, b) = self.rho.support();
        let s = self.eta * self.theta_star * self.theta_star;
        (s * a * a, s * b * b)
    }
    /// True when η lies in the open window of Prop. B.1.
    pub fn in_window(&self) -> bool {
        let (lo, hi) = window(&self.rho, self.theta_star);
        lo < self.eta && self.eta < hi
    }
    /// `ε₀ = min{(η(θ* a)² − 1)/3, 0.02}` (Prop. B.1).
    pub fn eps0(&self) -> f64 {
        appendix_b::eps0(self.gamma_range().0)
    }
    /// `F(θ) = ¼ E[x²] (θ*² − θ²)²` (exact in E[x²]).
    pub fn loss(&self, theta: f64) -> f64 {
        self.theta_star.powi(4) * appendix_b::loss(self.rho.second_moment(), theta / self.theta_star)
    }
    /// One SGD step of Eq. (5) on input x: `θ + η θ x (y − x θ²)` with `y = x θ*²`.
    pub fn step(&self, theta: f64, x: f64) -> f64 {
        let y = x * self.theta_star * self.theta_star;
        theta + self.eta * theta * x * (y - x * theta * theta)
    }
    /// The band of Eq. (22) as written: `(ε₀² θ*², 0.17 θ*²)`.
    pub fn paper_band(&self) -> (f64, f64) {
        let t2 = self.theta_star * self.theta_star;
        let e = self.eps0();
        (e * e * t2, appendix_b::LOSS_UPPER.f64() * t2)
    }
    /// The band that the intervals of Lemma B.3 imply for t ≥ T:
    /// `F ∈ (E[x²]θ*⁴ ε₀²(1 − ε₀/2)², E[x²]θ*⁴ (1 − 0.65²)²/4)`. Its ends are F at `u = 1 − ε₀`
    /// and at `u = 0.65`; `u ∈ (1 + ε₀, 1.162)` gives values inside.
    pub fn band_after_burn_in(&self) -> (f64, f64) {
        let e = self.eps0();
        let scale = self.rho.second_moment() * self.theta_star.powi(4);
        let lo = I1_LO.f64();
        (scale * (e * (1.0 - e / 2.0)).powi(2), scale * (1.0 - lo * lo).powi(2) / 4.0)
    }
}

/// Which side of θ* an iterate is on, for the intervals of Lemma B.3 (Eq. 32) with ε = ε₀.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// `u ∈ (0.65, 1 − ε₀)`.
    Low,
    /// `u ∈ (1 + ε₀, 1.162)`.
    High,
    /// Anywhere else.
    Outside,
}

/// The side of `u = θ/θ*` (open intervals; ε = ε₀ is the strictest ε < ε₀ can get).
pub fn side(u: f64, eps: f64) -> Side {
    if u > I1_LO.f64() && u < 1.0 - eps {
        Side::Low
    } else if u > 1.0 + eps && u < THETA_BOUND.f64() {
        Side::High
    } else {
        Side::Outside
    }
}

/// What one simulated trajectory did, measured against every part of Prop. B.1.
#[derive(Clone, Debug)]
pub struct Run {
    /// θ₀.
    pub theta0: f64,
    /// Steps simulated.
    pub steps: usize,
    /// First t with `u_t ∉ (0, 1.162)` (Lemma B.2 violated), if any.
    pub first_exit: Option<usize>,
    /// First t with a non-finite iterate or `|u_t| > 10⁶` (the simulation stops there).
    pub diverged_at: Option<usize>,
    /// Burn-in T: the least t such that for every s ≥ t up to the horizon, `u_s` is in one of the
    /// two intervals of Lemma B.3 and on the other side from `u_{s−1}`. `None` when the last
    /// iterate is not in such a pattern.
    pub burn_in: Option<usize>,
    /// For t ≥ T: the parity of the times with `u_t` on the low side.
    pub low_parity: Option<usize>,
    /// `(t, F(θ_t))` with the least and the greatest loss over `1 ≤ t ≤ steps`.
    pub loss_extremes: ((usize, f64), (usize, f64)),
    /// `(t, F(θ_t))` with the least and the greatest loss over `T ≤ t ≤ steps`.
    pub loss_extremes_after: Option<((usize, f64), (usize, f64))>,
    /// The last iterate θ_steps (or the last finite one).
    pub last_theta: f64,
    /// `max_t |θ_t| / θ*` over the simulated steps.
    pub max_ratio: f64,
    /// `max |u_t − 1|` over the last tenth of the run (convergence test).
    pub tail_distance: f64,
}

impl Run {
    /// True when the trajectory ends at θ* (within `1e-9` relative) and stayed finite.
    pub fn converged(&self) -> bool {
        self.diverged_at.is_none() && self.tail_distance < 1e-9
    }
}

/// Simulates `steps` SGD steps of Eq. (5) from `theta0`, drawing x from ρ̂ with `rng`.
pub fn simulate<R: rand::Rng + ?Sized>(setting: &Setting, theta0: f64, steps: usize, rng: &mut R) -> Run {
    let eps = setting.eps0();
    let ts = setting.theta_star;
    let bound = THETA_BOUND.f64();
    let mut theta = theta0;
    let mut first_exit = None;
    let mut diverged_at = None;
    let mut last_violation: Option<usize> = None;
    let mut prev_side = side(theta0 / ts, eps);
    if prev_side == Side::Outside {
        last_violation = Some(0);
    }
    let mut thetas = Vec::with_capacity(steps + 1);
    thetas.push(theta0);
    let tail_from = steps - steps / 10;
    let mut tail_distance: f64 = 0.0;
    for t in 1..=steps {
        let next = setting.step(theta, setting.rho.sample(rng));
        let u = next / ts;
        if !next.is_finite() || u.abs() > 1e6 {
            diverged_at = Some(t);
            first_exit.get_or_insert(t);
            last_violation = Some(t);
            break;
        }
        theta = next;
        if !(u > 0.0 && u < bound) && first_exit.is_none() {
            first_exit = Some(t);
        }
        let s = side(u, eps);
        if s == Side::Outside || s == prev_side {
            last_violation = Some(t);
        }
        prev_side = s;
        thetas.push(theta);
        if t >= tail_from {
            tail_distance = tail_distance.max((u - 1.0).abs());
        }
    }
    if diverged_at.is_some() {
        tail_distance = f64::INFINITY;
    }
    let burn_in = match (diverged_at, last_violation) {
        (Some(_), _) => None,
        (None, None) => Some(0),
        (None, Some(v)) if v < steps => Some(v + 1),
        _ => None,
    };
    let extremes = |from: usize| {
        let mut lo = (from, f64::INFINITY);
        let mut hi = (from, f64::NEG_INFINITY);
        for (t, &th) in thetas.iter().enumerate().skip(from) {
            let f = setting.loss(th);
            if f < lo.1 {
                lo = (t, f);
            }
            if f > hi.1 {
                hi = (t, f);
            }
        }
        (lo, hi)
    };
    let low_parity = burn_in.map(|t| {
        // At t = T the iterate is on one side; the low times have T's parity iff it is low.
        if side(thetas[t] / ts, eps) == Side::Low {
            t % 2
        } else {
            (t + 1) % 2
        }
    });
    Run {
        theta0,
        steps,
        first_exit,
        diverged_at,
        burn_in,
        low_parity,
        loss_extremes: extremes(1),
        loss_extremes_after: burn_in.map(extremes),
        last_theta: theta,
        max_ratio: thetas.iter().fold(0.0f64, |m, t| m.max(t.abs())) / ts,
        tail_distance,
    }
}

/// Runs `runs` trajectories with θ₀ ~ U(0, θ*), each with its own stream `seed + k`.
pub fn simulate_many(setting: &Setting, runs: usize, steps: usize, seed: u64) -> Vec<Run> {
    (0..runs)
        .map(|k| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(k as u64));
            let theta0 = setting.theta_star * rng.random::<f64>();
            simulate(setting, theta0, steps, &mut rng)
        })
        .collect()
}

/// An exact rational `num/den` (den > 0), enough for the landing counterexample.
pub type Rational = (i128, i128);

fn reduce((n, d): Rational) -> Rational {
    fn gcd(a: i128, b: i128) -> i128 {
        if b == 0 {
            a.abs()
        } else {
            gcd(b, a % b)
        }
    }
    let g = gcd(n, d).max(1);
    let s = if d < 0 { -1 } else { 1 };
    (s * n / g, s * d / g)
}

/// `h_γ(u) = u + γu(1 − u²)` in exact rational arithmetic (Eq. 26).
pub fn h_exact(gamma: Rational, u: Rational) -> Rational {
    let (p, q) = gamma;
    let (r, s) = u;
    // u + γu(1 − u²) = r/s + p r (s² − r²) / (q s³)
    reduce((r * q * s * s + p * r * (s * s - r * r), q * s * s * s))
}

/// The landing counterexample to "any initialization": with `γ = 25/24` (x = 1, θ* = 1,
/// η = 25/24), `u₀ = 3/5` maps exactly onto the fixed point 1, and `h_γ(1) = 1` for every γ.
/// Returns `(γ, u₀, u₁, u₂)` computed exactly.
pub fn lands_exactly_on_one() -> (Rational, Rational, Rational, Rational) {
    let gamma = (25, 24);
    let u0 = (3, 5);
    let u1 = h_exact(gamma, u0);
    // Any later step, with any γ of the law (here the other atom γ' = 25/24 · 1.05²), stays at 1.
    let u2 = h_exact((25 * 441, 24 * 400), u1);
    (gamma, u0, u1, u2)
}

/// The `q`-quantile (nearest rank) of `values` (sorted internally); `None` when empty.
pub fn quantile(values: &[usize], q: f64) -> Option<usize> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let k = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    Some(v[k])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_landing_is_exact() {
        let (_, _, u1, u2) = lands_exactly_on_one();
        assert_eq!(u1, (1, 1));
        assert_eq!(u2, (1, 1));
    }

    #[test]
    fn quantiles_use_nearest_rank() {
        let v = [5, 1, 3, 2, 4];
        assert_eq!(quantile(&v, 0.5), Some(3));
        assert_eq!(quantile(&v, 1.0), Some(5));
        assert_eq!(quantile(&v, 0.0), Some(1));
        assert_eq!(quantile(&[], 0.5), None);
    }
}
