//! Methods called by method syntax on values at dual numbers (`self.layers[i].forward(&h)`,
//! `for l in &self.layers { h = l.forward(&h) }` in the copy of a function with `jvp` or `hvp`).
//!
//! The copy of a method at dual numbers is an associated function of the method's type
//! (`Lin::__ad_forward_dual`), which a caller's copy cannot name when it does not know the
//! receiver's type. `#[differentiable]` on the method's `impl` block implements [`DualMethod`]
//! (and [`DualMethodHvp`] for methods with `hvp`) for the type's form at dual numbers, keyed by
//! the method's name ([`MethodId`], a hash of the name that the macro computes on both sides);
//! the caller's copy calls [`DualMethodCall::jvp`] (or `hvp_N`) on the receiver, whose type
//! rustc knows. A receiver without the implementation is refused at the call with the traits'
//! messages.

use core::marker::PhantomData;

/// The key of a method's name (a 64-bit FNV-1a hash of it, computed by the macro).
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct MethodId<const H: u64>;

/// The copy at dual numbers of the method keyed `M`, for a receiver of this type (a struct's
/// form at dual numbers), the arguments `A` (a tuple, at dual numbers) and the result `O`.
/// Implemented by `#[differentiable]` on an `impl` block for each method with `jvp`. (The
/// result is a parameter, not an associated type, so that it may name the private types of the
/// user's crate: only one impl matches a receiver, a key and arguments.)
///
/// ```
/// use autodiff_runtime::forward::{Dual, DualMethod, DualMethodCall, MethodId};
///
/// struct Scale(Dual<f64>);
/// impl DualMethod<MethodId<7>, (Dual<f64>,), Dual<f64>> for Scale {
///     fn call(this: &Self, (x,): (Dual<f64>,)) -> Dual<f64> {
///         this.0 * x
///     }
/// }
/// let s = Scale(Dual::new(2.0, 1.0));
/// let r = &s;
/// let y = DualMethodCall::<MethodId<7>>::jvp(&r, (Dual::new(3.0, 0.0),));
/// assert_eq!((y.value, y.tangent), (6.0, 3.0));
/// ```
#[diagnostic::on_unimplemented(
    message = "forward mode cannot call this method at dual numbers: the macro does not know the receiver's type, and no `#[differentiable]` on the method's `impl` block gave the receiver's dual form a copy of it",
    label = "method called with dual numbers on a field, element or local",
    note = "add `#[differentiable]` to the `impl` block that defines the method (`#[differentiable] impl Lin {{ #[differentiable(jvp)] fn forward(&self, ..) .. }}`; non-generic `impl` blocks only), and `jvp` to the method's own `#[differentiable(..)]`",
    note = "or call it by its type's path, `Lin::forward(&self.l1, ..)`, or bind the receiver with its type first (`let l: &Lin = l;`)"
)]
pub trait DualMethod<M, A, O> {
    /// Calls the copy of the method on `this` with the arguments `args`.
    fn call(this: &Self, args: A) -> O;
}

/// A reference to a receiver: the receiver's copy.
#[diagnostic::do_not_recommend]
impl<T: DualMethod<M, A, O> + ?Sized, M, A, O> DualMethod<M, A, O> for &T {
    #[inline(always)]
    fn call(this: &Self, args: A) -> O {
        T::call(*this, args)
    }
}

