//! `a.mm(&b).sum()` without the matrix product: the sum of all entries of `a·b` is
//! `Σₖ colsum(a)ₖ · rowsum(b)ₖ`, and its gradients are broadcasts of those two vectors
//! (`∂/∂a[i][k] = rowsum(b)ₖ`, `∂/∂b[k][j] = colsum(a)ₖ`). The macro emits [`mm_sum`] for that
//! expression; it costs one pass over each matrix instead of an `m·k·n` product.
//!
//! ```
//! use autodiff_runtime::vjp::{mm_sum, Pullback};
//! use autodiff_runtime::Tensor;
//!
//! let a = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
//! let b = Tensor::from_vec(vec![1.0f64, -1.0, 0.5, 2.0, 3.0, 0.0], &[3, 2]);
//! let (s, pb) = mm_sum(&a, &b);
//! assert_eq!(s.item(), a.mm(&b).sum().item());
//! let (ga, gb) = pb.pull(Tensor::scalar(2.0));
//! assert_eq!(ga.to_vec(), vec![0.0, 5.0, 6.0, 0.0, 5.0, 6.0]); // 2 · rowsum(b), every row
//! assert_eq!(gb.to_vec(), vec![10.0, 10.0, 14.0, 14.0, 18.0, 18.0]); // 2 · colsum(a), every column
//! ```

use super::chain::FuseTensor;
use crate::tensor::{Element, Tensor};
use crate::vjp::Pullback;

/// Pullback of [`mm_sum`]: the column sums of `a` and the row sums of `b`, broadcast and
/// scaled by the cotangent.
#[derive(Clone, Debug)]
pub struct MmSumPb<E: Element> {
    colsum_a: Vec<E>,
    rowsum_b: Vec<E>,
    /// `m` (rows of `a`) and `n` (columns of `b`).
    m: usize,
    n: usize,
}

impl<E: Element> Pullback for MmSumPb<E> {
    type Cot = Tensor<E>;
    type Grads = (Tensor<E>, Tensor<E>);
    fn pull(&self, g: Tensor<E>) -> (Tensor<E>, Tensor<E>) {
        let g = g.item();
        let k = self.rowsum_b.len();
        let row: Vec<E> = self.rowsum_b.iter().map(|&r| g * r).collect();
        let mut ga = Vec::with_capacity(self.m * k);
        for _ in 0..self.m {
            ga.extend_from_slice(&row);
        }
        let mut gb = Vec::with_capacity(k * self.n);
        for &c in &self.colsum_a {
            gb.extend(std::iter::repeat_n(g * c, self.n));
        }
        (
            Tensor::from_vec(ga, &[self.m, k]),
            Tensor::from_vec(gb, &[k, self.n]),
        )
    }
}

/// `a.mm(&b).sum()` in VJP form, without forming `a·b` (see the module documentation).
///
/// # Panics
/// With `mm`'s message, unless both are 2-D with matching inner dimensions.
#[track_caller]
pub fn mm_sum<A: FuseTensor + ?Sized, B: FuseTensor<Elem = A::Elem> + ?Sized>(
    a: &A,
    b: &B,
) -> (Tensor<A::Elem>, MmSumPb<A::Elem>) {
    let (a, b) = (a.fuse_tensor(), b.fuse_tensor());
    let (&[m, k], &[k2, n]) = (a.shape(), b.shape()) else {
        return (a.mm(b).sum(), unreachable_pb());
    };
    if k != k2 {
        return (a.mm(b).sum(), unreachable_pb());
    }
    let mut colsum = vec![0.0f64; k];
    for row in a.as_slice().chunks_exact(k.max(1)).take(m) {
        for (c, &v) in colsum.iter_mut().zip(row) {
            *c += v.into_f64();
        }
    }
    let rowsum: Vec<f64> = b
        .as_slice()
        .chunks_exact(n.max(1))
        .take(k)
        .map(|row| row.iter().map(|v| v.into_f64()).sum())
        .chain(std::iter::repeat(0.0))
        .take(k)
        .collect();
    let value: f64 = colsum.iter().zip(&rowsum).map(|(c, r)| c * r).sum();
    let pb = MmSumPb {
        colsum_a: colsum.into_iter().map(A::Elem::of_f64).collect(),
        rowsum_b: rowsum.into_iter().map(A::Elem::of_f64).collect(),
        m,
        n,
    };
    (Tensor::scalar(A::Elem::of_f64(value)), pb)
}

/// Never built: `mm` has panicked with its message before.
fn unreachable_pb<E: Element>() -> MmSumPb<E> {
    unreachable!("mm panics on these shapes")
}
