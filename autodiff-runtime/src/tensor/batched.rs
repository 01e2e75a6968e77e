//! Batched matrix products with PyTorch's `matmul` rules for operands of more than two
//! dimensions: the last two dimensions are the matrices, the leading (batch) dimensions
//! broadcast, and a 1-D operand is treated as a row (left) or a column (right) whose dimension
//! is removed from the result. Each matrix product is one call of the BLAS-class
//! [`kernels::gemm`](crate::kernels::gemm); when only the left operand has batch dimensions the
//! whole batch is a single call on the stacked rows.

use super::broadcast::broadcast_shapes_for;
use super::lanes::for_each_index;
use super::storage::{contiguous_strides, Dims};
use super::{Element, Tensor};
use crate::kernels;

/// `[m, k]` and the batch dimensions of an operand of at least two dimensions, read
/// transposed when `trans` is set.
fn matrix_dims(shape: &[usize], trans: bool) -> (&[usize], usize, usize) {
    let n = shape.len();
    let (r, c) = (shape[n - 2], shape[n - 1]);
    let (rows, cols) = if trans { (c, r) } else { (r, c) };
    (&shape[..n - 2], rows, cols)
}

/// Element offset of each batch of an operand with batch dimensions `own` inside the broadcast
/// batch shape `full`, in row-major order of `full`.
fn batch_offsets(own: &[usize], full: &[usize], matrix: usize) -> Vec<usize> {
    let strides = contiguous_strides(own);
    let pad = full.len() - own.len();
    let mut offsets = Vec::with_capacity(full.iter().product());
    for_each_index(full, |at| {
        let off: usize = (0..own.len())
            .filter(|&d| own[d] != 1)
            .map(|d| at[d + pad] * strides[d])
            .sum();
        offsets.push(off * matrix);
    });
    offsets
}

/// `op(a) · op(b)` for operands of at least two dimensions whose batch dimensions broadcast:
/// one kernel call per batch (or one in all when `b` has no batch dimensions). `op` names the
/// caller in errors, which quote the shapes as given.
#[track_caller]
pub(crate) fn batched_gemm<T: Element>(
    op: &str,
    a: &Tensor<T>,
    trans_a: bool,
    b: &Tensor<T>,
    trans_b: bool,
    shown: (&[usize], &[usize]),
) -> Tensor<T> {
    let (batch_a, m, k) = matrix_dims(a.shape(), trans_a);
    let (batch_b, k2, n) = matrix_dims(b.shape(), trans_b);
    if k != k2 {
        panic!("{op}: cannot multiply {:?} by {:?}", shown.0, shown.1);
    }
    let batch = broadcast_shapes_for("matmul", batch_a, batch_b).unwrap_or_else(|_| {
        panic!(
            "{op}: batch dimensions {batch_a:?} and {batch_b:?} cannot be broadcast (shapes \
             {:?} and {:?})",
            shown.0, shown.1
        )
    });
    let mut shape = batch.clone();
    shape.extend([m, n]);
    let lda = a.shape()[a.ndim() - 1];
    let ldb = b.shape()[b.ndim() - 1];
    let mut out = super::pool::filled(shape.iter().product(), T::zero());
    if batch_b.iter().all(|&s| s == 1) && !trans_a && batch == batch_a {
        // B is one matrix: the batches of A are consecutive rows of one tall matrix.
        let rows = batch.iter().product::<usize>() * m;
        kernels::gemm(
            false,
            trans_b,
            rows,
            n,
            k,
            T::one(),
            a.as_slice(),
            lda,
            b.as_slice(),
            ldb,
            T::zero(),
            &mut out,
            n,
        );
        return Tensor::from_parts(out, Dims::new(&shape));
    }
    let off_a = batch_offsets(batch_a, &batch, m * k);
    let off_b = batch_offsets(batch_b, &batch, k * n);
    let (sa, sb) = (a.as_slice(), b.as_slice());
    for (i, c) in out.chunks_exact_mut((m * n).max(1)).enumerate() {
        kernels::gemm(
            trans_a,
            trans_b,
            m,
            n,
            k,
            T::one(),
            &sa[off_a[i]..off_a[i] + m * k],
            lda,
            &sb[off_b[i]..off_b[i] + k * n],
            ldb,
            T::zero(),
            c,
            n,
        );
    }
    Tensor::from_parts(out, Dims::new(&shape))
}

/// The operands of `matmul` as matrices (a 1-D left operand as a row, a 1-D right operand as a
/// column) and the shape of the result with those added dimensions removed.
pub(crate) fn as_matrices<T: Element>(
    a: &Tensor<T>,
    b: &Tensor<T>,
) -> (Tensor<T>, Tensor<T>, Vec<usize>) {
    let a2 = if a.ndim() == 1 {
        a.unsqueeze(0)
    } else {
        a.clone()
    };
    let b2 = if b.ndim() == 1 {
        b.unsqueeze(1)
    } else {
        b.clone()
    };
    let (batch_a, m, _) = matrix_dims(a2.shape(), false);
    let (batch_b, _, n) = matrix_dims(b2.shape(), false);
    let mut shape = broadcast_shapes_for("matmul", batch_a, batch_b).unwrap_or_default();
    if a.ndim() > 1 {
        shape.push(m);
    }
    if b.ndim() > 1 {
        shape.push(n);
    }
    (a2, b2, shape)
}

