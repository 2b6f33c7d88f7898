//! Bit-for-bit parity of [`NumpySource`] with numpy's legacy global generator.
//!
//! Every expected value below was printed once by numpy 2.4.6 (CPython 3.11, manylinux x86_64
//! wheel) as `repr(float(x))`, which round-trips exactly, e.g.
//!
//! ```python
//! np.random.seed(0); np.random.randn(7)
//! np.random.seed(0); [np.random.randint(80) for _ in range(10)]
//! ```
//!
//! Python is never called from the tests; the numbers are constants. Floats are compared on their
//! bit patterns.

use largestep::rng::{NumpySource, RandomSource};

const SEEDS: [u32; 4] = [0, 1, 5, 1234];

fn assert_bits(what: &str, actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_eq!(a.to_bits(), e.to_bits(), "{what}[{i}]: got {a:?}, numpy gives {e:?}");
    }
}

/// `np.random.randint(0, 2**32, size=3, dtype=np.uint64)`: the range is exactly 32 bits, so these
/// are the raw tempered MT19937 outputs after `np.random.seed(seed)`.
#[test]
fn raw_mt19937_words() {
    let expected: [[u32; 3]; 4] = [
        [2357136044, 2546248239, 3071714933],
        [1791095845, 4282876139, 3093770124],
        [953453411, 236996814, 3739766767],
        [822569775, 2137449171, 2671936806],
    ];
    for (seed, want) in SEEDS.iter().zip(expected) {
        let mut r = NumpySource::new(*seed);
        let got: Vec<u32> = (0..3).map(|_| r.next_u32()).collect();
        assert_eq!(got, want, "seed {seed}");
    }
    // np.random.seed(0); np.random.randint(0, 2**64, size=2, dtype=np.uint64): high word first.
    let mut r = NumpySource::new(0);
    assert_eq!(r.next_u64(), 10123822223749065263);
    assert_eq!(r.next_u64(), 13192915183495924928);
}

/// `np.random.seed(seed); np.random.random_sample(5)`.
#[test]
fn random_sample_first_values() {
    let expected: [[f64; 5]; 4] = [
        [0.5488135039273248, 0.7151893663724195, 0.6027633760716439, 0.5448831829968969, 0.4236547993389047],
        [0.417022004702574, 0.7203244934421581, 0.00011437481734488664, 0.30233257263183977, 0.14675589081711304],
        [0.22199317108973948, 0.8707323061773764, 0.20671915533942642, 0.9186109079379216, 0.48841118879482914],
        [0.1915194503788923, 0.6221087710398319, 0.4377277390071145, 0.7853585837137692, 0.7799758081188035],
    ];
    for (seed, want) in SEEDS.iter().zip(expected) {
        let mut r = NumpySource::new(*seed);
        let got: Vec<f64> = (0..5).map(|_| r.uniform()).collect();
        assert_bits(&format!("random_sample seed {seed}"), &got, &want);
    }
}

/// `np.random.seed(seed); np.random.randn(7)`: an odd count, so the last value leaves a cached
/// second value behind; `randn(3)` twice equals `randn(6)` (checked in numpy too).
#[test]
fn randn_first_values() {
    let expected: [[f64; 7]; 4] = [
        [
            1.764052345967664,
            0.4001572083672233,
            0.9787379841057392,
            2.240893199201458,
            1.8675579901499675,
            -0.977277879876411,
            0.9500884175255894,
        ],
        [
            1.6243453636632417,
            -0.6117564136500754,
            -0.5281717522634557,
            -1.0729686221561705,
            0.8654076293246785,
            -2.3015386968802827,
            1.74481176421648,
        ],
        [
            0.44122748688504143,
            -0.33087015189408764,
            2.43077118700778,
            -0.2520921296030769,
            0.10960984157818278,
            1.5824811170615634,
            -0.9092324048562419,
        ],
        [
            0.47143516373249306,
            -1.1909756947064645,
            1.4327069684260973,
            -0.3126518960917129,
            -0.7205887333650116,
            0.8871629403077386,
            0.8595884137174165,
        ],
    ];
    for (seed, want) in SEEDS.iter().zip(expected) {
        let mut r = NumpySource::new(*seed);
        let got: Vec<f64> = (0..7).map(|_| r.standard_normal()).collect();
        assert_bits(&format!("randn seed {seed}"), &got, &want);
        let mut r = NumpySource::new(*seed);
        assert_bits(&format!("normals seed {seed}"), &r.normals(7), &want);
    }
    // Splitting the draws (randn(3); randn(3)) does not change the stream.
    let mut r = NumpySource::new(1);
    let mut split = r.normals(3);
    split.extend(r.normals(3));
    assert_bits("randn(3)+randn(3) seed 1", &split, &expected[1][..6]);
}

