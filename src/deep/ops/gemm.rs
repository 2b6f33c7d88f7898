//! Matrix products through the `gemm` crate, on bounds-checked strided views.

use super::element::Element;

/// A read-only strided matrix view: element (i, j) at `data[i·rs + j·cs]`.
#[derive(Debug, Clone, Copy)]
pub struct MatRef<'a, T> {
    data: &'a [T],
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

impl<'a, T> MatRef<'a, T> {
    /// Row-major `rows × cols` with leading dimension `ld` (≥ cols).
    pub fn row_major(data: &'a [T], rows: usize, cols: usize, ld: usize) -> Self {
        Self::strided(data, rows, cols, ld, 1)
    }
    /// The transpose of the row-major `cols × rows` matrix with leading dimension `ld`.
    pub fn transposed(data: &'a [T], rows: usize, cols: usize, ld: usize) -> Self {
        Self::strided(data, rows, cols, 1, ld)
    }
    fn strided(data: &'a [T], rows: usize, cols: usize, rs: usize, cs: usize) -> Self {
        if rows > 0 && cols > 0 {
            let last = (rows - 1) * rs + (cols - 1) * cs;
            assert!(last < data.len(), "matrix view {rows}×{cols} (strides {rs}, {cs}) past {} elements", data.len());
        }
        Self { data, rows, cols, rs, cs }
    }
}

/// C ← A·B (`accumulate` false) or C ← C + A·B (true), C row-major `a.rows × b.cols` with
/// leading dimension `ldc`. `threads` > 1 lets the kernel split the product over rayon's pool.
pub fn matmul<T: Element>(
    c: &mut [T],
    ldc: usize,
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    accumulate: bool,
    threads: usize,
) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(k, b.rows, "inner dimensions {k} and {}", b.rows);
    assert!(n <= ldc || m <= 1, "leading dimension {ldc} below {n} columns");
    if m == 0 || n == 0 {
        return;
    }
    assert!((m - 1) * ldc + n <= c.len(), "output {m}×{n} (ld {ldc}) past {} elements", c.len());
    if k == 0 {
        if !accumulate {
            for row in c.chunks_mut(ldc).take(m) {
                row[..n].fill(T::ZERO);
            }
        }
        return;
    }
    let par = if threads > 1 { gemm::Parallelism::Rayon(threads) } else { gemm::Parallelism::None };
    // SAFETY: the views were bounds-checked at construction and `c` above; `T` is f32 or f64,
    // which `gemm` dispatches on; the output does not alias the inputs (distinct borrows).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            ldc as isize,
            accumulate,
            a.data.as_ptr(),
            a.cs as isize,
            a.rs as isize,
            b.data.as_ptr(),
            b.cs as isize,
            b.rs as isize,
            T::ONE,
            T::ONE,
            false,
            false,
            false,
            par,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_with_transposes_and_accumulation() {
        // A = [[1, 2, 3], [4, 5, 6]], B = Aᵀ: A·Aᵀ = [[14, 32], [32, 77]].
        let a = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0];
        let mut c = [1.0f64; 4];
        matmul(&mut c, 2, MatRef::row_major(&a, 2, 3, 3), MatRef::transposed(&a, 3, 2, 3), false, 1);
        assert_eq!(c, [14.0, 32.0, 32.0, 77.0]);
        matmul(&mut c, 2, MatRef::row_major(&a, 2, 3, 3), MatRef::transposed(&a, 3, 2, 3), true, 2);
        assert_eq!(c, [28.0, 64.0, 64.0, 154.0]);
        // Aᵀ·A (3×3), leading dimension 4.
        let mut d = [0.0f64; 12];
        matmul(&mut d, 4, MatRef::transposed(&a, 3, 2, 3), MatRef::row_major(&a, 2, 3, 3), false, 1);
        assert_eq!(&d[..3], &[17.0, 22.0, 27.0]);
        assert_eq!(&d[8..11], &[27.0, 36.0, 45.0]);
        assert_eq!(d[3], 0.0);
    }
}
