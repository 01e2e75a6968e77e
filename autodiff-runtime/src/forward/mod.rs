//! Forward mode for scalar code: the dual number [`Dual<F>`] (a value and a tangent) implements
//! [`num_traits::Float`], so every generic `#[differentiable] fn f<T: Float>` runs on it
//! unchanged.
//!
//! - **Forward-mode derivatives**: `f::<Dual<f64>>` with the inputs seeded by a direction `v`
//!   returns `f(x)` and the directional derivative `∇f(x)·v` (one column of the Jacobian for
//!   functions of several outputs).
//! - **Hessian-vector products, exact** (forward over reverse): `f_grad::<Dual<f64>>` with the
//!   same seeding runs the generated reverse-mode code on dual numbers; the values of the
//!   gradients are `∇f(x)` and their tangents are `H(x)·v`. No finite differences, no extra
//!   code: the reverse-mode rules of [`vjp`](crate::vjp) are written for any `T: Float`, so
//!   they are differentiated forward like the user's code.
//!
//! Branches and loops follow the values (comparisons look at [`Dual::value`] only), exactly as
//! reverse mode does: the derivative is that of the path taken. Local derivatives match the
//! reverse-mode rules at their kinks (`abs` has slope 0 at 0, `max` gives ties to `self`,
//! `clamp` has slope 0 at its bounds, like PyTorch).
//!
//! [`calculus`](crate::calculus) builds Jacobians, Hessians and Hessian-vector products of
//! functions of several scalars on top of this.
//!
//! ```
//! use autodiff_runtime::forward::Dual;
//! use num_traits::Float;
//!
//! // any generic scalar function
//! fn f<T: Float>(x: T, y: T) -> T {
//!     (x * y).sin() + x.powi(3)
//! }
//! // ∂f/∂x at (1, 2): seed x with tangent 1, y with 0
//! let d = f(Dual::variable(1.0), Dual::constant(2.0));
//! assert_eq!(d.value, f(1.0, 2.0));
//! assert!((d.tangent - (2.0 * 2.0f64.cos() + 3.0)).abs() < 1e-15);
//! ```
//!
//! Forward over reverse, with a function the `autodiff` crate's `#[differentiable]` would
//! generate `f_grad` for (written out by hand here):
//!
//! ```
//! use autodiff_runtime::forward::Dual;
//! use autodiff_runtime::vjp::{Pullback, ScalarVjp};
//! use num_traits::Float;
//!
//! // f(x) = exp(x)·x, gradient by the reverse-mode rules: f' = exp(x)·(1 + x)
//! fn f_grad<T: Float>(x: T) -> (T, T) {
//!     let (e, pb) = x.exp_vjp();
//!     let y = e * x;
//!     let g = pb.pull(x) + e; // d(e·x)/dx through e, plus e
//!     (y, g)
//! }
//! // the tangent of the gradient is f''(x)·v = exp(x)·(2 + x)·v
//! let (_, g) = f_grad(Dual::new(0.5, 3.0));
//! assert!((g.value - 0.5f64.exp() * 1.5).abs() < 1e-15);
//! assert!((g.tangent - 0.5f64.exp() * 2.5 * 3.0).abs() < 1e-14);
//! ```

mod cut;
mod dualize;
mod field;
mod float;
mod literal;
mod method;
mod mixed;
mod ops;
mod reverse;
mod size;
mod structure;
mod tensor;
pub use cut::with_tangents;
pub(crate) use cut::{cut_tangents, tangents_cut};
pub use dualize::{
    dualize_constant, dualize_seed, split_dual_gradient, Dualize, DualizeAs, HvpNeedsScalarResult,
    MethodHvpNeedsScalarResult, MethodNeedsHvp, MethodNeedsJvp, NeedsHvp, NeedsJvp,
    NoHvpThroughGenericMethod,
};
pub use method::{DualMethod, DualMethodCall, DualMethodHvp, MethodId, MAX_HVP_METHOD_ARGS};

/// `Dual<f64>` under a name of one identifier: the element type of the copies at dual numbers
/// that `#[differentiable(hvp)]` differentiates in reverse mode, which declare it a `Float` in
/// their where clauses (generated code names it).
#[doc(hidden)]
pub type __AdDualF64 = Dual<f64>;

/// `Dual<f32>`, as [`__AdDualF64`].
#[doc(hidden)]
pub type __AdDualF32 = Dual<f32>;

/// A type's form at dual numbers (a struct's twin), under a path that a struct literal can
/// name: the copies at dual numbers write `Self { .. }` as `DualOf::<Self> { .. }`.
#[doc(hidden)]
pub type DualOf<T> = <T as Dualize>::Dual;
pub use field::{into_field, DualLiteral, IntoField, LiteralOf};
pub use literal::{
    lit_like, mixed_add, mixed_div, mixed_mul, mixed_ops, mixed_sub, primal, value_like,
    ConstantScalar, IntoScalar, MixedOp, Primal, WithLiteral,
};
pub use mixed::{
    cast_as, constant_duals, float_from, product_items, sum_items, unify, CastAs, ConstantDuals,
    FloatFrom, SumItem, Unify,
};
pub use size::{DualTwin, NoHvpThroughSizeMethod, UserSizeMethods, UserSizeMethodsHvp};
pub use tensor::{dual_constant, dual_tensor, SplitDual};

