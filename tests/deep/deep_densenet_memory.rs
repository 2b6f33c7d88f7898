#![cfg(feature = "deep")]
//! The recomputing DenseNet backward pass (`Net::loss_and_grads`) against backpropagation
//! through one graph (`backprop`), in f64: same loss, same predictions, same gradient for every
//! parameter, same running statistics afterwards.

use candle_core::{DType, Device, Tensor};
use largestep::deep::params::ParamStore;
use largestep::deep::{backprop, build_in, Net, NetSpec};
use largestep::rng::{ChaChaSource, RandomSource};
use largestep::test_device;

fn flat(t: &Tensor) -> Vec<f64> {
    t.flatten_all().unwrap().to_dtype(DType::F64).unwrap().to_vec1::<f64>().unwrap()
}

fn buffers(net: &dyn Net) -> Vec<f64> {
    net.params().buffers().iter().flat_map(|(_, v)| flat(v.as_tensor())).collect()
}

fn recompute_matches_one_graph(dev: &Device) {
    // Depth 16: two bottleneck layers per block, growth 4; 8×8 inputs keep it fast.
    let spec = NetSpec::DenseNet { depth: 16, growth: 4 };
    let net = |seed| build_in(spec, 10, ParamStore::with_dtype(dev, DType::F64), seed).unwrap();
    let (plain, recompute) = (net(3), net(3));
    let mut r = ChaChaSource::new(9);
    let n = 6;
    let xv: Vec<f64> = (0..n * 3 * 8 * 8).map(|_| r.uniform()).collect();
    let x = Tensor::from_vec(xv, (n, 3, 8, 8), dev).unwrap();
    let y = Tensor::from_vec((0..n as u32).map(|i| (i * 7) % 10).collect::<Vec<u32>>(), n, dev).unwrap();
    let a = backprop(&*plain, &x, &y).unwrap();
    let b = recompute.loss_and_grads(&x, &y).unwrap();
    let (la, lb) = (a.loss.to_scalar::<f64>().unwrap(), b.loss.to_scalar::<f64>().unwrap());
    assert!((la - lb).abs() <= 1e-13 * la.abs(), "loss {la} vs {lb}");
    assert_eq!(a.correct, b.correct);
    let mut checked = 0;
    for ((name, va), (_, vb)) in plain.params().trainable().iter().zip(recompute.params().trainable()) {
        let ga = flat(a.grads.get(va.as_tensor()).unwrap_or_else(|| panic!("{name}: no gradient (one graph)")));
        let gb = flat(b.grads.get(vb.as_tensor()).unwrap_or_else(|| panic!("{name}: no gradient (recomputed)")));
        let scale = ga.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(scale > 0.0, "{name}: zero gradient");
        for (i, (p, q)) in ga.iter().zip(&gb).enumerate() {
            assert!((p - q).abs() <= 1e-11 * scale, "{name}[{i}]: one graph {p} vs recomputed {q}");
        }
        checked += 1;
    }
    assert_eq!(checked, plain.params().trainable().len());
    // Running statistics moved once, as in the one-graph pass (recomputation leaves them alone).
    let (ba, bb) = (buffers(&*plain), buffers(&*recompute));
    assert!(ba.iter().zip(&bb).all(|(p, q)| (p - q).abs() <= 1e-13 * (1.0 + p.abs())));
    assert_ne!(ba, buffers(&*net(3)), "training mode left the running statistics unchanged");
}
test_device!(recompute, recompute_matches_one_graph);
