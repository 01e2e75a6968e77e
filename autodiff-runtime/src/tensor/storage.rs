//! Storage: the shared element buffer and the shape, both cheap to clone.

use std::sync::Arc;

/// A shape that lives inline for up to two dimensions (no allocation for scalars, vectors and
/// matrices) and behind an `Arc` beyond, so cloning never allocates.
#[derive(Clone)]
pub(crate) enum Dims {
    Inline { len: u8, dims: [usize; 2] },
    Shared(Arc<[usize]>),
}

impl Dims {
    #[inline]
    pub(crate) fn new(shape: &[usize]) -> Self {
        match *shape {
            [] => Dims::Inline {
                len: 0,
                dims: [0, 0],
            },
            [a] => Dims::Inline {
                len: 1,
                dims: [a, 0],
            },
            [a, b] => Dims::Inline {
                len: 2,
                dims: [a, b],
            },
            _ => Self::shared(shape),
        }
    }

    /// More than two dimensions: shared (kept out of line, so `new` inlines to a few moves).
    #[inline(never)]
    fn shared(shape: &[usize]) -> Self {
        Dims::Shared(shape.into())
    }

    #[inline]
    pub(crate) fn as_slice(&self) -> &[usize] {
        match self {
            Dims::Inline { len, dims } => &dims[..*len as usize],
            Dims::Shared(dims) => dims,
        }
    }
}

/// A tensor's shape kept on its own (what a pullback remembers to check or build a tensor of
/// that shape), allocation-free up to two dimensions like the tensor's own.
///
/// ```
/// use autodiff_runtime::Tensor;
/// let s = Tensor::<f32>::zeros(&[2, 3]).shape_owned();
/// assert_eq!(&*s, &[2, 3]);
/// ```
#[derive(Clone)]
pub struct Shape(pub(crate) Dims);

impl std::ops::Deref for Shape {
    type Target = [usize];
    #[inline]
    fn deref(&self) -> &[usize] {
        self.0.as_slice()
    }
}

impl std::fmt::Debug for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.as_slice().fmt(f)
    }
}

/// Whether two shapes are equal, compared in line (a slice `==` calls `memcmp`, which costs
/// more than the comparison itself for the few dimensions of a shape).
#[inline(always)]
pub(crate) fn same_shape(a: &[usize], b: &[usize]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Row-major strides of a contiguous tensor of this shape, in elements.
pub(crate) fn contiguous_strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        strides[i] = strides[i + 1] * shape[i + 1];
    }
    strides
}

/// Number of elements of a shape (1 for the 0-d shape `[]`).
#[inline]
pub(crate) fn numel_of(shape: &[usize]) -> usize {
    shape.iter().product()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tensor;

    #[test]
    fn tensor_is_small_and_shapes_round_trip() {
        assert!(std::mem::size_of::<Tensor<f32>>() <= 32);
        assert!(std::mem::size_of::<Tensor<f64>>() <= 32);
        for shape in [&[][..], &[3], &[2, 3], &[2, 3, 4], &[1, 1, 1, 1, 5]] {
            assert_eq!(Dims::new(shape).as_slice(), shape);
        }
    }

    #[test]
    fn strides() {
        assert_eq!(contiguous_strides(&[2, 3, 4]), vec![12, 4, 1]);
        assert_eq!(contiguous_strides(&[]), Vec::<usize>::new());
        assert_eq!(numel_of(&[]), 1);
        assert_eq!(numel_of(&[2, 0]), 0);
    }
}
