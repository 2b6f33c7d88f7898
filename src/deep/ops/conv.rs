//! 2-D convolution (cross-correlation, NCHW, no bias) as GEMMs.
//!
//! With K = C_in·k_h·k_w and P = H_out·W_out, image n's im2col matrix X̃ₙ (K × P) holds
//! X̃ₙ[(c, i, j), (p, q)] = xₙ[c, p·s + i − pad, q·s + j − pad] (0 outside the image), so
//!
//! * forward:          yₙ = W X̃ₙ                        (W: C_out × K)
//! * backward-filter:  ∂L/∂W = Σₙ (∂L/∂yₙ) X̃ₙᵀ
//! * backward-data:    ∂L/∂xₙ = col2im(Wᵀ ∂L/∂yₙ)         (col2im: the adjoint of im2col)
//!
//! **Layout.** Images are taken in groups of g = ⌈256/P⌉ (at most the batch), whose im2col
//! matrices sit side by side (K × g·P): the late stages' small maps (P = 16 at 4×4) then still
//! give the GEMM a wide right-hand side. Groups run on rayon's threads, each with its own
//! scratch; with fewer groups than threads the GEMM itself is split instead. A 1×1 stride-1
//! unpadded convolution of one image uses xₙ itself as X̃ₙ.
//!
//! **Backward.** One sweep computes both gradients: the batch is cut into one contiguous range
//! of groups per thread; each range accumulates its own ∂L/∂W (summed afterwards in range
//! order, so a given thread count gives bit-identical results) and writes ∂L/∂x for its images.

use super::element::Element;
use super::gemm::{matmul, MatRef};
use super::storage::{read, slice, tensor};
use candle_core::backend::BackendStorage;
use candle_core::{bail, CpuStorage, CustomOp2, Layout, Result, Shape, Tensor};
use rayon::prelude::*;

/// Columns a GEMM's right-hand side should have at least (when the batch allows).
const MIN_COLUMNS: usize = 256;

/// The shapes of one convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Batch.
    pub n: usize,
    /// Input channels.
    pub c_in: usize,
    /// Input height, width.
    pub h: usize,
    /// Input width.
    pub w: usize,
    /// Output channels.
    pub c_out: usize,
    /// Kernel height.
    pub kh: usize,
    /// Kernel width.
    pub kw: usize,
    /// Stride (both axes).
    pub stride: usize,
    /// Zero padding (both axes).
    pub pad: usize,
}

impl Geometry {
    /// From the input (N, C_in, H, W) and weight (C_out, C_in, k_h, k_w) dimensions.
    pub fn new(x: &[usize], w: &[usize], stride: usize, pad: usize) -> Result<Self> {
        let (&[n, c_in, h, wd], &[c_out, c_w, kh, kw]) = (x, w) else {
            bail!("conv2d: input {x:?} and weight {w:?} must be 4-D")
        };
        if c_w != c_in || stride == 0 || h + 2 * pad < kh || wd + 2 * pad < kw {
            bail!("conv2d: input {x:?}, weight {w:?}, stride {stride}, padding {pad} do not fit");
        }
        Ok(Self { n, c_in, h, w: wd, c_out, kh, kw, stride, pad })
    }
    /// Output height.
    pub fn ho(&self) -> usize {
        (self.h + 2 * self.pad - self.kh) / self.stride + 1
    }
    /// Output width.
    pub fn wo(&self) -> usize {
        (self.w + 2 * self.pad - self.kw) / self.stride + 1
    }
    /// K = C_in·k_h·k_w, the rows of X̃ₙ.
    fn k(&self) -> usize {
        self.c_in * self.kh * self.kw
    }
    /// P = H_out·W_out, the columns of X̃ₙ.
    fn p(&self) -> usize {
        self.ho() * self.wo()
    }
    fn in_image(&self) -> usize {
        self.c_in * self.h * self.w
    }
    fn out_image(&self) -> usize {
        self.c_out * self.p()
    }
    /// Images per group.
    fn group(&self) -> usize {
        MIN_COLUMNS.div_ceil(self.p()).clamp(1, self.n.max(1))
    }
    fn is_pointwise(&self) -> bool {
        self.kh == 1 && self.kw == 1 && self.stride == 1 && self.pad == 0
    }
    /// The output dimensions.
    pub fn out_dims(&self) -> [usize; 4] {
        [self.n, self.c_out, self.ho(), self.wo()]
    }
    /// For each kernel offset `i` along an axis of `len` input and `out` output positions: the
    /// output positions whose input p·s + i − pad is inside, as a range.
    fn valid(&self, i: usize, len: usize, out: usize) -> (usize, usize) {
        let s = self.stride;
        // p·s + i ≥ pad  and  p·s + i − pad < len.
        let lo = self.pad.saturating_sub(i).div_ceil(s);
        let hi = if len + self.pad > i { (len + self.pad - i).div_ceil(s).min(out) } else { 0 };
        (lo.min(hi), hi)
    }
}

