#![cfg(feature = "deep")]
//! The deep-net sparsity metric on hand-built activations.

use candle_core::Device;
use faer::Mat;
use largestep::deep::data::ImageSet;
use largestep::deep::metric::{block_sparsity, measure, sample_neurons, MetricConfig};
use largestep::deep::{build, NetSpec};
use largestep::rng::ChaChaSource;
use largestep::test_device;

#[test]
fn hand_built_activations() {
    // 4 samples × 4 neurons: n1 = 2·n0 (duplicate, |corr| = 1 > 0.95, n0 deleted, n1 kept),
    // n2 never positive (dropped), n3 independent of n1.
    let cols = [[1.0, 0.0, 2.0, 0.0], [2.0, 0.0, 4.0, 0.0], [-1.0, -2.0, 0.0, -3.0], [0.0, 1.0, 1.0, 0.0]];
    let f = Mat::from_fn(4, 4, |i, j| cols[j][i]);
    let s = block_sparsity("b", &f);
    // positive entries: n0 2, n1 2, n2 0, n3 2 → 6/16; kept n1, n3 → 4/16.
    assert_eq!(s.positive, 6.0 / 16.0);
    assert_eq!(s.coefficient, 4.0 / 16.0);
    // corr = 0.8 < τ = 0.95: both neurons kept.
    let g = Mat::from_fn(5, 2, |i, j| if j == 0 { [1.0, 2.0, 3.0, 4.0, 5.0][i] } else { [1.0, 3.0, 2.0, 5.0, 4.0][i] });
    assert_eq!(block_sparsity("b", &g).coefficient, 1.0);
}

#[test]
fn neuron_sample() {
    let mut r = ChaChaSource::new(0);
    let s = sample_neurons(5000, 1000, &mut r);
    assert_eq!(s.len(), 1000);
    assert!(s.windows(2).all(|w| w[0] < w[1]));
    assert!(*s.last().unwrap() < 5000);
    assert_eq!(sample_neurons(30, 1000, &mut r), (0..30).collect::<Vec<u32>>());
}

/// On a network, in evaluation mode: a tap per block, values in [0, 1], coefficient ≤ positive
/// fraction; the post-ReLU ResNet blocks are non-negative, so the plain fraction matches a direct
/// count when every neuron is kept.
fn on_network(dev: &Device) {
    let net = build(NetSpec::resnet18(2), 10, dev, 1).unwrap();
    let mut r = ChaChaSource::new(4);
    use largestep::rng::RandomSource;
    let set = ImageSet {
        pixels: (0..40 * 3072).map(|_| r.index(256) as u8).collect(),
        labels: (0..40).map(|_| r.index(10) as u32).collect(),
    };
    let cfg = MetricConfig { images: 32, batch: 16, max_neurons: 100_000, seed: 0 };
    let out = measure(&*net, &set, &cfg, dev).unwrap();
    assert_eq!(
        out.iter().map(|s| s.block.as_str()).collect::<Vec<_>>(),
        ["layer1", "layer2", "layer3", "layer4", "pooled"]
    );
    let idx: Vec<usize> = (0..32).collect();
    let (x, _) = set.batch(&idx, None, dev).unwrap();
    let taps = net.forward(&x, false).unwrap().taps;
    for (s, t) in out.iter().zip(&taps) {
        assert!(s.coefficient <= s.positive && s.positive <= 1.0 && s.coefficient >= 0.0, "{s:?}");
        let direct = t
            .gt(0.0)
            .unwrap()
            .to_dtype(candle_core::DType::F64)
            .unwrap()
            .mean_all()
            .unwrap()
            .to_scalar::<f64>()
            .unwrap();
        assert!((direct - s.positive).abs() < 1e-12, "{} {direct} {}", s.block, s.positive);
    }
}
test_device!(network, on_network);
