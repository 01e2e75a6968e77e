//! Matrix-product and dot-product kernels behind one small interface, [`gemm`] and [`dot`].
//!
//! Every `mm`, `mv`, `matmul` and `dot` of [`Tensor`](crate::Tensor) ends here, so a backend is
//! swapped by a cargo feature, never by editing callers:
//!
//! | feature | backend | threads |
//! |---|---|---|
//! | (default) | [`matrixmultiply`] `sgemm`/`dgemm`, pure Rust, nothing to install | large products are split by rows of `C` across [`num_threads`] scoped threads |
//! | `blas` | the system CBLAS (`cblas_sgemm`/`dgemm`/`sdot`/`ddot`), linked to OpenBLAS from `libopenblas-dev` | OpenBLAS's own pool, sized with `openblas_set_num_threads` |
//!
//! Operands are row-major with a leading dimension, exactly as in row-major CBLAS, and a
//! transposed operand is described by a flag, never copied: the pullback of a matrix product is
//! two kernel calls with transpose flags.
//!
//! # Threads
//!
//! [`set_num_threads`] takes effect immediately, for either backend. Until it is called, the
//! count comes from the environment variable `AUTODIFF_NUM_THREADS`, read once at first use, and
//! otherwise from [`std::thread::available_parallelism`].
//!
//! `matrixmultiply` is used without its `threading` feature: that feature sizes its pool from
//! `MATMUL_NUM_THREADS` once per process (a lazily initialised static), so the count could not be
//! changed afterwards. If another crate in your build turns that feature on, set
//! `MATMUL_NUM_THREADS=1` so the two kinds of threading do not multiply.
//!
//! # OpenBLAS on AMD EPYC (Zen 4) machines
//!
//! Debian's OpenBLAS mis-detects some recent CPUs (the AVX-512 EPYC this project is measured on
//! among them) and falls back to a generic kernel that runs about 4x slower. Force the right
//! kernel when using the `blas` feature:
//!
//! ```text
//! OPENBLAS_CORETYPE=SKYLAKEX cargo test --features blas
//! ```
//!
//! # Example
//!
//! ```
//! use autodiff_runtime::kernels;
//!
//! // C (2x2) = A (2x3) · Bᵀ, with B stored as a 2x3 row-major matrix.
//! let a = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
//! let b = [1.0f32, 0.0, 1.0, 0.0, 1.0, 0.0];
//! let mut c = [0.0f32; 4];
//! kernels::gemm(false, true, 2, 2, 3, 1.0, &a, 3, &b, 3, 0.0, &mut c, 2);
//! assert_eq!(c, [4.0, 2.0, 10.0, 5.0]);
//! assert_eq!(kernels::dot(&a[..3], &b[..3]), 4.0);
//! ```

mod accumulate;
#[cfg(feature = "blas")]
mod cblas;
mod dual;
#[cfg(not(feature = "blas"))]
mod pure;
mod threads;

#[cfg(feature = "blas")]
use cblas as backend;
#[cfg(not(feature = "blas"))]
use pure as backend;

pub(crate) use accumulate::{block_sum, sum_of_blocks, SUM_BLOCK};
pub(crate) use accumulate::{sum as pairwise_sum, sum_squares as pairwise_sum_squares};
pub use threads::{num_threads, set_num_threads};

/// The name of the backend compiled in: `"matrixmultiply"` or `"cblas"` (feature `blas`).
pub const BACKEND: &str = backend::NAME;

pub(crate) mod sealed {
    /// The per-type entry points of the compiled-in backend. Callers must validate the arguments
    /// first (see [`super::gemm`]); this trait cannot be named outside the crate.
    pub trait Backend: num_traits::Float + Send + Sync + 'static {
        /// `C = alpha·op(A)·op(B) + beta·C` on row-major operands.
        ///
        /// # Safety
        /// The slices must cover every element the dimensions and leading dimensions address
        /// (checked by [`super::gemm`]), and every dimension must fit in a C `int`.
        #[allow(clippy::too_many_arguments)]
        unsafe fn gemm_unchecked(
            trans_a: bool,
            trans_b: bool,
            m: usize,
            n: usize,
            k: usize,
            alpha: Self,
            a: &[Self],
            lda: usize,
            b: &[Self],
            ldb: usize,
            beta: Self,
            c: &mut [Self],
            ldc: usize,
        );

