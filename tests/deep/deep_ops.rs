#![cfg(feature = "deep")]
//! The op layer (`largestep::deep::ops`) against candle's composed ops and against central
//! finite differences in f64, forward and backward: odd shapes, strides, padding, 1×1 kernels,
//! batch 1, and batches whose small maps make the convolution group images.

use candle_core::{DType, Device, Tensor, Var};
use largestep::deep::layers::{BatchNorm, BnMode};
use largestep::deep::ops::{self, Kernels};
use largestep::deep::optim::SgdMomentum;
use largestep::deep::params::ParamStore;
use largestep::deep::{build_in, NetSpec};
use largestep::rng::{ChaChaSource, RandomSource};

fn randn(shape: &[usize], dtype: DType, rng: &mut ChaChaSource) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n).map(|_| rng.standard_normal()).collect();
    Tensor::from_vec(v, shape, &Device::Cpu).unwrap().to_dtype(dtype).unwrap()
}

fn values(t: &Tensor) -> Vec<f64> {
    t.to_dtype(DType::F64).unwrap().flatten_all().unwrap().to_vec1().unwrap()
}

/// max |a − b| / (1 + max |b|).
fn rel_max(a: &Tensor, b: &Tensor) -> f64 {
    assert_eq!(a.dims(), b.dims());
    let (a, b) = (values(a), values(b));
    let scale = 1.0 + b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    a.iter().zip(&b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs())) / scale
}

/// (N, C_in, H, W, C_out, k, stride, pad).
type ConvCase = (usize, usize, usize, usize, usize, usize, usize, usize);

const CONVS: &[ConvCase] = &[
    (1, 3, 7, 7, 4, 3, 1, 1),
    (2, 3, 9, 6, 5, 3, 2, 1),
    (3, 4, 5, 5, 3, 1, 1, 0),
    (2, 4, 6, 7, 6, 1, 2, 0),
    (37, 2, 4, 4, 3, 3, 1, 1),
    (9, 3, 5, 4, 2, 3, 2, 0),
    (1, 2, 4, 4, 3, 5, 1, 2),
    (2, 3, 9, 7, 5, 3, 2, 1),
    (4, 4, 7, 5, 6, 1, 2, 0),
];

/// Gradients of Σ r ⊙ f(inputs) with respect to every input.
fn grads(f: &dyn Fn(&[Tensor]) -> Tensor, inputs: &[Tensor], r: &Tensor) -> (Tensor, Vec<Tensor>) {
    let vars: Vec<Var> = inputs.iter().map(|t| Var::from_tensor(t).unwrap()).collect();
    let ts: Vec<Tensor> = vars.iter().map(|v| v.as_tensor().clone()).collect();
    let y = f(&ts);
    let g = (&y * r).unwrap().sum_all().unwrap().backward().unwrap();
    (y, ts.iter().map(|t| g.get(t).expect("a gradient for every input").clone()).collect())
}

#[test]
fn conv2d_matches_composed_forward_and_backward() {
    let mut rng = ChaChaSource::new(1);
    for dtype in [DType::F64, DType::F32] {
        let tol = if dtype == DType::F64 { 1e-12 } else { 2e-5 };
        for &(n, ci, h, w, co, k, s, p) in CONVS {
            let x = randn(&[n, ci, h, w], dtype, &mut rng);
            let wt = randn(&[co, ci, k, k], dtype, &mut rng);
            let y_ref = x.conv2d(&wt, p, s, 1, 1).unwrap();
            let r = randn(y_ref.dims(), dtype, &mut rng);
            let (y, g) = grads(&|t| ops::conv2d(&t[0], &t[1], s, p).unwrap(), &[x.clone(), wt.clone()], &r);
            let shape = (n, ci, h, w, co, k, s, p);
            assert!(rel_max(&y, &y_ref) < tol, "{dtype:?} {shape:?}: forward {}", rel_max(&y, &y_ref));
            // candle's composed backward (conv_transpose2d without output padding) fails when the
            // stride does not divide H + 2·pad − k: those shapes are checked against finite
            // differences only.
            if (h + 2 * p - k) % s != 0 || (w + 2 * p - k) % s != 0 {
                continue;
            }
            let (_, g_ref) = grads(&|t| t[0].conv2d(&t[1], p, s, 1, 1).unwrap(), &[x, wt], &r);
            for (which, (a, b)) in ["∂x", "∂w"].iter().zip(g.iter().zip(&g_ref)) {
                assert!(rel_max(a, b) < tol, "{dtype:?} {shape:?}: {which} {}", rel_max(a, b));
            }
        }
    }
}

