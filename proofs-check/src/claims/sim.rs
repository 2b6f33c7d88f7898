//! Simulation cross-checks of the quantified statements (P3, Eq. 7), with the theory crate's
//! `orbit`. Not rigorous: they guard the logical glue between the verified interval facts.

use largestep_theory::appendix_b::{eps0, orbit, region, Region, THETA_BOUND};

use super::SimOutcome;

/// SplitMix64: a tiny deterministic generator, enough for uniform draws.
struct SplitMix(u64);

impl SplitMix {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

const PAIRS: [(f64, f64); 3] = [(1.01, 1.05), (1.05, 1.24), (1.2, 1.249)];

/// Counts the runs that return `Ok(steps)`; the detail names the worst step count and the
/// first failure.
fn tally(what: &str, results: impl Iterator<Item = Result<usize, String>>) -> SimOutcome {
    let (mut runs, mut passed, mut worst, mut first_failure) = (0u64, 0u64, 0usize, None);
    for r in results {
        runs += 1;
        match r {
            Ok(steps) => {
                passed += 1;
                worst = worst.max(steps);
            }
            Err(e) => {
                first_failure.get_or_insert(e);
            }
        }
    }
    let detail = match first_failure {
        None => format!("{what}; at most {worst} steps"),
        Some(e) => format!("{what}; first failure: {e}"),
    };
    SimOutcome { runs, passed, detail }
}

/// Eq. 7 and the corrected Eq. 22: eventual bouncing between I₁ and (1 + ε, 1.162).
pub(super) fn bouncing() -> SimOutcome {
    let mut rng = SplitMix(7);
    let mut run_one = |gmin: f64, gmax: f64, run: usize| -> Result<usize, String> {
        let eps = eps0(gmin) / 2.0;
        let mean = (gmin + gmax) / 2.0;
        let theta0 = rng.uniform().max(1e-12);
        let gammas: Vec<f64> = (0..3000).map(|_| gmin + (gmax - gmin) * rng.uniform()).collect();
        let o = orbit(theta0, 3000, |t| gammas[t]);
        let entry = o
            .iter()
            .position(|&x| region(x, eps) == Some(Region::I1))
            .ok_or(format!("γ ∈ [{gmin}, {gmax}], run {run}: never entered I₁"))?;
        for (j, &x) in o[entry..].iter().enumerate() {
            let ok =
                if j % 2 == 0 { region(x, eps) == Some(Region::I1) } else { x > 1.0 + eps && x < THETA_BOUND.f64() };
            let nl = 0.25 * mean * (1.0 - x * x).powi(2);
            let lo = 0.25 * (2.0 * eps - eps * eps).powi(2);
            if !(ok && nl > lo && nl < 0.17) {
                return Err(format!("γ ∈ [{gmin}, {gmax}], run {run}: θ_{} = {x} breaks the pattern", entry + j));
            }
        }
        Ok(entry)
    };
    let runs: Vec<Result<usize, String>> =
        PAIRS.iter().flat_map(|&(a, b)| (0..400).map(move |r| (a, b, r))).map(|(a, b, r)| run_one(a, b, r)).collect();
    tally("3 × 400 runs of 3000 steps: bounce after the entry into I₁", runs.into_iter())
}

/// P3 / Lemma B.5: from I₂ the even iterates decrease strictly until they reach I₁.
pub(super) fn leave_i2() -> SimOutcome {
    let mut rng = SplitMix(11);
    let mut run_one = |gmin: f64, gmax: f64, j: usize| -> Result<usize, String> {
        let eps = eps0(gmin) / 2.0;
        let mut theta = 1.0 - eps * (1.0 - j as f64 / 64.0);
        let mut steps = 0;
        while region(theta, eps) == Some(Region::I2) {
            let (a, b) = (gmin + (gmax - gmin) * rng.uniform(), gmin + (gmax - gmin) * rng.uniform());
            let next = orbit(theta, 2, |t| if t == 0 { b } else { a })[2];
            if next >= theta {
                return Err(format!("θ = {theta}: two steps did not decrease ({next})"));
            }
            theta = next;
            steps += 2;
            if steps > 200_000 {
                return Err(format!("θ₀ index {j}: still in I₂ after {steps} steps"));
            }
        }
        if region(theta, eps) != Some(Region::I1) {
            return Err(format!("left I₂ to {theta}, not into I₁"));
        }
        Ok(steps)
    };
    let runs: Vec<Result<usize, String>> =
        PAIRS.iter().flat_map(|&(a, b)| (0..64).map(move |j| (a, b, j))).map(|(a, b, j)| run_one(a, b, j)).collect();
    tally("3 × 64 starts in I₂ reach I₁ with even iterates decreasing", runs.into_iter())
}
