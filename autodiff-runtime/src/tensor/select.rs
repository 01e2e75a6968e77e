//! Selection: one element (`get`), one slice (`select`), a range (`narrow`), listed positions
//! (`index_select`), per-element positions (`gather`), and masked choices (`masked_fill`,
//! `where_cond`), with PyTorch's names, semantics and error messages.

use super::broadcast::broadcast_shapes_for;
use super::lanes::{check_dim, Lanes};
use super::mask::Mask;
use super::storage::{contiguous_strides, Dims};
use super::{Element, IndexTensor, Tensor};

impl<T: Element> Tensor<T> {
    /// The element at multi-index `index` (one index per dimension), like PyTorch's
    /// `x[i, j].item()`.
    ///
    /// # Panics
    /// If the index has the wrong length or is out of range, naming the index and the shape.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::arange(6).reshape(&[2, 3]);
    /// assert_eq!(x.get(&[1, 2]), 5.0);
    /// ```
    #[track_caller]
    pub fn get(&self, index: &[usize]) -> T {
        self.as_slice()[self.flat_index("get", index)]
    }

    /// The row-major offset of `index`, panicking like PyTorch when it does not fit the shape.
    #[track_caller]
    pub(crate) fn flat_index(&self, op: &str, index: &[usize]) -> usize {
        let shape = self.shape();
        if index.len() != shape.len() {
            panic!(
                "{op}: index {index:?} has {} entries, but the tensor of shape {shape:?} has {} \
                 dimensions",
                index.len(),
                shape.len()
            );
        }
        if let Some(d) = (0..shape.len()).find(|&d| index[d] >= shape[d]) {
            panic!(
                "{op}: index {index:?} is out of bounds for a tensor of shape {shape:?} (index {} \
                 in dimension {d} of size {})",
                index[d], shape[d]
            );
        }
        let strides = contiguous_strides(shape);
        index.iter().zip(&strides).map(|(i, s)| i * s).sum()
    }

    /// The slice at position `index` of dimension `dim`, with that dimension removed
    /// (PyTorch's `select`, `x[:, index]` for `dim = 1`).
    ///
    /// # Panics
    /// If `dim` or `index` is out of range, naming the shape.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::arange(6).reshape(&[2, 3]);
    /// assert_eq!(x.select(1, 2).to_vec(), vec![2.0, 5.0]);
    /// assert_eq!(x.select(0, 1).shape(), &[3]);
    /// ```
    #[track_caller]
    pub fn select(&self, dim: usize, index: usize) -> Tensor<T> {
        let lanes = Lanes::along("select", self.shape(), dim);
        if index >= lanes.size {
            panic!(
                "select: index {index} out of range for dimension {dim} of size {} (shape {:?})",
                lanes.size,
                self.shape()
            );
        }
        let mut shape = self.shape().to_vec();
        shape.remove(dim);
        Tensor::from_parts(self.copy_blocks(lanes, index, 1), Dims::new(&shape))
    }

    /// `len` consecutive positions of dimension `dim` starting at `start` (PyTorch's
    /// `narrow`, `x[:, start:start + len]` for `dim = 1`), as a new contiguous tensor.
    ///
    /// # Panics
    /// If `dim` is out of range or `start + len` exceeds the dimension's size.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::arange(6).reshape(&[2, 3]);
    /// assert_eq!(x.narrow(1, 1, 2).to_vec(), vec![1.0, 2.0, 4.0, 5.0]);
    /// ```
    #[track_caller]
    pub fn narrow(&self, dim: usize, start: usize, len: usize) -> Tensor<T> {
        let lanes = Lanes::along("narrow", self.shape(), dim);
        if start + len > lanes.size {
            panic!(
                "narrow: start ({start}) + length ({len}) exceeds dimension size ({}) of \
                 dimension {dim} (shape {:?})",
                lanes.size,
                self.shape()
            );
        }
        let mut shape = self.shape().to_vec();
        shape[dim] = len;
        Tensor::from_parts(self.copy_blocks(lanes, start, len), Dims::new(&shape))
    }

