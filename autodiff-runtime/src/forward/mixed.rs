//! Ordinary Rust forms meeting dual numbers in the copies that `#[differentiable(jvp)]` and
//! `#[differentiable(hvp)]` run at [`Dual`] numbers: `&f64` / `&Dual` operands (`acc + x * w`
//! with `w: &f64` from `ws.iter()`), comparisons of a dual number with a plain one
//! (`(0.0..1.0).contains(&v)`), conversions between `f32` and `f64` (`f64::from(x)`, `.into()`,
//! `x as f64`), and the helpers the macro writes for `f64::max(x, y)` (both operands of one
//! type) and `.sum::<f64>()` (the sum at the items' type).
//!
//! Operators between a plain reference and a dual number are implemented for `f32` and `f64`
//! only (never for tensors), the plain number a constant.
//!
//! ```
//! use autodiff_runtime::forward::{cast_as, float_from, sum_items, unify, Dual};
//!
//! let x = Dual::new(2.0f64, 1.0);
//! let w = 3.0f64;
//! assert_eq!((x * &w).tangent, 3.0);
//! assert_eq!((&w - &x).tangent, -1.0);
//! assert!((0.0..2.5).contains(&x));
//! assert_eq!(unify(1.0f64, x).0, Dual::constant(1.0));
//! let s: Dual<f64> = sum_items([x, x * x].iter());
//! assert_eq!(s.tangent, 1.0 + 4.0);
//! let y = float_from::<f64, _>(Dual::new(1.5f32, 2.0));
//! assert_eq!((y.value, y.tangent), (1.5f64, 2.0f64));
//! let z = cast_as::<f32, _>(x);
//! assert_eq!(z.tangent, 1.0f32);
//! assert_eq!(cast_as::<f64, _>(3usize), 3.0);
//! ```

use super::Dual;
use num_traits::Float;
use std::cmp::Ordering;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Rem, Sub, SubAssign};

macro_rules! ref_ops {
    ($($tr:ident $m:ident;)*) => {$(
        impl<F: Float> $tr<&Dual<F>> for Dual<F> {
            type Output = Dual<F>;
            #[inline(always)]
            fn $m(self, o: &Dual<F>) -> Dual<F> {
                $tr::$m(self, *o)
            }
        }
        impl<F: Float> $tr<Dual<F>> for &Dual<F> {
            type Output = Dual<F>;
            #[inline(always)]
            fn $m(self, o: Dual<F>) -> Dual<F> {
                $tr::$m(*self, o)
            }
        }
        impl<F: Float> $tr<&Dual<F>> for &Dual<F> {
            type Output = Dual<F>;
            #[inline(always)]
            fn $m(self, o: &Dual<F>) -> Dual<F> {
                $tr::$m(*self, *o)
            }
        }
        impl<F: Float> $tr<F> for &Dual<F> {
            type Output = Dual<F>;
            #[inline(always)]
            fn $m(self, o: F) -> Dual<F> {
                $tr::$m(*self, Dual::constant(o))
            }
        }
        ref_ops!(@plain $tr $m f32);
        ref_ops!(@plain $tr $m f64);
    )*};
    (@plain $tr:ident $m:ident $f:ty) => {
        impl $tr<&$f> for Dual<$f> {
            type Output = Dual<$f>;
            #[inline(always)]
            fn $m(self, o: &$f) -> Dual<$f> {
                $tr::$m(self, Dual::constant(*o))
            }
        }
        impl $tr<&$f> for &Dual<$f> {
            type Output = Dual<$f>;
            #[inline(always)]
            fn $m(self, o: &$f) -> Dual<$f> {
                $tr::$m(*self, Dual::constant(*o))
            }
        }
        impl $tr<Dual<$f>> for &$f {
            type Output = Dual<$f>;
            #[inline(always)]
            fn $m(self, o: Dual<$f>) -> Dual<$f> {
                $tr::$m(Dual::constant(*self), o)
            }
        }
        impl $tr<&Dual<$f>> for &$f {
            type Output = Dual<$f>;
            #[inline(always)]
            fn $m(self, o: &Dual<$f>) -> Dual<$f> {
                $tr::$m(Dual::constant(*self), *o)
            }
        }
        impl $tr<&Dual<$f>> for $f {
            type Output = Dual<$f>;
            #[inline(always)]
            fn $m(self, o: &Dual<$f>) -> Dual<$f> {
                $tr::$m(Dual::constant(self), *o)
            }
        }
    };
}

