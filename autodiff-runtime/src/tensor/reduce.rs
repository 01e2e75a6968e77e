//! Reductions: `sum`, `mean`, `norm` to 0-d tensors, along one axis, and `sum_to`, the
//! reduction that undoes a broadcast (the adjoint of `broadcast_to`).
//!
//! Whole-slice sums are pairwise over blocks of SIMD lanes, so `f32` sums of millions of
//! elements stay within about 1e-7 relative of the exact value.

use super::broadcast::{broadcasts_to, Walk};
use super::storage::{numel_of, Dims};
use super::{Element, Tensor};
use crate::kernels::{pairwise_sum, pairwise_sum_squares};

impl<T: Element> Tensor<T> {
    /// The sum of all elements, as a 0-d tensor (0 for an empty tensor).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::arange(5);
    /// assert_eq!(x.sum().item(), 10.0);
    /// assert_eq!(x.sum().shape(), &[] as &[usize]);
    /// ```
    pub fn sum(&self) -> Tensor<T> {
        Tensor::scalar(pairwise_sum(self.as_slice()))
    }

    /// The mean of all elements, as a 0-d tensor (`NaN` for an empty tensor, as in PyTorch).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// assert_eq!(Tensor::<f32>::arange(4).mean().item(), 1.5);
    /// ```
    pub fn mean(&self) -> Tensor<T> {
        Tensor::scalar(pairwise_sum(self.as_slice()) / T::of_f64(self.numel() as f64))
    }

    /// The L2 (Frobenius) norm of all elements, `sqrt(Σ x²)`, as a 0-d tensor.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![3.0f32, 4.0], &[2]);
    /// assert_eq!(x.norm().item(), 5.0);
    /// ```
    pub fn norm(&self) -> Tensor<T> {
        Tensor::scalar(pairwise_sum_squares(self.as_slice()).sqrt())
    }

    /// Sums along dimension `axis`, keeping it with size 1 when `keepdim` is true (PyTorch's
    /// `x.sum(dim=axis, keepdim=keepdim)`).
    ///
    /// # Panics
    /// If `axis >= self.ndim()`.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    /// assert_eq!(x.sum_axis(0, false).to_vec(), vec![5.0, 7.0, 9.0]);
    /// assert_eq!(x.sum_axis(1, true).shape(), &[2, 1]);
    /// assert_eq!(x.sum_axis(1, true).to_vec(), vec![6.0, 15.0]);
    /// ```
    #[track_caller]
    pub fn sum_axis(&self, axis: usize, keepdim: bool) -> Tensor<T> {
        let shape = self.shape();
        if axis >= shape.len() {
            panic!(
                "sum_axis: dimension out of range (expected to be in range of [0, {}], but got \
                 {axis}) for a tensor of shape {shape:?}",
                shape.len().saturating_sub(1)
            );
        }
        let mut kept = shape.to_vec();
        kept[axis] = 1;
        let summed = self.reduce_to(&kept);
        if keepdim {
            summed
        } else {
            kept.remove(axis);
            Tensor {
                data: summed.data,
                dims: Dims::new(&kept),
            }
        }
    }

    /// Means along dimension `axis`; see [`sum_axis`](Self::sum_axis).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]);
    /// assert_eq!(x.mean_axis(1, false).to_vec(), vec![1.5, 3.5]);
    /// ```
    #[track_caller]
    pub fn mean_axis(&self, axis: usize, keepdim: bool) -> Tensor<T> {
        let n = self.shape().get(axis).copied().unwrap_or(1);
        let inv = T::one() / T::of_f64(n as f64);
        self.sum_axis(axis, keepdim).map_inplace(|v| v * inv)
    }

    /// Sums a broadcast result back to `shape`, the shape of an operand that was broadcast
    /// (PyTorch's `sum_to_size`): dimensions `self` has in front are summed away and
    /// dimensions where `shape` has size 1 are summed keeping size 1. This is the adjoint of
    /// [`broadcast_to`](Self::broadcast_to).
    ///
    /// # Panics
    /// If `shape` does not broadcast to `self.shape()`, naming both.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let g = Tensor::<f32>::ones(&[4, 2, 3]);
    /// assert_eq!(g.sum_to(&[3]).to_vec(), vec![8.0, 8.0, 8.0]);
    /// assert_eq!(g.sum_to(&[2, 1]).to_vec(), vec![12.0, 12.0]);
    /// assert_eq!(g.sum_to(&[]).item(), 24.0);
    /// ```
    #[track_caller]
    pub fn sum_to(&self, shape: &[usize]) -> Tensor<T> {
        if shape == self.shape() {
            return self.clone();
        }
        if !broadcasts_to(shape, self.shape()) {
            panic!(
                "sum_to: a tensor of shape {:?} cannot be summed to shape {shape:?} (the target \
                 must broadcast to the source)",
                self.shape()
            );
        }
        let pad = self.ndim() - shape.len();
        let padded: Vec<usize> = std::iter::repeat_n(1, pad)
            .chain(shape.iter().copied())
            .collect();
        let summed = self.reduce_to(&padded);
        Tensor {
            data: summed.data,
            dims: Dims::new(shape),
        }
    }

