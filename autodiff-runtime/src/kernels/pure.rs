//! The default backend: `matrixmultiply`'s packed microkernels (AVX/FMA/AVX-512 detected at run
//! time), pure Rust.

use super::sealed::Backend;

pub(super) const NAME: &str = "matrixmultiply";

/// `matrixmultiply` runs each call on one thread; `kernels::gemm` splits big products itself.
pub(super) const SPLITS_ROWS: bool = true;

/// Nothing to tell the backend: the split is decided per call from `num_threads()`.
pub(super) fn apply_num_threads(_n: usize) {}

/// Row and column strides of a row-major operand with leading dimension `ld`, as used
/// (`trans = false`) or transposed.
fn strides(trans: bool, ld: usize) -> (isize, isize) {
    let ld = ld as isize;
    if trans {
        (1, ld)
    } else {
        (ld, 1)
    }
}

macro_rules! pure_backend {
    ($t:ty, $gemm:path) => {
        impl Backend for $t {
            unsafe fn gemm_unchecked(
                trans_a: bool,
                trans_b: bool,
                m: usize,
                n: usize,
                k: usize,
                alpha: $t,
                a: &[$t],
                lda: usize,
                b: &[$t],
                ldb: usize,
                beta: $t,
                c: &mut [$t],
                ldc: usize,
            ) {
                let (rsa, csa) = strides(trans_a, lda);
                let (rsb, csb) = strides(trans_b, ldb);
                // SAFETY: the caller guarantees (see `Backend::gemm_unchecked`) that the slices
                // cover every element these dimensions and strides address; C's strides
                // (ldc >= n, 1) never alias two elements.
                unsafe {
                    $gemm(
                        m,
                        k,
                        n,
                        alpha,
                        a.as_ptr(),
                        rsa,
                        csa,
                        b.as_ptr(),
                        rsb,
                        csb,
                        beta,
                        c.as_mut_ptr(),
                        ldc as isize,
                        1,
                    )
                }
            }

            fn dot_same_len(x: &[$t], y: &[$t]) -> $t {
                super::accumulate::dot(x, y)
            }
        }
    };
}

pure_backend!(f32, matrixmultiply::sgemm);
pure_backend!(f64, matrixmultiply::dgemm);
