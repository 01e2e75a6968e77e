//! The outputs of differentiated functions (`f32`, `f64`, `Tensor<E>`) as flat lists of `f64`,
//! and cotangents of the same shape built from such lists.

use crate::tensor::{Element, Tensor};

/// What a differentiated function returns: a scalar or a tensor, read as its elements in
/// row-major order, with cotangents of the same shape built from `f64` values.
///
/// ```
/// use autodiff_runtime::calculus::Output;
/// use autodiff_runtime::Tensor;
///
/// let y = Tensor::<f32>::zeros(&[2]);
/// assert_eq!(y.numel(), 2);
/// let g = y.cotangent(&[1.0, -1.0]);
/// assert_eq!((g.shape(), g.to_vec()), (&[2][..], vec![1.0f32, -1.0]));
/// assert_eq!(2.5f64.to_f64_vec(), vec![2.5]);
/// ```
pub trait Output: Sized {
    /// The number of elements (1 for a scalar).
    fn numel(&self) -> usize;
    /// The elements widened to `f64`, row-major.
    fn to_f64_vec(&self) -> Vec<f64>;
    /// A cotangent with the shape of `self` and the elements `values` (rounded to `f32` for
    /// `f32` outputs).
    ///
    /// # Panics
    /// If `values` does not have [`numel`](Self::numel) elements.
    fn cotangent(&self, values: &[f64]) -> Self;
}

macro_rules! scalar_output {
    ($($t:ty)*) => {$(
        impl Output for $t {
            fn numel(&self) -> usize {
                1
            }
            fn to_f64_vec(&self) -> Vec<f64> {
                vec![*self as f64]
            }
            #[track_caller]
            fn cotangent(&self, values: &[f64]) -> $t {
                match values {
                    [v] => *v as $t,
                    _ => panic!("cotangent: {} values for a scalar output", values.len()),
                }
            }
        }
    )*};
}

scalar_output!(f32 f64);

impl<E: Element> Output for Tensor<E> {
    fn numel(&self) -> usize {
        Tensor::numel(self)
    }
    fn to_f64_vec(&self) -> Vec<f64> {
        self.as_slice().iter().map(|&v| v.into_f64()).collect()
    }
    #[track_caller]
    fn cotangent(&self, values: &[f64]) -> Tensor<E> {
        if values.len() != Tensor::numel(self) {
            panic!(
                "cotangent: {} values for an output of shape {:?}",
                values.len(),
                self.shape()
            );
        }
        Tensor::from_vec(values.iter().map(|&v| E::of_f64(v)).collect(), self.shape())
    }
}