/// X̃ₙ of one image into columns `col0..col0 + P` of `cols` (K rows, leading dimension `ld`).
fn im2col<T: Element>(g: &Geometry, x: &[T], cols: &mut [T], ld: usize, col0: usize) {
    let (ho, wo, s) = (g.ho(), g.wo(), g.stride);
    for c in 0..g.c_in {
        let plane = &x[c * g.h * g.w..(c + 1) * g.h * g.w];
        for i in 0..g.kh {
            let (ylo, yhi) = g.valid(i, g.h, ho);
            for j in 0..g.kw {
                let (xlo, xhi) = g.valid(j, g.w, wo);
                let row = ((c * g.kh + i) * g.kw + j) * ld + col0;
                let dst = &mut cols[row..row + ho * wo];
                for p in 0..ho {
                    let out = &mut dst[p * wo..(p + 1) * wo];
                    if p < ylo || p >= yhi {
                        out.fill(T::ZERO);
                        continue;
                    }
                    let src = &plane[(p * s + i - g.pad) * g.w..][..g.w];
                    out[..xlo].fill(T::ZERO);
                    out[xhi..].fill(T::ZERO);
                    if s == 1 {
                        let start = xlo + j - g.pad;
                        out[xlo..xhi].copy_from_slice(&src[start..start + xhi - xlo]);
                    } else {
                        for (q, o) in out.iter_mut().enumerate().take(xhi).skip(xlo) {
                            *o = src[q * s + j - g.pad];
                        }
                    }
                }
            }
        }
    }
}

/// x += col2im(columns `col0..col0 + P` of `cols`) for one image: the adjoint of [`im2col`].
fn col2im<T: Element>(g: &Geometry, cols: &[T], ld: usize, col0: usize, x: &mut [T]) {
    let (ho, wo, s) = (g.ho(), g.wo(), g.stride);
    for c in 0..g.c_in {
        let plane = &mut x[c * g.h * g.w..(c + 1) * g.h * g.w];
        for i in 0..g.kh {
            let (ylo, yhi) = g.valid(i, g.h, ho);
            for j in 0..g.kw {
                let (xlo, xhi) = g.valid(j, g.w, wo);
                let row = ((c * g.kh + i) * g.kw + j) * ld + col0;
                let src = &cols[row..row + ho * wo];
                for p in ylo..yhi {
                    let dst = &mut plane[(p * s + i - g.pad) * g.w..][..g.w];
                    let col = &src[p * wo..(p + 1) * wo];
                    if s == 1 {
                        let start = xlo + j - g.pad;
                        for (d, &v) in dst[start..start + xhi - xlo].iter_mut().zip(&col[xlo..xhi]) {
                            *d += v;
                        }
                    } else {
                        for q in xlo..xhi {
                            dst[q * s + j - g.pad] += col[q];
                        }
                    }
                }
            }
        }
    }
}

