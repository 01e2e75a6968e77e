//! Storage: the shared element buffer and the shape, both cheap to clone.

use super::pool::Buffer;
use std::sync::Arc;

/// A tensor's elements: one element in line (0-d tensors and the other one-element tensors
/// cost no allocation, and a clone copies the element), or a buffer shared by `Arc` (a clone
/// shares it, a write copies it first when it is shared).
pub(crate) enum Elements<T: 'static> {
    One(T),
    Shared(Arc<Buffer<T>>),
}

impl<T: Copy + Default + 'static> Elements<T> {
    /// Takes `data` as the elements.
    #[inline]
    pub(crate) fn from_vec(data: Vec<T>) -> Self {
        match *data {
            [v] => Elements::One(v),
            _ => Elements::Shared(Arc::new(Buffer(data))),
        }
    }

    /// The elements as a `Vec`, without copying a `Vec` that holds them and is not shared.
    pub(crate) fn into_vec(self) -> Vec<T> {
        match self {
            Elements::One(v) => vec![v],
            Elements::Shared(b) => match Arc::try_unwrap(b) {
                Ok(mut buffer) => std::mem::take(&mut buffer.0),
                Err(shared) => shared.0.clone(),
            },
        }
    }

    /// The elements for writing, copying a shared buffer first.
    #[inline]
    pub(crate) fn make_mut(&mut self) -> &mut [T] {
        match self {
            Elements::One(v) => std::slice::from_mut(v),
            Elements::Shared(b) => Arc::make_mut(b).0.as_mut_slice(),
        }
    }
}

impl<T: 'static> Elements<T> {
    #[inline(always)]
    pub(crate) fn as_slice(&self) -> &[T] {
        match self {
            Elements::One(v) => std::slice::from_ref(v),
            Elements::Shared(b) => b,
        }
    }

    /// The elements for writing, if no other tensor shares them.
    #[inline]
    pub(crate) fn get_mut(&mut self) -> Option<&mut [T]> {
        match self {
            Elements::One(v) => Some(std::slice::from_mut(v)),
            Elements::Shared(b) => Arc::get_mut(b).map(|b| b.0.as_mut_slice()),
        }
    }

    /// Whether no other tensor shares the elements (always, for one element in line).
    pub(crate) fn is_unique(&self) -> bool {
        match self {
            Elements::One(_) => true,
            Elements::Shared(b) => Arc::strong_count(b) == 1 && Arc::weak_count(b) == 0,
        }
    }

    /// Whether both share one buffer (never for elements in line, which are copied).
    pub(crate) fn shares_with(&self, other: &Self) -> bool {
        match (self, other) {
            (Elements::Shared(a), Elements::Shared(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl<T: Copy + 'static> Clone for Elements<T> {
    #[inline]
    fn clone(&self) -> Self {
        match self {
            Elements::One(v) => Elements::One(*v),
            Elements::Shared(b) => Elements::Shared(Arc::clone(b)),
        }
    }
}

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
        // the elements (an `Arc` or one element in line, with the tag) and the shape (two
        // dimensions in line): five words
        assert!(std::mem::size_of::<Tensor<f32>>() <= 40);
        assert!(std::mem::size_of::<Tensor<f64>>() <= 40);
        for shape in [&[][..], &[3], &[2, 3], &[2, 3, 4], &[1, 1, 1, 1, 5]] {
            assert_eq!(Dims::new(shape).as_slice(), shape);
        }
    }

    #[test]
    fn one_element_tensors_are_in_line_and_behave_like_others() {
        for n in 0..4 {
            let data: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
            let t = Tensor::from_vec(data.clone(), &[n]);
            assert_eq!(matches!(t.data, Elements::One(_)), n == 1);
            assert_eq!(
                (t.as_slice(), t.clone().into_vec()),
                (&data[..], data.clone())
            );
            assert_eq!(
                t.map(|v| 2.0 * v).to_vec(),
                data.iter().map(|v| 2.0 * v).collect::<Vec<_>>()
            );
        }
        // copy-on-write and uniqueness, whatever the storage
        let a = Tensor::from_vec(vec![1.0f32, 2.0], &[2]);
        let mut b = a.clone();
        assert!(b.shares_storage_with(&a) && !b.is_unique());
        b.as_mut_slice()[0] = 7.0;
        assert_eq!((a.to_vec(), b.to_vec()), (vec![1.0, 2.0], vec![7.0, 2.0]));
        assert!(b.is_unique());
        assert_eq!(b.into_vec(), vec![7.0, 2.0]);
        let s = Tensor::scalar(3.0f32);
        let mut c = s.clone();
        c.as_mut_slice()[0] = 4.0;
        assert_eq!((s.item(), c.item(), s.shape()), (3.0, 4.0, &[] as &[usize]));
    }

    #[test]
    fn strides() {
        assert_eq!(contiguous_strides(&[2, 3, 4]), vec![12, 4, 1]);
        assert_eq!(contiguous_strides(&[]), Vec::<usize>::new());
        assert_eq!(numel_of(&[]), 1);
        assert_eq!(numel_of(&[2, 0]), 0);
    }
}
