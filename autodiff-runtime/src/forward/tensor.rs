//! Tensors of dual numbers: `Tensor<Dual<F>>` is an ordinary tensor (dual numbers are
//! [`Element`]s), so every tensor operation runs in forward mode. What this file adds is the
//! plain numbers such code is written with: `x * 2.0`, `1.0 - &y`, `x /= 3.0` and
//! `s.item() < 1000.0` with `F` (`f32`/`f64`) constants beside dual tensors and dual scalars.
//!
//! ```
//! use autodiff_runtime::forward::Dual;
//! use autodiff_runtime::Tensor;
//!
//! let x = Tensor::from_vec(vec![Dual::new(1.0f64, 1.0), Dual::new(2.0, 0.0)], &[2]);
//! let y = (2.0 - &x * 3.0).powi(2).sum().item(); // (2 - 3x₀)² + (2 - 3x₁)²
//! assert_eq!(y.value, 1.0 + 16.0);
//! assert_eq!(y.tangent, 2.0 * (2.0 - 3.0) * -3.0); // ∂/∂x₀
//! assert!(y < 100.0 && y > 1.0);
//! ```

use super::Dual;
use crate::{Element, Tensor};
use num_traits::Float;
use std::cmp::Ordering;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Sub, SubAssign};

macro_rules! scalar_right {
    ($($Op:ident $m:ident $OpAssign:ident $ma:ident;)*) => {$(
        impl<F: Float> $Op<F> for Tensor<Dual<F>>
        where
            Dual<F>: Element,
        {
            type Output = Tensor<Dual<F>>;
            #[inline]
            fn $m(self, s: F) -> Tensor<Dual<F>> {
                $Op::$m(self, Dual::constant(s))
            }
        }
        impl<F: Float> $Op<F> for &Tensor<Dual<F>>
        where
            Dual<F>: Element,
        {
            type Output = Tensor<Dual<F>>;
            #[inline]
            fn $m(self, s: F) -> Tensor<Dual<F>> {
                $Op::$m(self, Dual::constant(s))
            }
        }
        impl<F: Float> $OpAssign<F> for Tensor<Dual<F>>
        where
            Dual<F>: Element,
        {
            #[inline]
            fn $ma(&mut self, s: F) {
                $OpAssign::$ma(self, Dual::constant(s))
            }
        }
    )*};
}

scalar_right! {
    Add add AddAssign add_assign;
    Sub sub SubAssign sub_assign;
    Mul mul MulAssign mul_assign;
    Div div DivAssign div_assign;
}

/// A plain number on the left (`2.0 - &x`), one impl per concrete type (orphan rules).
macro_rules! scalar_left {
    ($f:ty => $($Op:ident $m:ident;)*) => {$(
        impl $Op<Tensor<Dual<$f>>> for $f {
            type Output = Tensor<Dual<$f>>;
            #[inline]
            fn $m(self, t: Tensor<Dual<$f>>) -> Tensor<Dual<$f>> {
                $Op::$m(&Tensor::scalar(Dual::constant(self)), &t)
            }
        }
        impl $Op<&Tensor<Dual<$f>>> for $f {
            type Output = Tensor<Dual<$f>>;
            #[inline]
            fn $m(self, t: &Tensor<Dual<$f>>) -> Tensor<Dual<$f>> {
                $Op::$m(&Tensor::scalar(Dual::constant(self)), t)
            }
        }
    )*};
}

scalar_left!(f32 => Add add; Sub sub; Mul mul; Div div;);
scalar_left!(f64 => Add add; Sub sub; Mul mul; Div div;);

/// Comparisons of a dual number with a plain one look at the value, like every comparison of
/// dual numbers (the branch taken is the primal's).
macro_rules! compare_plain {
    ($($f:ty),*) => {$(
        impl PartialEq<$f> for Dual<$f> {
            #[inline]
            fn eq(&self, o: &$f) -> bool {
                self.value == *o
            }
        }
        impl PartialOrd<$f> for Dual<$f> {
            #[inline]
            fn partial_cmp(&self, o: &$f) -> Option<Ordering> {
                self.value.partial_cmp(o)
            }
        }
        impl PartialEq<Dual<$f>> for $f {
            #[inline]
            fn eq(&self, o: &Dual<$f>) -> bool {
                *self == o.value
            }
        }
        impl PartialOrd<Dual<$f>> for $f {
            #[inline]
            fn partial_cmp(&self, o: &Dual<$f>) -> Option<Ordering> {
                self.partial_cmp(&o.value)
            }
        }
    )*};
}

