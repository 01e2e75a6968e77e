//! Joining and rearranging: `cat`, `stack`, `split`, `chunk`, `permute`, `transpose`,
//! `repeat` and `expand`, with PyTorch's semantics and error messages. Every result is a new
//! contiguous tensor except the pieces of `split`/`chunk` along dimension 0, which are copies
//! too (the layout is always contiguous).

use super::lanes::{check_dim, for_each_index, Lanes};
use super::storage::{contiguous_strides, Dims};
use super::{Element, Tensor};

impl<T: Element> AsRef<Tensor<T>> for Tensor<T> {
    fn as_ref(&self) -> &Tensor<T> {
        self
    }
}

impl<T: Element> Tensor<T> {
    /// Concatenates tensors along dimension `dim` (PyTorch's `torch.cat`); the tensors must have
    /// equal shapes except in `dim`. Accepts a slice of `Tensor` or of `&Tensor`.
    ///
    /// # Panics
    /// On an empty list or mismatched shapes, like PyTorch: `"cat: sizes of tensors must match
    /// except in dimension 0; got [2, 3] and [2, 4]"`.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let a = Tensor::<f32>::zeros(&[2, 3]);
    /// let b = Tensor::<f32>::ones(&[1, 3]);
    /// assert_eq!(Tensor::cat(&[&a, &b], 0).shape(), &[3, 3]);
    /// assert_eq!(Tensor::cat(&[a.clone(), a], 1).shape(), &[2, 6]);
    /// ```
    #[track_caller]
    pub fn cat<R: AsRef<Tensor<T>>>(tensors: &[R], dim: usize) -> Tensor<T> {
        let Some(first) = tensors.first() else {
            panic!("cat: expected a non-empty list of tensors");
        };
        let first = first.as_ref();
        check_dim("cat", first.shape(), dim);
        for t in tensors[1..].iter().map(AsRef::as_ref) {
            let same = t.ndim() == first.ndim()
                && (0..first.ndim()).all(|d| d == dim || t.shape()[d] == first.shape()[d]);
            if !same {
                panic!(
                    "cat: sizes of tensors must match except in dimension {dim}; got {:?} and {:?}",
                    first.shape(),
                    t.shape()
                );
            }
        }
        let total: usize = tensors.iter().map(|t| t.as_ref().shape()[dim]).sum();
        let mut shape = first.shape().to_vec();
        shape[dim] = total;
        let outer: usize = shape[..dim].iter().product();
        let inner: usize = shape[dim + 1..].iter().product();
        let mut out = Vec::with_capacity(outer * total * inner);
        for o in 0..outer {
            for t in tensors.iter().map(AsRef::as_ref) {
                let block = t.shape()[dim] * inner;
                out.extend_from_slice(&t.as_slice()[o * block..(o + 1) * block]);
            }
        }
        Tensor::from_parts(out, Dims::new(&shape))
    }

    /// Stacks tensors of one shape along a new dimension `dim` (`0..=ndim`; PyTorch's
    /// `torch.stack`). Accepts a slice of `Tensor` or of `&Tensor`.
    ///
    /// # Panics
    /// On an empty list or unequal shapes: `"stack: expects each tensor to be equal size, but
    /// got [2] and [3]"`.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let h = vec![Tensor::<f32>::zeros(&[4]), Tensor::ones(&[4])];
    /// let all = Tensor::stack(&h, 0);
    /// assert_eq!(all.shape(), &[2, 4]);
    /// assert_eq!(Tensor::stack(&h, 1).shape(), &[4, 2]);
    /// ```
    #[track_caller]
    pub fn stack<R: AsRef<Tensor<T>>>(tensors: &[R], dim: usize) -> Tensor<T> {
        let Some(first) = tensors.first() else {
            panic!("stack: expected a non-empty list of tensors");
        };
        let first = first.as_ref();
        if let Some(t) = tensors.iter().find(|t| t.as_ref().shape() != first.shape()) {
            panic!(
                "stack: expects each tensor to be equal size, but got {:?} and {:?}",
                first.shape(),
                t.as_ref().shape()
            );
        }
        if dim > first.ndim() {
            panic!(
                "stack: dimension out of range (expected to be in range of [0, {}], but got {dim})",
                first.ndim()
            );
        }
        let lifted: Vec<Tensor<T>> = tensors.iter().map(|t| t.as_ref().unsqueeze(dim)).collect();
        Tensor::cat(&lifted, dim)
    }