/// Central differences of L(inputs) = Σ r ⊙ f(inputs) at every `every`-th entry of each input,
/// against `analytic`; returns the largest error relative to 1 + |difference|.
fn fd_error(f: &dyn Fn(&[Tensor]) -> Tensor, inputs: &[Tensor], r: &Tensor, analytic: &[Tensor], every: usize) -> f64 {
    let h = 1e-6;
    let loss = |ts: &[Tensor]| (f(ts) * r).unwrap().sum_all().unwrap().to_scalar::<f64>().unwrap();
    let mut worst = 0.0f64;
    for (i, (x, g)) in inputs.iter().zip(analytic).enumerate() {
        let base = values(x);
        let g = values(g);
        for j in (0..base.len()).step_by(every) {
            let at = |d: f64| {
                let mut v = base.clone();
                v[j] += d;
                let mut ts = inputs.to_vec();
                ts[i] = Tensor::from_vec(v, x.dims(), &Device::Cpu).unwrap();
                loss(&ts)
            };
            let fd = (at(h) - at(-h)) / (2.0 * h);
            worst = worst.max((fd - g[j]).abs() / (1.0 + fd.abs()));
        }
    }
    worst
}

#[test]
fn conv2d_gradients_match_finite_differences() {
    let mut rng = ChaChaSource::new(2);
    for &(n, ci, h, w, co, k, s, p) in CONVS.iter().filter(|c| c.0 <= 3) {
        let x = randn(&[n, ci, h, w], DType::F64, &mut rng);
        let wt = randn(&[co, ci, k, k], DType::F64, &mut rng);
        let f = move |t: &[Tensor]| ops::conv2d(&t[0], &t[1], s, p).unwrap();
        let r = randn(f(&[x.clone(), wt.clone()]).dims(), DType::F64, &mut rng);
        let (_, g) = grads(&f, &[x.clone(), wt.clone()], &r);
        let err = fd_error(&f, &[x.clone(), wt.clone()], &r, &g, 3);
        assert!(err < 1e-7, "{:?}: finite differences {err:e}", (n, ci, h, w, co, k, s, p));
        // The check can fail: a gradient off by 1e-3 in one entry is caught.
        let mut wrong = values(&g[1]);
        wrong[0] += 1e-3 * (1.0 + wrong[0].abs());
        let wrong = Tensor::from_vec(wrong, g[1].dims(), &Device::Cpu).unwrap();
        assert!(fd_error(&f, &[x, wt], &r, &[g[0].clone(), wrong], 3) > 1e-5);
    }
}

/// (N, C, H, W) for batch norm: batch 1 with a map, odd maps, a (N, C) input.
const BNS: &[&[usize]] = &[&[1, 3, 5, 5], &[4, 5, 3, 7], &[7, 2, 1, 1], &[6, 4]];

/// A batch-norm layer of `c` channels with γ, β drawn away from 1, 0, and its store.
fn bn_layer(c: usize, dtype: DType, kernels: Kernels, rng: &mut ChaChaSource) -> (BatchNorm, ParamStore) {
    let mut p = ParamStore::with_dtype(&Device::Cpu, dtype).with_kernels(kernels);
    let bn = BatchNorm::new(&mut p, "bn", c).unwrap();
    for (_, v) in p.trainable() {
        let d: Vec<f64> = (0..c).map(|_| rng.uniform_in(0.5, 1.5)).collect();
        v.set(&Tensor::from_vec(d, c, &Device::Cpu).unwrap().to_dtype(dtype).unwrap()).unwrap();
    }
    (bn, p)
}