compare_plain!(f32, f64);

/// A plain tensor as a tensor of dual numbers with zero tangents (a constant).
///
/// ```
/// use autodiff_runtime::forward::{dual_constant, Dual};
/// use autodiff_runtime::Tensor;
/// let c = dual_constant(&Tensor::from_vec(vec![1.0f64, 2.0], &[2]));
/// assert_eq!(c.to_vec(), vec![Dual::constant(1.0), Dual::constant(2.0)]);
/// ```
pub fn dual_constant<F: Float>(t: &Tensor<F>) -> Tensor<Dual<F>>
where
    F: Element,
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
pub fn dual_tensor<F: Float>(value: &Tensor<F>, tangent: &Tensor<F>) -> Tensor<Dual<F>>
where
    F: Element,
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

/// A plain tensor beside a dual one (`&x * &c` with `c` built from plain numbers in the body):
/// the plain one is a constant.
macro_rules! mixed_tensor_ops {
    ($($Op:ident $m:ident;)*) => {$(
        impl<F: Float + Element> $Op<&Tensor<F>> for &Tensor<Dual<F>>
        where
            Dual<F>: Element,
        {
            type Output = Tensor<Dual<F>>;
            fn $m(self, o: &Tensor<F>) -> Tensor<Dual<F>> {
                $Op::$m(self, &dual_constant(o))
            }
        }
        impl<F: Float + Element> $Op<Tensor<F>> for &Tensor<Dual<F>>
        where
            Dual<F>: Element,
        {
            type Output = Tensor<Dual<F>>;
            fn $m(self, o: Tensor<F>) -> Tensor<Dual<F>> {
                $Op::$m(self, &dual_constant(&o))
            }
        }
        impl<F: Float + Element> $Op<&Tensor<F>> for Tensor<Dual<F>>
        where
            Dual<F>: Element,
        {
            type Output = Tensor<Dual<F>>;
            fn $m(self, o: &Tensor<F>) -> Tensor<Dual<F>> {
                $Op::$m(&self, &dual_constant(o))
            }
        }
        impl<F: Float + Element> $Op<Tensor<F>> for Tensor<Dual<F>>
        where
            Dual<F>: Element,
        {
            type Output = Tensor<Dual<F>>;
            fn $m(self, o: Tensor<F>) -> Tensor<Dual<F>> {
                $Op::$m(&self, &dual_constant(&o))
            }
        }
        impl<F: Float + Element> $Op<&Tensor<Dual<F>>> for &Tensor<F>
        where
            Dual<F>: Element,
        {
            type Output = Tensor<Dual<F>>;
            fn $m(self, o: &Tensor<Dual<F>>) -> Tensor<Dual<F>> {
                $Op::$m(&dual_constant(self), o)
            }
        }
        impl<F: Float + Element> $Op<Tensor<Dual<F>>> for &Tensor<F>
        where
            Dual<F>: Element,
        {
            type Output = Tensor<Dual<F>>;
            fn $m(self, o: Tensor<Dual<F>>) -> Tensor<Dual<F>> {
                $Op::$m(&dual_constant(self), &o)
            }
        }
        impl<F: Float + Element> $Op<&Tensor<Dual<F>>> for Tensor<F>
        where
            Dual<F>: Element,
        {
            type Output = Tensor<Dual<F>>;
            fn $m(self, o: &Tensor<Dual<F>>) -> Tensor<Dual<F>> {
                $Op::$m(&dual_constant(&self), o)
            }
        }
        impl<F: Float + Element> $Op<Tensor<Dual<F>>> for Tensor<F>
        where
            Dual<F>: Element,
        {
            type Output = Tensor<Dual<F>>;
            fn $m(self, o: Tensor<Dual<F>>) -> Tensor<Dual<F>> {
                $Op::$m(&dual_constant(&self), &o)
            }
        }
    )*};
}

mixed_tensor_ops! {
    Add add;
    Sub sub;
    Mul mul;
    Div div;
}