    /// Positions `start..start + len` of the dimension described by `lanes`, for every outer
    /// block, as one buffer.
    pub(crate) fn copy_blocks(&self, lanes: Lanes, start: usize, len: usize) -> Vec<T> {
        let src = self.as_slice();
        let block = len * lanes.inner;
        let mut out = Vec::with_capacity(lanes.outer * block);
        for o in 0..lanes.outer {
            let from = (o * lanes.size + start) * lanes.inner;
            out.extend_from_slice(&src[from..from + block]);
        }
        out
    }

    /// The positions `indices` (in that order, repeats allowed) of dimension `dim` (PyTorch's
    /// `index_select`).
    ///
    /// # Panics
    /// If `dim` or an index is out of range.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::arange(6).reshape(&[3, 2]);
    /// assert_eq!(x.index_select(0, &[2, 0, 2]).to_vec(), vec![4.0, 5.0, 0.0, 1.0, 4.0, 5.0]);
    /// ```
    #[track_caller]
    pub fn index_select(&self, dim: usize, indices: &[usize]) -> Tensor<T> {
        let lanes = Lanes::along("index_select", self.shape(), dim);
        if let Some(&bad) = indices.iter().find(|&&i| i >= lanes.size) {
            panic!(
                "index_select: index {bad} is out of bounds for dimension {dim} with size {} \
                 (shape {:?})",
                lanes.size,
                self.shape()
            );
        }
        let src = self.as_slice();
        let mut out = Vec::with_capacity(lanes.outer * indices.len() * lanes.inner);
        for o in 0..lanes.outer {
            for &k in indices {
                let from = (o * lanes.size + k) * lanes.inner;
                out.extend_from_slice(&src[from..from + lanes.inner]);
            }
        }
        let mut shape = self.shape().to_vec();
        shape[dim] = indices.len();
        Tensor::from_parts(out, Dims::new(&shape))
    }

    /// Along `dim`, the element at position `index[..]` for every position of `index`
    /// (PyTorch's `gather`: `out[i][j] = self[index[i][j]][j]` for `dim = 0`). The result has
    /// the shape of `index`, which must have as many dimensions as `self` and be no larger in
    /// any dimension other than `dim`.
    ///
    /// # Panics
    /// On a shape mismatch (naming both shapes) or an index out of range.
    ///
    /// ```
    /// use autodiff_runtime::{tensor::IndexTensor, Tensor};
    /// let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]);
    /// let idx = IndexTensor::from_vec(vec![0, 0, 1, 0], &[2, 2]);
    /// assert_eq!(x.gather(1, &idx).to_vec(), vec![1.0, 1.0, 4.0, 3.0]);
    /// ```
    #[track_caller]
    pub fn gather(&self, dim: usize, index: &IndexTensor) -> Tensor<T> {
        let src = self.as_slice();
        let offsets = gather_offsets(self.shape(), dim, index);
        let data = offsets.iter().map(|&o| src[o]).collect();
        Tensor::from_parts(data, Dims::new(index.shape()))
    }

    /// `value` where `mask` is true, `self` elsewhere (PyTorch's `masked_fill`); `mask` must
    /// broadcast to `self`'s shape.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![-1.0f32, 2.0, -3.0], &[3]);
    /// assert_eq!(x.masked_fill(&x.lt(0.0), 0.0).to_vec(), vec![0.0, 2.0, 0.0]);
    /// ```
    #[track_caller]
    pub fn masked_fill(&self, mask: &Mask, value: T) -> Tensor<T> {
        let m = mask.broadcast_data("masked_fill", self.shape());
        let data = self
            .as_slice()
            .iter()
            .zip(&m)
            .map(|(&x, &b)| if b { value } else { x })
            .collect();
        self.with_same_shape(data)
    }

