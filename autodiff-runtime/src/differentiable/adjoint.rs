//! Adjoints of structured values, for the reverse code that `#[differentiable]` writes: tangents
//! of containers and tuples accumulate like leaves ([`Tangent`] impls), a read of a field or an
//! element of a differentiable value scatters its gradient into the container's adjoint
//! ([`slot_or_zero`], [`acc_in`]), and a gradient sent to a `#[differentiable(skip)]` field is
//! dropped ([`Skipped`]).
//!
//! ```
//! use autodiff_runtime::differentiable::{acc_in, slot_or_zero, Differentiable};
//! use autodiff_runtime::Tensor;
//!
//! // the adjoint of `pair`, after `pair.1` was read once and received the gradient [1, 1]
//! let pair = (2.0f64, Tensor::<f64>::ones(&[2]));
//! let zero = pair.zero_tangent();
//! let mut adjoint = None;
//! let slot = slot_or_zero(&mut adjoint, &zero);
//! acc_in(&mut slot.1, Tensor::ones(&[2]));
//! assert_eq!(adjoint.unwrap().1.to_vec(), vec![1.0, 1.0]);
//! ```

use super::{structure_mismatch, Differentiable};
use crate::vjp::Tangent;

/// A `Vec` of tangents (the gradient of a `Vec` or a slice) sums element by element.
impl<G: Tangent> Tangent for Vec<G> {
    #[track_caller]
    fn accumulate(&mut self, g: Self) {
        if self.len() != g.len() {
            structure_mismatch("gradient accumulation", "Vec lengths", self.len(), g.len());
        }
        for (a, b) in self.iter_mut().zip(g) {
            a.accumulate(b);
        }
    }
}

impl<G: Tangent, const N: usize> Tangent for [G; N] {
    fn accumulate(&mut self, g: Self) {
        for (a, b) in self.iter_mut().zip(g) {
            a.accumulate(b);
        }
    }
}

impl<G: Tangent> Tangent for Box<G> {
    fn accumulate(&mut self, g: Self) {
        (**self).accumulate(*g);
    }
}

/// `None` is a zero: it adds nothing, and adding into it takes the other side.
impl<G: Tangent> Tangent for Option<G> {
    fn accumulate(&mut self, g: Self) {
        match (self.as_mut(), g) {
            (_, None) => {}
            (Some(a), Some(b)) => a.accumulate(b),
            (None, Some(b)) => *self = Some(b),
        }
    }
}

macro_rules! tuple_tangent {
    ($($i:tt $G:ident),*) => {
        #[allow(unused_variables)]
        impl<$($G: Tangent),*> Tangent for ($($G,)*) {
            fn accumulate(&mut self, g: Self) {
                $(self.$i.accumulate(g.$i);)*
            }
        }
    };
}

tuple_tangent!(0 A);
tuple_tangent!(0 A, 1 B);
tuple_tangent!(0 A, 1 B, 2 C);
tuple_tangent!(0 A, 1 B, 2 C, 3 D);
tuple_tangent!(0 A, 1 B, 2 C, 3 D, 4 E);
tuple_tangent!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F);
tuple_tangent!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 H);
tuple_tangent!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 H, 7 I);

/// The adjoint of a structured value, created from a zero of its shape the first time a part
/// of it receives a gradient.
#[inline]
pub fn slot_or_zero<'a, T: Clone>(slot: &'a mut Option<T>, zero: &T) -> &'a mut T {
    slot.get_or_insert_with(|| zero.clone())
}

/// Adds a gradient into one part (a field, an element) of an adjoint.
#[inline]
pub fn acc_in<D: AccumulateIn<G>, G>(dest: &mut D, g: G) {
    dest.accumulate_in(g);
}

/// Where a part's gradient goes: tangents add it, [`Skipped`] drops it.
pub trait AccumulateIn<G> {
    /// Adds `g` into `self` (or drops it).
    fn accumulate_in(&mut self, g: G);
}

impl<G: Tangent> AccumulateIn<G> for G {
    #[inline(always)]
    fn accumulate_in(&mut self, g: G) {
        self.accumulate(g);
    }
}