/// PyTorch's `matmul` for operands where one has more than two dimensions.
#[track_caller]
pub(crate) fn matmul_nd<T: Element>(a: &Tensor<T>, b: &Tensor<T>) -> Tensor<T> {
    if a.ndim() == 0 || b.ndim() == 0 {
        panic!(
            "matmul: both arguments need at least 1 dimension, got shapes {:?} and {:?}",
            a.shape(),
            b.shape()
        );
    }
    let (a2, b2, shape) = as_matrices(a, b);
    let out = batched_gemm("matmul", &a2, false, &b2, false, (a.shape(), b.shape()));
    out.reshape(shape.as_slice())
}

impl<T: Element> Tensor<T> {
    /// Batched matrix product of two 3-D tensors with the same batch size,
    /// `[b, m, k] x [b, k, n] -> [b, m, n]` (PyTorch's `bmm`; [`matmul`](Self::matmul) also
    /// broadcasts batch dimensions).
    ///
    /// # Panics
    /// Unless both are 3-D with equal batch sizes and matching inner sizes, naming both shapes.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let a = Tensor::<f32>::ones(&[2, 3, 4]);
    /// let b = Tensor::<f32>::ones(&[2, 4, 5]);
    /// let c = a.bmm(&b);
    /// assert_eq!(c.shape(), &[2, 3, 5]);
    /// assert_eq!(c.to_vec()[0], 4.0);
    /// // matmul broadcasts: one [4, 5] matrix for every batch
    /// assert_eq!(a.matmul(&Tensor::ones(&[4, 5])), c);
    /// ```
    #[track_caller]
    pub fn bmm(&self, other: &Tensor<T>) -> Tensor<T> {
        match (self.shape(), other.shape()) {
            ([b1, _, _], [b2, _, _]) if b1 == b2 => {}
            (a, b) => panic!(
                "bmm: expected 3-D tensors with the same batch size, got shapes {a:?} and {b:?}"
            ),
        }
        batched_gemm(
            "bmm",
            self,
            false,
            other,
            false,
            (self.shape(), other.shape()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &Tensor<f64>, b: &Tensor<f64>) -> Vec<f64> {
        // [B, m, k] x [k, n] with B broadcast, straightforwardly
        let (bs, m, k) = (a.shape()[0], a.shape()[1], a.shape()[2]);
        let n = b.shape()[1];
        let mut out = vec![0.0; bs * m * n];
        for p in 0..bs {
            for i in 0..m {
                for j in 0..n {
                    out[(p * m + i) * n + j] =
                        (0..k).map(|q| a.get(&[p, i, q]) * b.get(&[q, j])).sum();
                }
            }
        }
        out
    }

    #[test]
    fn batched_products_broadcast_like_pytorch() {
        let a = Tensor::<f64>::randn(&[3, 4, 5], 1);
        let b = Tensor::<f64>::randn(&[5, 2], 2);
        let c = a.matmul(&b);
        assert_eq!(c.shape(), &[3, 4, 2]);
        for (x, y) in c.as_slice().iter().zip(naive(&a, &b)) {
            assert!((x - y).abs() < 1e-12);
        }
        let bb = b.unsqueeze(0).broadcast_to(&[3, 5, 2]);
        assert_eq!(a.bmm(&bb).shape(), &[3, 4, 2]);
        assert!(a.bmm(&bb).allclose(&c, 1e-12, 1e-12));
        let v = Tensor::<f64>::randn(&[5], 3);
        assert_eq!(a.matmul(&v).shape(), &[3, 4]);
        assert_eq!(
            v.matmul(&Tensor::<f64>::zeros(&[2, 1, 5, 6])).shape(),
            &[2, 1, 6]
        );
        let x = Tensor::<f64>::zeros(&[2, 1, 4, 5]);
        let y = Tensor::<f64>::zeros(&[3, 5, 6]);
        assert_eq!(x.matmul(&y).shape(), &[2, 3, 4, 6]);
    }

    #[test]
    #[should_panic(expected = "matmul: cannot multiply [2, 3, 4] by [2, 5, 6]")]
    fn matmul_names_both_shapes() {
        Tensor::<f32>::zeros(&[2, 3, 4]).matmul(&Tensor::zeros(&[2, 5, 6]));
    }

    #[test]
    #[should_panic(expected = "matmul: batch dimensions [2] and [3] cannot be broadcast")]
    fn batch_mismatch_names_the_batches() {
        Tensor::<f32>::zeros(&[2, 3, 4]).matmul(&Tensor::zeros(&[3, 4, 6]));
    }
}