/// `np.random.seed(seed); [np.random.randint(80) for _ in range(10)]`.
#[test]
fn randint_80() {
    let expected: [[usize; 10]; 4] = [
        [44, 47, 64, 67, 67, 9, 21, 36, 70, 12],
        [37, 12, 72, 9, 75, 5, 79, 64, 16, 1],
        [78, 61, 16, 73, 8, 62, 27, 30, 7, 76],
        [47, 38, 53, 76, 24, 15, 49, 23, 26, 30],
    ];
    for (seed, want) in SEEDS.iter().zip(expected) {
        let mut r = NumpySource::new(*seed);
        let got: Vec<usize> = (0..10).map(|_| r.index(80)).collect();
        assert_eq!(got, want, "randint(80) seed {seed}");
    }
}

/// `np.random.seed(seed); [np.random.randint(12) for _ in range(10)]`.
#[test]
fn randint_12() {
    let expected: [[usize; 10]; 4] = [
        [5, 0, 3, 11, 3, 7, 9, 3, 5, 2],
        [5, 11, 8, 9, 11, 5, 0, 0, 1, 7],
        [3, 6, 6, 0, 9, 8, 4, 7, 11, 0],
        [3, 6, 5, 4, 8, 9, 1, 7, 9, 10],
    ];
    for (seed, want) in SEEDS.iter().zip(expected) {
        let mut r = NumpySource::new(*seed);
        let got: Vec<usize> = (0..10).map(|_| r.index(12)).collect();
        assert_eq!(got, want, "randint(12) seed {seed}");
    }
}

/// `randint(1)` is always 0 and draws nothing: after three of them, `random_sample()` is still the
/// first value of the stream (numpy: `[0, 0, 0]` then the seed's first `random_sample`), and a
/// normal drawn next is still the seed's first normal.
#[test]
fn randint_1_draws_nothing() {
    let first_uniform = [0.5488135039273248, 0.417022004702574, 0.22199317108973948, 0.1915194503788923];
    for (seed, u) in SEEDS.iter().zip(first_uniform) {
        let mut r = NumpySource::new(*seed);
        let got: Vec<usize> = (0..3).map(|_| r.index(1)).collect();
        assert_eq!(got, [0, 0, 0]);
        assert_eq!(r.uniform().to_bits(), f64::to_bits(u), "seed {seed}");
    }
    let mut r = NumpySource::new(0);
    assert_eq!(r.index(1), 0);
    assert_eq!(r.standard_normal().to_bits(), f64::to_bits(1.764052345967664));
}

/// Ranges beyond 32 bits take the 64-bit masked path (`randint(2**40)`, `randint(5*2**33+7)`);
/// `randint(2**32)` (rng = 2³² − 1) and `randint(2**31+1)` (heavy rejection) stay on 32 bits.
#[test]
#[cfg(target_pointer_width = "64")]
fn randint_wide_ranges() {
    let mut r = NumpySource::new(0);
    let got: Vec<usize> = (0..4).map(|_| r.index(1 << 40)).collect();
    assert_eq!(got, [741280623151, 506137267392, 291447657211, 841157541223]);
    // Each 64-bit draw consumed two 32-bit words: the next random_sample is numpy's fifth.
    assert_eq!(r.uniform().to_bits(), f64::to_bits(0.4236547993389047));

    let mut r = NumpySource::new(0);
    let got: Vec<usize> = (0..3).map(|_| r.index(1 << 32)).collect();
    assert_eq!(got, [2357136044, 2546248239, 3071714933]);

    let mut r = NumpySource::new(0);
    let got: Vec<usize> = (0..5).map(|_| r.index((1 << 31) + 1)).collect();
    assert_eq!(got, [1819583497, 1650906866, 1879422756, 1277901399, 243580376]);

    let mut r = NumpySource::new(0);
    let got: Vec<usize> = (0..5).map(|_| r.index(5 * (1 << 33) + 7)).collect();
    assert_eq!(got, [25100930240, 16569750267, 16523820391, 41332891347, 23125743346]);
}

/// The Gaussian cache survives `randint` and `random_sample` calls, as in numpy:
/// `seed(0); randn(); randint(80); randn(); randn(); random_sample(); randn(); randint(12); randn()`.
#[test]
fn interleaved_calls() {
    let mut r = NumpySource::new(0);
    assert_eq!(r.standard_normal().to_bits(), f64::to_bits(1.764052345967664));
    assert_eq!(r.index(80), 67);
    // The cached second value of the first pair.
    assert_eq!(r.standard_normal().to_bits(), f64::to_bits(0.4001572083672233));
    assert_eq!(r.standard_normal().to_bits(), f64::to_bits(0.07085925794500358));
    assert_eq!(r.uniform().to_bits(), f64::to_bits(0.6235636967859723));
    assert_eq!(r.standard_normal().to_bits(), f64::to_bits(0.07304142216313661));
    assert_eq!(r.index(12), 2);
    assert_eq!(r.standard_normal().to_bits(), f64::to_bits(0.9500884175255894));
}

