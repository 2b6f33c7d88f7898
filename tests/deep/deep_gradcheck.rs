#![cfg(feature = "deep")]
//! Gradients of a conv → batch-norm (training mode) block against central finite differences,
//! in f64.

use candle_core::{DType, Device, Tensor, Var};
use largestep::deep::layers::{BatchNorm, Conv};
use largestep::deep::params::ParamStore;
use largestep::rng::{ChaChaSource, RandomSource};
use largestep::test_device;

/// L(θ) = Σ r ⊙ relu(BN(conv(x)))² with fixed random r: ∂L/∂θ from backprop vs
/// (L(θ + h e_i) − L(θ − h e_i)) / 2h for every conv weight, γ and β, and some inputs.
fn conv_bn_gradients(dev: &Device) {
    let mut rng = ChaChaSource::new(11);
    let mut p = ParamStore::with_dtype(dev, DType::F64);
    let conv = Conv::new(&mut p, "c", (2, 3, 3, 1), &mut rng).unwrap();
    let bn = BatchNorm::new(&mut p, "bn", 3).unwrap();
    // Move γ, β away from 1, 0 so their gradients are generic.
    for (name, v) in p.trainable() {
        if name.starts_with("bn") {
            let n = v.elem_count();
            let d: Vec<f64> = (0..n).map(|_| rng.uniform_in(0.5, 1.5)).collect();
            v.set(&Tensor::from_vec(d, n, dev).unwrap()).unwrap();
        }
    }
    let xv: Vec<f64> = (0..4 * 2 * 5 * 5).map(|_| rng.standard_normal()).collect();
    let x = Var::from_tensor(&Tensor::from_vec(xv, (4, 2, 5, 5), dev).unwrap()).unwrap();
    let rv: Vec<f64> = (0..4 * 3 * 5 * 5).map(|_| rng.standard_normal()).collect();
    let r = Tensor::from_vec(rv, (4, 3, 5, 5), dev).unwrap();
    let loss = || -> Tensor {
        let y = bn.forward(&conv.forward(x.as_tensor()).unwrap(), true).unwrap().relu().unwrap();
        (y.sqr().unwrap() * &r).unwrap().sum_all().unwrap()
    };
    let grads = loss().backward().unwrap();
    let h = 1e-5;
    let mut vars: Vec<(String, Var)> = p.trainable().to_vec();
    vars.push(("x".into(), x.clone()));
    let mut checked = 0;
    for (name, v) in &vars {
        let g = grads.get(v.as_tensor()).unwrap().flatten_all().unwrap().to_vec1::<f64>().unwrap();
        let base = v.as_tensor().flatten_all().unwrap().to_vec1::<f64>().unwrap();
        let shape = v.dims().to_vec();
        let stride = if name == "x" { 7 } else { 1 };
        for i in (0..base.len()).step_by(stride) {
            let eval = |delta: f64| {
                let mut w = base.clone();
                w[i] += delta;
                v.set(&Tensor::from_vec(w, shape.as_slice(), dev).unwrap()).unwrap();
                loss().to_scalar::<f64>().unwrap()
            };
            let fd = (eval(h) - eval(-h)) / (2.0 * h);
            let tol = 1e-6 * (1.0 + fd.abs().max(g[i].abs()));
            assert!((fd - g[i]).abs() < tol, "{name}[{i}]: backprop {} vs finite difference {fd}", g[i]);
            checked += 1;
        }
        v.set(&Tensor::from_vec(base, shape.as_slice(), dev).unwrap()).unwrap();
    }
    assert!(checked > 60);
}
test_device!(conv_bn, conv_bn_gradients);
