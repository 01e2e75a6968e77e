//! Plain numbers beside dual numbers. `NAME_jvp` / `NAME_hvp` of a tensor function run a copy
//! of its body at `Tensor<Dual<E>>`, where `x * 2.0`, `x * h` (`h: f64` not differentiated),
//! `x.powf(2.5)` or `s.item() < 1000.0` would meet a plain `f64`, not a `Dual<f64>`. The macro
//! rewrites such expressions in the copy (and only there) into calls of this module, which take
//! the plain number as a constant. (Operator impls between plain and dual types would do it
//! without a rewrite, but they would make `&Tensor::zeros(..) * 2.0` in ordinary code
//! ambiguous.)
//!
//! ```
//! use autodiff_runtime::forward::{lit_like, mixed_mul, mixed_sub, primal, Dual};
//! use autodiff_runtime::Tensor;
//!
//! let x = Tensor::from_vec(vec![Dual::new(1.0f64, 1.0)], &[1]);
//! let y = mixed_sub(3.0, mixed_mul(&x, 2.0)); // 3 - 2x
//! assert_eq!(y.to_vec(), vec![Dual::new(1.0, -2.0)]);
//! let z = y.powf(lit_like(&y, 3.0)); // (3 - 2x)³
//! assert_eq!(z.to_vec(), vec![Dual::new(1.0, -6.0)]);
//! assert!(primal(&z.item()) < 2.0);
//! let n = mixed_mul(3usize, 4usize); // anything the standard operators take
//! assert_eq!(n, 12);
//! ```

use super::Dual;
use crate::{Element, Tensor};
use num_traits::Float;

/// Types a literal can stand beside: the scalar type it takes there.
pub trait WithLiteral {
    /// `f32`/`f64` for plain numbers and tensors of them, `Dual<F>` for dual ones.
    type Scalar: Copy;
    /// The literal as that scalar.
    fn literal(v: f64) -> Self::Scalar;
}

macro_rules! plain_literal {
    ($($f:ty),*) => {$(
        impl WithLiteral for $f {
            type Scalar = $f;
            #[inline(always)]
            fn literal(v: f64) -> $f {
                v as $f
            }
        }
        impl WithLiteral for Dual<$f> {
            type Scalar = Dual<$f>;
            #[inline(always)]
            fn literal(v: f64) -> Dual<$f> {
                Dual::constant(v as $f)
            }
        }
    )*};
}

plain_literal!(f32, f64);

impl<E: Element> WithLiteral for Tensor<E> {
    type Scalar = E;
    #[inline(always)]
    fn literal(v: f64) -> E {
        E::of_f64(v)
    }
}

impl<T: WithLiteral + ?Sized> WithLiteral for &T {
    type Scalar = T::Scalar;
    #[inline(always)]
    fn literal(v: f64) -> T::Scalar {
        T::literal(v)
    }
}

/// The literal `v` as the scalar type that goes with `like` (`x.powf(lit_like(&x, 2.5))`).
#[inline(always)]
pub fn lit_like<A: WithLiteral + ?Sized>(_like: &A, v: f64) -> A::Scalar {
    A::literal(v)
}

/// A number that converts to the scalar type `S` of a plain or dual value: a plain number to
/// itself or to a constant dual number, a dual number to itself.
pub trait IntoScalar<S> {
    /// The number as `S`.
    fn into_scalar(self) -> S;
}

macro_rules! into_scalar {
    ($($f:ty),*) => {$(
        impl IntoScalar<$f> for $f {
            #[inline(always)]
            fn into_scalar(self) -> $f {
                self
            }
        }
        impl IntoScalar<Dual<$f>> for $f {
            #[inline(always)]
            fn into_scalar(self) -> Dual<$f> {
                Dual::constant(self)
            }
        }
        impl IntoScalar<Dual<$f>> for Dual<$f> {
            #[inline(always)]
            fn into_scalar(self) -> Dual<$f> {
                self
            }
        }
    )*};
}

into_scalar!(f32, f64);

/// In the copy that `hvp` differentiates in reverse mode: a plain number (a literal, a
/// parameter that is not differentiated, a local computed from them) as a constant dual
/// number, inside `no_grad(|| ..)`. Not implemented for dual numbers: a dual value that the
/// macro took for a plain one would be detached there and lose its derivative, so it is a
/// compile error instead.
///
/// ```
/// use autodiff_runtime::forward::{ConstantScalar, Dual};
/// let c: Dual<f64> = 2.5f64.constant_scalar();
/// assert_eq!((c.value, c.tangent), (2.5, 0.0));
/// ```
#[diagnostic::on_unimplemented(
    message = "`hvp` would take this value for a constant and drop its derivative: it is \
               derived from a differentiated argument in a form the macro does not follow",
    label = "a dual number where `hvp` expects a plain one",
    note = "bind the value with `let` from the differentiated values (`let v = x * y;`), or \
            use `jvp`"
)]
pub trait ConstantScalar<S> {
    /// The plain number as a constant `S`.
    fn constant_scalar(self) -> S;
}

macro_rules! constant_scalar {
    ($($f:ty),*) => {$(
        impl ConstantScalar<Dual<$f>> for $f {
            #[inline(always)]
            fn constant_scalar(self) -> Dual<$f> {
                Dual::constant(self)
            }
        }
    )*};
}

constant_scalar!(f32, f64);

