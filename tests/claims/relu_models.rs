//! ReLU networks: analytic gradients against finite differences (every depth, with and without
//! biases), the structured two-layer Jacobian against the plain SVD, features, kinks and the
//! alignment share.

use largestep::linalg::{rank_from_singular_values, singular_values, Points};
use largestep::metrics::{jacobian_singular_values, RankPoints};
use largestep::model::mlp::{alignment_share, jacobian_factor, kinks_1d};
use largestep::model::{HiddenFeatures, MlpInit, Model, ReluMlp};
use largestep::rng::{ChaChaSource, RandomSource};
use proptest::prelude::*;

fn random_theta(net: &ReluMlp, seed: u64) -> Vec<f64> {
    let mut rng = ChaChaSource::new(seed);
    (0..net.num_params()).map(|_| rng.standard_normal()).collect()
}

/// Central differences, skipping coordinates where the one-sided differences disagree (a ReLU
/// kink lies within the step, where h is not differentiable).
fn check_grad(net: &ReluMlp, theta: &[f64], x: &[f64]) -> Result<(), TestCaseError> {
    let mut g = vec![0.0; net.num_params()];
    let h = net.grad(theta, x, &mut g);
    prop_assert!((h - net.predict(theta, x)).abs() <= 1e-12 * (1.0 + h.abs()));
    let eps = 1e-6;
    let mut checked = 0;
    for k in 0..theta.len() {
        let mut t = theta.to_vec();
        t[k] += eps;
        let fp = net.predict(&t, x);
        t[k] -= 2.0 * eps;
        let fm = net.predict(&t, x);
        let (fwd, bwd) = ((fp - h) / eps, (h - fm) / eps);
        if (fwd - bwd).abs() > 1e-4 * (1.0 + fwd.abs()) {
            continue;
        }
        let fd = (fp - fm) / (2.0 * eps);
        prop_assert!((fd - g[k]).abs() <= 1e-6 * (1.0 + fd.abs()), "coordinate {k}: analytic {} vs fd {fd}", g[k]);
        checked += 1;
    }
    prop_assert!(checked * 10 >= theta.len() * 9, "too many kinks: {checked}/{}", theta.len());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn gradients_match_finite_differences(
        d in 1usize..4,
        hidden in prop::collection::vec(1usize..7, 1..4),
        bias_bits in 0u32..16,
        seed in 0u64..1000,
    ) {
        let biases: Vec<bool> = (0..=hidden.len()).map(|l| bias_bits >> l & 1 == 1).collect();
        let net = ReluMlp::new(d, &hidden, &biases, MlpInit::Gaussian { scales: vec![1.0; hidden.len() + 1] });
        let theta = random_theta(&net, seed);
        let mut rng = ChaChaSource::new(seed + 7);
        let x: Vec<f64> = (0..d).map(|_| rng.standard_normal()).collect();
        check_grad(&net, &theta, &x)?;
    }

    #[test]
    fn two_layer_jacobian_factor_has_the_singular_values_of_phi(
        d in 1usize..4, m in 1usize..30, bh in any::<bool>(), bo in any::<bool>(), seed in 0u64..1000,
    ) {
        let net = ReluMlp::two_layer(d, m, bh, bo, MlpInit::Gaussian { scales: vec![1.0, 1.0] });
        let theta = random_theta(&net, seed);
        let mut rng = ChaChaSource::new(seed + 1);
        let n = 25;
        let xs = Points::new(rng.normals(n * d), d);
        let plain = singular_values(&net.jacobian(&theta, &xs)).unwrap();
        let fast = jacobian_singular_values(&net, &theta, &RankPoints::new(xs.clone())).unwrap();
        let smax = plain[0];
        for (i, p) in plain.iter().enumerate() {
            let f = fast.get(i).copied().unwrap_or(0.0);
            prop_assert!((p - f).abs() <= 1e-10 * smax, "σ_{i}: plain {p} vs factor {f}");
        }
        prop_assert_eq!(rank_from_singular_values(&plain, 1e-4), rank_from_singular_values(&fast, 1e-4));
        prop_assert!(jacobian_factor(&net, &theta, &xs).ncols() <= m * (d + 1) + 1);
    }
}

