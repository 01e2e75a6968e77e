//! More reductions: `max`/`min` (whole tensor and along an axis, with `argmax_axis`/
//! `argmin_axis`), `prod`, `var` and a numerically stable `logsumexp`. Every one is computed
//! lane by lane (see the `lanes` module), so the whole-tensor and the per-axis forms share
//! their code.

use super::lanes::{reduced_shape, Lanes};
use super::storage::Dims;
use super::{Element, IndexTensor, Tensor};

/// Position of the largest (`largest`) or smallest element of a lane, the first one on ties;
/// a NaN wins (it propagates, as in PyTorch).
#[inline]
pub(crate) fn arg_extreme<T: Element>(
    src: &[T],
    base: usize,
    lanes: Lanes,
    largest: bool,
) -> usize {
    let mut best = 0;
    let mut best_v = src[base];
    for k in 1..lanes.size {
        if best_v.is_nan() {
            break;
        }
        let v = src[base + k * lanes.inner];
        let better = if largest { v > best_v } else { v < best_v };
        if better || v.is_nan() {
            best = k;
            best_v = v;
        }
    }
    best
}

impl<T: Element> Tensor<T> {
    /// Applies `f(base)` to every lane of `lanes`, collecting one value per lane.
    pub(crate) fn per_lane<U>(&self, lanes: Lanes, mut f: impl FnMut(usize) -> U) -> Vec<U> {
        let mut out = Vec::with_capacity(lanes.count());
        lanes.for_each(|_, base| out.push(f(base)));
        out
    }

    #[track_caller]
    fn reduce_lanes(
        &self,
        op: &str,
        dim: usize,
        keepdim: bool,
        f: impl FnMut(usize) -> T,
    ) -> Tensor<T> {
        let lanes = Lanes::along(op, self.shape(), dim);
        let data = self.per_lane(lanes, f);
        Tensor::from_parts(data, Dims::new(&reduced_shape(self.shape(), dim, keepdim)))
    }

    #[track_caller]
    fn extreme(&self, op: &str, largest: bool) -> Tensor<T> {
        if self.numel() == 0 {
            panic!(
                "{op}: expected a non-empty tensor, got shape {:?} (use {op}_axis with a \
                 dimension that is not empty)",
                self.shape()
            );
        }
        let lanes = Lanes::whole(self.numel());
        let k = arg_extreme(self.as_slice(), 0, lanes, largest);
        Tensor::scalar(self.as_slice()[k])
    }

    /// The largest element, as a 0-d tensor (PyTorch's `max()`; NaN if any element is NaN).
    ///
    /// # Panics
    /// On an empty tensor.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![1.0f32, 5.0, -2.0], &[3]);
    /// assert_eq!((x.max().item(), x.min().item()), (5.0, -2.0));
    /// ```
    #[track_caller]
    pub fn max(&self) -> Tensor<T> {
        self.extreme("max", true)
    }

    /// The smallest element, as a 0-d tensor (PyTorch's `min()`).
    #[track_caller]
    pub fn min(&self) -> Tensor<T> {
        self.extreme("min", false)
    }

    /// The largest values along `dim` (the values of PyTorch's `max(dim, keepdim)`).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![1.0f32, 5.0, 4.0, 2.0], &[2, 2]);
    /// assert_eq!(x.max_axis(1, false).to_vec(), vec![5.0, 4.0]);
    /// assert_eq!(x.argmax_axis(1, false).to_vec(), vec![1, 0]);
    /// assert_eq!(x.min_axis(0, true).shape(), &[1, 2]);
    /// ```
    #[track_caller]
    pub fn max_axis(&self, dim: usize, keepdim: bool) -> Tensor<T> {
        self.extreme_axis("max_axis", dim, keepdim, true)
    }

    /// The smallest values along `dim` (the values of PyTorch's `min(dim, keepdim)`).
    #[track_caller]
    pub fn min_axis(&self, dim: usize, keepdim: bool) -> Tensor<T> {
        self.extreme_axis("min_axis", dim, keepdim, false)
    }

    #[track_caller]
    fn extreme_axis(&self, op: &str, dim: usize, keepdim: bool, largest: bool) -> Tensor<T> {
        let idx = self.arg_extreme_axis(op, dim, largest);
        let lanes = Lanes::along(op, self.shape(), dim);
        let src = self.as_slice();
        let mut out = Vec::with_capacity(idx.len());
        lanes.for_each(|lane, base| out.push(src[base + idx[lane] * lanes.inner]));
        Tensor::from_parts(out, Dims::new(&reduced_shape(self.shape(), dim, keepdim)))
    }

    #[track_caller]
    pub(crate) fn arg_extreme_axis(&self, op: &str, dim: usize, largest: bool) -> Vec<usize> {
        let lanes = Lanes::along(op, self.shape(), dim);
        if lanes.size == 0 && lanes.count() > 0 {
            panic!(
                "{op}: cannot reduce over dimension {dim} of size 0 (shape {:?})",
                self.shape()
            );
        }
        let src = self.as_slice();
        self.per_lane(lanes, |base| arg_extreme(src, base, lanes, largest))
    }

    /// The positions of the largest values along `dim` (the first one on ties), as an index
    /// tensor (PyTorch's `argmax(dim, keepdim)`).
    #[track_caller]
    pub fn argmax_axis(&self, dim: usize, keepdim: bool) -> IndexTensor {
        let idx = self.arg_extreme_axis("argmax_axis", dim, true);
        IndexTensor::from_vec(idx, &reduced_shape(self.shape(), dim, keepdim))
    }