use num_traits::Float;
use std::fmt;

/// A dual number `value + tangent·ε` with `ε² = 0`: evaluating a function on it computes the
/// function and its directional derivative in one pass (forward mode).
///
/// `F` is `f32`, `f64`, or another `Dual` (nested duals give higher derivatives). Comparisons
/// (`==`, `<`, ...) look at the value only, so that branches follow the primal computation.
///
/// ```
/// use autodiff_runtime::forward::Dual;
/// use num_traits::Float;
///
/// let x = Dual::variable(2.0f64);
/// let y = x * x + x.ln();
/// assert_eq!(y.value, 4.0 + 2.0f64.ln());
/// assert_eq!(y.tangent, 4.0 + 0.5);
/// assert!(Dual::constant(1.0) < x);
/// ```
#[derive(Clone, Copy, Default)]
pub struct Dual<F> {
    /// The value (primal).
    pub value: F,
    /// The directional derivative carried along (the tangent).
    pub tangent: F,
}

impl<F: Float> Dual<F> {
    /// `value + tangent·ε`.
    ///
    /// ```
    /// use autodiff_runtime::forward::Dual;
    /// let d = Dual::new(1.0f32, 0.5);
    /// assert_eq!((d.value, d.tangent), (1.0, 0.5));
    /// ```
    #[inline(always)]
    pub fn new(value: F, tangent: F) -> Self {
        // inside `no_grad(|| ..)` every result is a constant (see `with_tangents`)
        let tangent = if tangents_cut() { F::zero() } else { tangent };
        Dual { value, tangent }
    }

    /// A constant: tangent 0.
    ///
    /// ```
    /// use autodiff_runtime::forward::Dual;
    /// assert_eq!(Dual::constant(3.0f64).tangent, 0.0);
    /// ```
    #[inline(always)]
    pub fn constant(value: F) -> Self {
        Dual::new(value, F::zero())
    }

    /// The variable differentiated along: tangent 1.
    ///
    /// ```
    /// use autodiff_runtime::forward::Dual;
    /// assert_eq!(Dual::variable(3.0f64).tangent, 1.0);
    /// ```
    #[inline(always)]
    pub fn variable(value: F) -> Self {
        Dual::new(value, F::one())
    }

    /// `f(self)` given `f(value)` and the local derivative `f'(value)`: the tangent is
    /// `f'(value)·tangent`, and exactly 0 when the tangent is 0 (so that a constant passing
    /// through a point where `f'` is infinite, like `sqrt` at 0, keeps a zero tangent instead
    /// of `0·∞ = NaN`).
    ///
    /// ```
    /// use autodiff_runtime::forward::Dual;
    /// let x = Dual::new(0.0f64, 0.0);
    /// assert_eq!(x.chain(0.0, f64::INFINITY).tangent, 0.0);
    /// ```
    #[inline(always)]
    pub fn chain(self, value: F, derivative: F) -> Self {
        Dual::new(value, scale(self.tangent, derivative))
    }
}

/// `t·d`, exactly 0 when `t` is 0 (structurally, for nested duals too).
#[inline(always)]
pub(crate) fn scale<F: Float>(t: F, d: F) -> F {
    if t.is_zero() {
        F::zero()
    } else {
        t * d
    }
}

impl<F: fmt::Debug> fmt::Debug for Dual<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dual({:?} + {:?}ε)", self.value, self.tangent)
    }
}

/// `value + tangentε`, each part with the formatter's options.
///
/// ```
/// use autodiff_runtime::forward::Dual;
/// assert_eq!(format!("{:.2}", Dual::new(1.0f64, -0.5)), "1.00 + -0.50ε");
/// ```
impl<F: fmt::Display> fmt::Display for Dual<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)?;
        f.write_str(" + ")?;
        self.tangent.fmt(f)?;
        f.write_str("ε")
    }
}

impl<F: Float> From<F> for Dual<F> {
    /// A constant.
    #[inline(always)]
    fn from(value: F) -> Self {
        Dual::constant(value)
    }
}

/// Dual numbers are scalar gradients of generic `#[differentiable]` code instantiated at
/// `Dual<F>` (forward over reverse: `f_grad::<Dual<f64>>` gives `H·v` in the tangents).
impl<F: Float> crate::vjp::Tangent for Dual<F> {
    #[inline(always)]
    fn accumulate(&mut self, g: Self) {
        *self += g;
    }
}

impl<F: Float> crate::vjp::SingleGrad for Dual<F> {}