    /// `a` where `mask` is true, `b` elsewhere, all three broadcast together (PyTorch's
    /// `torch.where(mask, a, b)`).
    ///
    /// # Panics
    /// If the three shapes do not broadcast together, naming them.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[3]);
    /// let b = Tensor::zeros(&[1]);
    /// assert_eq!(Tensor::where_cond(&a.gt(1.5), &a, &b).to_vec(), vec![0.0, 2.0, 3.0]);
    /// ```
    #[track_caller]
    pub fn where_cond(mask: &Mask, a: &Tensor<T>, b: &Tensor<T>) -> Tensor<T> {
        let shape = where_shape(mask, a, b);
        let m = mask.broadcast_data("where_cond", &shape);
        let (a, b) = (a.broadcast_to(&shape), b.broadcast_to(&shape));
        let data = m
            .iter()
            .zip(a.as_slice().iter().zip(b.as_slice()))
            .map(|(&c, (&x, &y))| if c { x } else { y })
            .collect();
        Tensor::from_parts(data, Dims::new(&shape))
    }
}

/// The shape `mask`, `a` and `b` broadcast to, panicking like PyTorch.
#[track_caller]
pub(crate) fn where_shape<T: Element>(mask: &Mask, a: &Tensor<T>, b: &Tensor<T>) -> Vec<usize> {
    broadcast_shapes_for("where_cond", a.shape(), b.shape())
        .and_then(|s| broadcast_shapes_for("where_cond", mask.shape(), &s))
        .unwrap_or_else(|e| {
            panic!(
                "{e} (mask {:?}, a {:?}, b {:?})",
                mask.shape(),
                a.shape(),
                b.shape()
            )
        })
}

/// For every position of `index`, the offset in a contiguous tensor of shape `shape` that
/// `gather(dim, index)` reads (and that its pullback scatters into).
#[track_caller]
pub(crate) fn gather_offsets(shape: &[usize], dim: usize, index: &IndexTensor) -> Vec<usize> {
    check_dim("gather", shape, dim);
    let ishape = index.shape();
    let fits =
        ishape.len() == shape.len() && (0..shape.len()).all(|d| d == dim || ishape[d] <= shape[d]);
    if !fits {
        panic!(
            "gather: index of shape {ishape:?} does not fit input of shape {shape:?} along \
             dimension {dim} (same number of dimensions, and no larger except in dimension {dim})"
        );
    }
    let strides = contiguous_strides(shape);
    let mut offsets = Vec::with_capacity(index.as_slice().len());
    let mut pos = 0;
    super::lanes::for_each_index(ishape, |at| {
        let k = index.as_slice()[pos];
        pos += 1;
        if k >= shape[dim] {
            panic!(
                "gather: index {k} is out of bounds for dimension {dim} with size {} (shape \
                 {shape:?})",
                shape[dim]
            );
        }
        let off = (0..shape.len())
            .map(|d| if d == dim { k } else { at[d] } * strides[d])
            .sum();
        offsets.push(off);
    });
    offsets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_follows_pytorch() {
        let x = Tensor::<f64>::arange(24).reshape(&[2, 3, 4]);
        assert_eq!(x.get(&[1, 2, 3]), 23.0);
        assert_eq!(x.select(1, 1).shape(), &[2, 4]);
        assert_eq!(x.select(1, 1).to_vec()[..4], [4.0, 5.0, 6.0, 7.0]);
        assert_eq!(x.select(2, 3).to_vec(), vec![3., 7., 11., 15., 19., 23.]);
        assert_eq!(x.narrow(2, 1, 2).shape(), &[2, 3, 2]);
        assert_eq!(x.narrow(0, 1, 1).to_vec(), x.select(0, 1).to_vec());
        assert_eq!(x.index_select(1, &[2]).to_vec(), x.narrow(1, 2, 1).to_vec());
        let idx = IndexTensor::from_vec(vec![2, 0], &[1, 2, 1]);
        assert_eq!(x.gather(1, &idx).to_vec(), vec![8.0, 0.0]);
        let s = Tensor::scalar(3.0f32);
        assert_eq!(s.get(&[]), 3.0);
    }

    #[test]
    #[should_panic(expected = "get: index [1, 3] is out of bounds for a tensor of shape [2, 3]")]
    fn get_names_index_and_shape() {
        Tensor::<f32>::zeros(&[2, 3]).get(&[1, 3]);
    }

    #[test]
    #[should_panic(expected = "narrow: start (2) + length (2) exceeds dimension size (3)")]
    fn narrow_checks_the_range() {
        Tensor::<f32>::zeros(&[2, 3]).narrow(1, 2, 2);
    }
}