#[test]
fn batch_norm_matches_composed_including_running_statistics() {
    let mut rng = ChaChaSource::new(3);
    for dtype in [DType::F64, DType::F32] {
        let tol = if dtype == DType::F64 { 1e-11 } else { 3e-5 };
        // candle's composed batch norm (layers.rs) takes 4-D inputs only.
        for &shape in BNS.iter().filter(|s| s.len() == 4) {
            let c = shape[1];
            let mut seed = ChaChaSource::new(rng.index(1000) as u64);
            let (fused, pf) = bn_layer(c, dtype, Kernels::Fused, &mut seed.clone());
            let (composed, pc) = bn_layer(c, dtype, Kernels::Composed, &mut seed);
            // An offset mean, as after a ReLU.
            let x = (randn(shape, dtype, &mut rng) + 3.0).unwrap();
            let r = randn(shape, dtype, &mut rng);
            let run = |bn: &BatchNorm, p: &ParamStore| {
                let params: Vec<Tensor> = p.trainable().iter().map(|(_, v)| v.as_tensor().clone()).collect();
                let xv = Var::from_tensor(&x).unwrap();
                let y = bn.forward_mode(xv.as_tensor(), BnMode::Train).unwrap();
                let g = (&y * &r).unwrap().sum_all().unwrap().backward().unwrap();
                let mut out = vec![y, g.get(xv.as_tensor()).unwrap().clone()];
                out.extend(params.iter().map(|t| g.get(t).unwrap().clone()));
                out.extend(p.buffers().iter().map(|(_, v)| v.as_tensor().clone()));
                out
            };
            let (a, b) = (run(&fused, &pf), run(&composed, &pc));
            for (which, (a, b)) in ["y", "∂x", "∂γ", "∂β", "running mean", "running var"].iter().zip(a.iter().zip(&b))
            {
                assert!(rel_max(a, b) < tol, "{dtype:?} {shape:?}: {which} {}", rel_max(a, b));
            }
        }
    }
}

#[test]
fn batch_norm_gradients_match_finite_differences() {
    let mut rng = ChaChaSource::new(4);
    for &shape in BNS {
        let c = shape[1];
        let x = randn(shape, DType::F64, &mut rng);
        let gamma = randn(&[c], DType::F64, &mut rng).affine(0.3, 1.0).unwrap();
        let beta = randn(&[c], DType::F64, &mut rng);
        let f = |t: &[Tensor]| ops::batch_norm_train(&t[0], &t[1], &t[2], 1e-5).unwrap().0;
        let inputs = [x, gamma, beta];
        let r = randn(shape, DType::F64, &mut rng);
        let (_, g) = grads(&f, &inputs, &r);
        let err = fd_error(&f, &inputs, &r, &g, 1);
        assert!(err < 1e-6, "{shape:?}: finite differences {err:e}");
        // ∂L/∂x without its mean term (a classic batch-norm bug) is caught.
        let mean = g[0].mean_keepdim(0).unwrap();
        let wrong = g[0].broadcast_add(&(mean + 0.1).unwrap()).unwrap();
        assert!(fd_error(&f, &inputs, &r, &[wrong, g[1].clone(), g[2].clone()], 1) > 1e-3);
    }
}

#[test]
fn relu_matches_composed_away_from_zero() {
    let mut rng = ChaChaSource::new(5);
    for dtype in [DType::F64, DType::F32] {
        let x = randn(&[3, 5, 7, 2], dtype, &mut rng);
        let r = randn(x.dims(), dtype, &mut rng);
        let (y, g) = grads(&|t| ops::relu(&t[0]).unwrap(), std::slice::from_ref(&x), &r);
        let (y_ref, g_ref) = grads(&|t| t[0].relu().unwrap(), &[x], &r);
        assert_eq!(values(&y), values(&y_ref));
        assert_eq!(values(&g[0]), values(&g_ref[0]));
        let zeros = values(&g[0]).iter().filter(|v| **v == 0.0).count();
        assert!(zeros > 30 && zeros < 180, "about half the entries are cut: {zeros} of 210");
    }
}

