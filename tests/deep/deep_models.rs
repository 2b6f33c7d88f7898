#![cfg(feature = "deep")]
//! Shapes, parameter counts and batch-norm modes of the deep networks.

use candle_core::{Device, Tensor};
use largestep::deep::{build, NetSpec};
use largestep::rng::{ChaChaSource, RandomSource};
use largestep::test_device;

fn input(n: usize, dev: &Device) -> Tensor {
    let mut r = ChaChaSource::new(7);
    let v: Vec<f32> = (0..n * 3072).map(|_| r.uniform() as f32).collect();
    Tensor::from_vec(v, (n, 3, 32, 32), dev).unwrap()
}

fn dims(t: &[Tensor]) -> Vec<Vec<usize>> {
    t.iter().map(|t| t.dims().to_vec()).collect()
}

/// ResNet-18/34 at width 64 have the CIFAR variants' parameter counts (PyTorch: 11 173 962 and
/// 21 282 122 for 10 classes), taps at layer1–4 and the pooled vector.
fn resnet_shapes(dev: &Device) {
    for (spec, count) in [(NetSpec::resnet18(64), 11_173_962), (NetSpec::resnet34(64), 21_282_122)] {
        let net = build(spec, 10, dev, 0).unwrap();
        assert_eq!(net.params().num_params(), count, "{spec:?}");
        let fw = net.forward(&input(2, dev), false).unwrap();
        assert_eq!(fw.logits.dims(), &[2, 10]);
        assert_eq!(
            dims(&fw.taps),
            vec![vec![2, 64, 32, 32], vec![2, 128, 16, 16], vec![2, 256, 8, 8], vec![2, 512, 4, 4], vec![2, 512]]
        );
        assert_eq!(net.tap_names().len(), 5);
    }
    // CIFAR-100 head.
    let net = build(NetSpec::resnet18(8), 100, dev, 0).unwrap();
    assert_eq!(net.forward(&input(3, dev), true).unwrap().logits.dims(), &[3, 100]);
}
test_device!(resnet, resnet_shapes);

/// DenseNet-BC-100-12: 16 bottleneck layers per block, channels 24 → 216 → 108 → 300 → 150 → 342,
/// 769 162 parameters for 10 classes (the published ≈ 0.8 M); taps after the ReLU at the end of
/// dense block 2 (300 × 16 × 16) and before global pooling (342 × 8 × 8).
fn densenet_shapes(dev: &Device) {
    let net = build(NetSpec::densenet100(), 10, dev, 0).unwrap();
    assert_eq!(net.params().num_params(), 769_162);
    let fw = net.forward(&input(2, dev), true).unwrap();
    assert_eq!(fw.logits.dims(), &[2, 10]);
    assert_eq!(dims(&fw.taps), vec![vec![2, 300, 16, 16], vec![2, 342, 8, 8]]);
    assert_eq!(net.tap_names(), vec!["block3".to_string(), "block4".to_string()]);
    // Both taps are activations (post-ReLU): non-negative, with zeros and positive entries.
    for tap in &fw.taps {
        let v = tap.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        assert!(v.iter().all(|&a| a >= 0.0));
        assert!(v.contains(&0.0) && v.iter().any(|&a| a > 0.0));
    }
}
test_device!(densenet, densenet_shapes);

/// Training mode normalizes with batch statistics and moves the running statistics; evaluation
/// mode uses (and does not change) them, so it is per-sample and deterministic.
fn batch_norm_modes(dev: &Device) {
    let net = build(NetSpec::resnet18(4), 10, dev, 3).unwrap();
    let x = input(4, dev);
    let running = |n: &dyn largestep::deep::Net| -> Vec<f32> {
        n.params().buffers().iter().flat_map(|(_, v)| v.as_tensor().to_vec1::<f32>().unwrap()).collect()
    };
    let r0 = running(&*net);
    let e1 = net.forward(&x, false).unwrap().logits.to_vec2::<f32>().unwrap();
    assert_eq!(running(&*net), r0, "eval mode changed running statistics");
    // Per-sample in eval mode: the first row alone gives the same logits.
    let e_single = net.forward(&x.narrow(0, 0, 1).unwrap(), false).unwrap().logits.to_vec2::<f32>().unwrap();
    for (a, b) in e1[0].iter().zip(&e_single[0]) {
        assert!((a - b).abs() < 1e-4, "{a} vs {b}");
    }
    let t = net.forward(&x, true).unwrap().logits.to_vec2::<f32>().unwrap();
    assert_ne!(running(&*net), r0, "train mode left running statistics unchanged");
    assert!(t.iter().flatten().zip(e1.iter().flatten()).any(|(a, b)| (a - b).abs() > 1e-3));
    // Running mean of the stem BN is 0.1 × the batch mean of the stem conv output (from 0).
    let names: Vec<&str> = net.params().buffers().iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names[0], "bn1.running_mean");
    let conv = x.conv2d(&net.filters().0, 1, 1, 1, 1).unwrap();
    let mean = conv.mean((0, 2, 3)).unwrap().to_vec1::<f32>().unwrap();
    let rm = net.params().buffers()[0].1.as_tensor().to_vec1::<f32>().unwrap();
    for (m, r) in mean.iter().zip(&rm) {
        assert!((0.1 * m - r).abs() < 1e-5, "{m} {r}");
    }
}
test_device!(bn_modes, batch_norm_modes);

/// Same seed ⇒ identical weights; another seed ⇒ different ones.
fn seeded_init(dev: &Device) {
    let flat = |seed| -> Vec<f32> {
        build(NetSpec::resnet18(4), 10, dev, seed)
            .unwrap()
            .params()
            .trainable()
            .iter()
            .flat_map(|(_, v)| v.as_tensor().flatten_all().unwrap().to_vec1::<f32>().unwrap())
            .collect()
    };
    assert_eq!(flat(5), flat(5));
    assert_ne!(flat(5), flat(6));
}
test_device!(init, seeded_init);
