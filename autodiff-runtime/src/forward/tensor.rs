//! Tensors of dual numbers: `Tensor<Dual<F>>` is an ordinary tensor (dual numbers are
//! [`Element`]s), so every tensor operation runs in forward mode. This file seeds such tensors
//! and takes results apart.
//!
//! ```
//! use autodiff_runtime::forward::{dual_tensor, Dual};
//! use autodiff_runtime::Tensor;
//!
//! let x = dual_tensor(&Tensor::from_vec(vec![1.0f64, 2.0], &[2]), &Tensor::from_vec(vec![1.0, 0.0], &[2]));
//! let three = Dual::constant(3.0);
//! let y = (&x * three).powi(2).sum().item(); // (3x₀)² + (3x₁)², along x₀
//! assert_eq!((y.value, y.tangent), (9.0 + 36.0, 18.0));
//! ```

use super::Dual;
use crate::{Element, Tensor};
use num_traits::Float;

/// A plain tensor as a tensor of dual numbers with zero tangents (a constant).
///
/// ```
/// use autodiff_runtime::forward::{dual_constant, Dual};
/// use autodiff_runtime::Tensor;
/// let c = dual_constant(&Tensor::from_vec(vec![1.0f64, 2.0], &[2]));
/// assert_eq!(c.to_vec(), vec![Dual::constant(1.0), Dual::constant(2.0)]);
/// ```
pub fn dual_constant<F>(t: &Tensor<F>) -> Tensor<Dual<F>>
where
    F: Float + Element,
    Dual<F>: Element,
{
    Tensor::from_vec(
        t.to_vec().into_iter().map(Dual::constant).collect(),
        t.shape(),
    )
}

/// A tensor of dual numbers from values and tangents of the same shape (forward mode's seed).
///
/// ```
/// use autodiff_runtime::forward::{dual_tensor, Dual};
/// use autodiff_runtime::Tensor;
/// let x = Tensor::from_vec(vec![1.0f64, 2.0], &[2]);
/// let v = Tensor::from_vec(vec![0.5, -1.0], &[2]);
/// assert_eq!(dual_tensor(&x, &v).to_vec(), vec![Dual::new(1.0, 0.5), Dual::new(2.0, -1.0)]);
/// ```
///
/// # Panics
/// When the shapes differ, naming both.
#[track_caller]
pub fn dual_tensor<F>(value: &Tensor<F>, tangent: &Tensor<F>) -> Tensor<Dual<F>>
where
    F: Float + Element,
    Dual<F>: Element,
{
    assert!(
        value.shape() == tangent.shape(),
        "forward mode: the tangent has shape {:?}, its argument has shape {:?}",
        tangent.shape(),
        value.shape()
    );
    let data = value
        .to_vec()
        .into_iter()
        .zip(tangent.to_vec())
        .map(|(v, t)| Dual::new(v, t))
        .collect();
    Tensor::from_vec(data, value.shape())
}

/// Values and tangents of a forward-mode result, taken apart: a dual tensor or number, or a
/// tuple of them (the gradients of a forward-over-reverse run).
///
/// ```
/// use autodiff_runtime::forward::{Dual, SplitDual};
/// use autodiff_runtime::Tensor;
/// let t = Tensor::from_vec(vec![Dual::new(1.0f64, 0.5)], &[1]);
/// let (v, d) = (t, Dual::new(3.0f64, 2.0)).split_dual();
/// assert_eq!((v.0.to_vec(), v.1), (vec![1.0], 3.0));
/// assert_eq!((d.0.to_vec(), d.1), (vec![0.5], 2.0));
/// ```
pub trait SplitDual {
    /// The plain values (and the plain tangents: the same type).
    type Plain;
    /// `(values, tangents)`.
    fn split_dual(self) -> (Self::Plain, Self::Plain);
}

impl<F: Float + Element> SplitDual for Tensor<Dual<F>>
where
    Dual<F>: Element,
{
    type Plain = Tensor<F>;
    fn split_dual(self) -> (Tensor<F>, Tensor<F>) {
        let (shape, data) = (self.shape().to_vec(), self.to_vec());
        let values = data.iter().map(|d| d.value).collect();
        let tangents = data.iter().map(|d| d.tangent).collect();
        (
            Tensor::from_vec(values, &shape),
            Tensor::from_vec(tangents, &shape),
        )
    }
}

impl<F: Float> SplitDual for Dual<F> {
    type Plain = F;
    fn split_dual(self) -> (F, F) {
        (self.value, self.tangent)
    }
}

macro_rules! split_tuples {
    ($(($($T:ident $i:tt),*))*) => {$(
        impl<$($T: SplitDual),*> SplitDual for ($($T,)*) {
            type Plain = ($($T::Plain,)*);
            fn split_dual(self) -> (Self::Plain, Self::Plain) {
                let parts = ($(self.$i.split_dual(),)*);
                (($(parts.$i.0,)*), ($(parts.$i.1,)*))
            }
        }
    )*};
}

split_tuples! {
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, G 5)
    (A 0, B 1, C 2, D 3, E 4, G 5, H 6)
    (A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7)
}