    /// Splits into pieces of `size` positions along `dim`, the last one smaller when `size`
    /// does not divide the dimension (PyTorch's `split(split_size, dim)`).
    ///
    /// # Panics
    /// If `size` is 0 (for a non-empty dimension) or `dim` is out of range.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let parts = Tensor::<f32>::arange(5).split(2, 0);
    /// let sizes: Vec<usize> = parts.iter().map(|p| p.numel()).collect();
    /// assert_eq!(sizes, vec![2, 2, 1]);
    /// ```
    #[track_caller]
    pub fn split(&self, size: usize, dim: usize) -> Vec<Tensor<T>> {
        let n = Lanes::along("split", self.shape(), dim).size;
        if size == 0 && n > 0 {
            panic!(
                "split: split_size can only be 0 if dimension size is 0, but got dimension size \
                 of {n} (shape {:?})",
                self.shape()
            );
        }
        if n == 0 {
            return vec![self.clone()];
        }
        (0..n)
            .step_by(size)
            .map(|start| self.narrow(dim, start, size.min(n - start)))
            .collect()
    }

    /// Splits into `chunks` pieces along `dim` of `ceil(size / chunks)` positions each (so
    /// there may be fewer than `chunks` pieces, as in PyTorch's `chunk`).
    ///
    /// # Panics
    /// If `chunks` is 0 or `dim` is out of range.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let parts = Tensor::<f32>::arange(6).reshape(&[2, 3]).chunk(3, 1);
    /// assert_eq!(parts.len(), 3);
    /// assert_eq!(parts[2].to_vec(), vec![2.0, 5.0]);
    /// ```
    #[track_caller]
    pub fn chunk(&self, chunks: usize, dim: usize) -> Vec<Tensor<T>> {
        if chunks == 0 {
            panic!("chunk: number of chunks must be greater than 0");
        }
        let n = Lanes::along("chunk", self.shape(), dim).size;
        self.split(n.div_ceil(chunks).max(usize::from(n == 0)), dim)
    }

    /// Reorders the dimensions: dimension `d` of the result is dimension `dims[d]` of `self`
    /// (PyTorch's `permute`), as a new contiguous tensor.
    ///
    /// # Panics
    /// Unless `dims` is a permutation of `0..ndim`, naming `dims` and the shape.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::arange(6).reshape(&[1, 2, 3]);
    /// let y = x.permute(&[2, 0, 1]);
    /// assert_eq!(y.shape(), &[3, 1, 2]);
    /// assert_eq!(y.to_vec(), vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
    /// ```
    #[track_caller]
    pub fn permute(&self, dims: &[usize]) -> Tensor<T> {
        let n = self.ndim();
        let mut seen = vec![false; n];
        let valid = dims.len() == n
            && dims
                .iter()
                .all(|&d| d < n && !std::mem::replace(&mut seen[d], true));
        if !valid {
            panic!(
                "permute: dims {dims:?} is not a permutation of the dimensions of a tensor of \
                 shape {:?}",
                self.shape()
            );
        }
        let strides = contiguous_strides(self.shape());
        let shape: Vec<usize> = dims.iter().map(|&d| self.shape()[d]).collect();
        let src_strides: Vec<usize> = dims.iter().map(|&d| strides[d]).collect();
        let src = self.as_slice();
        let mut out = Vec::with_capacity(self.numel());
        for_each_index(&shape, |at| {
            let off: usize = at.iter().zip(&src_strides).map(|(i, s)| i * s).sum();
            out.push(src[off]);
        });
        Tensor::from_parts(out, Dims::new(&shape))
    }

    /// Swaps dimensions `d0` and `d1` (PyTorch's `transpose`), as a new contiguous tensor.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::zeros(&[2, 3, 4]);
    /// assert_eq!(x.transpose(0, 2).shape(), &[4, 3, 2]);
    /// ```
    #[track_caller]
    pub fn transpose(&self, d0: usize, d1: usize) -> Tensor<T> {
        check_dim("transpose", self.shape(), d0);
        check_dim("transpose", self.shape(), d1);
        let mut dims: Vec<usize> = (0..self.ndim()).collect();
        dims.swap(d0, d1);
        self.permute(&dims)
    }

    /// Tiles the tensor `reps[d]` times along each dimension (PyTorch's `repeat`); when `reps`
    /// is longer than the shape, the shape is first padded with leading 1s.
    ///
    /// # Panics
    /// If `reps` has fewer entries than the tensor has dimensions.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![1.0f32, 2.0], &[2]);
    /// assert_eq!(x.repeat(&[2]).to_vec(), vec![1.0, 2.0, 1.0, 2.0]);
    /// assert_eq!(x.repeat(&[2, 1]).shape(), &[2, 2]);
    /// ```
    #[track_caller]
    pub fn repeat(&self, reps: &[usize]) -> Tensor<T> {
        let padded = self.repeat_padded_shape(reps);
        let shape: Vec<usize> = padded.iter().zip(reps).map(|(s, r)| s * r).collect();
        let strides = contiguous_strides(&padded);
        let src = self.as_slice();
        let mut out = Vec::with_capacity(shape.iter().product());
        for_each_index(&shape, |at| {
            let off: usize = (0..at.len())
                .map(|d| (at[d] % padded[d]) * strides[d])
                .sum();
            out.push(src[off]);
        });
        Tensor::from_parts(out, Dims::new(&shape))
    }

