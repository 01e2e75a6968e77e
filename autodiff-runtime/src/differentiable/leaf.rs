//! Leaves: the numbers a differentiable value is made of (`f32`, `f64`, `Tensor<f32>`,
//! `Tensor<f64>`), seen through one enum so that optimizers and checkpoints handle every value
//! with one loop.

use crate::tensor::{Element, Tensor};
use std::any::Any;

/// A shared view of one leaf.
///
/// ```
/// use autodiff_runtime::differentiable::LeafRef;
/// use autodiff_runtime::Tensor;
///
/// let t = Tensor::<f64>::zeros(&[2, 3]);
/// let leaf = LeafRef::from(&t);
/// assert_eq!(leaf.shape(), &[2, 3]);
/// assert_eq!(leaf.dtype(), "float64");
/// assert_eq!(LeafRef::F32(&1.5).to_f64_vec(), vec![1.5]);
/// ```
#[derive(Clone, Copy, Debug)]
pub enum LeafRef<'a> {
    /// A scalar `f32`.
    F32(&'a f32),
    /// A scalar `f64`.
    F64(&'a f64),
    /// A `Tensor<f32>`.
    TensorF32(&'a Tensor<f32>),
    /// A `Tensor<f64>`.
    TensorF64(&'a Tensor<f64>),
}

/// A mutable view of one leaf (for optimizer updates and checkpoint loading).
///
/// ```
/// use autodiff_runtime::differentiable::LeafMut;
///
/// let mut x = 1.0f32;
/// if let LeafMut::F32(v) = LeafMut::from(&mut x) {
///     *v = 2.0;
/// }
/// assert_eq!(x, 2.0);
/// ```
#[derive(Debug)]
pub enum LeafMut<'a> {
    /// A scalar `f32`.
    F32(&'a mut f32),
    /// A scalar `f64`.
    F64(&'a mut f64),
    /// A `Tensor<f32>`.
    TensorF32(&'a mut Tensor<f32>),
    /// A `Tensor<f64>`.
    TensorF64(&'a mut Tensor<f64>),
}

impl<'a> LeafRef<'a> {
    /// The shape: `[]` for scalars (they are 0-d tensors in checkpoints).
    pub fn shape(&self) -> &'a [usize] {
        match *self {
            LeafRef::F32(_) | LeafRef::F64(_) => &[],
            LeafRef::TensorF32(t) => t.shape(),
            LeafRef::TensorF64(t) => t.shape(),
        }
    }

    /// `"float32"` or `"float64"`.
    pub fn dtype(&self) -> &'static str {
        match self {
            LeafRef::F32(_) | LeafRef::TensorF32(_) => "float32",
            LeafRef::F64(_) | LeafRef::TensorF64(_) => "float64",
        }
    }

    /// The number of elements (1 for a scalar).
    pub fn numel(&self) -> usize {
        match *self {
            LeafRef::F32(_) | LeafRef::F64(_) => 1,
            LeafRef::TensorF32(t) => t.numel(),
            LeafRef::TensorF64(t) => t.numel(),
        }
    }

    /// The elements widened to `f64`, in row-major order.
    pub fn to_f64_vec(&self) -> Vec<f64> {
        match *self {
            LeafRef::F32(v) => vec![*v as f64],
            LeafRef::F64(v) => vec![*v],
            LeafRef::TensorF32(t) => t.as_slice().iter().map(|&v| v as f64).collect(),
            LeafRef::TensorF64(t) => t.to_vec(),
        }
    }
}

impl LeafMut<'_> {
    /// A shared view of the same leaf.
    pub fn as_ref(&self) -> LeafRef<'_> {
        match self {
            LeafMut::F32(v) => LeafRef::F32(v),
            LeafMut::F64(v) => LeafRef::F64(v),
            LeafMut::TensorF32(t) => LeafRef::TensorF32(t),
            LeafMut::TensorF64(t) => LeafRef::TensorF64(t),
        }
    }
}

impl<'a> From<&'a f32> for LeafRef<'a> {
    fn from(v: &'a f32) -> Self {
        LeafRef::F32(v)
    }
}

impl<'a> From<&'a f64> for LeafRef<'a> {
    fn from(v: &'a f64) -> Self {
        LeafRef::F64(v)
    }
}

impl<'a> From<&'a mut f32> for LeafMut<'a> {
    fn from(v: &'a mut f32) -> Self {
        LeafMut::F32(v)
    }
}

impl<'a> From<&'a mut f64> for LeafMut<'a> {
    fn from(v: &'a mut f64) -> Self {
        LeafMut::F64(v)
    }
}

const SEALED: &str = "Element is sealed: a tensor holds f32 or f64";

impl<'a, E: Element> From<&'a Tensor<E>> for LeafRef<'a> {
    fn from(t: &'a Tensor<E>) -> Self {
        let any: &dyn Any = t;
        if let Some(t) = any.downcast_ref::<Tensor<f32>>() {
            LeafRef::TensorF32(t)
        } else if let Some(t) = any.downcast_ref::<Tensor<f64>>() {
            LeafRef::TensorF64(t)
        } else {
            unreachable!("{SEALED}")
        }
    }
}

impl<'a, E: Element> From<&'a mut Tensor<E>> for LeafMut<'a> {
    fn from(t: &'a mut Tensor<E>) -> Self {
        let any: &mut dyn Any = t;
        if any.is::<Tensor<f32>>() {
            LeafMut::TensorF32(any.downcast_mut().expect(SEALED))
        } else {
            LeafMut::TensorF64(any.downcast_mut().expect(SEALED))
        }
    }
}
