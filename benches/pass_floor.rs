//! How far the Euler–Maruyama product of Eq. (58) on the diagonal net (n = 80, d = 200) is from
//! what this CPU can do: the library's one-pass product (predictions Xβ, weights, φᵀc) beside a
//! hand-written AVX2 pass with the same operations in the same order (compile-time shape, raw
//! pointers, no dispatch; checked bit for bit against the library before timing), and two probes
//! of the machine itself: fused multiply–adds on registers only, and a dot product that loads two
//! vectors per multiply–add from L1. See BENCHMARKS.md (session 9).
//!
//! `cargo bench --bench pass_floor`. On a CPU without AVX2 + FMA only the library's pass runs.

use criterion::{criterion_group, criterion_main, Criterion};
use largestep::data::SparseRegression;
use largestep::model::{DiagonalNet, Model};
use largestep::rng::{ChaChaSource, RandomSource};
use std::hint::black_box;

const N: usize = 80;
const D: usize = 200;

#[cfg(target_arch = "x86_64")]
mod raw {
    use super::{D, N};
    use std::arch::x86_64::*;

    /// The library's one-pass product (src/model/kernels.rs, module doc) written with AVX2
    /// intrinsics for n = 80, d = 200: per block of eight rows, Xβ four rows at a time with two
    /// accumulators each, the weights cᵢ = hᵢ − yᵢ, then the block's step of Xᵀc.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn pass(x: &[f64; N * D], beta: &[f64; D], y: &[f64; N], c: &mut [f64; N], s: &mut [f64; D]) {
        let (xp, bp, sp) = (x.as_ptr(), beta.as_ptr(), s.as_mut_ptr());
        s.fill(0.0);
        for i0 in (0..N).step_by(8) {
            for r0 in [i0, i0 + 4] {
                let mut acc = [[_mm256_setzero_pd(); 2]; 4];
                for k in 0..D / 8 {
                    // SAFETY (here and below): every offset is within the fixed-size arrays.
                    let b0 = unsafe { _mm256_loadu_pd(bp.add(8 * k)) };
                    let b1 = unsafe { _mm256_loadu_pd(bp.add(8 * k + 4)) };
                    for (r, a) in acc.iter_mut().enumerate() {
                        let row = unsafe { xp.add((r0 + r) * D + 8 * k) };
                        a[0] = _mm256_fmadd_pd(unsafe { _mm256_loadu_pd(row) }, b0, a[0]);
                        a[1] = _mm256_fmadd_pd(unsafe { _mm256_loadu_pd(row.add(4)) }, b1, a[1]);
                    }
                }
                for (r, a) in acc.iter().enumerate() {
                    let mut t = [0.0; 4];
                    unsafe { _mm256_storeu_pd(t.as_mut_ptr(), _mm256_add_pd(a[0], a[1])) };
                    c[r0 + r] = ((t[0] + t[1]) + (t[2] + t[3])) - y[r0 + r];
                }
            }
            let mut cv = [_mm256_setzero_pd(); 8];
            for (r, v) in cv.iter_mut().enumerate() {
                *v = _mm256_set1_pd(c[i0 + r]);
            }
            for k in 0..D / 4 {
                let mut p = [_mm256_setzero_pd(); 4];
                for (h, ph) in p.iter_mut().enumerate() {
                    let (lo, hi) = unsafe {
                        (
                            _mm256_loadu_pd(xp.add((i0 + 2 * h) * D + 4 * k)),
                            _mm256_loadu_pd(xp.add((i0 + 2 * h + 1) * D + 4 * k)),
                        )
                    };
                    *ph = _mm256_fmadd_pd(hi, cv[2 * h + 1], _mm256_mul_pd(lo, cv[2 * h]));
                }
                let sum = _mm256_add_pd(_mm256_add_pd(p[0], p[1]), _mm256_add_pd(p[2], p[3]));
                unsafe { _mm256_storeu_pd(sp.add(4 * k), _mm256_add_pd(_mm256_loadu_pd(sp.add(4 * k)), sum)) };
            }
        }
    }

    /// The sum of every lane of `a` (keeps the probes' results live).
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    unsafe fn total(a: &[__m256d]) -> f64 {
        let mut sum = _mm256_setzero_pd();
        for v in a {
            sum = _mm256_add_pd(sum, *v);
        }
        let mut t = [0.0; 4];
        unsafe { _mm256_storeu_pd(t.as_mut_ptr(), sum) };
        t.iter().sum()
    }

    /// `iters` rounds of ten independent multiply–adds on registers (10 chains, latency hidden).
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn fma_registers(iters: usize) -> f64 {
        let (m, c) = (_mm256_set1_pd(0.999_999), _mm256_set1_pd(1e-7));
        let mut a = [_mm256_set1_pd(1.0); 10];
        for _ in 0..iters {
            for v in a.iter_mut() {
                *v = _mm256_fmadd_pd(*v, m, c);
            }
        }
        total(&a)
    }

    /// ⟨x, b⟩ with eight accumulators: one multiply–add per two vector loads (x, b in L1).
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot_two_loads(x: &[f64], b: &[f64]) -> f64 {
        let mut a = [_mm256_setzero_pd(); 8];
        for (xc, bc) in x.chunks_exact(32).zip(b.chunks_exact(32)) {
            for (l, v) in a.iter_mut().enumerate() {
                // SAFETY: 4l + 4 ≤ 32, the chunk length.
                let (xv, bv) =
                    unsafe { (_mm256_loadu_pd(xc.as_ptr().add(4 * l)), _mm256_loadu_pd(bc.as_ptr().add(4 * l))) };
                *v = _mm256_fmadd_pd(xv, bv, *v);
            }
        }
        total(&a)
    }
}

