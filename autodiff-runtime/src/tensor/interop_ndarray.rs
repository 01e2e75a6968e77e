//! Conversions between [`Tensor`] and [`ndarray`] arrays (feature `ndarray`).
//!
//! | from | to | copies the elements when |
//! |---|---|---|
//! | `Tensor<T>` | `ArrayD<T>` (`From`) | another tensor shares the buffer (a clone, a saved pullback input) |
//! | `Tensor<T>` | `Array1<T>`, `Array2<T>` (`TryFrom`, checks the number of dimensions) | the same |
//! | `&Tensor<T>` | `ArrayViewD<'_, T>` (`From`) | never: a view of the tensor's buffer |
//! | `Array<T, D>` (`ArrayD`, `Array1`, `Array2`, ...) | `Tensor<T>` (`From`) | the array is not in standard (row-major, C) layout, or does not use its whole buffer from the start (a transposed, Fortran-order or sliced array) |
//! | `ArrayView<'_, T, D>` | `Tensor<T>` (`From`) | always (a view does not own its elements) |
//!
//! Both sides store row-major elements in a `Vec`, so the no-copy paths hand the `Vec` over:
//! a tensor whose buffer is not shared ([`Tensor::is_unique`]) gives its `Vec` to the array,
//! and a standard-layout array gives its `Vec` to the tensor.
//!
//! ```
//! use autodiff_runtime::ndarray::{array, Array2, ArrayD};
//! use autodiff_runtime::Tensor;
//!
//! let a = array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
//! let ptr = a.as_ptr();
//! let t = Tensor::from(a);                       // no copy: standard layout
//! assert_eq!(t.shape(), &[2, 3]);
//! assert_eq!(t.as_slice().as_ptr(), ptr);
//!
//! let y = t.t().exp();                           // any tensor computation
//! let back = Array2::try_from(y).unwrap();       // no copy: `y` is not shared
//! assert_eq!(back.dim(), (3, 2));
//! assert_eq!(back[[2, 1]], 6.0f32.exp());
//!
//! let err = Array2::<f32>::try_from(Tensor::zeros(&[2, 3, 4])).unwrap_err();
//! assert_eq!(err.to_string(), "into Array2: expected a tensor with 2 dimensions, got shape [2, 3, 4]");
//!
//! let d: ArrayD<f32> = Tensor::ones(&[2, 2, 2]).into();
//! assert_eq!(d.shape(), &[2, 2, 2]);
//! ```

use super::storage::Dims;
use super::{Element, ShapeError, Tensor};
use ndarray::{Array, Array1, Array2, ArrayD, ArrayView, ArrayViewD, Dimension, Ix1, Ix2, IxDyn};

impl<T: Element> From<Tensor<T>> for ArrayD<T> {
    /// An array of the tensor's shape and elements; no copy unless another tensor shares the
    /// buffer (see [`Tensor::is_unique`]).
    fn from(t: Tensor<T>) -> Self {
        let shape = IxDyn(t.shape());
        ArrayD::from_shape_vec(shape, t.into_vec())
            .expect("a tensor's buffer always holds exactly its shape's elements")
    }
}

/// The tensor as an array of `D`'s fixed number of dimensions, or an error naming the
/// conversion (`op`) and the shape.
fn into_fixed_dims<T: Element, D: Dimension>(
    t: Tensor<T>,
    op: &'static str,
) -> Result<Array<T, D>, ShapeError> {
    let ndim = D::NDIM.expect("a fixed-dimension array type");
    if t.ndim() != ndim {
        let plural = if ndim == 1 { "" } else { "s" };
        let msg = format!(
            "expected a tensor with {ndim} dimension{plural}, got shape {:?}",
            t.shape()
        );
        return Err(ShapeError::new(op, t.shape(), &[], msg));
    }
    let array = ArrayD::from(t);
    Ok(array
        .into_dimensionality::<D>()
        .expect("the number of dimensions was checked"))
}

impl<T: Element> TryFrom<Tensor<T>> for Array1<T> {
    type Error = ShapeError;

    /// The 1-D array of a 1-D tensor (no copy unless the buffer is shared); a [`ShapeError`]
    /// naming the shape for any other number of dimensions.
    ///
    /// ```
    /// use autodiff_runtime::ndarray::Array1;
    /// use autodiff_runtime::Tensor;
    ///
    /// let v = Array1::try_from(Tensor::<f64>::arange(3)).unwrap();
    /// assert_eq!(v.to_vec(), vec![0.0, 1.0, 2.0]);
    /// assert!(Array1::<f64>::try_from(Tensor::scalar(1.0)).is_err());
    /// ```
    fn try_from(t: Tensor<T>) -> Result<Self, ShapeError> {
        into_fixed_dims::<T, Ix1>(t, "into Array1")
    }
}

impl<T: Element> TryFrom<Tensor<T>> for Array2<T> {
    type Error = ShapeError;

    /// The 2-D array of a 2-D tensor (no copy unless the buffer is shared); a [`ShapeError`]
    /// naming the shape for any other number of dimensions.
    fn try_from(t: Tensor<T>) -> Result<Self, ShapeError> {
        into_fixed_dims::<T, Ix2>(t, "into Array2")
    }
}