        /// `Σ x[i]·y[i]` over two slices of equal length.
        fn dot_same_len(x: &[Self], y: &[Self]) -> Self;
    }
}

/// Element types the kernels support: `f32` and `f64`, and the dual numbers over them that
/// forward mode uses (sealed).
pub trait Kernel: sealed::Backend {}

impl Kernel for f32 {}
impl Kernel for f64 {}

/// Products smaller than this many multiply-adds stay on the calling thread: spawning a scoped
/// thread costs tens of microseconds, about what a product of this size takes on one core.
const PARALLEL_MIN_MACS: usize = 1 << 22;
/// Each thread gets at least this many rows of `C` (a few register tiles of the microkernel).
const PARALLEL_MIN_ROWS: usize = 32;

/// General matrix product on row-major operands, `C = alpha·op(A)·op(B) + beta·C`.
///
/// `op(A)` is `m x k` and `op(B)` is `k x n`; `C` is `m x n` with leading dimension `ldc`
/// (`C[i][j]` is `c[i * ldc + j]`). `A` is stored row-major with leading dimension `lda`: as an
/// `m x k` matrix when `trans_a` is false, as a `k x m` matrix that is used transposed when it is
/// true; likewise `B` (`k x n`, or `n x k` transposed). This is row-major CBLAS's `?gemm`.
///
/// When `beta` is zero, `C` is only written, never read (so NaNs in it do not propagate).
///
/// # Panics
/// If a leading dimension is smaller than the row it describes or a slice is too short for the
/// dimensions, naming the operand.
#[allow(clippy::too_many_arguments)]
pub fn gemm<T: Kernel>(
    trans_a: bool,
    trans_b: bool,
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: &[T],
    lda: usize,
    b: &[T],
    ldb: usize,
    beta: T,
    c: &mut [T],
    ldc: usize,
) {
    check_operand("C", false, m, n, c.len(), ldc);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        // An empty sum: C = beta·C (BLAS leaves C alone for alpha·0, and so do we).
        for row in c.chunks_mut(ldc) {
            let row = &mut row[..n];
            if beta == T::zero() {
                row.fill(T::zero());
            } else {
                row.iter_mut().for_each(|v| *v = *v * beta);
            }
        }
        return;
    }
    check_operand("A", trans_a, m, k, a.len(), lda);
    check_operand("B", trans_b, k, n, b.len(), ldb);
    assert!(
        [m, n, k, lda, ldb, ldc]
            .iter()
            .all(|&d| d <= i32::MAX as usize),
        "gemm: dimensions must fit in a C int (m={m}, n={n}, k={k})"
    );

    let threads = if backend::SPLITS_ROWS && m * n * k >= PARALLEL_MIN_MACS {
        num_threads().min(m / PARALLEL_MIN_ROWS)
    } else {
        1
    };
    if threads <= 1 {
        // SAFETY: `check_operand` verified that `a`, `b` and `c` cover every element addressed
        // by (m, k, lda), (k, n, ldb) and (m, n, ldc), and the assert above bounds the ints.
        unsafe {
            T::gemm_unchecked(
                trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
            )
        };
        return;
    }

    let c = &mut c[..(m - 1) * ldc + n];
    // Split C into horizontal bands, one per thread; band `j` needs rows `r0..r0+rows` of op(A),
    // which start at row `r0` of A (or column `r0` of a transposed A) and all of op(B).
    let band = m.div_ceil(threads).next_multiple_of(16);
    std::thread::scope(|scope| {
        let mut bands = c.chunks_mut(band * ldc).enumerate().peekable();
        while let Some((j, c_band)) = bands.next() {
            let r0 = j * band;
            let rows = band.min(m - r0);
            let a_band = if trans_a { &a[r0..] } else { &a[r0 * lda..] };
            let mut run = move || {
                // SAFETY: `c_band` holds rows r0..r0+rows of C (a chunk of `band * ldc`
                // elements, the last one shorter but still ending at row m-1, column n-1), and
                // `a_band` is A from the first element of row (or column) r0, so every element
                // addressed by (rows, k, lda) lies inside it because A as a whole was checked.
                unsafe {
                    T::gemm_unchecked(
                        trans_a, trans_b, rows, n, k, alpha, a_band, lda, b, ldb, beta, c_band, ldc,
                    )
                }
            };
            if bands.peek().is_some() {
                scope.spawn(run);
            } else {
                run();
            }
        }
    });
}