    /// Sums over every dimension where `target` (same rank as `self`) has size 1 and `self`
    /// has not, in one pass that allocates only the output.
    fn reduce_to(&self, target: &[usize]) -> Tensor<T> {
        debug_assert_eq!(target.len(), self.ndim());
        let src = self.as_slice();
        let mut out = vec![T::zero(); numel_of(target)];
        if out.len() == 1 {
            out[0] = pairwise_sum(src);
        } else {
            let walk = Walk::new(self.shape(), [target, self.shape()]);
            let n = walk.len;
            walk.for_each(|[o, i]| {
                let run = &src[i..i + n];
                if walk.inner[0] == 1 {
                    out[o..o + n]
                        .iter_mut()
                        .zip(run)
                        .for_each(|(d, &v)| *d = *d + v);
                } else {
                    out[o] = out[o] + pairwise_sum(run);
                }
            });
        }
        Tensor::from_parts(out, Dims::new(target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f32_sums_are_accurate_at_a_million_elements() {
        let x = Tensor::<f32>::randn(&[1_000_000], 1);
        let exact: f64 = x.as_slice().iter().map(|&v| v as f64).sum();
        let abs: f64 = x.as_slice().iter().map(|&v| (v as f64).abs()).sum();
        assert!((x.sum().item() as f64 - exact).abs() <= 1e-6 * abs);
        let mean = x.mean().item() as f64;
        assert!((mean - exact / 1e6).abs() <= 1e-12 * abs);
        let sq: f64 = x.as_slice().iter().map(|&v| v as f64 * v as f64).sum();
        assert!(((x.norm().item() as f64) / sq.sqrt() - 1.0).abs() < 1e-6);
        // Positive data: relative to the sum itself.
        let y = x.abs() + 1.0;
        let exact: f64 = y.as_slice().iter().map(|&v| v as f64).sum();
        assert!(((y.sum().item() as f64) / exact - 1.0).abs() < 1e-6);
        // Sums along an axis are accurate too (each row is a pairwise sum).
        let rows = y.reshape(&[10, 100_000]).sum_axis(1, false);
        let exact_row: f64 = y.as_slice()[..100_000].iter().map(|&v| v as f64).sum();
        assert!(((rows.to_vec()[0] as f64) / exact_row - 1.0).abs() < 1e-6);
    }

    #[test]
    fn axis_reductions() {
        let x = Tensor::<f64>::arange(24).reshape(&[2, 3, 4]);
        let s1 = x.sum_axis(1, false);
        assert_eq!(s1.shape(), &[2, 4]);
        assert_eq!(s1.to_vec(), vec![12., 15., 18., 21., 48., 51., 54., 57.]);
        assert_eq!(x.sum_axis(2, true).shape(), &[2, 3, 1]);
        assert_eq!(
            x.sum_axis(2, true).to_vec(),
            vec![6., 22., 38., 54., 70., 86.]
        );
        assert_eq!(x.sum_axis(0, false).to_vec()[..2], [12., 14.]);
        assert_eq!(x.mean_axis(0, true).shape(), &[1, 3, 4]);
        assert_eq!(x.mean_axis(0, true).to_vec()[..2], [6., 7.]);
        let v = Tensor::<f32>::arange(4);
        assert_eq!(v.sum_axis(0, false).shape(), &[] as &[usize]);
        assert_eq!(v.sum_axis(0, false).item(), 6.0);
        assert!(Tensor::<f32>::zeros(&[0]).mean().item().is_nan());
        assert_eq!(
            Tensor::<f32>::zeros(&[0, 3]).sum_axis(0, false).to_vec(),
            vec![0.0; 3]
        );
    }

    #[test]
    fn sum_to_undoes_broadcasting() {
        let x = Tensor::<f32>::arange(6).reshape(&[2, 3]);
        assert_eq!(x.sum_to(&[2, 3]).to_vec(), x.to_vec());
        assert_eq!(x.sum_to(&[3]).to_vec(), vec![3.0, 5.0, 7.0]);
        assert_eq!(x.sum_to(&[1, 3]).shape(), &[1, 3]);
        assert_eq!(x.sum_to(&[2, 1]).to_vec(), vec![3.0, 12.0]);
        assert_eq!(x.sum_to(&[1]).to_vec(), vec![15.0]);
        assert_eq!(x.sum_to(&[1, 1]).shape(), &[1, 1]);
        let b = Tensor::<f32>::ones(&[2, 3, 4, 5]);
        let r = b.sum_to(&[3, 1, 5]);
        assert_eq!(r.shape(), &[3, 1, 5]);
        assert!(r.as_slice().iter().all(|&v| v == 8.0));
        // sum_to is the adjoint of broadcast_to: <broadcast(a), g> == <a, sum_to(g)>
        let a = Tensor::<f64>::randn(&[3, 1], 7);
        let g = Tensor::<f64>::randn(&[2, 3, 4], 8);
        let lhs = (&a.broadcast_to(&[2, 3, 4]) * &g).sum().item();
        let rhs = (&a * &g.sum_to(&[3, 1])).sum().item();
        assert!((lhs - rhs).abs() < 1e-12);
    }

    #[test]
    #[should_panic(expected = "sum_to: a tensor of shape [2, 3] cannot be summed to shape [2]")]
    fn sum_to_rejects_incompatible_shapes() {
        Tensor::<f32>::zeros(&[2, 3]).sum_to(&[2]);
    }

    #[test]
    #[should_panic(expected = "sum_axis: dimension out of range")]
    fn sum_axis_rejects_bad_axis() {
        Tensor::<f32>::zeros(&[2, 3]).sum_axis(2, false);
    }
}