/// Threads to give each GEMM when `tasks` run in parallel.
fn gemm_threads(tasks: usize) -> usize {
    let t = rayon::current_num_threads();
    if tasks >= t {
        1
    } else {
        t
    }
}

/// X̃ for images `first..first + imgs` (K × imgs·P) in `buf`, or xₙ itself for a pointwise
/// convolution of one image.
fn columns<'a, T: Element>(g: &Geometry, x: &'a [T], first: usize, imgs: usize, buf: &'a mut Vec<T>) -> &'a [T] {
    let (k, p) = (g.k(), g.p());
    if g.is_pointwise() && imgs == 1 {
        return &x[first * g.in_image()..(first + 1) * g.in_image()];
    }
    buf.resize(k * imgs * p, T::ZERO);
    for j in 0..imgs {
        let img = &x[(first + j) * g.in_image()..(first + j + 1) * g.in_image()];
        im2col(g, img, buf, imgs * p, j * p);
    }
    buf
}

/// y = w ⋆ x: x (N, C_in, H, W), w (C_out, C_in, k_h, k_w), both contiguous; y (N, C_out,
/// H_out, W_out).
pub fn forward<T: Element>(g: &Geometry, x: &[T], w: &[T]) -> Vec<T> {
    let (k, p, co) = (g.k(), g.p(), g.c_out);
    let mut y = vec![T::ZERO; g.n * g.out_image()];
    if y.is_empty() {
        return y;
    }
    let group = g.group();
    let threads = gemm_threads(g.n.div_ceil(group));
    let wm = MatRef::row_major(w, co, k, k);
    y.par_chunks_mut(group * g.out_image()).enumerate().for_each_init(
        || (Vec::new(), Vec::new()),
        |(cols, out), (gi, ychunk)| {
            let imgs = ychunk.len() / g.out_image();
            let x_cols = columns(g, x, gi * group, imgs, cols);
            let xm = MatRef::row_major(x_cols, k, imgs * p, imgs * p);
            if imgs == 1 {
                matmul(ychunk, p, wm, xm, false, threads);
                return;
            }
            out.resize(co * imgs * p, T::ZERO);
            matmul(out, imgs * p, wm, xm, false, threads);
            for (j, yj) in ychunk.chunks_mut(g.out_image()).enumerate() {
                for (c, yc) in yj.chunks_mut(p).enumerate() {
                    yc.copy_from_slice(&out[c * imgs * p + j * p..][..p]);
                }
            }
        },
    );
    y
}