    /// The shape padded with leading 1s to `reps.len()` dimensions (checked for `repeat`).
    #[track_caller]
    pub(crate) fn repeat_padded_shape(&self, reps: &[usize]) -> Vec<usize> {
        if reps.len() < self.ndim() {
            panic!(
                "repeat: number of repeat dims {reps:?} can not be smaller than number of \
                 dimensions of tensor of shape {:?}",
                self.shape()
            );
        }
        let mut padded = vec![1; reps.len() - self.ndim()];
        padded.extend_from_slice(self.shape());
        padded
    }

    /// Broadcasts to `sizes`, where `-1` keeps the existing size of that dimension (PyTorch's
    /// `expand(..).contiguous()`; see [`broadcast_to`](Self::broadcast_to)).
    ///
    /// # Panics
    /// If the shape cannot be expanded to `sizes`, naming both.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let col = Tensor::from_vec(vec![1.0f32, 2.0], &[2, 1]);
    /// assert_eq!(col.expand(&[-1, 3]).to_vec(), vec![1., 1., 1., 2., 2., 2.]);
    /// ```
    #[track_caller]
    pub fn expand(&self, sizes: &[isize]) -> Tensor<T> {
        let shape = self.expanded_shape(sizes);
        self.broadcast_to(&shape)
    }

    /// The shape `expand(sizes)` produces, panicking like PyTorch.
    #[track_caller]
    pub(crate) fn expanded_shape(&self, sizes: &[isize]) -> Vec<usize> {
        let bad = || -> ! {
            panic!(
                "expand: the expanded size {sizes:?} is invalid for a tensor of shape {:?}",
                self.shape()
            )
        };
        if sizes.len() < self.ndim() {
            bad();
        }
        let lead = sizes.len() - self.ndim();
        sizes
            .iter()
            .enumerate()
            .map(|(d, &s)| match (s, d.checked_sub(lead)) {
                (-1, Some(k)) => self.shape()[k],
                (s, _) if s >= 0 => s as usize,
                _ => bad(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joining_round_trips() {
        let x = Tensor::<f64>::arange(24).reshape(&[2, 3, 4]);
        for dim in 0..3 {
            let parts = x.split(2, dim);
            assert_eq!(Tensor::cat(&parts, dim), x);
            let refs: Vec<&Tensor<f64>> = parts.iter().collect();
            assert_eq!(Tensor::cat(&refs, dim), x);
        }
        let rows: Vec<Tensor<f64>> = (0..2).map(|i| x.select(0, i)).collect();
        assert_eq!(Tensor::stack(&rows, 0), x);
        let cols: Vec<Tensor<f64>> = (0..4).map(|i| x.select(2, i)).collect();
        assert_eq!(Tensor::stack(&cols, 2), x);
        assert_eq!(x.chunk(2, 2).len(), 2);
        assert_eq!(Tensor::<f32>::arange(5).chunk(3, 0).len(), 3);
        assert_eq!(Tensor::<f32>::arange(4).chunk(3, 0).len(), 2);
        assert_eq!(x.permute(&[2, 0, 1]).permute(&[1, 2, 0]), x);
        assert_eq!(x.transpose(1, 2).get(&[1, 3, 2]), x.get(&[1, 2, 3]));
        assert_eq!(x.repeat(&[1, 2, 1, 1]).shape(), &[1, 4, 3, 4]);
        assert_eq!(x.expand(&[2, -1, -1, -1]).shape(), &[2, 2, 3, 4]);
    }

    #[test]
    #[should_panic(
        expected = "cat: sizes of tensors must match except in dimension 0; got [2, 3] \
                               and [2, 4]"
    )]
    fn cat_names_both_shapes() {
        Tensor::cat(&[Tensor::<f32>::zeros(&[2, 3]), Tensor::zeros(&[2, 4])], 0);
    }

    #[test]
    #[should_panic(expected = "stack: expects each tensor to be equal size, but got [2] and [3]")]
    fn stack_names_both_shapes() {
        Tensor::stack(&[Tensor::<f32>::zeros(&[2]), Tensor::zeros(&[3])], 0);
    }
}
