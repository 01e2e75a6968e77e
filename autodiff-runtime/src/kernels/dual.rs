//! The kernels at dual numbers ([`Dual<f32>`](crate::forward::Dual), `Dual<f64>`), so that
//! `Tensor<Dual<F>>` runs every tensor operation in forward mode: a generated `NAME_jvp` (and
//! `NAME_hvp`, forward over reverse) instantiates the user's tensor code at this element type.
//!
//! A product of dual matrices is three real ones, `(A + A'ε)(B + B'ε) = AB + (A'B + AB')ε`, run
//! through the real kernel once it is large enough to pay for splitting the operands; small
//! ones are plain loops.

use super::sealed::Backend;
use crate::forward::Dual;
use num_traits::Zero;

/// Products with fewer multiply-adds than this are plain loops.
const SPLIT_MIN_MACS: usize = 4096;

/// `op(X)` of a stored matrix as a dense row-major `rows × cols` matrix of values and one of
/// tangents.
fn split<F: Copy>(
    x: &[Dual<F>],
    trans: bool,
    rows: usize,
    cols: usize,
    ld: usize,
) -> (Vec<F>, Vec<F>) {
    let at = |i: usize, j: usize| if trans { x[j * ld + i] } else { x[i * ld + j] };
    let mut values = Vec::with_capacity(rows * cols);
    let mut tangents = Vec::with_capacity(rows * cols);
    for i in 0..rows {
        for j in 0..cols {
            let d = at(i, j);
            values.push(d.value);
            tangents.push(d.tangent);
        }
    }
    (values, tangents)
}

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
                let product: Vec<Self> = if m * n * k < SPLIT_MIN_MACS {
                    let mut p = Vec::with_capacity(m * n);
                    for i in 0..m {
                        for j in 0..n {
                            let mut acc = Self::zero();
                            for q in 0..k {
                                let av = if trans_a {
                                    a[q * lda + i]
                                } else {
                                    a[i * lda + q]
                                };
                                let bv = if trans_b {
                                    b[j * ldb + q]
                                } else {
                                    b[q * ldb + j]
                                };
                                acc += av * bv;
                            }
                            p.push(acc);
                        }
                    }
                    p
                } else {
                    let (av, at) = split(a, trans_a, m, k, lda);
                    let (bv, bt) = split(b, trans_b, k, n, ldb);
                    let (mut pv, mut pt) = (vec![0.0; m * n], vec![0.0; m * n]);
                    let g = super::gemm::<$f>;
                    g(false, false, m, n, k, 1.0, &av, k, &bv, n, 0.0, &mut pv, n);
                    g(false, false, m, n, k, 1.0, &at, k, &bv, n, 0.0, &mut pt, n);
                    g(false, false, m, n, k, 1.0, &av, k, &bt, n, 1.0, &mut pt, n);
                    pv.into_iter()
                        .zip(pt)
                        .map(|(v, t)| Dual::new(v, t))
                        .collect()
                };
                for i in 0..m {
                    for j in 0..n {
                        let cij = &mut c[i * ldc + j];
                        // beta = 0 writes without reading C, like the real kernels
                        *cij = if beta.is_zero() {
                            alpha * product[i * n + j]
                        } else {
                            alpha * product[i * n + j] + beta * *cij
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The split product against the plain loops, transposed operands and alpha/beta included.
    #[test]
    fn split_product_matches_the_plain_loops() {
        let (m, n, k) = (17, 19, 23); // above SPLIT_MIN_MACS
        let mk = |len: usize, s: f64| -> Vec<Dual<f64>> {
            (0..len)
                .map(|i| Dual::new((i as f64 * s).sin(), (i as f64 * s).cos()))
                .collect()
        };
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = mk(m * k, 0.37);
            let b = mk(k * n, 0.53);
            let (lda, ldb) = (if ta { m } else { k }, if tb { k } else { n });
            let (alpha, beta) = (Dual::new(1.5, 0.25), Dual::new(-0.5, 1.0));
            let mut c = mk(m * n, 0.71);
            let mut want = c.clone();
            super::super::gemm(ta, tb, m, n, k, alpha, &a, lda, &b, ldb, beta, &mut c, n);
            for i in 0..m {
                for j in 0..n {
                    let mut acc = Dual::<f64>::zero();
                    for q in 0..k {
                        let av = if ta { a[q * lda + i] } else { a[i * lda + q] };
                        let bv = if tb { b[j * ldb + q] } else { b[q * ldb + j] };
                        acc += av * bv;
                    }
                    want[i * n + j] = alpha * acc + beta * want[i * n + j];
                }
            }
            for (x, y) in c.iter().zip(&want) {
                let scale = 1.0 + y.value.abs() + y.tangent.abs();
                assert!(
                    (x.value - y.value).abs() < 1e-12 * scale,
                    "{ta} {tb}: {x:?} vs {y:?}"
                );
                assert!((x.tangent - y.tangent).abs() < 1e-12 * scale, "{ta} {tb}");
            }
        }
    }
}