/// (∂L/∂x, ∂L/∂w) from x, w and dy = ∂L/∂y (all contiguous, as in [`forward`]); ∂L/∂x is left
/// at zero unless `need_dx` (an input that is not differentiated, such as the images).
pub fn backward<T: Element>(g: &Geometry, x: &[T], w: &[T], dy: &[T], need_dx: bool) -> (Vec<T>, Vec<T>) {
    let (k, p, co) = (g.k(), g.p(), g.c_out);
    let mut dx = vec![T::ZERO; g.n * g.in_image()];
    if dx.is_empty() {
        return (dx, vec![T::ZERO; co * k]);
    }
    let group = g.group();
    let groups = g.n.div_ceil(group);
    let ranges = groups.min(rayon::current_num_threads()).max(1);
    let per_range = groups.div_ceil(ranges) * group;
    let threads = gemm_threads(ranges);
    let wt = MatRef::transposed(w, k, co, k);
    let partials: Vec<Vec<T>> = dx
        .par_chunks_mut((per_range * g.in_image()).max(1))
        .enumerate()
        .map(|(r, dx_range)| {
            let mut dw = vec![T::ZERO; co * k];
            let (mut cols, mut dys, mut dcols) = (Vec::new(), Vec::new(), Vec::new());
            let start = r * per_range;
            let end = (start + per_range).min(g.n);
            let mut first = start;
            while first < end {
                let imgs = group.min(end - first);
                let ld = imgs * p;
                // ∂L/∂y of the group as one C_out × imgs·P matrix.
                let dyg: &[T] = if imgs == 1 {
                    &dy[first * g.out_image()..(first + 1) * g.out_image()]
                } else {
                    dys.resize(co * ld, T::ZERO);
                    for j in 0..imgs {
                        let src = &dy[(first + j) * g.out_image()..][..g.out_image()];
                        for c in 0..co {
                            dys[c * ld + j * p..][..p].copy_from_slice(&src[c * p..][..p]);
                        }
                    }
                    &dys
                };
                let dym = MatRef::row_major(dyg, co, ld, ld);
                let x_cols = columns(g, x, first, imgs, &mut cols);
                matmul(&mut dw, k, dym, MatRef::transposed(x_cols, ld, k, ld), true, threads);
                let local = &mut dx_range[(first - start) * g.in_image()..(first - start + imgs) * g.in_image()];
                if need_dx && g.is_pointwise() && imgs == 1 {
                    matmul(local, p, wt, dym, false, threads);
                } else if need_dx {
                    dcols.resize(k * ld, T::ZERO);
                    matmul(&mut dcols, ld, wt, dym, false, threads);
                    for (j, xj) in local.chunks_mut(g.in_image()).enumerate() {
                        col2im(g, &dcols, ld, j * p, xj);
                    }
                }
                first += imgs;
            }
            dw
        })
        .collect();
    let mut parts = partials.into_iter();
    let mut dw = parts.next().unwrap_or_else(|| vec![T::ZERO; co * k]);
    for part in parts {
        for (a, b) in dw.iter_mut().zip(part) {
            *a += b;
        }
    }
    (dx, dw)
}

/// The candle op y = conv2d(x, w).
#[derive(Debug, Clone, Copy)]
struct Conv2d {
    stride: usize,
    pad: usize,
}

impl CustomOp2 for Conv2d {
    fn name(&self) -> &'static str {
        "largestep-conv2d"
    }
    fn cpu_fwd(&self, s1: &CpuStorage, l1: &Layout, s2: &CpuStorage, l2: &Layout) -> Result<(CpuStorage, Shape)> {
        let g = Geometry::new(l1.dims(), l2.dims(), self.stride, self.pad)?;
        let y = match (s1, s2) {
            (CpuStorage::F32(_), CpuStorage::F32(_)) => CpuStorage::F32(forward(&g, slice(s1, l1)?, slice(s2, l2)?)),
            (CpuStorage::F64(_), CpuStorage::F64(_)) => CpuStorage::F64(forward(&g, slice(s1, l1)?, slice(s2, l2)?)),
            _ => bail!("conv2d: f32 or f64 operands of one dtype, got {:?} and {:?}", s1.dtype(), s2.dtype()),
        };
        Ok((y, Shape::from(g.out_dims().to_vec())))
    }
    fn bwd(&self, x: &Tensor, w: &Tensor, _y: &Tensor, dy: &Tensor) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let g = Geometry::new(x.dims(), w.dims(), self.stride, self.pad)?;
        fn grads<T: Element>(
            g: &Geometry,
            x: &Tensor,
            w: &Tensor,
            dy: &Tensor,
        ) -> Result<(Option<Tensor>, Option<Tensor>)> {
            let need_dx = x.track_op();
            let (dx, dw) = read(x, |x| read(w, |w| read(dy, |dy| Ok(backward::<T>(g, x, w, dy, need_dx)))))?;
            let dx = need_dx.then(|| tensor(dx, &[g.n, g.c_in, g.h, g.w]));
            Ok((dx, Some(tensor(dw, &[g.c_out, g.c_in, g.kh, g.kw]))))
        }
        match x.dtype() {
            candle_core::DType::F32 => grads::<f32>(&g, x, w, dy),
            candle_core::DType::F64 => grads::<f64>(&g, x, w, dy),
            d => bail!("conv2d backward: dtype {d:?}"),
        }
    }
}

