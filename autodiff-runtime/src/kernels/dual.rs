//! The kernels at dual numbers ([`Dual<f32>`](crate::forward::Dual), `Dual<f64>`), so that
//! `Tensor<Dual<F>>` runs every tensor operation in forward mode: a generated `NAME_jvp` (and
//! `NAME_hvp`, forward over reverse) instantiates the user's tensor code at this element type.
//! Plain loops in the order of the definition: forward mode is for derivatives, not speed, and
//! each dual product is already four real ones.

use super::sealed::Backend;
use crate::forward::Dual;
use num_traits::Zero;

macro_rules! dual_backend {
    ($f:ty) => {
        impl Backend for Dual<$f> {
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
            ) {
                for i in 0..m {
                    for j in 0..n {
                        let mut acc = Self::zero();
                        for p in 0..k {
                            let av = if trans_a {
                                a[p * lda + i]
                            } else {
                                a[i * lda + p]
                            };
                            let bv = if trans_b {
                                b[j * ldb + p]
                            } else {
                                b[p * ldb + j]
                            };
                            acc += av * bv;
                        }
                        let cij = &mut c[i * ldc + j];
                        // beta = 0 writes without reading C, like the real kernels
                        *cij = if beta.is_zero() {
                            alpha * acc
                        } else {
                            alpha * acc + beta * *cij
                        };
                    }
                }
            }

            fn dot_same_len(x: &[Self], y: &[Self]) -> Self {
                x.iter()
                    .zip(y)
                    .fold(Self::zero(), |acc, (&a, &b)| acc + a * b)
            }
        }

        impl super::Kernel for Dual<$f> {}
    };
}

dual_backend!(f32);
dual_backend!(f64);
