//! Simulation cross-checks of the quantified statements (P3, Eq. 7), with the theory crate's
//! `orbit`. Not rigorous: they guard the logical glue between the verified interval facts.

use largestep_theory::appendix_b::{eps0, orbit, region, Region, THETA_BOUND};

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

/// Eq. 7 and the corrected Eq. 22: eventual bouncing between I₁ and (1 + ε, 1.162).
pub(super) fn bouncing() -> Result<String, String> {
    let mut rng = SplitMix(7);
    let mut worst_entry = 0usize;
    for (gmin, gmax) in PAIRS {
        let eps = eps0(gmin) / 2.0;
        let mean = (gmin + gmax) / 2.0;
        for run in 0..400 {
            let theta0 = rng.uniform().max(1e-12);
            let gammas: Vec<f64> = (0..3000).map(|_| gmin + (gmax - gmin) * rng.uniform()).collect();
            let o = orbit(theta0, 3000, |t| gammas[t]);
            let entry = o
                .iter()
                .position(|&x| region(x, eps) == Some(Region::I1))
                .ok_or(format!("γ ∈ [{gmin}, {gmax}], run {run}: never entered I₁"))?;
            worst_entry = worst_entry.max(entry);
            for (j, &x) in o[entry..].iter().enumerate() {
                let ok = if j % 2 == 0 {
                    region(x, eps) == Some(Region::I1)
                } else {
                    x > 1.0 + eps && x < THETA_BOUND.f64()
                };
                let nl = 0.25 * mean * (1.0 - x * x).powi(2);
                let lo = 0.25 * (2.0 * eps - eps * eps).powi(2);
                if !(ok && nl > lo && nl < 0.17) {
                    return Err(format!("γ ∈ [{gmin}, {gmax}], run {run}: θ_{} = {x} breaks the pattern", entry + j));
                }
            }
        }
    }
    Ok(format!("1200 runs bounce after at most {worst_entry} steps"))
}

/// P3 / Lemma B.5: from I₂ the even iterates decrease strictly until they reach I₁.
pub(super) fn leave_i2() -> Result<String, String> {
    let mut rng = SplitMix(11);
    let mut worst = 0usize;
    for (gmin, gmax) in PAIRS {
        let eps = eps0(gmin) / 2.0;
        for j in 0..64 {
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
            worst = worst.max(steps);
        }
    }
    Ok(format!("192 starts reach I₁ after at most {worst} steps"))
}
