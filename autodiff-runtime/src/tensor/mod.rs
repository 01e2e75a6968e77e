//! [`Tensor`]: an n-dimensional, row-major array of `f32` or `f64` whose storage is shared by
//! `Arc`, with PyTorch's names, broadcasting rules, error messages and printing.
//!
//! ```
//! use autodiff_runtime::Tensor;
//!
//! let x: Tensor = Tensor::arange(4).reshape(&[4, 1]); // `Tensor` is `Tensor<f32>`
//! let y = 2.0 * x.t().mm(&x);                         // [1, 4] x [4, 1]
//! assert_eq!(y.to_string(), "tensor([[28.]])");
//!
//! let b: Tensor = Tensor::from_vec(vec![1.0, 2.0], &[2]);
//! let m = Tensor::ones(&[3, 2]);
//! assert_eq!((&m + &b).sum().item(), 15.0);           // b broadcasts over the rows
//! assert_eq!((&m * 2.0 - 1.0).mean().item(), 1.0);
//!
//! let d = Tensor::from_vec(vec![0.5f64, 1.5], &[2]);  // Tensor<f64>
//! assert_eq!(d.to_string(), "tensor([0.5000, 1.5000], dtype=torch.float64)");
//! ```
//!
//! The element type is inferred like any generic parameter: from an annotation (`let x: Tensor`
//! or `Tensor<f64>`), a typed literal (`1.0f32`), or how the tensor is used. A constructor with
//! nothing to infer from is a compile error, and plain float literals alone (`vec![1.0, 2.0]`)
//! make an `f64` tensor, because unconstrained float literals are `f64` in Rust.
//!
//! The layout is always contiguous and row-major: operations that only reinterpret the shape
//! (`reshape`, `view`, `unsqueeze`, ...) share the buffer, the others (`t()`, `broadcast_to`)
//! copy. Cloning a tensor is O(1) and allocation-free (two reference-count increments), and
//! operations that consume a tensor whose buffer is not shared reuse that buffer
//! (copy-on-write).
//!
//! Optional features: `ndarray` adds `From`/`TryFrom` conversions between `Tensor` and
//! ndarray's `ArrayD`, `Array1` and `Array2` (handing the `Vec` over without copying when the
//! tensor's buffer is not shared and the array is in standard layout; the table of when a copy
//! happens is on those impls), and `serde` adds `Serialize`/`Deserialize` (shape + row-major
//! data).
//!
//! The code is split by concern: storage and shape bookkeeping, broadcasting, constructors,
//! operators, element-wise maps, reductions, shape operations, linear algebra, comparison and
//! display each live in their own file.

mod activation;
mod arith;
mod batched;
mod broadcast;
mod chain;
mod compare;
mod constructors;
mod display;
mod element;
mod elementwise;
mod error;
mod fastmath;
mod index;
#[cfg(feature = "ndarray")]
mod interop_ndarray;
mod join;
mod lanes;
mod linalg;
mod loss;
mod mask;
mod pool;
mod reduce;
mod reduce_ext;
mod select;
#[cfg(feature = "serde")]
mod serde_impls;
mod shape_ops;
mod special;
mod storage;

pub use broadcast::broadcast_shapes;
pub use element::Element;
pub use error::ShapeError;
pub use index::IndexTensor;
pub use loss::{binary_cross_entropy_with_logits, cross_entropy, mse_loss};
pub use mask::{Comparand, Mask};
pub use shape_ops::{ReshapeDim, ReshapeDims};

pub(crate) use activation::{GELU_CUBIC, SOFTPLUS_THRESHOLD, SQRT_2_OVER_PI};
pub(crate) use batched::batched_gemm;
pub(crate) use chain::recycled_vec;
pub(crate) use elementwise::sigmoid;
pub(crate) use lanes::{for_each_index, Lanes};
pub(crate) use loss::{check_same_shape, cross_entropy_dims, LayerNormStats};
pub(crate) use select::gather_offsets;
pub(crate) use special::erf;
pub(crate) use storage::{contiguous_strides, same_shape};

