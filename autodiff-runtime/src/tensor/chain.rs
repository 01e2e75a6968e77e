//! The loops behind fused element-wise chains (`vjp::fused_map`, `vjp::fused_sum`,
//! `vjp::fused_mean`): one pass over the input that evaluates a function and its derivative
//! together, writing the value and the derivative, or summing the value and writing only the
//! derivative.
//!
//! Each block of `BLOCK` elements is evaluated into two stack buffers (a loop LLVM vectorises,
//! with `f` evaluated once per element), then appended to the outputs or summed from L1.

use super::pool;
use super::{Element, Tensor};
use crate::kernels::{block_sum, sum_of_blocks, SUM_BLOCK};
use std::cell::RefCell;

const BLOCK: usize = 1024;
/// Up to this many elements the block buffers are this short (zeroing them costs more than
/// the work for tiny tensors).
const SMALL: usize = 64;

/// Evaluates `f` over `block` into `ys` and `ds` (`ds` scaled by `scale`), which are at least
/// as long.
#[inline(always)]
fn eval_into<T: Element>(
    block: &[T],
    ys: &mut [T],
    ds: &mut [T],
    scale: T,
    f: &impl Fn(T) -> (T, T),
) {
    let m = block.len();
    for ((y, d), &v) in ys[..m].iter_mut().zip(&mut ds[..m]).zip(block) {
        let (fy, fd) = f(v);
        *y = fy;
        *d = scale * fd;
    }
}

impl<T: Element> Tensor<T> {
    /// `(f(x).0, f(x).1)` element-wise in one pass: two tensors of `self`'s shape.
    pub(crate) fn map_pair(&self, f: impl Fn(T) -> (T, T)) -> (Tensor<T>, Tensor<T>) {
        let n = self.numel();
        let (mut ys, mut ds) = (pool::with_capacity(n), pool::with_capacity(n));
        if n < SMALL {
            for &v in self.as_slice() {
                let (y, d) = f(v);
                ys.push(y);
                ds.push(d);
            }
            return (self.with_same_shape(ys), self.with_same_shape(ds));
        }
        let (mut yb, mut db) = ([T::zero(); BLOCK], [T::zero(); BLOCK]);
        for block in self.as_slice().chunks(BLOCK) {
            eval_into(block, &mut yb, &mut db, T::one(), &f);
            ys.extend_from_slice(&yb[..block.len()]);
            ds.extend_from_slice(&db[..block.len()]);
        }
        (self.with_same_shape(ys), self.with_same_shape(ds))
    }

    /// `Σ f(x).0` (summed exactly as [`Tensor::sum`] sums, so bit-identical to summing the
    /// materialised values) and the tensor `scale · f(x).1`, in one pass.
    pub(crate) fn sum_and_map(&self, f: impl Fn(T) -> (T, T), scale: T) -> (T, Tensor<T>) {
        let n = self.numel();
        let x = self.as_slice();
        let ds = RefCell::new(pool::with_capacity(n));
        let total = if n <= SMALL {
            let bufs = RefCell::new(([T::zero(); SMALL], [T::zero(); SMALL]));
            sum_of_blocks(n, &|s, m| {
                let (yb, db) = &mut *bufs.borrow_mut();
                eval_into(&x[s..s + m], yb, db, scale, &f);
                ds.borrow_mut().extend_from_slice(&db[..m]);
                block_sum(&yb[..m])
            })
        } else {
            let bufs = RefCell::new(([T::zero(); SUM_BLOCK], [T::zero(); SUM_BLOCK]));
            sum_of_blocks(n, &|s, m| {
                let (yb, db) = &mut *bufs.borrow_mut();
                eval_into(&x[s..s + m], yb, db, scale, &f);
                ds.borrow_mut().extend_from_slice(&db[..m]);
                block_sum(&yb[..m])
            })
        };
        (total, self.with_same_shape(ds.into_inner()))
    }
}
