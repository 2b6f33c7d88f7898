//! Matrix–vector kernels of the diagonal net's batched products: predictions Xβ with β = u ⊙ v,
//! and Xᵀc (the φ_θ(X)ᵀc of Eq. 8), X ∈ ℝ^{n×d} row-major.
//!
//! These two products are the whole arithmetic of an Euler–Maruyama step of Eq. (58)
//! (2·n·d multiply–adds), and each streams X once. Both are written once, generically over
//! [`Quad`] (four f64 lanes with multiply, add and fused multiply–add), and run either on AVX2 +
//! FMA registers ([`pulp::x86::V3`], chosen at run time when the CPU has them) or on plain
//! `[f64; 4]` arrays. The lanes never mix except where the code says so, and every multiply–add
//! is fused (one rounding, `f64::mul_add` in the portable path), so both paths give the same
//! bits: the summation order is fixed by the code, not by the machine (`tests` below compare
//! them bit for bit).
//!
//! **Xβ.** Row i's dot product has eight partial sums: sum l (l < 8) accumulates the terms
//! j ≡ l (mod 8) in increasing j, sₗ ← fma(xᵢⱼ, βⱼ, sₗ), over X's row and β zero-padded to a
//! multiple of 8; then tₗ = sₗ + sₗ₊₄ (l < 4) and ⟨xᵢ, β⟩ = (t₀ + t₁) + (t₂ + t₃). Rows go four at
//! a time, so each β load serves four rows (the order within a row does not depend on this).
//!
//! **Xᵀc.** Rows go eight at a time: with pₖ = fma(x₂ₖ₊₁,ⱼ, c₂ₖ₊₁, x₂ₖ,ⱼ·c₂ₖ) (k < 4, rows of the
//! block), sⱼ ← sⱼ + ((p₀ + p₁) + (p₂ + p₃)); the remaining n mod 8 rows one at a time,
//! sⱼ ← fma(xᵢⱼ, cᵢ, sⱼ). Each load and store of s serves eight rows of X.
//!
//! **One pass.** When cᵢ depends only on row i's prediction (an Euler–Maruyama increment, a loss
//! gradient), [`weighted_xt_times`] does both products block by block: a block's eight
//! predictions, their weights, then the block's step of Xᵀc while its rows are still in L1. The
//! operations and their order are those above, so the bits are too; X comes from L2 once instead
//! of twice (measured: ≈ 12 % less time than the two products, see BENCHMARKS.md).

use crate::linalg::Points;