#[test]
fn sgd_in_place_equals_the_composed_update() {
    for (momentum, decay) in [(0.9, 5e-4), (0.0, 5e-4), (0.9, 0.0), (0.0, 0.0)] {
        let mut rng = ChaChaSource::new(6);
        let make = |k: Kernels, rng: &mut ChaChaSource| {
            let mut p = ParamStore::new(&Device::Cpu).with_kernels(k);
            p.normal("a".into(), &[4, 3], 1.0, rng).unwrap();
            p.normal("b".into(), &[5], 1.0, rng).unwrap();
            p
        };
        let (pf, pc) = (make(Kernels::Fused, &mut rng.clone()), make(Kernels::Composed, &mut rng));
        let mut of = SgdMomentum::new(momentum, decay).with_kernels(Kernels::Fused);
        let mut oc = SgdMomentum::new(momentum, decay).with_kernels(Kernels::Composed);
        for step in 0..4 {
            // The same gradient for both: the loss Σ c ⊙ θ² with fixed c.
            let gs = |p: &ParamStore, rng: &mut ChaChaSource| {
                let mut loss = Tensor::new(0f32, &Device::Cpu).unwrap();
                for (_, v) in p.trainable() {
                    let c = randn(v.dims(), DType::F32, rng);
                    loss = (loss + (v.as_tensor().sqr().unwrap() * c).unwrap().sum_all().unwrap()).unwrap();
                }
                loss.backward().unwrap()
            };
            let mut seed = ChaChaSource::new(100 + step);
            of.step(&pf, &gs(&pf, &mut seed.clone()), 0.05).unwrap();
            oc.step(&pc, &gs(&pc, &mut seed), 0.05).unwrap();
            for ((_, a), (_, b)) in pf.trainable().iter().zip(pc.trainable()) {
                assert_eq!(values(a.as_tensor()), values(b.as_tensor()), "μ {momentum}, λ {decay}, step {step}");
            }
        }
        let (sf, sc) = (of.named_state(&pf), oc.named_state(&pc));
        assert_eq!(sf.len(), if momentum != 0.0 { 2 } else { 0 });
        for ((na, a), (nb, b)) in sf.iter().zip(&sc) {
            assert_eq!(na, nb);
            assert_eq!(values(a), values(b));
        }
    }
}

/// Logits and every parameter gradient of one training-mode step of `spec` in f64.
fn net_pass(spec: NetSpec, kernels: Kernels, x: &Tensor, y: &Tensor) -> Vec<Tensor> {
    let net = build_in(spec, 10, ParamStore::with_dtype(&Device::Cpu, DType::F64).with_kernels(kernels), 7).unwrap();
    let step = net.loss_and_grads(x, y).unwrap();
    let fw = net.forward(x, true).unwrap();
    let mut out = vec![fw.logits, step.loss];
    out.extend(net.params().trainable().iter().map(|(_, v)| step.grads.get(v.as_tensor()).unwrap().clone()));
    out
}

#[test]
fn whole_networks_match_composed() {
    let mut rng = ChaChaSource::new(8);
    let x = Tensor::from_vec((0..3 * 3072).map(|_| rng.uniform()).collect::<Vec<f64>>(), (3, 3, 32, 32), &Device::Cpu)
        .unwrap();
    let y = Tensor::from_vec(vec![1u32, 7, 3], 3, &Device::Cpu).unwrap();
    for spec in [NetSpec::resnet18(4), NetSpec::DenseNet { depth: 10, growth: 4 }] {
        let (a, b) = (net_pass(spec, Kernels::Fused, &x, &y), net_pass(spec, Kernels::Composed, &x, &y));
        assert_eq!(a.len(), b.len());
        for (i, (a, b)) in a.iter().zip(&b).enumerate() {
            assert!(rel_max(a, b) < 1e-9, "{spec:?}: output {i} differs by {}", rel_max(a, b));
        }
    }
}
