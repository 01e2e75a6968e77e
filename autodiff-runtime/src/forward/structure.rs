//! [`Differentiable`] for dual numbers: generic `#[differentiable]` code instantiated at
//! `Dual<F>` (forward over reverse) keeps the gradients of a local `Vec<T>`, or of the fields of
//! a generic struct, in tangents of the same structure, so `T = Dual<F>` must be
//! `Differentiable` like `f32` and `f64`.
//!
//! A dual number is its own tangent. It has no leaves: leaves are what optimizers update and
//! checkpoints save (`f32`, `f64`, tensors), and a dual number is never a parameter, only a
//! value on its way through generated code.

use super::Dual;
use crate::differentiable::{Differentiable, LeafMut, LeafPath, LeafRef};
use num_traits::Float;
use std::fmt::Debug;

/// A dual number is its own tangent; zero is `0 + 0ε`, and tangents add and scale as dual
/// numbers.
///
/// ```
/// use autodiff_runtime::differentiable::Differentiable;
/// use autodiff_runtime::forward::Dual;
///
/// let x = Dual::new(2.0f64, 1.0);
/// let mut g = x.zero_tangent();
/// Dual::<f64>::add_tangent(&mut g, Dual::new(1.5, 0.5));
/// Dual::<f64>::scale_tangent(&mut g, 2.0);
/// assert_eq!((g.value, g.tangent), (3.0, 1.0));
/// assert_eq!(x.num_elements(), 0); // no leaves
/// ```
impl<F: Float + Debug> Differentiable for Dual<F> {
    type Tangent = Dual<F>;

    #[inline]
    fn zero_tangent(&self) -> Dual<F> {
        Dual::constant(F::zero())
    }

    #[inline]
    fn add_tangent(t: &mut Dual<F>, other: Dual<F>) {
        *t += other;
    }

    #[inline]
    fn scale_tangent(t: &mut Dual<F>, factor: f64) {
        let factor = F::from(factor).expect("a scale factor representable in the dual's type");
        *t = Dual::new(t.value * factor, t.tangent * factor);
    }

    fn visit_leaves(&self, _: &mut LeafPath, _: &mut dyn FnMut(&LeafPath, LeafRef<'_>)) {}

    fn visit_leaves_mut(&mut self, _: &mut LeafPath, _: &mut dyn FnMut(&LeafPath, LeafMut<'_>)) {}

    fn visit_tangent_leaves(
        _: &Dual<F>,
        _: &mut LeafPath,
        _: &mut dyn FnMut(&LeafPath, LeafRef<'_>),
    ) {
    }

    fn zip_leaves_mut(
        &mut self,
        _: &Dual<F>,
        _: &mut LeafPath,
        _: &mut dyn FnMut(&LeafPath, LeafMut<'_>, LeafRef<'_>),
    ) {
    }
}
