//! The loops behind fused element-wise chains (`vjp::fused_map`, `vjp::fused_sum`,
//! `vjp::fused_mean`): one pass over the input that evaluates a function and its derivative
//! together, writing the value and the derivative, or summing the value and writing only the
//! derivative.
//!
//! The input is read in blocks that stay in L1 while `f` is evaluated for the value and again
//! for the derivative (both loops vectorise).

use super::pool;
use super::{Element, Tensor};
use crate::kernels::{block_sum, sum_of_blocks, SUM_BLOCK};

const BLOCK: usize = 1024;
/// Up to this many elements the block buffers are this short (zeroing them costs more than
/// the work for tiny tensors).
const SMALL: usize = 64;

/// One block: `scale · f(x).1` appended to `ds` and `Σ f(x).0` as `Tensor::sum` sums a
/// block. `f` runs twice per element (once for the derivative, written straight to the
/// output, once for the value, summed from L1), which costs less than writing both to a
/// buffer and copying one of them for the chains the macro fuses.
#[inline(always)]
fn block_pass<T: Element>(
    block: &[T],
    yb: &mut [T],
    ds: &mut Vec<T>,
    scale: T,
    f: &impl Fn(T) -> (T, T),
) -> T {
    ds.extend(block.iter().map(|&v| scale * f(v).1));
    let m = block.len();
    for (y, &v) in yb[..m].iter_mut().zip(block) {
        *y = f(v).0;
    }
    block_sum(&yb[..m])
}

impl<T: Element> Tensor<T> {
    /// `(f(x).0, f(x).1)` element-wise in one pass over `x`: two tensors of `self`'s shape.
    pub(crate) fn map_pair(&self, f: impl Fn(T) -> (T, T)) -> (Tensor<T>, Tensor<T>) {
        let n = self.numel();
        let (mut ys, mut ds) = (pool::with_capacity(n), pool::with_capacity(n));
        for block in self.as_slice().chunks(BLOCK) {
            // per block, so the second reading of `x` comes from L1
            ys.extend(block.iter().map(|&v| f(v).0));
            ds.extend(block.iter().map(|&v| f(v).1));
        }
        (self.with_same_shape(ys), self.with_same_shape(ds))
    }

    /// `Σ f(x).0` (summed exactly as [`Tensor::sum`] sums, so bit-identical to summing the
    /// materialised values) and the tensor `scale · f(x).1`, in one pass: each block of
    /// `SUM_BLOCK` values is summed as it is produced, and the block sums are combined in the
    /// same pairwise tree as `Tensor::sum` combines them.
    pub(crate) fn sum_and_map(&self, f: impl Fn(T) -> (T, T), scale: T) -> (T, Tensor<T>) {
        let n = self.numel();
        let x = self.as_slice();
        if n <= SMALL {
            // one block, and no buffer but the derivative's
            let ds = self.map(|v| scale * f(v).1);
            let mut yb = [T::zero(); SMALL];
            for (y, &v) in yb[..n].iter_mut().zip(x) {
                *y = f(v).0;
            }
            let s = block_sum(&yb[..n]);
            return (sum_of_blocks(n, &|_, _| s), ds);
        }
        let mut ds = pool::with_capacity(n);
        let mut sums = Vec::with_capacity(n.div_ceil(SUM_BLOCK));
        let mut yb = [T::zero(); SUM_BLOCK];
        for block in x.chunks(SUM_BLOCK) {
            sums.push(block_pass(block, &mut yb, &mut ds, scale, &f));
        }
        let total = sum_of_blocks(n, &|start, _| sums[start / SUM_BLOCK]);
        (total, self.with_same_shape(ds))
    }
}

/// An empty buffer for `n` elements from the tensors' buffer pool (the VJP forms that build
/// their outputs element by element use it, so a repeated call touches no fresh memory).
pub(crate) fn recycled_vec<T: 'static>(n: usize) -> Vec<T> {
    pool::with_capacity(n)
}