impl<'a, T: Element> From<&'a Tensor<T>> for ArrayViewD<'a, T> {
    /// A read-only view of the tensor's elements, never copying.
    ///
    /// ```
    /// use autodiff_runtime::ndarray::ArrayViewD;
    /// use autodiff_runtime::Tensor;
    ///
    /// let t = Tensor::<f32>::eye(3);
    /// let view = ArrayViewD::from(&t);
    /// assert_eq!(view[[1, 1]], 1.0);
    /// assert_eq!(view.as_ptr(), t.as_slice().as_ptr());
    /// ```
    fn from(t: &'a Tensor<T>) -> Self {
        ArrayViewD::from_shape(IxDyn(t.shape()), t.as_slice())
            .expect("a tensor's buffer always holds exactly its shape's elements")
    }
}

impl<T: Element, D: Dimension> From<Array<T, D>> for Tensor<T> {
    /// A tensor of the array's shape and elements (in logical, row-major order). The array's
    /// `Vec` becomes the tensor's buffer without a copy when the array is in standard layout and
    /// uses its whole buffer from the start; a transposed, Fortran-order or sliced array is
    /// copied.
    fn from(array: Array<T, D>) -> Self {
        let dims = Dims::new(array.shape());
        let numel = array.len();
        if array.is_standard_layout() {
            let (data, offset) = array.into_raw_vec_and_offset();
            if data.len() == numel && offset.unwrap_or(0) == 0 {
                return Tensor::from_parts(data, dims);
            }
            let start = offset.unwrap_or(0);
            return Tensor::from_parts(data[start..start + numel].to_vec(), dims);
        }
        Tensor::from_parts(array.iter().copied().collect(), dims)
    }
}

impl<T: Element, D: Dimension> From<ArrayView<'_, T, D>> for Tensor<T> {
    /// A tensor holding a copy of the view's elements in logical (row-major) order.
    ///
    /// ```
    /// use autodiff_runtime::ndarray::{array, s};
    /// use autodiff_runtime::Tensor;
    ///
    /// let a = array![[1.0f64, 2.0], [3.0, 4.0]];
    /// let column = Tensor::from(a.slice(s![.., 1]));
    /// assert_eq!(column.to_vec(), vec![2.0, 4.0]);
    /// ```
    fn from(view: ArrayView<'_, T, D>) -> Self {
        let dims = Dims::new(view.shape());
        Tensor::from_parts(view.iter().copied().collect(), dims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, s, ShapeBuilder};

    #[test]
    fn arrays_round_trip_without_copying() {
        let a =
            ArrayD::from_shape_vec(IxDyn(&[2, 3, 4]), (0..24).map(f64::from).collect()).unwrap();
        let ptr = a.as_ptr();
        let t = Tensor::from(a.clone());
        let t_ptr = t.as_slice().as_ptr();
        assert_eq!(t.shape(), &[2, 3, 4]);
        assert_eq!(t.to_vec(), a.iter().copied().collect::<Vec<_>>());
        let back = ArrayD::from(t);
        assert_eq!(back.as_ptr(), t_ptr, "a unique tensor hands its Vec over");
        assert_eq!(back, a);
        assert_ne!(
            ptr, t_ptr,
            "a.clone() was a copy, so the test is meaningful"
        );
    }

    #[test]
    fn shared_tensors_are_copied_and_left_untouched() {
        let t = Tensor::<f32>::arange(4).reshape(&[2, 2]);
        let keep = t.clone();
        let mut a = Array2::try_from(t).unwrap();
        assert_ne!(a.as_ptr(), keep.as_slice().as_ptr());
        a[[0, 0]] = 100.0;
        assert_eq!(keep.to_vec(), vec![0.0, 1.0, 2.0, 3.0]);
    }

    #[test]
    fn non_standard_layouts_are_copied_in_logical_order() {
        let a = array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
        assert_eq!(
            Tensor::from(a.clone().reversed_axes()).to_vec(),
            vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]
        );
        let f = Array2::from_shape_vec((2, 2).f(), vec![1.0f32, 3.0, 2.0, 4.0]).unwrap();
        assert_eq!(Tensor::from(f).to_vec(), vec![1.0, 2.0, 3.0, 4.0]);
        let sliced = a.clone().slice_move(s![1.., ..]);
        let t = Tensor::from(sliced);
        assert_eq!((t.shape(), t.to_vec()), (&[1, 3][..], vec![4.0, 5.0, 6.0]));
        let first_row = a.slice_move(s![..1, ..]);
        assert_eq!(Tensor::from(first_row).to_vec(), vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn fixed_dimension_conversions_check_the_shape() {
        let err = Array1::try_from(Tensor::<f64>::zeros(&[2, 2])).unwrap_err();
        assert_eq!(err.op(), "into Array1");
        assert_eq!(
            err.to_string(),
            "into Array1: expected a tensor with 1 dimension, got shape [2, 2]"
        );
        let v = Array1::try_from(Tensor::from_vec(vec![1.0f32, 2.0], &[2])).unwrap();
        assert_eq!(Tensor::from(v).shape(), &[2]);
        let scalar = ArrayD::from(Tensor::scalar(2.5f64));
        assert_eq!((scalar.ndim(), scalar.sum()), (0, 2.5));
        assert_eq!(Tensor::from(scalar).shape(), &[] as &[usize]);
        let empty = Tensor::from(Array2::<f32>::zeros((0, 3)));
        assert_eq!((empty.shape(), empty.numel()), (&[0, 3][..], 0));
    }
}