pub use storage::Shape;
use storage::{Dims, Elements};

/// An n-dimensional array of `f32` (the default) or `f64`, contiguous and row-major, with
/// storage shared by `Arc` (a one-element tensor, such as the 0-d result of `sum`, holds its
/// element in line instead, so it costs no allocation).
///
/// `clone()` is O(1) and allocation-free, which is what lets a pullback save its inputs by
/// cloning them. See the [module documentation](self) for an overview; the methods are grouped
/// as in PyTorch: constructors, access, arithmetic operators (with broadcasting), element-wise
/// functions, reductions, shape operations and linear algebra.
///
/// ```
/// use autodiff_runtime::Tensor;
///
/// let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]);
/// assert_eq!(x.shape(), &[2, 2]);
/// let y = &x * &x * 3.0;
/// assert_eq!(y.to_vec(), vec![3.0, 12.0, 27.0, 48.0]);
/// assert_eq!(format!("{}", x.sum()), "tensor(10.)");
/// ```
pub struct Tensor<T: 'static = f32> {
    data: Elements<T>,
    dims: Dims,
}

impl<T: Copy + 'static> Clone for Tensor<T> {
    /// O(1): shares the element buffer (and the shape when it has more than two dimensions);
    /// a one-element tensor copies its element instead (it is stored in line).
    #[inline]
    fn clone(&self) -> Self {
        Tensor {
            data: self.data.clone(),
            dims: self.dims.clone(),
        }
    }
}

impl<T: Element> Tensor<T> {
    /// Builds a tensor from a buffer whose length has already been checked against `dims`.
    /// (Not inlined, like the other constructors here: they are called from the element-wise
    /// maps that every operation instantiates, and one shared copy keeps those small.)
    #[inline(never)]
    pub(crate) fn from_parts(data: Vec<T>, dims: Dims) -> Self {
        debug_assert_eq!(data.len(), storage::numel_of(dims.as_slice()));
        Tensor {
            data: Elements::from_vec(data),
            dims,
        }
    }

    /// The tensor of shape `dims` (of one element) holding `v`, in line: no allocation.
    #[inline]
    pub(crate) fn one_shaped(v: T, dims: Dims) -> Self {
        debug_assert_eq!(storage::numel_of(dims.as_slice()), 1);
        Tensor {
            data: Elements::One(v),
            dims,
        }
    }

    /// The one-element tensor of `self`'s shape holding `v` (no allocation).
    #[inline(never)]
    pub(crate) fn one_like(&self, v: T) -> Self {
        Self::one_shaped(v, self.dims.clone())
    }

    /// A tensor with `data` laid out in the shape of `self` (lengths must agree).
    #[inline(never)]
    pub(crate) fn with_same_shape(&self, data: Vec<T>) -> Self {
        Self::from_parts(data, self.dims.clone())
    }

    /// The shape, one size per dimension (`[]` for a 0-d tensor).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// assert_eq!(Tensor::<f32>::zeros(&[2, 3]).shape(), &[2, 3]);
    /// assert_eq!(Tensor::scalar(1.0f32).shape(), &[] as &[usize]);
    /// ```
    #[inline]
    pub fn shape(&self) -> &[usize] {
        self.dims.as_slice()
    }

    /// The shape as an owned value (no allocation up to two dimensions).
    #[inline]
    pub fn shape_owned(&self) -> Shape {
        Shape(self.dims.clone())
    }

    /// The number of dimensions (`0` for a scalar tensor).
    #[inline]
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// The number of elements (the product of the shape; 1 for a 0-d tensor).
    #[inline]
    pub fn numel(&self) -> usize {
        self.data.as_slice().len()
    }