#[test]
fn deep_gradient_at_three_layers_matches_fd_for_the_fig5_student() {
    let net = ReluMlp::new(5, &[10, 10], &[true; 3], MlpInit::Gaussian { scales: vec![0.8; 3] });
    let theta = net.init(&mut ChaChaSource::new(5));
    assert_eq!(net.num_params(), 181);
    let x = [0.3, -0.5, 0.1, 0.7, -0.4];
    check_grad(&net, &theta, &x).unwrap();
}

#[test]
fn features_are_the_post_activations_and_layers_are_counted() {
    let net = ReluMlp::new(2, &[3, 4], &[true, false, true], MlpInit::Gaussian { scales: vec![1.0; 3] });
    assert_eq!(net.hidden_layers(), 2);
    let theta = random_theta(&net, 3);
    let xs = Points::new(vec![0.5, -1.0, 2.0, 0.25], 2);
    let f1 = net.features(&theta, &xs, 0).unwrap();
    assert_eq!((f1.nrows(), f1.ncols()), (2, 3));
    let (w, b) = (net.weights(&theta, 0), net.bias(&theta, 0).unwrap());
    for i in 0..2 {
        for j in 0..3 {
            let z = b[j] + w[2 * j] * xs.row(i)[0] + w[2 * j + 1] * xs.row(i)[1];
            assert!((f1[(i, j)] - z.max(0.0)).abs() < 1e-14);
        }
    }
    assert_eq!(net.features(&theta, &xs, 1).unwrap().ncols(), 4);
    assert!(net.features(&theta, &xs, 2).is_none());
}

#[test]
fn initializations_follow_design_section_3() {
    let net = ReluMlp::blanc_1d(100);
    assert_eq!(net.num_params(), 300);
    let theta = net.init(&mut ChaChaSource::new(3));
    assert!(net.weights(&theta, 0).iter().all(|w| (w.abs() - 2.5).abs() < 1e-15));
    let plus = net.weights(&theta, 0).iter().filter(|w| **w > 0.0).count();
    assert!((30..=70).contains(&plus), "signs are not balanced: {plus}/100 positive");
    let student = ReluMlp::student(2, 20, 0.5);
    let t = student.init(&mut ChaChaSource::new(0));
    assert_eq!(t.len(), 60);
    assert!(student.weights(&t, 1).iter().all(|a| *a == 0.0));
    let deep = ReluMlp::new(5, &[10, 10], &[true; 3], MlpInit::Gaussian { scales: vec![0.8; 3] });
    let t = deep.init(&mut ChaChaSource::new(1));
    for l in 0..3 {
        let bound = 1.0 / (deep.widths()[l] as f64).sqrt();
        assert!(deep.bias(&t, l).unwrap().iter().all(|b| b.abs() <= bound));
    }
}

#[test]
fn kinks_are_breakpoints_in_range_merged_within_tolerance() {
    // Neurons: kinks at 0.5, 0.5 + 1e-5 (merged), −0.25, 3.0 (outside), dead output weight.
    let net = ReluMlp::blanc_1d(5);
    let w = [2.0, 1.0, -4.0, 1.0, 1.0];
    let b = [-1.0, -0.5 - 1e-5, -1.0, -3.0, 0.1];
    let a = [1.0, -1.0, 0.5, 2.0, 0.0];
    let theta: Vec<f64> = w.iter().chain(&b).chain(&a).copied().collect();
    let k = kinks_1d(&net, &theta, -1.0, 1.0, 1e-3);
    assert_eq!(k.len(), 2, "{k:?}");
    assert!((k[0] + 0.25).abs() < 1e-12 && (k[1] - 0.5).abs() < 1e-4);
    assert_eq!(kinks_1d(&net, &theta, -1.0, 1.0, 1e-7).len(), 3);
}

#[test]
fn alignment_share_weighs_neurons_by_norm() {
    let net = ReluMlp::student(2, 3, 1.0);
    // w₁ on the teacher direction (norm 2), w₂ at 5° (norm 1), w₃ at 45° (norm 1).
    let (r, q) = (5f64.to_radians(), std::f64::consts::FRAC_1_SQRT_2);
    let t = vec![2.0, 0.0, r.cos(), r.sin(), q, q, 0.0, 0.0, 0.0];
    let share = alignment_share(&net, &t, &[1.0, 0.0], 10.0);
    assert!((share - 0.75).abs() < 1e-12, "{share}");
    assert_eq!(alignment_share(&net, &t, &[0.0, -1.0], 10.0), 0.0);
}
