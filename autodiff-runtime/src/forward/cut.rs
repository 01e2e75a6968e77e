//! `x.detach()` and `no_grad(|| ..)` in forward mode. Reverse mode treats what they return as a
//! constant; so must `NAME_jvp`, or `<u, J v>` computed by forward mode disagrees with the one
//! computed by the pullback (JAX's `stop_gradient` and PyTorch's forward-mode `detach` drop the
//! tangent too). In the copy of a tensor function that runs at dual numbers (`NAME_jvp`), the
//! macro wraps each such value as `(&&Cut::new(v)).cut()`: dual numbers and tensors of them lose
//! their tangent, every other value passes unchanged (the choice is made by autoref on the
//! value's type).
//!
//! ```
//! use autodiff_runtime::forward::{Cut, CutDual, CutOther, Dual};
//! use autodiff_runtime::Tensor;
//!
//! let x = Tensor::from_vec(vec![Dual::new(2.0f64, 1.0)], &[1]);
//! let cut = (&&Cut::new(x.clone())).cut();
//! assert_eq!(cut.to_vec(), vec![Dual::new(2.0, 0.0)]);
//! let s = (&&Cut::new(Dual::new(3.0f64, 1.0))).cut();
//! assert_eq!((s.value, s.tangent), (3.0, 0.0));
//! let n = (&&Cut::new(7usize)).cut(); // anything else: unchanged
//! assert_eq!(n, 7);
//! ```

use super::Dual;
use crate::{Element, Tensor};
use num_traits::Float;
use std::cell::Cell;

/// A value whose tangent is dropped by [`CutDual::cut`] (dual numbers and their tensors) or
/// that [`CutOther::cut`] returns unchanged (anything else).
pub struct Cut<T>(Cell<Option<T>>);

impl<T> Cut<T> {
    /// Wraps a value.
    #[inline(always)]
    pub fn new(v: T) -> Self {
        Cut(Cell::new(Some(v)))
    }

    #[inline(always)]
    fn take(&self) -> T {
        self.0.take().expect("a cut value is taken once")
    }
}

/// The choice for dual numbers and tensors of them (found first, by value): the tangent is
/// dropped.
pub trait CutDual {
    /// The value's type.
    type Out;
    /// The value with zero tangents.
    fn cut(self) -> Self::Out;
}

impl<F: Float> CutDual for &&Cut<Dual<F>> {
    type Out = Dual<F>;
    #[inline(always)]
    fn cut(self) -> Dual<F> {
        Dual::constant(self.take().value)
    }
}

impl<F: Float> CutDual for &&Cut<Tensor<Dual<F>>>
where
    Dual<F>: Element,
{
    type Out = Tensor<Dual<F>>;
    #[inline(always)]
    fn cut(self) -> Tensor<Dual<F>> {
        self.take().map(|d| Dual::constant(d.value))
    }
}

/// The choice for every other value (found after autoref): returned unchanged.
pub trait CutOther {
    /// The value's type.
    type Out;
    /// The value.
    fn cut(self) -> Self::Out;
}

impl<T> CutOther for &Cut<T> {
    type Out = T;
    #[inline(always)]
    fn cut(self) -> T {
        self.take()
    }
}