    /// The positions of the smallest values along `dim` (PyTorch's `argmin(dim, keepdim)`).
    #[track_caller]
    pub fn argmin_axis(&self, dim: usize, keepdim: bool) -> IndexTensor {
        let idx = self.arg_extreme_axis("argmin_axis", dim, false);
        IndexTensor::from_vec(idx, &reduced_shape(self.shape(), dim, keepdim))
    }

    /// The product of all elements, as a 0-d tensor (1 for an empty tensor).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]);
    /// assert_eq!(x.prod().item(), 24.0);
    /// assert_eq!(x.prod_axis(0, false).to_vec(), vec![3.0, 8.0]);
    /// ```
    pub fn prod(&self) -> Tensor<T> {
        Tensor::scalar(self.as_slice().iter().fold(T::one(), |p, &v| p * v))
    }

    /// The products along `dim` (PyTorch's `prod(dim, keepdim)`).
    #[track_caller]
    pub fn prod_axis(&self, dim: usize, keepdim: bool) -> Tensor<T> {
        let lanes = Lanes::along("prod_axis", self.shape(), dim);
        let src = self.as_slice();
        self.reduce_lanes("prod_axis", dim, keepdim, |base| {
            (0..lanes.size).fold(T::one(), |p, k| p * src[base + k * lanes.inner])
        })
    }

    /// The variance along `dim`: the mean squared deviation, divided by `n - 1` instead of `n`
    /// when `unbiased` (PyTorch's `var(dim, unbiased, keepdim)`; NaN when `n - 1 = 0`).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], &[1, 4]);
    /// assert_eq!(x.var(1, true, false).to_vec(), vec![5.0 / 3.0]);
    /// assert_eq!(x.var(1, false, true).to_vec(), vec![1.25]);
    /// ```
    #[track_caller]
    pub fn var(&self, dim: usize, unbiased: bool, keepdim: bool) -> Tensor<T> {
        let lanes = Lanes::along("var", self.shape(), dim);
        let src = self.as_slice();
        let n = T::of_f64(lanes.size as f64);
        let denom = T::of_f64(lanes.size as f64 - if unbiased { 1.0 } else { 0.0 });
        self.reduce_lanes("var", dim, keepdim, |base| {
            let at = |k: usize| src[base + k * lanes.inner];
            let mean = (0..lanes.size).map(at).sum::<T>() / n;
            (0..lanes.size).map(|k| (at(k) - mean).powi(2)).sum::<T>() / denom
        })
    }

    /// `ln Σ exp(x)` along `dim`, computed stably by shifting by the lane maximum (PyTorch's
    /// `logsumexp(dim, keepdim)`).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![1000.0f64, 1000.0], &[2]);
    /// assert_eq!(x.logsumexp(0, false).item(), 1000.0 + 2f64.ln());
    /// ```
    #[track_caller]
    pub fn logsumexp(&self, dim: usize, keepdim: bool) -> Tensor<T> {
        let lanes = Lanes::along("logsumexp", self.shape(), dim);
        let src = self.as_slice();
        self.reduce_lanes("logsumexp", dim, keepdim, |base| {
            lane_logsumexp(src, base, lanes)
        })
    }
}

/// `ln Σ exp` of one lane, shifted by its maximum (`-inf` for an empty lane or all `-inf`).
#[inline]
pub(crate) fn lane_logsumexp<T: Element>(src: &[T], base: usize, lanes: Lanes) -> T {
    let at = |k: usize| src[base + k * lanes.inner];
    let m = (0..lanes.size).map(at).fold(T::neg_infinity(), T::max);
    if m.is_infinite() {
        return m;
    }
    m + (0..lanes.size).map(|k| (at(k) - m).exp()).sum::<T>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reductions_follow_pytorch() {
        let x = Tensor::from_vec(vec![3.0f64, 1.0, 3.0, -2.0, 0.5, 7.0], &[2, 3]);
        assert_eq!(x.max().item(), 7.0);
        assert_eq!(x.min().item(), -2.0);
        assert_eq!(x.max_axis(1, false).to_vec(), vec![3.0, 7.0]);
        assert_eq!(x.argmax_axis(1, false).to_vec(), vec![0, 2]); // first of the tie
        assert_eq!(x.argmin_axis(0, true).shape(), &[1, 3]);
        assert_eq!(x.prod().item(), -63.0);
        assert_eq!(x.prod_axis(1, true).to_vec(), vec![9.0, -7.0]);
        let v = x.var(0, false, false).to_vec();
        assert_eq!(v, vec![6.25, 0.0625, 4.0]);
        let nan = Tensor::from_vec(vec![1.0f32, f32::NAN, 2.0], &[3]);
        assert!(nan.max().item().is_nan());
        let lse = x.logsumexp(1, false).to_vec();
        let direct = (3f64.exp() + 1f64.exp() + 3f64.exp()).ln();
        assert!((lse[0] - direct).abs() < 1e-12);
    }

    #[test]
    #[should_panic(expected = "max: expected a non-empty tensor, got shape [0, 2]")]
    fn max_of_empty_names_the_shape() {
        Tensor::<f32>::zeros(&[0, 2]).max();
    }
}