/// A number argument (a plain parameter, or a dual value of the same name) as the scalar type
/// that goes with `like` (`x.clamp(value_like(&x, lo), ..)` for `lo: f64`).
///
/// ```
/// use autodiff_runtime::forward::{value_like, Dual};
/// use autodiff_runtime::Tensor;
///
/// let x = Tensor::from_vec(vec![Dual::new(1.0f64, 1.0)], &[1]);
/// assert_eq!(value_like(&x, 0.5), Dual::constant(0.5));
/// assert_eq!(value_like(&x, Dual::new(0.5, 2.0)).tangent, 2.0);
/// assert_eq!(value_like(&1.0f64, 0.5), 0.5);
/// ```
#[inline(always)]
pub fn value_like<A, V>(_like: &A, v: V) -> A::Scalar
where
    A: WithLiteral + ?Sized,
    V: IntoScalar<A::Scalar>,
{
    v.into_scalar()
}

/// What a comparison with a literal looks at: the value of a dual number, a plain number itself.
pub trait Primal {
    /// The plain number.
    type Value: Copy + PartialOrd;
    /// The value (the primal part of a dual number).
    fn primal_value(&self) -> Self::Value;
}

impl<F: Float> Primal for Dual<F> {
    type Value = F;
    #[inline(always)]
    fn primal_value(&self) -> F {
        self.value
    }
}

macro_rules! plain_primal {
    ($($t:ty),*) => {$(
        impl Primal for $t {
            type Value = $t;
            #[inline(always)]
            fn primal_value(&self) -> $t {
                *self
            }
        }
    )*};
}

plain_primal!(f32, f64, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

impl<T: Primal + ?Sized> Primal for &T {
    type Value = T::Value;
    #[inline(always)]
    fn primal_value(&self) -> T::Value {
        (**self).primal_value()
    }
}

/// The plain value compared in `s < 1000.0` (branches follow the primal, as in reverse mode).
#[inline(always)]
pub fn primal<P: Primal + ?Sized>(p: &P) -> P::Value {
    p.primal_value()
}

/// `a op b` in a forward-mode copy of a tensor function, where a plain number (a literal, a
/// parameter that is not differentiated, a local computed from them) may meet a tensor of dual
/// numbers. Every pair the standard operators accept goes to them; the pairs they do not accept
/// (`Tensor<Dual<F>>` with a plain `F`, either side, owned or borrowed) take the plain number as
/// a constant. The copy's arithmetic is rewritten into these calls; ordinary code never sees
/// them (standard-operator impls for those pairs would make `&Tensor::zeros(..) * 2.0`
/// ambiguous in ordinary code).
pub trait MixedOp<B, Op>: Sized {
    /// The result.
    type Out;
    /// `self op b`.
    fn mixed(self, b: B) -> Self::Out;
}

/// Operation markers of [`MixedOp`].
pub mod mixed_ops {
    /// `+`
    pub struct Add;
    /// `-`
    pub struct Sub;
    /// `*`
    pub struct Mul;
    /// `/`
    pub struct Div;
}

macro_rules! mixed_op {
    ($($Op:ident $Std:ident $m:ident $fname:ident;)*) => {$(
        impl<A: std::ops::$Std<B>, B> MixedOp<B, mixed_ops::$Op> for A {
            type Out = A::Output;
            #[inline(always)]
            fn mixed(self, b: B) -> A::Output {
                std::ops::$Std::$m(self, b)
            }
        }

        #[doc = concat!("`a ", stringify!($m), " b` (see [`MixedOp`]).")]
        #[inline(always)]
        pub fn $fname<A: MixedOp<B, mixed_ops::$Op>, B>(a: A, b: B) -> A::Out {
            a.mixed(b)
        }
    )*};
}

mixed_op! {
    Add Add add mixed_add;
    Sub Sub sub mixed_sub;
    Mul Mul mul mixed_mul;
    Div Div div mixed_div;
}

macro_rules! dual_plain_pairs {
    ($($f:ty => $($Op:ident $m:ident),*;)*) => {$($(
        impl MixedOp<$f, mixed_ops::$Op> for Tensor<Dual<$f>> {
            type Out = Tensor<Dual<$f>>;
            #[inline]
            fn mixed(self, b: $f) -> Tensor<Dual<$f>> {
                std::ops::$Op::$m(self, Dual::constant(b))
            }
        }
        impl MixedOp<$f, mixed_ops::$Op> for &Tensor<Dual<$f>> {
            type Out = Tensor<Dual<$f>>;
            #[inline]
            fn mixed(self, b: $f) -> Tensor<Dual<$f>> {
                std::ops::$Op::$m(self, Dual::constant(b))
            }
        }
        impl MixedOp<Tensor<Dual<$f>>, mixed_ops::$Op> for $f {
            type Out = Tensor<Dual<$f>>;
            #[inline]
            fn mixed(self, b: Tensor<Dual<$f>>) -> Tensor<Dual<$f>> {
                std::ops::$Op::$m(&Tensor::scalar(Dual::constant(self)), &b)
            }
        }
        impl MixedOp<&Tensor<Dual<$f>>, mixed_ops::$Op> for $f {
            type Out = Tensor<Dual<$f>>;
            #[inline]
            fn mixed(self, b: &Tensor<Dual<$f>>) -> Tensor<Dual<$f>> {
                std::ops::$Op::$m(&Tensor::scalar(Dual::constant(self)), b)
            }
        }
    )*)*};
}

dual_plain_pairs! {
    f32 => Add add, Sub sub, Mul mul, Div div;
    f64 => Add add, Sub sub, Mul mul, Div div;
}
