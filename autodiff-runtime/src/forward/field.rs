//! Struct literals in the copies at dual numbers that `#[differentiable(jvp)]` and
//! `#[differentiable(hvp)]` generate. A literal `Pt { x: a * b, y: 2.0 }` there builds `Pt`'s
//! form at dual numbers, named through the struct's own path as `LiteralOf::<Pt> { .. }` (so it
//! resolves wherever `Pt` does: an import, a module path, another crate); its plain numbers
//! (`2.0`, a number argument that is not differentiated, a plain struct) go through
//! [`into_field`], which makes them constants where the field is at dual numbers.
//!
//! ```
//! use autodiff_runtime::forward::{into_field, Dual};
//! let d: Dual<f64> = into_field(2.0);
//! assert_eq!(d, Dual::constant(2.0));
//! let n: usize = into_field(3usize); // any other value passes through
//! assert_eq!(n, 3);
//! ```

use super::{dual_constant, Dual};
use crate::{Element, Tensor};
use num_traits::Float;

/// A struct's form at dual numbers for a struct literal in a copy at dual numbers:
/// `#[derive(Differentiable)]` implements it (with `Dual = <Self as Dualize>::Dual`).
///
/// ```
/// use autodiff_runtime::forward::{Dual, DualLiteral, LiteralOf};
/// struct Pt {
///     x: f64,
/// }
/// struct PtDual {
///     x: Dual<f64>,
/// }
/// impl DualLiteral for Pt {
///     type Dual = PtDual;
/// }
/// let d = LiteralOf::<Pt> { x: Dual::new(1.0, 0.5) };
/// assert_eq!(d.x.tangent, 0.5);
/// ```
///
#[diagnostic::on_unimplemented(
    message = "a struct literal of `{Self}` in a function with `jvp`/`hvp` needs `{Self}` to derive `Differentiable`",
    label = "forward mode builds this literal at dual numbers",
    note = "add `#[derive(Differentiable)]` to the struct (data fields marked `#[differentiable(skip)]`), or build the value outside the function and pass it in as an argument"
)]
pub trait DualLiteral {
    /// The struct at dual numbers (its twin, or the struct at `Dual<T>`).
    type Dual;
}

/// The type a struct literal `Pt { .. }` builds in a copy at dual numbers, under a path that a
/// struct literal can name: `LiteralOf::<Pt> { .. }`.
#[doc(hidden)]
pub type LiteralOf<T> = <T as DualLiteral>::Dual;

/// A plain value in a field of a struct literal at dual numbers: numbers, `Vec`s of numbers
/// and tensors become constants where the field holds dual numbers, and so do structs deriving
/// `Differentiable` (the derive implements this for them); anything else passes through.
pub trait IntoField<To> {
    /// The value as the field's type.
    fn into_field(self) -> To;
}

impl<T> IntoField<T> for T {
    #[inline(always)]
    fn into_field(self) -> T {
        self
    }
}

macro_rules! number_field {
    ($($f:ty),*) => {$(
        impl IntoField<Dual<$f>> for $f {
            #[inline(always)]
            fn into_field(self) -> Dual<$f> {
                Dual::constant(self)
            }
        }
        impl IntoField<Vec<Dual<$f>>> for Vec<$f> {
            fn into_field(self) -> Vec<Dual<$f>> {
                self.into_iter().map(Dual::constant).collect()
            }
        }
    )*};
}

number_field!(f32, f64);

impl<E: Element + Float> IntoField<Tensor<Dual<E>>> for Tensor<E>
where
    Dual<E>: Element,
{
    fn into_field(self) -> Tensor<Dual<E>> {
        dual_constant(&self)
    }
}

/// `v` as the field's type (see [`IntoField`]).
///
/// ```
/// use autodiff_runtime::forward::{into_field, Dual};
/// let c: Vec<Dual<f64>> = into_field(vec![1.0, 2.0]);
/// assert_eq!(c[1], Dual::constant(2.0));
/// ```
#[inline(always)]
pub fn into_field<To, V: IntoField<To>>(v: V) -> To {
    v.into_field()
}