ref_ops! {
    Add add;
    Sub sub;
    Mul mul;
    Div div;
    Rem rem;
}

macro_rules! ref_assign_ops {
    ($($tr:ident $m:ident $op:tt;)*) => {$(
        impl<F: Float> $tr<&Dual<F>> for Dual<F> {
            #[inline(always)]
            fn $m(&mut self, o: &Dual<F>) {
                *self = *self $op *o;
            }
        }
        impl $tr<&f32> for Dual<f32> {
            #[inline(always)]
            fn $m(&mut self, o: &f32) {
                *self = *self $op Dual::constant(*o);
            }
        }
        impl $tr<&f64> for Dual<f64> {
            #[inline(always)]
            fn $m(&mut self, o: &f64) {
                *self = *self $op Dual::constant(*o);
            }
        }
    )*};
}

ref_assign_ops! {
    AddAssign add_assign +;
    SubAssign sub_assign -;
    MulAssign mul_assign *;
    DivAssign div_assign /;
}

/// Comparisons of a dual number with a plain one, by value (branches follow the primal).
macro_rules! plain_cmp {
    ($($f:ty),*) => {$(
        impl PartialEq<$f> for Dual<$f> {
            #[inline(always)]
            fn eq(&self, o: &$f) -> bool {
                self.value == *o
            }
        }
        impl PartialEq<Dual<$f>> for $f {
            #[inline(always)]
            fn eq(&self, o: &Dual<$f>) -> bool {
                *self == o.value
            }
        }
        impl PartialOrd<$f> for Dual<$f> {
            #[inline(always)]
            fn partial_cmp(&self, o: &$f) -> Option<Ordering> {
                self.value.partial_cmp(o)
            }
        }
        impl PartialOrd<Dual<$f>> for $f {
            #[inline(always)]
            fn partial_cmp(&self, o: &Dual<$f>) -> Option<Ordering> {
                self.partial_cmp(&o.value)
            }
        }
    )*};
}

plain_cmp!(f32, f64);

/// Two operands brought to one type: plain numbers stay plain, a plain number beside a dual
/// one becomes a constant (`f64::max(2.0, x)` in a copy at dual numbers). References are read.
pub trait Unify<B> {
    /// The common type.
    type Out;
    /// Both operands as [`Unify::Out`].
    fn unify(self, b: B) -> (Self::Out, Self::Out);
}

macro_rules! unify_impls {
    ($($a:ty, $b:ty => $o:ty, |$x:ident, $y:ident| $e:expr;)*) => {$(
        impl Unify<$b> for $a {
            type Out = $o;
            #[inline(always)]
            fn unify(self, b: $b) -> ($o, $o) {
                let ($x, $y) = (self, b);
                $e
            }
        }
    )*};
}

macro_rules! unify_for {
    ($($f:ty),*) => {$(
        unify_impls! {
            $f, $f => $f, |a, b| (a, b);
            $f, Dual<$f> => Dual<$f>, |a, b| (Dual::constant(a), b);
            Dual<$f>, $f => Dual<$f>, |a, b| (a, Dual::constant(b));
            Dual<$f>, Dual<$f> => Dual<$f>, |a, b| (a, b);
            &$f, $f => $f, |a, b| (*a, b);
            $f, &$f => $f, |a, b| (a, *b);
            &$f, &$f => $f, |a, b| (*a, *b);
            &Dual<$f>, Dual<$f> => Dual<$f>, |a, b| (*a, b);
            Dual<$f>, &Dual<$f> => Dual<$f>, |a, b| (a, *b);
            &Dual<$f>, &Dual<$f> => Dual<$f>, |a, b| (*a, *b);
            &$f, Dual<$f> => Dual<$f>, |a, b| (Dual::constant(*a), b);
            Dual<$f>, &$f => Dual<$f>, |a, b| (a, Dual::constant(*b));
        }
    )*};
}