/// As [`DualMethod`], for the copies that `hvp` differentiates in reverse mode: the method's
/// copy's `_vjp` (value `O` and pullback `P`). Implemented by `#[differentiable]` on an `impl` block for
/// each method with `hvp`.
///
/// ```
/// use autodiff_runtime::forward::{DualMethodCall, DualMethodHvp, MethodId};
///
/// struct Scale(f64);
/// type Pb = Box<dyn Fn(f64) -> (f64, f64)>;
/// impl DualMethodHvp<MethodId<7>, (f64,), f64, Pb> for Scale {
///     fn call_vjp(this: &Self, (x,): (f64,)) -> (f64, Pb) {
///         let s = this.0;
///         (s * x, Box::new(move |g| (g * x, g * s)))
///     }
/// }
/// let (y, pb) = DualMethodCall::<MethodId<7>>::hvp_1_vjp(&&Scale(2.0), 3.0);
/// assert_eq!((y, pb(1.0)), (6.0, (3.0, 2.0)));
/// ```
#[diagnostic::on_unimplemented(
    message = "`hvp` cannot call this method: the macro does not know the receiver's type, and no `#[differentiable]` on the method's `impl` block gave the receiver's dual form a copy of it with `hvp`",
    label = "method called with differentiated values on a field, element or local",
    note = "add `#[differentiable]` to the `impl` block that defines the method (`#[differentiable] impl Lin {{ #[differentiable(hvp)] fn forward(&self, ..) .. }}`; non-generic `impl` blocks only), and `hvp` to the method's own `#[differentiable(..)]`",
    note = "or call it by its type's path, `Lin::forward(&self.l1, ..)`, or bind the receiver with its type first (`let l: &Lin = l;`)"
)]
pub trait DualMethodHvp<M, A, O, P> {
    /// Calls the copy's `_vjp` on `this` with the arguments `args`.
    fn call_vjp(this: &Self, args: A) -> (O, P);
}

/// A reference to a receiver: the receiver's copy.
#[diagnostic::do_not_recommend]
impl<T: DualMethodHvp<M, A, O, P> + ?Sized, M, A, O, P> DualMethodHvp<M, A, O, P> for &T {
    #[inline(always)]
    fn call_vjp(this: &Self, args: A) -> (O, P) {
        T::call_vjp(*this, args)
    }
}

/// The calls that the copies of functions with `jvp` / `hvp` make of a method keyed `M` on a
/// receiver whose type the macro does not know (see [`DualMethod`] for an example).
#[doc(hidden)]
pub struct DualMethodCall<M>(PhantomData<M>);

impl<M> DualMethodCall<M> {
    /// The copy of the method at dual numbers, for forward mode.
    #[inline(always)]
    pub fn jvp<D: DualMethod<M, A, O> + ?Sized, A, O>(this: &D, args: A) -> O {
        D::call(this, args)
    }
}

macro_rules! hvp_calls {
    ($($n:ident, $vjp:ident: ($($a:ident: $t:ident),*);)*) => {
        impl<M> DualMethodCall<M> {
            $(
                /// The value of the method's copy (what a caller's copy is written with; only
                /// its `_vjp` runs).
                #[inline(always)]
                pub fn $n<D: DualMethodHvp<M, ($($t,)*), O, P> + ?Sized, $($t,)* O, P>(
                    this: &D, $($a: $t),*
                ) -> O {
                    D::call_vjp(this, ($($a,)*)).0
                }
                /// The method's copy's value and pullback (for `hvp`).
                #[inline(always)]
                pub fn $vjp<D: DualMethodHvp<M, ($($t,)*), O, P> + ?Sized, $($t,)* O, P>(
                    this: &D, $($a: $t),*
                ) -> (O, P) {
                    D::call_vjp(this, ($($a,)*))
                }
            )*
        }
    };
}

hvp_calls! {
    hvp_0, hvp_0_vjp: ();
    hvp_1, hvp_1_vjp: (a0: A0);
    hvp_2, hvp_2_vjp: (a0: A0, a1: A1);
    hvp_3, hvp_3_vjp: (a0: A0, a1: A1, a2: A2);
    hvp_4, hvp_4_vjp: (a0: A0, a1: A1, a2: A2, a3: A3);
    hvp_5, hvp_5_vjp: (a0: A0, a1: A1, a2: A2, a3: A3, a4: A4);
    hvp_6, hvp_6_vjp: (a0: A0, a1: A1, a2: A2, a3: A3, a4: A4, a5: A5);
}

/// The most arguments (besides the receiver) of a method called this way with `hvp`.
#[doc(hidden)]
pub const MAX_HVP_METHOD_ARGS: usize = 6;
