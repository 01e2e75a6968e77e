//! The loops behind fused element-wise chains (`vjp::fused_map`, `vjp::fused_sum`,
//! `vjp::fused_mean`): one pass over the input that evaluates a function and its derivative
//! together, writing the value and the derivative, or summing the value and writing only the
//! derivative.
//!
//! Each block of `BLOCK` elements is evaluated into two stack buffers (a loop LLVM vectorises,
//! with `f` evaluated once per element), then appended to the outputs or summed from L1.

use super::pool;
use super::{Element, Tensor};

const BLOCK: usize = 1024;
const LANES: usize = 8;
/// Below this many elements a plain loop wins over zeroing the block buffers.
const SMALL: usize = 256;

/// Evaluates `f` over `block` into `ys[..len]` and `ds[..len]` (`ds` scaled by `scale`).
#[inline(always)]
fn eval_block<T: Element>(
    block: &[T],
    ys: &mut [T; BLOCK],
    ds: &mut [T; BLOCK],
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

/// `Σ values` in `LANES` independent accumulators, returned in f64.
#[inline(always)]
fn lane_sum<T: Element>(values: &[T]) -> f64 {
    let mut acc = [T::zero(); LANES];
    let chunks = values.chunks_exact(LANES);
    let rest = chunks
        .remainder()
        .iter()
        .fold(0.0f64, |s, &v| s + v.into_f64());
    for chunk in chunks {
        for (a, &v) in acc.iter_mut().zip(chunk) {
            *a = *a + v;
        }
    }
    acc.iter().map(|a| a.into_f64()).sum::<f64>() + rest
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
            eval_block(block, &mut yb, &mut db, T::one(), &f);
            ys.extend_from_slice(&yb[..block.len()]);
            ds.extend_from_slice(&db[..block.len()]);
        }
        (self.with_same_shape(ys), self.with_same_shape(ds))
    }

    /// `Σ f(x).0` (blocks added in f64) and the tensor `scale · f(x).1`, in one pass.
    pub(crate) fn sum_and_map(&self, f: impl Fn(T) -> (T, T), scale: T) -> (f64, Tensor<T>) {
        let n = self.numel();
        let mut ds = pool::with_capacity(n);
        if n < SMALL {
            let mut total = 0.0f64;
            for &v in self.as_slice() {
                let (y, d) = f(v);
                total += y.into_f64();
                ds.push(scale * d);
            }
            return (total, self.with_same_shape(ds));
        }
        let (mut yb, mut db) = ([T::zero(); BLOCK], [T::zero(); BLOCK]);
        let mut total = 0.0f64;
        for block in self.as_slice().chunks(BLOCK) {
            eval_block(block, &mut yb, &mut db, scale, &f);
            ds.extend_from_slice(&db[..block.len()]);
            total += lane_sum(&yb[..block.len()]);
        }
        (total, self.with_same_shape(ds))
    }
}