unify_for!(f32, f64);

/// `(a, b)` as one type (see [`Unify`]).
///
/// ```
/// use autodiff_runtime::forward::{unify, Dual};
/// assert_eq!(unify(Dual::new(1.0f64, 1.0), &2.0).1, Dual::constant(2.0));
/// assert_eq!(unify(1.0f32, 2.0f32), (1.0, 2.0));
/// ```
#[inline(always)]
pub fn unify<A: Unify<B>, B>(a: A, b: B) -> (A::Out, A::Out) {
    a.unify(b)
}

/// The type `.sum::<f64>()` / `.product::<f64>()` make of the items: plain numbers of plain
/// ones, dual numbers of dual ones (owned or borrowed).
pub trait SumItem {
    /// The sum's type.
    type Total;
}

macro_rules! sum_item {
    ($($f:ty),*) => {$(
        impl SumItem for $f {
            type Total = $f;
        }
        impl SumItem for &$f {
            type Total = $f;
        }
        impl SumItem for Dual<$f> {
            type Total = Dual<$f>;
        }
        impl SumItem for &Dual<$f> {
            type Total = Dual<$f>;
        }
    )*};
}

sum_item!(f32, f64);

/// `it.sum::<f64>()` at the items' type.
///
/// ```
/// use autodiff_runtime::forward::{sum_items, Dual};
/// let xs = [Dual::new(1.0f64, 1.0), Dual::new(2.0, 0.5)];
/// assert_eq!(sum_items(xs.iter()).tangent, 1.5);
/// assert_eq!(sum_items([1.0f64, 2.0].iter()), 3.0);
/// ```
#[inline(always)]
pub fn sum_items<I>(it: I) -> <I::Item as SumItem>::Total
where
    I: Iterator,
    I::Item: SumItem,
    <I::Item as SumItem>::Total: std::iter::Sum<I::Item>,
{
    it.sum()
}

/// `it.product::<f64>()` at the items' type.
///
/// ```
/// use autodiff_runtime::forward::{product_items, Dual};
/// let xs = [Dual::new(3.0f64, 1.0), Dual::constant(2.0)];
/// assert_eq!(product_items(xs.into_iter()), Dual::new(6.0, 2.0));
/// ```
#[inline(always)]
pub fn product_items<I>(it: I) -> <I::Item as SumItem>::Total
where
    I: Iterator,
    I::Item: SumItem,
    <I::Item as SumItem>::Total: std::iter::Product<I::Item>,
{
    it.product()
}

/// `To::from(self)` for the plain conversions of `f32`/`f64`, and between dual numbers
/// (`f64::from(x)` with `x: Dual<f32>` is a `Dual<f64>`, with the tangent converted too).
pub trait FloatFrom<To> {
    /// The result: `To`, or a dual number of `To`.
    type Out;
    /// The conversion.
    fn float_from(self) -> Self::Out;
}

macro_rules! float_from_plain {
    ($to:ty: $($from:ty),*) => {$(
        impl FloatFrom<$to> for $from {
            type Out = $to;
            #[inline(always)]
            fn float_from(self) -> $to {
                <$to>::from(self)
            }
        }
    )*};
}

float_from_plain!(f64: f32, f64, i8, i16, i32, u8, u16, u32);
float_from_plain!(f32: f32, i8, i16, u8, u16);

impl FloatFrom<f64> for Dual<f32> {
    type Out = Dual<f64>;
    #[inline(always)]
    fn float_from(self) -> Dual<f64> {
        Dual::new(f64::from(self.value), f64::from(self.tangent))
    }
}

impl FloatFrom<f64> for Dual<f64> {
    type Out = Dual<f64>;
    #[inline(always)]
    fn float_from(self) -> Dual<f64> {
        self
    }
}

impl FloatFrom<f32> for Dual<f32> {
    type Out = Dual<f32>;
    #[inline(always)]
    fn float_from(self) -> Dual<f32> {
        self
    }
}