/// Checks that a row-major `rows x cols` operand (stored transposed when `trans`) with leading
/// dimension `ld` fits in `len` elements.
fn check_operand(name: &str, trans: bool, rows: usize, cols: usize, len: usize, ld: usize) {
    let (stored_rows, stored_cols) = if trans { (cols, rows) } else { (rows, cols) };
    if stored_rows == 0 || stored_cols == 0 {
        return;
    }
    assert!(
        ld >= stored_cols,
        "gemm: leading dimension of {name} ({ld}) is smaller than its row length ({stored_cols})"
    );
    let needed = (stored_rows - 1) * ld + stored_cols;
    assert!(
        len >= needed,
        "gemm: {name} has {len} elements but a {stored_rows}x{stored_cols} matrix with leading \
         dimension {ld} needs {needed}"
    );
}

/// Dot product `Σ x[i]·y[i]` of two contiguous vectors.
///
/// The pure-Rust backend accumulates pairwise over blocks of independent lanes, so the rounding
/// error grows with `log n` rather than `n`.
///
/// # Panics
/// If the lengths differ.
pub fn dot<T: Kernel>(x: &[T], y: &[T]) -> T {
    assert_eq!(
        x.len(),
        y.len(),
        "dot: vectors have different lengths ({} and {})",
        x.len(),
        y.len()
    );
    T::dot_same_len(x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference product on plain loops, in f64.
    fn naive(ta: bool, tb: bool, m: usize, n: usize, k: usize, a: &[f64], b: &[f64]) -> Vec<f64> {
        let (lda, ldb) = (if ta { m } else { k }, if tb { k } else { n });
        let at = |i: usize, p: usize| if ta { a[p * lda + i] } else { a[i * lda + p] };
        let bt = |p: usize, j: usize| if tb { b[j * ldb + p] } else { b[p * ldb + j] };
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| at(i, p) * bt(p, j)).sum();
            }
        }
        c
    }

    /// The largest difference between a product entry summed in any order and the exact value
    /// (or another order), `2·γ_terms·Σ|a_ip||b_pj|` with `γ_n = n·u/(1 − n·u)` for unit
    /// roundoff `u`: a bound that holds for every kernel, blocking and thread count.
    fn order_tolerance(terms: usize, unit_roundoff: f64, magnitude: f64) -> f64 {
        let nu = terms as f64 * unit_roundoff;
        2.0 * nu / (1.0 - nu) * magnitude
    }

    fn abs(v: &[f64]) -> Vec<f64> {
        v.iter().map(|x| x.abs()).collect()
    }

    fn values(n: usize, seed: u64) -> Vec<f64> {
        (0..n)
            .map(|i| (((i as u64 * 2654435761 + seed) % 1000) as f64 - 500.0) / 250.0)
            .collect()
    }

    #[test]
    fn gemm_matches_naive_for_every_transpose_combination() {
        for &(m, n, k) in &[(1, 1, 1), (3, 5, 4), (17, 9, 33), (64, 70, 8)] {
            for ta in [false, true] {
                for tb in [false, true] {
                    let a = values(m * k, 1);
                    let b = values(k * n, 2);
                    let expect = naive(ta, tb, m, n, k, &a, &b);
                    let magnitude = naive(ta, tb, m, n, k, &abs(&a), &abs(&b));
                    let (lda, ldb) = (if ta { m } else { k }, if tb { k } else { n });
                    let mut c = vec![f64::NAN; m * n];
                    gemm(ta, tb, m, n, k, 1.0, &a, lda, &b, ldb, 0.0, &mut c, n);
                    for ((x, y), mag) in c.iter().zip(&expect).zip(&magnitude) {
                        let tol = order_tolerance(k, f64::EPSILON / 2.0, *mag);
                        assert!((x - y).abs() <= tol, "{m}x{n}x{k} ta={ta} tb={tb}");
                    }
                    let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
                    let b32: Vec<f32> = b.iter().map(|&v| v as f32).collect();
                    let mut c32 = vec![0.0f32; m * n];
                    gemm(ta, tb, m, n, k, 1.0, &a32, lda, &b32, ldb, 0.0, &mut c32, n);
                    // rounding the inputs to f32 adds two roundings to each product
                    for ((x, y), mag) in c32.iter().zip(&expect).zip(&magnitude) {
                        let tol = order_tolerance(k + 2, f32::EPSILON as f64 / 2.0, *mag);
                        assert!((*x as f64 - y).abs() <= tol, "f32 {m}x{n}x{k}");
                    }
                }
            }
        }
    }

    #[test]
    fn gemm_honours_alpha_beta_and_leading_dimensions() {
        // A is the left 2x2 block of a 2x3 buffer, C the left 2x2 block of a 2x3 buffer.
        let a = [1.0f64, 2.0, 99.0, 3.0, 4.0, 99.0];
        let b = [1.0f64, 1.0, 1.0, 1.0];
        let mut c = [1.0f64, 1.0, 7.0, 1.0, 1.0, 7.0];
        gemm(false, false, 2, 2, 2, 2.0, &a, 3, &b, 2, 1.0, &mut c, 3);
        assert_eq!(c, [7.0, 7.0, 7.0, 15.0, 15.0, 7.0]);
    }

    #[test]
    fn gemm_with_empty_inner_dimension_scales_c() {
        let mut c = [1.0f32, 2.0];
        gemm(false, false, 1, 2, 0, 1.0, &[], 0, &[], 2, 3.0, &mut c, 2);
        assert_eq!(c, [3.0, 6.0]);
        gemm(false, false, 1, 2, 0, 1.0, &[], 0, &[], 2, 0.0, &mut c, 2);
        assert_eq!(c, [0.0, 0.0]);
    }

    /// Only the default backend splits products itself (OpenBLAS threads internally).
    #[test]
    #[cfg(not(feature = "blas"))]
    fn gemm_splits_large_products_across_threads_correctly() {
        let (m, n, k) = (301, 130, 120);
        let a = values(m * k, 3);
        let b = values(k * n, 4);
        for ta in [false, true] {
            let lda = if ta { m } else { k };
            let mut serial = vec![0.0; m * n];
            let mut parallel = vec![0.0; m * n];
            let before = num_threads();
            set_num_threads(1);
            gemm(ta, false, m, n, k, 1.0, &a, lda, &b, n, 0.0, &mut serial, n);
            set_num_threads(3);
            gemm(
                ta,
                false,
                m,
                n,
                k,
                1.0,
                &a,
                lda,
                &b,
                n,
                0.0,
                &mut parallel,
                n,
            );
            set_num_threads(before);
            assert_eq!(serial, parallel);
            let expect = naive(ta, false, m, n, k, &a, &b);
            let magnitude = naive(ta, false, m, n, k, &abs(&a), &abs(&b));
            for ((x, y), mag) in serial.iter().zip(&expect).zip(&magnitude) {
                assert!((x - y).abs() <= order_tolerance(k, f64::EPSILON / 2.0, *mag));
            }
        }
    }

    #[test]
    #[should_panic(
        expected = "gemm: A has 5 elements but a 2x3 matrix with leading dimension 3 needs 6"
    )]
    fn gemm_rejects_short_operands() {
        let mut c = [0.0f32; 4];
        gemm(
            false, false, 2, 2, 3, 1.0, &[0.0; 5], 3, &[0.0; 6], 2, 0.0, &mut c, 2,
        );
    }

    #[test]
    #[should_panic(expected = "dot: vectors have different lengths (2 and 3)")]
    fn dot_rejects_different_lengths() {
        dot(&[1.0f32, 2.0], &[1.0, 2.0, 3.0]);
    }

    #[test]
    fn dot_is_accurate_on_long_vectors() {
        let n = 1_000_000;
        let x: Vec<f32> = (0..n).map(|i| ((i % 7) as f32 + 0.1) * 0.5).collect();
        let exact: f64 = x.iter().map(|&v| v as f64 * v as f64).sum();
        let got = dot(&x, &x) as f64;
        // OpenBLAS accumulates f32 dot products in f32 lanes, without pairwise blocking.
        let tolerance = if cfg!(feature = "blas") { 1e-4 } else { 1e-6 };
        assert!(
            ((got - exact) / exact).abs() < tolerance,
            "{got} vs {exact}"
        );
    }
}
