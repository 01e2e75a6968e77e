//! Feature `blas`: the system CBLAS, linked to OpenBLAS by `build.rs`.
//!
//! The FFI calls below are the only `unsafe` code besides the `matrixmultiply` calls of the
//! default backend; `kernels::gemm` has checked every slice against its dimensions before.

use super::sealed::Backend;
use cblas_sys::{CBLAS_LAYOUT, CBLAS_TRANSPOSE};
use std::os::raw::c_int;

pub(super) const NAME: &str = "cblas";

/// OpenBLAS threads each call itself.
pub(super) const SPLITS_ROWS: bool = false;

extern "C" {
    /// OpenBLAS's own extension to CBLAS (not declared by `cblas-sys`).
    fn openblas_set_num_threads(num_threads: c_int);
}

pub(super) fn apply_num_threads(n: usize) {
    let n = c_int::try_from(n).unwrap_or(c_int::MAX);
    // SAFETY: a plain setter taking an int; OpenBLAS clamps it to its compiled maximum.
    unsafe { openblas_set_num_threads(n) }
}

fn transpose(trans: bool) -> CBLAS_TRANSPOSE {
    if trans {
        CBLAS_TRANSPOSE::CblasTrans
    } else {
        CBLAS_TRANSPOSE::CblasNoTrans
    }
}

/// Dot products are chunked so that each CBLAS call's length fits in a C int.
const DOT_CHUNK: usize = 1 << 30;

macro_rules! cblas_backend {
    ($t:ty, $gemm:path, $dot:path) => {
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
                // SAFETY: the caller guarantees that every dimension fits in a C int and that
                // the slices cover every element row-major ?gemm addresses with these leading
                // dimensions; C does not alias A or B (it is a unique borrow).
                unsafe {
                    $gemm(
                        CBLAS_LAYOUT::CblasRowMajor,
                        transpose(trans_a),
                        transpose(trans_b),
                        m as c_int,
                        n as c_int,
                        k as c_int,
                        alpha,
                        a.as_ptr(),
                        lda as c_int,
                        b.as_ptr(),
                        ldb as c_int,
                        beta,
                        c.as_mut_ptr(),
                        ldc as c_int,
                    )
                }
            }

            fn dot_same_len(x: &[$t], y: &[$t]) -> $t {
                x.chunks(DOT_CHUNK)
                    .zip(y.chunks(DOT_CHUNK))
                    .map(|(x, y)| {
                        // SAFETY: both chunks have the same length, at most DOT_CHUNK (< c_int
                        // MAX), and are read with unit stride.
                        unsafe { $dot(x.len() as c_int, x.as_ptr(), 1, y.as_ptr(), 1) }
                    })
                    .sum()
            }
        }
    };
}

cblas_backend!(f32, cblas_sys::cblas_sgemm, cblas_sys::cblas_sdot);
cblas_backend!(f64, cblas_sys::cblas_dgemm, cblas_sys::cblas_ddot);
