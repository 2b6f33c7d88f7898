//! Analytic gradients ∇_θ h_θ(x) against central finite differences, for every model of
//! `model::catalog()`, and the generic Jacobian / φᵀc paths against each other.

use largestep::linalg::Points;
use largestep::model::catalog;
use largestep::rng::{ChaChaSource, RandomSource};
use proptest::prelude::*;

proptest! {
    // 64 cases × every model: each case is a random θ (scaled init + noise) and input.
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn gradient_matches_central_differences(seed in 0u64..1_000_000, scale in 0.1f64..2.0) {
        for (name, model) in catalog() {
            let mut rng = ChaChaSource::new(seed);
            let mut theta = model.init(&mut rng);
            for t in theta.iter_mut() {
                *t += scale * rng.standard_normal();
            }
            let x: Vec<f64> = (0..model.input_dim()).map(|_| rng.standard_normal()).collect();
            let mut g = vec![0.0; model.num_params()];
            let h = model.grad(&theta, &x, &mut g);
            prop_assert!((h - model.predict(&theta, &x)).abs() <= 1e-12 * (1.0 + h.abs()));
            let eps = 1e-6;
            for j in 0..theta.len() {
                let mut tp = theta.clone();
                tp[j] += eps;
                let mut tm = theta.clone();
                tm[j] -= eps;
                let fd = (model.predict(&tp, &x) - model.predict(&tm, &x)) / (2.0 * eps);
                // Central differences are exact for polynomials of degree ≤ 2 in θ_j up to
                // rounding ~ ε·|h|/eps; ReLU kinks inside [θ_j − eps, θ_j + eps] are measure-zero.
                prop_assert!((fd - g[j]).abs() <= 1e-6 * (1.0 + g[j].abs() + h.abs()), "{}: ∂h/∂θ[{}] analytic {} vs fd {}", name, j, g[j], fd);
            }
        }
    }

    #[test]
    fn jacobian_paths_agree(seed in 0u64..1_000_000) {
        for (name, model) in catalog() {
            let mut rng = ChaChaSource::new(seed);
            let mut theta = model.init(&mut rng);
            theta.iter_mut().for_each(|t| *t += 0.5 * rng.standard_normal());
            let n = 5;
            let xs = Points::new(rng.gaussian_matrix(n, model.input_dim()), model.input_dim());
            let c: Vec<f64> = (0..n).map(|_| rng.standard_normal()).collect();
            let j = model.jacobian(&theta, &xs);
            let mut fast = vec![0.0; model.num_params()];
            model.jacobian_t_mul(&theta, &xs, &c, &mut fast);
            let mut preds = vec![0.0; n];
            model.predict_all(&theta, &xs, &mut preds);
            for (i, x) in xs.rows().enumerate() {
                prop_assert!((preds[i] - model.predict(&theta, x)).abs() <= 1e-12 * (1.0 + preds[i].abs()), "{}", name);
            }
            for k in 0..model.num_params() {
                let slow: f64 = (0..n).map(|i| j[(i, k)] * c[i]).sum();
                prop_assert!((slow - fast[k]).abs() <= 1e-10 * (1.0 + slow.abs()), "{}: (φᵀc)[{}] {} vs {}", name, k, slow, fast[k]);
            }
            // φᵀc with cᵢ a function of point i's prediction: the default route (all predictions,
            // the weights, then φᵀc) bit for bit, and c left with the weights.
            let mut weight = |i: usize, h: f64| 0.3 * (h - c[i]) + c[i];
            let (mut wc, mut wout) = (vec![0.0; n], vec![0.0; model.num_params()]);
            model.weighted_jacobian_t_mul(&theta, &xs, &mut weight, &mut wc, &mut wout);
            let want_c: Vec<f64> = preds.iter().enumerate().map(|(i, &h)| weight(i, h)).collect();
            let mut want = vec![0.0; model.num_params()];
            model.jacobian_t_mul(&theta, &xs, &want_c, &mut want);
            prop_assert_eq!(&wc, &want_c, "{}", name);
            prop_assert_eq!(&wout, &want, "{}", name);
            if model.as_features().is_some() {
                // The ReLU nets backpropagate straight into φᵀc: the per-point gradients'
                // accumulation (out += cᵢ·∇h(xᵢ), in point order) bit for bit, and predict_all is
                // predict at every point.
                let mut acc = vec![0.0; model.num_params()];
                let mut g = vec![0.0; model.num_params()];
                for (ci, x) in c.iter().zip(xs.rows()) {
                    model.grad(&theta, x, &mut g);
                    acc.iter_mut().zip(&g).for_each(|(o, gi)| *o += ci * gi);
                }
                prop_assert_eq!(&acc, &fast, "{}", name);
                for (i, x) in xs.rows().enumerate() {
                    prop_assert_eq!(preds[i].to_bits(), model.predict(&theta, x).to_bits(), "{}", name);
                }
            }
        }
    }
}

/// The diagonal net's fused single-example step performs the default's operations in the same
/// order: the same bits as `grad` followed by θ ← θ − w·∇h, w = scale·(h − y).
#[test]
fn diagonal_fused_step_is_bit_identical_to_grad_then_update() {
    use largestep::model::{DiagonalNet, Model};
    use largestep::rng::{ChaChaSource, RandomSource};
    let mut rng = ChaChaSource::new(5);
    for d in [1, 3, 17, 200] {
        let net = DiagonalNet::new(d, 0.1);
        let theta: Vec<f64> = (0..2 * d).map(|_| rng.standard_normal()).collect();
        let x: Vec<f64> = (0..d).map(|_| rng.standard_normal()).collect();
        let (y, scale) = (rng.standard_normal(), 0.28 * rng.uniform());
        let mut g = vec![0.0; 2 * d];
        let h = net.grad(&theta, &x, &mut g);
        let w = scale * (h - y);
        let want: Vec<f64> = theta.iter().zip(&g).map(|(t, gk)| t - w * gk).collect();
        let mut got = theta.clone();
        let h2 = net.residual_step(&mut got, &x, y, scale, &mut g);
        assert_eq!(h.to_bits(), h2.to_bits());
        assert!(got.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()), "d = {d}");
    }
}