/// `To::from(v)` in a copy at dual numbers (see [`FloatFrom`]).
///
/// ```
/// use autodiff_runtime::forward::{float_from, Dual};
/// assert_eq!(float_from::<f64, _>(Dual::new(0.5f32, 2.0)).tangent, 2.0f64);
/// assert_eq!(float_from::<f64, _>(3i32), 3.0);
/// ```
#[inline(always)]
pub fn float_from<To, S: FloatFrom<To>>(v: S) -> S::Out {
    v.float_from()
}

/// `From<Dual<f32>>` for `Dual<f64>`: `.into()` between dual numbers, as between their
/// elements.
impl From<Dual<f32>> for Dual<f64> {
    #[inline(always)]
    fn from(d: Dual<f32>) -> Dual<f64> {
        Dual::new(f64::from(d.value), f64::from(d.tangent))
    }
}

/// `self as To` for numbers, and between dual numbers (value and tangent cast alike).
pub trait CastAs<To> {
    /// The result: `To`, or a dual number of `To`.
    type Out;
    /// The cast.
    fn cast_as(self) -> Self::Out;
}

macro_rules! cast_plain {
    ($to:ty: $($from:ty),*) => {$(
        impl CastAs<$to> for $from {
            type Out = $to;
            #[inline(always)]
            fn cast_as(self) -> $to {
                self as $to
            }
        }
    )*};
}

cast_plain!(f64: f32, f64, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
cast_plain!(f32: f32, f64, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

macro_rules! cast_dual {
    ($($from:ty => $to:ty),*) => {$(
        impl CastAs<$to> for Dual<$from> {
            type Out = Dual<$to>;
            #[inline(always)]
            fn cast_as(self) -> Dual<$to> {
                Dual::new(self.value as $to, self.tangent as $to)
            }
        }
    )*};
}

cast_dual!(f32 => f32, f32 => f64, f64 => f32, f64 => f64);

/// `v as To` in a copy at dual numbers (see [`CastAs`]).
///
/// ```
/// use autodiff_runtime::forward::{cast_as, Dual};
/// assert_eq!(cast_as::<f32, _>(Dual::new(0.5f64, 2.0)).tangent, 2.0f32);
/// assert_eq!(cast_as::<f64, _>(7u8), 7.0);
/// ```
#[inline(always)]
pub fn cast_as<To, S: CastAs<To>>(v: S) -> S::Out {
    v.cast_as()
}

/// A container of plain numbers as the same container of constant dual numbers: the data
/// arguments (`ws: &[T]`, `Vec<T>`, `[T; N]`) of a generic function that `NAME_jvp` /
/// `NAME_hvp` run at `T = Dual<T>`.
pub trait ConstantDuals {
    /// The container at dual numbers.
    type Out;
    /// Every element as a constant.
    fn constant_duals(&self) -> Self::Out;
}

impl<F: Float> ConstantDuals for [F] {
    type Out = Vec<Dual<F>>;
    fn constant_duals(&self) -> Vec<Dual<F>> {
        self.iter().map(|&v| Dual::constant(v)).collect()
    }
}

impl<F: Float> ConstantDuals for Vec<F> {
    type Out = Vec<Dual<F>>;
    fn constant_duals(&self) -> Vec<Dual<F>> {
        self.as_slice().constant_duals()
    }
}

impl<F: Float, const N: usize> ConstantDuals for [F; N] {
    type Out = [Dual<F>; N];
    fn constant_duals(&self) -> [Dual<F>; N] {
        self.map(Dual::constant)
    }
}

/// `c` with every element a constant dual number (see [`ConstantDuals`]).
///
/// ```
/// use autodiff_runtime::forward::{constant_duals, Dual};
///
/// let ws = [1.0f64, 2.0];
/// assert_eq!(constant_duals(&ws), [Dual::constant(1.0), Dual::constant(2.0)]);
/// assert_eq!(constant_duals(&ws[..])[1].tangent, 0.0);
/// ```
pub fn constant_duals<C: ConstantDuals + ?Sized>(c: &C) -> C::Out {
    c.constant_duals()
}