/// y = w ⋆ x with this stride and zero padding: x (N, C_in, H, W), w (C_out, C_in, k_h, k_w),
/// CPU f32 or f64; differentiable in both.
pub fn conv2d(x: &Tensor, w: &Tensor, stride: usize, pad: usize) -> Result<Tensor> {
    x.contiguous()?.apply_op2(&w.contiguous()?, Conv2d { stride, pad })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct definition of the convolution, in f64.
    fn direct(g: &Geometry, x: &[f64], w: &[f64]) -> Vec<f64> {
        let (ho, wo) = (g.ho(), g.wo());
        let mut y = vec![0.0; g.n * g.out_image()];
        for n in 0..g.n {
            for o in 0..g.c_out {
                for p in 0..ho {
                    for q in 0..wo {
                        let mut s = 0.0;
                        for c in 0..g.c_in {
                            for i in 0..g.kh {
                                for j in 0..g.kw {
                                    let (yy, xx) = (
                                        (p * g.stride + i) as isize - g.pad as isize,
                                        (q * g.stride + j) as isize - g.pad as isize,
                                    );
                                    if yy >= 0 && xx >= 0 && (yy as usize) < g.h && (xx as usize) < g.w {
                                        s += x[((n * g.c_in + c) * g.h + yy as usize) * g.w + xx as usize]
                                            * w[((o * g.c_in + c) * g.kh + i) * g.kw + j];
                                    }
                                }
                            }
                        }
                        y[((n * g.c_out + o) * ho + p) * wo + q] = s;
                    }
                }
            }
        }
        y
    }

    fn data(len: usize, seed: u64) -> Vec<f64> {
        (0..len).map(|i| (((i as u64 + 1) * 2_654_435_761 + seed * 40_503) % 1000) as f64 / 500.0 - 1.0).collect()
    }

    #[test]
    fn forward_matches_the_definition_and_backward_is_its_adjoint() {
        // (n, c_in, h, w, c_out, k, stride, pad): odd maps, strides, padding, 1×1, batch 1,
        // groups of several images (small maps) and a ragged last group.
        for &(n, ci, h, w, co, k, s, pad) in &[
            (1, 1, 5, 5, 1, 3, 1, 1),
            (3, 2, 7, 6, 3, 3, 2, 1),
            (2, 3, 5, 4, 2, 1, 1, 0),
            (5, 2, 3, 3, 4, 3, 1, 1),
            (37, 2, 3, 2, 2, 1, 2, 0),
            (2, 2, 6, 5, 3, 2, 3, 2),
        ] {
            let g = Geometry { n, c_in: ci, h, w, c_out: co, kh: k, kw: k, stride: s, pad };
            let x = data(n * g.in_image(), 1);
            let wt = data(co * g.k(), 2);
            let y = forward(&g, &x, &wt);
            let d = direct(&g, &x, &wt);
            for (a, b) in y.iter().zip(&d) {
                assert!((a - b).abs() < 1e-12, "{g:?}: {a} vs {b}");
            }
            // ⟨dy, conv(x, w)⟩ = ⟨∂/∂x, x⟩ = ⟨∂/∂w, w⟩ (the product is bilinear).
            let dy = data(y.len(), 3);
            let (dx, dw) = backward(&g, &x, &wt, &dy, true);
            let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(a, b)| a * b).sum::<f64>();
            let lhs = dot(&dy, &y);
            assert!((dot(&dx, &x) - lhs).abs() < 1e-9 * (1.0 + lhs.abs()), "{g:?}: ∂x");
            assert!((dot(&dw, &wt) - lhs).abs() < 1e-9 * (1.0 + lhs.abs()), "{g:?}: ∂w");
        }
    }
}