fn bench(c: &mut Criterion) {
    let data = SparseRegression { n: N, d: D, r: 20, n_test: 10 }.generate(&mut ChaChaSource::new(0), 0);
    let model = DiagonalNet::new(D, 0.1);
    let mut rng = ChaChaSource::new(1);
    let theta: Vec<f64> = (0..2 * D).map(|_| 0.1 + 0.01 * rng.standard_normal()).collect();
    let y = data.y.clone();
    let (mut c_lib, mut out) = (vec![0.0; N], vec![0.0; 2 * D]);
    let mut g = c.benchmark_group("pass_floor_n80_d200");
    g.bench_function("library_pass", |b| {
        b.iter(|| {
            let mut w = |i: usize, h: f64| h - y[i];
            model.weighted_jacobian_t_mul(black_box(&theta), &data.x, &mut w, &mut c_lib, &mut out);
            black_box(&out);
        })
    });
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        let mut x = [0.0; N * D];
        for (dst, row) in x.chunks_exact_mut(D).zip(data.x.rows()) {
            dst.copy_from_slice(row);
        }
        let beta: [f64; D] = std::array::from_fn(|j| theta[j] * theta[D + j]);
        let yv: [f64; N] = std::array::from_fn(|i| y[i]);
        let (mut c_raw, mut s) = ([0.0; N], [0.0; D]);
        // SAFETY: AVX2 and FMA were detected.
        unsafe { raw::pass(&x, &beta, &yv, &mut c_raw, &mut s) };
        // The same operations: the library's φᵀc is [(Xᵀc) ⊙ v, (Xᵀc) ⊙ u], so Xᵀc = out_u / v.
        let mut w = |i: usize, h: f64| h - y[i];
        model.weighted_jacobian_t_mul(&theta, &data.x, &mut w, &mut c_lib, &mut out);
        assert_eq!(c_raw.map(f64::to_bits).to_vec(), c_lib.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
        for j in 0..D {
            assert_eq!((s[j] * theta[D + j]).to_bits(), out[j].to_bits(), "Xᵀc entry {j}");
        }
        g.bench_function("raw_avx2_pass_same_operations", |b| {
            b.iter(|| {
                // SAFETY: AVX2 and FMA were detected.
                unsafe { raw::pass(&x, black_box(&beta), &yv, &mut c_raw, &mut s) };
                black_box(&s);
            })
        });
        // 1000 vector multiply–adds per iteration in both probes.
        g.bench_function("probe_1000_fma_registers", |b| b.iter(|| unsafe { raw::fma_registers(black_box(100)) }));
        let (xs, bs) = (vec![1.0; 4000], vec![0.5; 4000]);
        g.bench_function("probe_1000_fma_two_loads_each", |b| {
            b.iter(|| unsafe { raw::dot_two_loads(black_box(&xs), &bs) })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots().sample_size(30).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