/// Four f64 lanes and the operations the kernels use. Every operation acts lane by lane and
/// rounds as IEEE 754 says (the multiply–add once), so all implementations agree bit for bit.
trait Quad: Copy {
    /// Four lanes.
    type V: Copy;
    fn load(self, x: &[f64; 4]) -> Self::V;
    fn store(self, v: Self::V) -> [f64; 4];
    fn splat(self, a: f64) -> Self::V;
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    /// a·b + c with one rounding.
    fn mul_add(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
}

/// The lanes as a plain array (any CPU; `f64::mul_add` is the fused operation).
#[derive(Clone, Copy)]
struct Portable;

impl Quad for Portable {
    type V = [f64; 4];
    #[inline(always)]
    fn load(self, x: &[f64; 4]) -> [f64; 4] {
        *x
    }
    #[inline(always)]
    fn store(self, v: [f64; 4]) -> [f64; 4] {
        v
    }
    #[inline(always)]
    fn splat(self, a: f64) -> [f64; 4] {
        [a; 4]
    }
    #[inline(always)]
    fn add(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        std::array::from_fn(|l| a[l] + b[l])
    }
    #[inline(always)]
    fn mul(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        std::array::from_fn(|l| a[l] * b[l])
    }
    #[inline(always)]
    fn mul_add(self, a: [f64; 4], b: [f64; 4], c: [f64; 4]) -> [f64; 4] {
        std::array::from_fn(|l| a[l].mul_add(b[l], c[l]))
    }
}

#[cfg(target_arch = "x86_64")]
impl Quad for pulp::x86::V3 {
    type V = pulp::f64x4;
    #[inline(always)]
    fn load(self, x: &[f64; 4]) -> pulp::f64x4 {
        pulp::cast(*x)
    }
    #[inline(always)]
    fn store(self, v: pulp::f64x4) -> [f64; 4] {
        pulp::cast(v)
    }
    #[inline(always)]
    fn splat(self, a: f64) -> pulp::f64x4 {
        self.splat_f64x4(a)
    }
    #[inline(always)]
    fn add(self, a: pulp::f64x4, b: pulp::f64x4) -> pulp::f64x4 {
        self.add_f64x4(a, b)
    }
    #[inline(always)]
    fn mul(self, a: pulp::f64x4, b: pulp::f64x4) -> pulp::f64x4 {
        self.mul_f64x4(a, b)
    }
    #[inline(always)]
    fn mul_add(self, a: pulp::f64x4, b: pulp::f64x4, c: pulp::f64x4) -> pulp::f64x4 {
        self.mul_add_f64x4(a, b, c)
    }
}

/// The four-lane chunk of `x` at `4k`, zero-padded past its end.
#[inline(always)]
fn quad(x: &[f64], k: usize) -> [f64; 4] {
    let mut q = [0.0; 4];
    match x.get(4 * k..4 * k + 4) {
        Some(full) => q.copy_from_slice(full),
        None => {
            for (l, v) in q.iter_mut().enumerate() {
                *v = x.get(4 * k + l).copied().unwrap_or(0.0);
            }
        }
    }
    q
}

/// Rows of Xβ computed together.
const XB_ROWS: usize = 4;
/// Rows of Xᵀc added together.
const XT_ROWS: usize = 8;

/// The first `4m` values of `x` as m chunks of four.
#[inline(always)]
fn quads(x: &[f64]) -> &[[f64; 4]] {
    pulp::as_arrays::<4, f64>(x).0
}

/// ⟨xᵣ, β⟩ for the `R` rows `rows` into `out` (the order of the module doc). No closures here or
/// below: a closure would be compiled without AVX2, and the lane operations inside it would
/// become calls.
#[inline(always)]
fn dots<Q: Quad, const R: usize>(q: Q, rows: [&[f64]; R], beta: &[f64], out: &mut [f64]) {
    let d = beta.len();
    let body = d - d % 8;
    let b4 = quads(&beta[..body]);
    let mut x4 = [b4; R];
    for r in 0..R {
        x4[r] = quads(&rows[r][..body]);
    }
    let zero = q.splat(0.0);
    let mut acc = [[zero; 2]; R];
    for k in 0..body / 8 {
        let b = [q.load(&b4[2 * k]), q.load(&b4[2 * k + 1])];
        for r in 0..R {
            acc[r][0] = q.mul_add(q.load(&x4[r][2 * k]), b[0], acc[r][0]);
            acc[r][1] = q.mul_add(q.load(&x4[r][2 * k + 1]), b[1], acc[r][1]);
        }
    }
    if body < d {
        // The zero-padded last chunk of eight.
        let b = [q.load(&quad(&beta[body..], 0)), q.load(&quad(&beta[body..], 1))];
        for r in 0..R {
            let tail = &rows[r][body..d];
            acc[r][0] = q.mul_add(q.load(&quad(tail, 0)), b[0], acc[r][0]);
            acc[r][1] = q.mul_add(q.load(&quad(tail, 1)), b[1], acc[r][1]);
        }
    }
    for r in 0..R {
        let t = q.store(q.add(acc[r][0], acc[r][1]));
        out[r] = (t[0] + t[1]) + (t[2] + t[3]);
    }
}

#[inline(always)]
fn x_beta<Q: Quad>(q: Q, xs: &Points, beta: &[f64], out: &mut [f64]) {
    let n = out.len().min(xs.len());
    x_beta_rows(q, xs, beta, 0..n, out);
}

/// sⱼ ← sⱼ + ((p₀ + p₁) + (p₂ + p₃)) on four lanes of s (the block step of the module doc), from
/// the same four lanes of the block's eight rows.
#[inline(always)]
fn xt_block_step<Q: Quad>(q: Q, s: [f64; 4], x: [[f64; 4]; XT_ROWS], cv: &[Q::V; XT_ROWS]) -> [f64; 4] {
    let mut p = [cv[0]; 4];
    for h in 0..4 {
        let lo = q.mul(q.load(&x[2 * h]), cv[2 * h]);
        p[h] = q.mul_add(q.load(&x[2 * h + 1]), cv[2 * h + 1], lo);
    }
    let sum = q.add(q.add(p[0], p[1]), q.add(p[2], p[3]));
    q.store(q.add(q.load(&s), sum))
}

/// sⱼ ← fma(xᵢⱼ, cᵢ, sⱼ) for one row (the remainder rows of Xᵀc).
#[inline(always)]
fn xt_row<Q: Quad>(q: Q, x: &[f64], ci: f64, s: &mut [f64]) {
    let (d, cv) = (s.len(), q.splat(ci));
    for k in 0..d.div_ceil(4) {
        let old = q.load(&quad(s, k));
        let v = q.store(q.mul_add(q.load(&quad(x, k)), cv, old));
        let end = (4 * k + 4).min(d);
        s[4 * k..end].copy_from_slice(&v[..end - 4 * k]);
    }
}

/// The block step of Xᵀc for rows `i..i + 8` with weights `c[i..i + 8]` into `s`.
#[inline(always)]
fn xt_block<Q: Quad>(q: Q, xs: &Points, i: usize, c: &[f64], s: &mut [f64]) {
    let d = s.len();
    let body = d - d % 4;
    let mut x4 = [quads(&xs.row(i)[..body]); XT_ROWS];
    let mut cv = [q.splat(0.0); XT_ROWS];
    for r in 0..XT_ROWS {
        x4[r] = quads(&xs.row(i + r)[..body]);
        cv[r] = q.splat(c[i + r]);
    }
    let (s4, _) = pulp::as_arrays_mut::<4, f64>(&mut s[..body]);
    for (k, sk) in s4.iter_mut().enumerate() {
        let mut x = [[0.0; 4]; XT_ROWS];
        for r in 0..XT_ROWS {
            x[r] = x4[r][k];
        }
        *sk = xt_block_step(q, *sk, x, &cv);
    }
    if body < d {
        let mut x = [[0.0; 4]; XT_ROWS];
        for (r, xr) in x.iter_mut().enumerate() {
            *xr = quad(&xs.row(i + r)[body..], 0);
        }
        let v = xt_block_step(q, quad(&s[body..], 0), x, &cv);
        s[body..].copy_from_slice(&v[..d - body]);
    }
}

#[inline(always)]
fn xt_c<Q: Quad>(q: Q, xs: &Points, c: &[f64], s: &mut [f64]) {
    let n = c.len().min(xs.len());
    s.fill(0.0);
    let mut i = 0;
    while i + XT_ROWS <= n {
        xt_block(q, xs, i, c, s);
        i += XT_ROWS;
    }
    for (k, ci) in c[i..n].iter().enumerate() {
        xt_row(q, xs.row(i + k), *ci, s);
    }
}

/// Xβ of rows `rows` into `h[rows]` (four at a time, then one at a time).
#[inline(always)]
fn x_beta_rows<Q: Quad>(q: Q, xs: &Points, beta: &[f64], rows: std::ops::Range<usize>, h: &mut [f64]) {
    let mut i = rows.start;
    while i + XB_ROWS <= rows.end {
        let block = [xs.row(i), xs.row(i + 1), xs.row(i + 2), xs.row(i + 3)];
        dots(q, block, beta, &mut h[i..i + XB_ROWS]);
        i += XB_ROWS;
    }
    while i < rows.end {
        dots(q, [xs.row(i)], beta, &mut h[i..i + 1]);
        i += 1;
    }
}

/// Both products in one pass over X: for each block of eight rows, hᵢ = ⟨xᵢ, β⟩, then
/// cᵢ = `weight(i, hᵢ)` (in increasing i) into `c`, then the block's step of s = Xᵀc while its
/// rows are still in L1; the remainder rows likewise. Every hᵢ and every sⱼ is computed by the
/// operations, in the order, of [`x_beta`] and [`xt_c`]: the same bits, with X streamed from
/// L2 once instead of twice.
#[inline(always)]
fn fused<Q: Quad>(
    q: Q,
    xs: &Points,
    beta: &[f64],
    weight: &mut dyn FnMut(usize, f64) -> f64,
    c: &mut [f64],
    s: &mut [f64],
) {
    let n = c.len().min(xs.len());
    s.fill(0.0);
    let mut i = 0;
    while i < n {
        let end = (i + XT_ROWS).min(n);
        x_beta_rows(q, xs, beta, i..end, c);
        for (k, ck) in c[i..end].iter_mut().enumerate() {
            *ck = weight(i + k, *ck);
        }
        if end - i == XT_ROWS {
            xt_block(q, xs, i, c, s);
        } else {
            for (k, ck) in c[i..end].iter().enumerate() {
                xt_row(q, xs.row(i + k), *ck, s);
            }
        }
        i = end;
    }
}

/// A product to run on the best [`Quad`] the CPU has.
enum Op<'a, 'w> {
    XBeta {
        xs: &'a Points,
        beta: &'a [f64],
        out: &'a mut [f64],
    },
    Xt {
        xs: &'a Points,
        c: &'a [f64],
        s: &'a mut [f64],
    },
    Fused {
        xs: &'a Points,
        beta: &'a [f64],
        weight: &'w mut dyn FnMut(usize, f64) -> f64,
        c: &'a mut [f64],
        s: &'a mut [f64],
    },
}

impl Op<'_, '_> {
    #[inline(always)]
    fn run<Q: Quad>(self, q: Q) {
        match self {
            Op::XBeta { xs, beta, out } => x_beta(q, xs, beta, out),
            Op::Xt { xs, c, s } => xt_c(q, xs, c, s),
            Op::Fused { xs, beta, weight, c, s } => fused(q, xs, beta, weight, c, s),
        }
    }
    /// Runs on AVX2 + FMA when the CPU has them (compiled for them inside pulp's
    /// `#[target_feature]` entry point, where everything above is inlined), else portably.
    fn dispatch(self) {
        #[cfg(target_arch = "x86_64")]
        if let Some(v3) = pulp::x86::V3::try_new() {
            struct OnV3<'a, 'w>(pulp::x86::V3, Op<'a, 'w>);
            impl pulp::WithSimd for OnV3<'_, '_> {
                type Output = ();
                #[inline(always)]
                fn with_simd<S: pulp::Simd>(self, _: S) {
                    self.1.run(self.0)
                }
            }
            return pulp::Simd::vectorize(v3, OnV3(v3, self));
        }
        self.run(Portable)
    }
}

thread_local! {
    static BETA: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` on β = u ⊙ v, formed in a per-thread buffer (no allocation per call).
fn with_beta(u: &[f64], v: &[f64], f: impl FnOnce(&[f64])) {
    let mut beta = BETA.with(|cell| std::mem::take(&mut *cell.borrow_mut()));
    beta.clear();
    beta.extend(u.iter().zip(v).map(|(a, b)| a * b));
    f(&beta);
    BETA.with(|cell| *cell.borrow_mut() = beta);
}

/// outᵢ = ⟨xᵢ, u ⊙ v⟩ for every point xᵢ of `xs` (d = `u.len()` = `v.len()` = `xs.dim()`), in
/// the order of the module doc; β = u ⊙ v is formed in a per-thread buffer (no allocation).
pub fn x_times_hadamard(xs: &Points, u: &[f64], v: &[f64], out: &mut [f64]) {
    debug_assert!(u.len() == xs.dim() && v.len() == xs.dim());
    with_beta(u, v, |beta| Op::XBeta { xs, beta, out }.dispatch());
}

/// hᵢ = ⟨xᵢ, u ⊙ v⟩, cᵢ = `weight(i, hᵢ)` (called in increasing i) into `c`, and s = Xᵀc into
/// `s` (length d, overwritten), in one pass over X: the bits of [`x_times_hadamard`], the
/// weights, then [`xt_times`].
pub fn weighted_xt_times(
    xs: &Points,
    (u, v): (&[f64], &[f64]),
    weight: &mut dyn FnMut(usize, f64) -> f64,
    c: &mut [f64],
    s: &mut [f64],
) {
    debug_assert!(u.len() == xs.dim() && v.len() == xs.dim() && s.len() == xs.dim());
    with_beta(u, v, |beta| Op::Fused { xs, beta, weight, c, s }.dispatch());
}

/// s = Xᵀc = Σᵢ cᵢxᵢ into `s` (length d, overwritten), in the order of the module doc.
pub fn xt_times(xs: &Points, c: &[f64], s: &mut [f64]) {
    debug_assert_eq!(s.len(), xs.dim());
    Op::Xt { xs, c, s }.dispatch();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small X (n × d) with values of mixed sign, and u, v, c.
    fn case(n: usize, d: usize) -> (Points, Vec<f64>, Vec<f64>, Vec<f64>) {
        let x: Vec<f64> = (0..n * d).map(|k| ((k * 37 % 11) as f64 - 5.0) / 7.0).collect();
        let u = (0..d).map(|j| 0.5 + j as f64 / 3.0).collect();
        let v = (0..d).map(|j| 1.0 - j as f64 / 5.0).collect();
        let c = (0..n).map(|i| (i as f64 - 1.5) / 2.0).collect();
        (Points::new(x, d), u, v, c)
    }

    /// Every remainder of the row blocks (4, 8) and of the 4- and 8-lane chunks.
    const SHAPES: [(usize, usize); 9] = [(1, 1), (3, 7), (4, 8), (5, 9), (7, 17), (9, 23), (8, 4), (17, 33), (80, 200)];

    #[test]
    fn kernels_match_plain_sums_for_every_remainder() {
        for (n, d) in SHAPES {
            let (xs, u, v, c) = case(n, d);
            let mut p = vec![0.0; n];
            x_times_hadamard(&xs, &u, &v, &mut p);
            for (i, (pi, x)) in p.iter().zip(xs.rows()).enumerate() {
                let want: f64 = (0..d).map(|j| x[j] * u[j] * v[j]).sum();
                assert!((pi - want).abs() <= 1e-12 * (1.0 + want.abs()), "Xβ row {i} of {n}×{d}");
            }
            let mut s = vec![0.0; d];
            xt_times(&xs, &c, &mut s);
            for (j, sj) in s.iter().enumerate() {
                let want: f64 = (0..n).map(|i| c[i] * xs.row(i)[j]).sum();
                assert!((sj - want).abs() <= 1e-12 * (1.0 + want.abs()), "Xᵀc entry {j} of {n}×{d}");
            }
        }
    }

    /// The order of the module doc, written out with scalars: both products, bit for bit.
    #[test]
    fn kernels_follow_the_documented_order() {
        for (n, d) in SHAPES {
            let (xs, u, v, c) = case(n, d);
            let beta: Vec<f64> = u.iter().zip(&v).map(|(a, b)| a * b).collect();
            let mut p = vec![0.0; n];
            x_times_hadamard(&xs, &u, &v, &mut p);
            for (pi, x) in p.iter().zip(xs.rows()) {
                let mut s = [0.0f64; 8];
                for j in 0..d {
                    s[j % 8] = x[j].mul_add(beta[j], s[j % 8]);
                }
                let t: Vec<f64> = (0..4).map(|l| s[l] + s[l + 4]).collect();
                assert_eq!(pi.to_bits(), ((t[0] + t[1]) + (t[2] + t[3])).to_bits());
            }
            let mut s = vec![0.0; d];
            xt_times(&xs, &c, &mut s);
            for (j, sj) in s.iter().enumerate() {
                let x = |i: usize| xs.row(i)[j];
                let mut want = 0.0f64;
                let mut i = 0;
                while i + 8 <= n {
                    let p: Vec<f64> = (0..4)
                        .map(|h| x(i + 2 * h + 1).mul_add(c[i + 2 * h + 1], x(i + 2 * h) * c[i + 2 * h]))
                        .collect();
                    want += (p[0] + p[1]) + (p[2] + p[3]);
                    i += 8;
                }
                for (i, ci) in c.iter().enumerate().skip(i) {
                    want = x(i).mul_add(*ci, want);
                }
                assert_eq!(sj.to_bits(), want.to_bits(), "Xᵀc entry {j} of {n}×{d}");
            }
        }
    }

    /// The one-pass product gives the bits of the two separate products, with the weights
    /// called once per point in increasing order.
    #[test]
    fn fused_pass_is_the_two_products_bit_for_bit() {
        for (n, d) in SHAPES {
            let (xs, u, v, c0) = case(n, d);
            let weight = |i: usize, h: f64| 0.3 * h - c0[i];
            let mut h = vec![0.0; n];
            x_times_hadamard(&xs, &u, &v, &mut h);
            let want_c: Vec<f64> = h.iter().enumerate().map(|(i, hi)| weight(i, *hi)).collect();
            let mut want_s = vec![0.0; d];
            xt_times(&xs, &want_c, &mut want_s);
            let (mut c, mut s, mut calls) = (vec![f64::NAN; n], vec![f64::NAN; d], Vec::new());
            let mut w = |i: usize, h: f64| {
                calls.push(i);
                weight(i, h)
            };
            weighted_xt_times(&xs, (&u, &v), &mut w, &mut c, &mut s);
            assert_eq!(calls, (0..n).collect::<Vec<_>>(), "{n}×{d}");
            assert_eq!(
                c.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                want_c.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            );
            assert_eq!(
                s.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                want_s.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            );
        }
    }

    /// The AVX2 path and the portable path give the same bits (on a CPU with AVX2 + FMA; the
    /// dispatched path is compared with the documented order on every CPU above).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_and_portable_paths_agree_bit_for_bit() {
        let Some(v3) = pulp::x86::V3::try_new() else { return };
        for (n, d) in SHAPES {
            let (xs, u, v, c) = case(n, d);
            let beta: Vec<f64> = u.iter().zip(&v).map(|(a, b)| a * b).collect();
            let (mut p1, mut p2) = (vec![0.0; n], vec![0.0; n]);
            x_beta(v3, &xs, &beta, &mut p1);
            x_beta(Portable, &xs, &beta, &mut p2);
            assert_eq!(p1, p2);
            let (mut s1, mut s2) = (vec![0.0; d], vec![0.0; d]);
            xt_c(v3, &xs, &c, &mut s1);
            xt_c(Portable, &xs, &c, &mut s2);
            assert_eq!(s1, s2);
            let (mut c1, mut c2) = (vec![0.0; n], vec![0.0; n]);
            fused(v3, &xs, &beta, &mut |i, h| h - c[i], &mut c1, &mut s1);
            fused(Portable, &xs, &beta, &mut |i, h| h - c[i], &mut c2, &mut s2);
            assert_eq!((c1, s1), (c2, s2));
        }
    }
}