    /// The dtype name: `"float32"` or `"float64"`.
    pub fn dtype(&self) -> &'static str {
        T::NAME
    }

    /// The only element of a one-element tensor (of any shape), like PyTorch's `item()`.
    ///
    /// # Panics
    /// Unless the tensor has exactly one element, with PyTorch's message
    /// (`"a Tensor with 4 elements cannot be converted to Scalar"`).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// assert_eq!(Tensor::from_vec(vec![2.5f32], &[1, 1]).item(), 2.5);
    /// ```
    #[track_caller]
    pub fn item(&self) -> T {
        match self.as_slice() {
            [v] => *v,
            data => panic!(
                "a Tensor with {} elements cannot be converted to Scalar",
                data.len()
            ),
        }
    }

    /// The elements in row-major order, as a new `Vec`.
    pub fn to_vec(&self) -> Vec<T> {
        self.as_slice().to_vec()
    }

    /// The elements in row-major order, without copying when the buffer is not shared.
    pub fn into_vec(self) -> Vec<T> {
        self.data.into_vec()
    }

    /// The elements in row-major order.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::eye(2);
    /// assert_eq!(x.as_slice(), &[1.0, 0.0, 0.0, 1.0]);
    /// ```
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        self.data.as_slice()
    }

    /// The elements for writing, copying the buffer first if another tensor shares it
    /// (copy-on-write), so no other tensor ever observes the change.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let a = Tensor::<f32>::zeros(&[2]);
    /// let mut b = a.clone();
    /// b.as_mut_slice()[0] = 1.0;
    /// assert_eq!(a.to_vec(), vec![0.0, 0.0]);
    /// assert_eq!(b.to_vec(), vec![1.0, 0.0]);
    /// ```
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        self.data.make_mut()
    }

    /// The elements for writing if no other tensor shares the buffer.
    #[inline]
    pub(crate) fn unique_slice_mut(&mut self) -> Option<&mut [T]> {
        self.data.get_mut()
    }

    /// Whether this tensor is the only owner of its buffer (so in-place updates do not copy);
    /// always true for a one-element tensor, whose element is stored in line.
    pub fn is_unique(&self) -> bool {
        self.data.is_unique()
    }

    /// Whether two tensors share the same element buffer (never for one-element tensors, whose
    /// element is stored in line and copied by `clone`).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::ones(&[3]);
    /// assert!(x.clone().shares_storage_with(&x));
    /// let s = Tensor::scalar(1.0f32);
    /// assert!(!s.clone().shares_storage_with(&s));
    /// ```
    pub fn shares_storage_with(&self, other: &Tensor<T>) -> bool {
        self.data.shares_with(&other.data)
    }

    /// A tensor with the same value that no gradient flows through.
    ///
    /// On a plain tensor this is a cheap clone; inside a `#[differentiable]` function the macro
    /// treats the result as a constant, like PyTorch's `x.detach()`.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::ones(&[3]);
    /// let y = x.detach();
    /// assert!(y.shares_storage_with(&x));
    /// ```
    #[inline]
    pub fn detach(&self) -> Tensor<T> {
        if T::HAS_TANGENT {
            // dual numbers (forward mode) drop their tangents, as reverse mode drops the gradient
            self.map(T::detach_element)
        } else {
            self.clone()
        }
    }
}

impl<T: Element> Default for Tensor<T> {
    /// The 0-d tensor `tensor(0.)`.
    fn default() -> Self {
        Tensor::scalar(T::zero())
    }
}

impl<T: Element> From<Vec<T>> for Tensor<T> {
    /// A 1-D tensor holding the vector's elements (no copy).
    fn from(data: Vec<T>) -> Self {
        let n = data.len();
        Tensor::from_parts(data, Dims::new(&[n]))
    }
}

impl<T: Element> From<T> for Tensor<T> {
    /// The 0-d tensor holding `v`.
    fn from(v: T) -> Self {
        Tensor::scalar(v)
    }
}

impl<T: Element> FromIterator<T> for Tensor<T> {
    /// A 1-D tensor of the iterator's items.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x: Tensor = (1..=3).map(|i| i as f32).collect();
    /// assert_eq!(x.to_string(), "tensor([1., 2., 3.])");
    /// ```
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        iter.into_iter().collect::<Vec<T>>().into()
    }
}