/// The stand-in tangent of a `#[differentiable(skip)]` field: configuration or data, carried
/// but never differentiated. A gradient that reaches it is dropped (its derivative is an honest
/// zero: the field is not a parameter), and the derive's accessor for it warns where the field
/// is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Skipped;

impl<G> AccumulateIn<G> for Skipped {
    #[inline(always)]
    fn accumulate_in(&mut self, _: G) {}
}

/// The tangent of a skipped position of a tuple struct.
impl<G> AccumulateIn<G> for () {
    #[inline(always)]
    fn accumulate_in(&mut self, _: G) {}
}

/// A zero tangent shaped like `value` (a `&[T]`, a `&Model`, a tuple).
#[inline]
pub fn zero_tangent_of<T: Differentiable + ?Sized>(value: &T) -> T::Tangent {
    value.zero_tangent()
}

/// The gradient of a structured argument: what reached its adjoint, or the zero.
#[inline]
pub fn finish_structured<T: Clone>(slot: Option<T>, zero: &T) -> T {
    slot.unwrap_or_else(|| zero.clone())
}

/// Ties an adjoint slot to the tangent type of a value, so that reverse code can name the
/// tangent's fields before anything else has fixed its type. Zero-sized: recording one costs
/// nothing.
pub struct TangentOf<T: ?Sized>(std::marker::PhantomData<fn() -> Box<T>>);

impl<T: ?Sized> Clone for TangentOf<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for TangentOf<T> {}

impl<T: Differentiable + ?Sized> TangentOf<T> {
    /// The marker for the type of `value`.
    #[inline(always)]
    pub fn of(_value: &T) -> Self {
        TangentOf(std::marker::PhantomData)
    }

    /// Takes the gradient out of `slot`, whose type this fixes to `T::Tangent`.
    #[inline(always)]
    pub fn take(self, slot: &mut Option<T::Tangent>) -> Option<T::Tangent> {
        slot.take()
    }
}

/// The pullback of `v.push(x)`: the gradient of the last element of `v` goes to `x`.
#[inline]
pub fn pop_into<G: Tangent>(slot: &mut Option<Vec<G>>, dest: &mut Option<G>) {
    if let Some(g) = slot.as_mut().and_then(Vec::pop) {
        crate::vjp::acc(dest, g);
    }
}

/// The pullback of `v.push(c)` with a constant `c`: its gradient is dropped.
#[inline]
pub fn pop_discard<G>(slot: &mut Option<Vec<G>>) {
    if let Some(v) = slot.as_mut() {
        v.pop();
    }
}

/// The seed `NAME_grad` gives the pullback when the output's type is a name the macro cannot
/// see through (an alias such as `type T64 = Tensor<f64>`, or a struct): `1` for scalars and
/// single-element tensors. A struct has no such seed: its `NAME_grad` panics, naming
/// `NAME_vjp`, whose pullback takes a cotangent of the struct's tangent type.
///
/// ```
/// use autodiff_runtime::differentiable::OutputSeed;
/// use autodiff_runtime::Tensor;
/// assert_eq!(2.5f64.output_seed("f"), 1.0);
/// assert_eq!(Tensor::<f32>::scalar(3.0).output_seed("f").item(), 1.0);
/// ```
pub trait OutputSeed: Differentiable {
    /// The cotangent `1` for this output (panics for an output that has none).
    #[track_caller]
    fn output_seed(&self, name: &str) -> Self::Tangent;
}

impl OutputSeed for f32 {
    fn output_seed(&self, _: &str) -> f32 {
        1.0
    }
}

impl OutputSeed for f64 {
    fn output_seed(&self, _: &str) -> f64 {
        1.0
    }
}

impl<E: crate::tensor::Element> OutputSeed for crate::tensor::Tensor<E> {
    #[track_caller]
    fn output_seed(&self, name: &str) -> Self {
        crate::vjp::Seed::seed_one_for(self, name)
    }
}

/// The panic of `NAME_grad` for a function whose output is a struct.
#[cold]
#[track_caller]
pub fn no_scalar_seed(name: &str, ty: &str) -> ! {
    panic!(
        "`{name}_grad` needs a scalar output, but `{name}` returns a `{ty}`: call `{name}_vjp` and \
         pass the pullback a cotangent of `{ty}`'s tangent type"
    )
}