/// `np.random.seed(0); np.random.uniform(-2, 3)` = `-2 + 5 * random_sample()`.
#[test]
fn uniform_in_matches_numpy_uniform() {
    let mut r = NumpySource::new(0);
    assert_eq!(r.uniform_in(-2.0, 3.0).to_bits(), f64::to_bits(0.7440675196366238));
}

/// Draws that cross the 624-word state regeneration, and the largest seed.
#[test]
fn across_state_regeneration() {
    // np.random.seed(5); z = np.random.randn(1001)
    let mut r = NumpySource::new(5);
    let z = r.normals(1001);
    assert_eq!(z[311].to_bits(), f64::to_bits(0.1292002290299064));
    assert_eq!(z[312].to_bits(), f64::to_bits(0.5629625132005759));
    assert_eq!(z[1000].to_bits(), f64::to_bits(0.5427690277699994));
    // np.random.seed(1234); np.random.random_sample(313)[-1]: the 313th value straddles the
    // regeneration (words 624 and 625).
    let mut r = NumpySource::new(1234);
    let u: Vec<f64> = (0..313).map(|_| r.uniform()).collect();
    assert_eq!(u[312].to_bits(), f64::to_bits(0.07069617875044265));
    // np.random.seed(2**32 - 1); np.random.random_sample()
    let mut r = NumpySource::new(u32::MAX);
    assert_eq!(r.uniform().to_bits(), f64::to_bits(0.0976320289940138));
}

/// `np.random.seed(0); X = np.random.multivariate_normal(np.zeros(200), np.eye(200), 80)`.
/// numpy's result is bit-identical to `np.random.standard_normal((80, 200))` (checked with
/// `np.array_equal(X.view(np.uint64), Z.view(np.uint64))`: `svd(eye)` gives `s = 1`, `v = I`).
#[test]
fn multivariate_normal_identity() {
    let mut r = NumpySource::new(0);
    let x = r.gaussian_matrix(80, 200);
    assert_eq!(x.len(), 80 * 200);
    assert_bits(
        "X[0, :5]",
        &x[..5],
        &[1.764052345967664, 0.4001572083672233, 0.9787379841057392, 2.240893199201458, 1.8675579901499675],
    );
    assert_eq!(x[41 * 200 + 117].to_bits(), f64::to_bits(-1.1237210750886788), "X[41, 117]");
    assert_eq!(x[79 * 200 + 199].to_bits(), f64::to_bits(-0.10630248751464731), "X[79, 199]");
}

/// The release's diagonal-net data draw, in the notebook's order:
///
/// ```python
/// np.random.seed(0)
/// X = np.random.multivariate_normal(np.zeros(200), np.eye(200), 80)
/// X_test = np.random.multivariate_normal(np.zeros(200), np.eye(200), 1000)
/// g = np.random.randn(200)
/// ```
///
/// All 216 200 values equal `np.random.standard_normal(216200)` bit for bit; the wrapping sum and
/// the xor of their `uint64` views are pinned as well.
#[test]
fn release_diagonal_net_data_seed_0() {
    let mut r = NumpySource::new(0);
    let x = r.gaussian_matrix(80, 200);
    let x_test = r.gaussian_matrix(1000, 200);
    let g = r.normals(200);
    assert_bits("X[0, :3]", &x[..3], &[1.764052345967664, 0.4001572083672233, 0.9787379841057392]);
    assert_bits(
        "X_test[999, -3:]",
        &x_test[999 * 200 + 197..],
        &[0.08017165959204095, -1.5098059041502536, 0.8045543528680955],
    );
    assert_bits("g[:3]", &g[..3], &[-1.084550874553624, 0.381815163324615, -1.0278473237387664]);
    assert_eq!(g[199].to_bits(), f64::to_bits(-0.022192691668804547), "g[-1]");

    let all = x.iter().chain(&x_test).chain(&g);
    let (sum, xor) = all.fold((0u64, 0u64), |(s, x), v| (s.wrapping_add(v.to_bits()), x ^ v.to_bits()));
    assert_eq!(sum, 3944398686253660328, "np.sum(z.view(np.uint64), dtype=np.uint64)");
    assert_eq!(xor, 18310205694931517706, "np.bitwise_xor.reduce(z.view(np.uint64))");
}

/// The release's SGD index stream: `np.random.seed(1)` then `np.random.randint(80)` once per step.
#[test]
fn release_sgd_indices_seed_1() {
    let mut r = NumpySource::new(1);
    let idx: Vec<usize> = (0..100_000).map(|_| r.index(80)).collect();
    assert_eq!(idx[..20], [37, 12, 72, 9, 75, 5, 79, 64, 16, 1, 76, 71, 6, 25, 50, 20, 18, 11, 28, 29]);
    assert_eq!(idx[99_999], 33);
    assert_eq!(idx.iter().sum::<usize>(), 3_950_476);
}

/// `randint(0)` is an error in numpy (`ValueError: high <= 0`).
#[test]
#[should_panic(expected = "at least 1")]
fn index_zero_panics() {
    NumpySource::new(0).index(0);
}
