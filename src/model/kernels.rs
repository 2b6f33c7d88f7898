//! Matrix–vector kernels of the diagonal net's batched products: predictions
//! Xβ with β = u ⊙ v, and Xᵀc (the φ_θ(X)ᵀc of Eq. 8), X ∈ ℝ^{n×d} row-major.
//!
//! These two products are the whole arithmetic of an Euler–Maruyama step of Eq. (58) (2·n·d
//! multiply–adds). Xβ is one 16-lane dot product per row (β = u ⊙ v formed once per call in a
//! per-thread buffer); Xᵀc adds four rows at a time (each load and store of the accumulator row
//! serves four rows of X). Both run under [`pulp::Arch::dispatch`], which compiles them with the
//! widest SIMD the CPU offers (AVX2 on x86-64) and picks that version at run time. The summation
//! order is fixed by the code, not by the vector width (no fused multiply–add: Rust never contracts
//! `a * b + c`), so every machine gives the same bits.

use crate::linalg::Points;

/// Independent partial sums per row of Xβ (four 4-wide registers).
const LANES: usize = 16;

/// ⟨x, β⟩ with β = u ⊙ v given as `b`: lane k accumulates the terms j ≡ k (mod 16) in
/// increasing j, the lanes are summed as a balanced tree (pairs, then pairs of pairs, …), then
/// the tail j ≥ 16⌊d/16⌋ in order.
#[inline(always)]
fn dot(x: &[f64], b: &[f64]) -> f64 {
    let d = b.len();
    let body = d - d % LANES;
    let mut acc = [0.0f64; LANES];
    for (xc, bc) in x[..body].chunks_exact(LANES).zip(b[..body].chunks_exact(LANES)) {
        for k in 0..LANES {
            acc[k] += xc[k] * bc[k];
        }
    }
    let mut w = LANES;
    while w > 1 {
        w /= 2;
        for k in 0..w {
            acc[k] = acc[2 * k] + acc[2 * k + 1];
        }
    }
    let mut s = acc[0];
    for (xj, bj) in x[body..d].iter().zip(&b[body..d]) {
        s += xj * bj;
    }
    s
}

#[inline(always)]
fn x_uv_body(xs: &Points, u: &[f64], v: &[f64], out: &mut [f64]) {
    thread_local! {
        static BETA: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    // The buffer is taken out of the thread-local and put back, so that the loop below stays in
    // this `#[inline(always)]` body (compiled for AVX2 inside pulp's entry point): inside the
    // closure of `LocalKey::with` it was compiled for the baseline SSE2.
    let mut beta = BETA.with(|cell| std::mem::take(&mut *cell.borrow_mut()));
    beta.clear();
    beta.extend(u.iter().zip(v).map(|(a, b)| a * b));
    for (o, x) in out.iter_mut().zip(xs.rows()) {
        *o = dot(x, &beta);
    }
    BETA.with(|cell| *cell.borrow_mut() = beta);
}

/// The two products as pulp operations: `with_simd` is inlined into pulp's `#[target_feature]`
/// entry point together with the `#[inline(always)]` bodies, so they are compiled for AVX2 (a
/// closure would be compiled once, for the baseline SSE2).
enum Op<'a> {
    XUv { xs: &'a Points, u: &'a [f64], v: &'a [f64], out: &'a mut [f64] },
    Xt { xs: &'a Points, c: &'a [f64], s: &'a mut [f64] },
}

impl pulp::WithSimd for Op<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        match self {
            Op::XUv { xs, u, v, out } => x_uv_body(xs, u, v, out),
            Op::Xt { xs, c, s } => xt_body(xs, c, s),
        }
    }
}

/// outᵢ = ⟨xᵢ, u ⊙ v⟩ for every point xᵢ of `xs` (d = `u.len()` = `v.len()` = `xs.dim()`).
pub fn x_times_hadamard(xs: &Points, u: &[f64], v: &[f64], out: &mut [f64]) {
    debug_assert!(u.len() == xs.dim() && v.len() == xs.dim());
    pulp::Arch::new().dispatch(Op::XUv { xs, u, v, out });
}

#[inline(always)]
fn xt_body(xs: &Points, c: &[f64], s: &mut [f64]) {
    let d = xs.dim();
    let x = xs.as_slice();
    let n = c.len().min(xs.len());
    s.fill(0.0);
    let mut i = 0;
    while i + 4 <= n {
        let (c0, c1, c2, c3) = (c[i], c[i + 1], c[i + 2], c[i + 3]);
        let (x0, x1, x2, x3) =
            (&x[i * d..][..d], &x[(i + 1) * d..][..d], &x[(i + 2) * d..][..d], &x[(i + 3) * d..][..d]);
        for ((((sj, a), b), e), f) in s.iter_mut().zip(x0).zip(x1).zip(x2).zip(x3) {
            *sj += (c0 * a + c1 * b) + (c2 * e + c3 * f);
        }
        i += 4;
    }
    while i < n {
        let ci = c[i];
        for (sj, xj) in s.iter_mut().zip(&x[i * d..][..d]) {
            *sj += ci * xj;
        }
        i += 1;
    }
}

/// s = Xᵀc = Σᵢ cᵢxᵢ into `s` (length d, overwritten); rows are added four at a time,
/// sⱼ += (c₀x₀ⱼ + c₁x₁ⱼ) + (c₂x₂ⱼ + c₃x₃ⱼ), then the remaining rows one by one.
pub fn xt_times(xs: &Points, c: &[f64], s: &mut [f64]) {
    debug_assert_eq!(s.len(), xs.dim());
    pulp::Arch::new().dispatch(Op::Xt { xs, c, s });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_match_plain_sums_for_every_remainder() {
        // n and d cover every remainder of the 4-row blocks and 8-lane chunks.
        for (n, d) in [(1, 1), (3, 7), (4, 8), (5, 9), (7, 17), (9, 23)] {
            let x: Vec<f64> = (0..n * d).map(|k| ((k * 37 % 11) as f64 - 5.0) / 7.0).collect();
            let xs = Points::new(x.clone(), d);
            let u: Vec<f64> = (0..d).map(|j| 0.5 + j as f64 / 3.0).collect();
            let v: Vec<f64> = (0..d).map(|j| 1.0 - j as f64 / 5.0).collect();
            let c: Vec<f64> = (0..n).map(|i| (i as f64 - 1.5) / 2.0).collect();
            let mut p = vec![0.0; n];
            x_times_hadamard(&xs, &u, &v, &mut p);
            for i in 0..n {
                let want: f64 = (0..d).map(|j| x[i * d + j] * u[j] * v[j]).sum();
                assert!((p[i] - want).abs() <= 1e-12 * (1.0 + want.abs()), "Xβ row {i} of {n}×{d}");
            }
            let mut s = vec![0.0; d];
            xt_times(&xs, &c, &mut s);
            for j in 0..d {
                let want: f64 = (0..n).map(|i| c[i] * x[i * d + j]).sum();
                assert!((s[j] - want).abs() <= 1e-12 * (1.0 + want.abs()), "Xᵀc entry {j} of {n}×{d}");
            }
        }
    }
}
