//! Proposition 2.1 on every model of the library (`model::catalog`): one generic
//! property, run for each model — the library's SGD step equals theory's label-noise GD step
//! (Eq. 4 with ξ of Eq. 3, mini-batch form for B > 1) to 1e-12 relative, E ξ = 0, and
//! B·E‖ξ‖²/(n(n−B)) = 2L (B = 1: the paper's E‖ξ‖²/(n(n−1)) = 2L), E ξξᵀ in closed form — all
//! expectations by enumeration of every batch.
//!
//! Case count: 64 proptest cases; each case checks every model of the catalog at a random
//! (n ≤ 7, x, y, θ, η) for every batch size B ∈ [1, n] (≤ 128 subsets per enumeration),
//! so one run checks ≈ 64 × 4 × 4.5 ≈ 1 150 (model, B) pairs in well under a second.

use largestep::model::catalog;
use largestep::rng::{ChaChaSource, RandomSource};
use largestep::verify::prop21::{check, random_case, TOL};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn sgd_is_label_noise_gd_for_every_model(n in 1usize..8, eta in 0.01f64..2.0, seed in any::<u64>()) {
        for (name, model) in catalog() {
            let mut rng = ChaChaSource::new(seed);
            let (data, theta) = random_case(model.as_ref(), n, &mut rng as &mut dyn RandomSource);
            for b in 1..=n {
                let e = check(model.as_ref(), &data, &theta, eta, b, seed ^ b as u64);
                prop_assert!(e.step <= TOL, "{}: n={n} B={b}: step discrepancy {:e}", name, e.step);
                prop_assert!(e.mean <= TOL, "{}: n={n} B={b}: E xi = {:e}", name, e.mean);
                prop_assert!(e.second_norm <= TOL, "{}: n={n} B={b}: E|xi|^2 off by {:e}", name, e.second_norm);
                prop_assert!(e.covariance <= TOL, "{}: n={n} B={b}: E xi xi^T off by {:e}", name, e.covariance);
            }
        }
    }
}
