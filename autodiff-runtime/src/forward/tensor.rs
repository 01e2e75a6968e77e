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
