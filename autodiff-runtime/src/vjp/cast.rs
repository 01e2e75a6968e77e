//! `as f32` / `as f64` casts of differentiable scalars.

use super::Pullback;
use core::marker::PhantomData;

/// Pullback of a float cast: the cotangent is cast back to the source type.
#[derive(Clone, Copy, Debug, Default)]
pub struct CastPb<From, To>(PhantomData<fn(To) -> From>);

/// Float types that `as` can convert between, in VJP form.
pub trait CastFloat: Copy {
    /// `self as f32`
    fn to_f32(self) -> f32;
    /// `self as f64`
    fn to_f64(self) -> f64;
    /// The cast back, used by the pullback.
    fn from_f64(v: f64) -> Self;
}

impl CastFloat for f32 {
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}

impl CastFloat for f64 {
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
}

impl<F: CastFloat> Pullback for CastPb<F, f32> {
    type Cot = f32;
    type Grads = F;
    #[inline(always)]
    fn pull(&self, g: f32) -> F {
        F::from_f64(g as f64)
    }
}

impl<F: CastFloat> Pullback for CastPb<F, f64> {
    type Cot = f64;
    type Grads = F;
    #[inline(always)]
    fn pull(&self, g: f64) -> F {
        F::from_f64(g)
    }
}

/// `x as f32` in VJP form.
#[inline(always)]
pub fn as_f32<F: CastFloat>(x: F) -> (f32, CastPb<F, f32>) {
    (x.to_f32(), CastPb(PhantomData))
}

/// `x as f64` in VJP form.
#[inline(always)]
pub fn as_f64<F: CastFloat>(x: F) -> (f64, CastPb<F, f64>) {
    (x.to_f64(), CastPb(PhantomData))
}

/// Pullback of [`numcast`]: the cotangent converted back to the source float type.
#[derive(Clone, Copy, Debug)]
pub struct NumCastPb<S, T>(PhantomData<fn(T) -> S>);

impl<S: num_traits::Float, T: num_traits::Float> Pullback for NumCastPb<S, T> {
    type Cot = T;
    type Grads = S;
    #[inline(always)]
    fn pull(&self, g: T) -> S {
        S::from(g).expect("a float converts to another float")
    }
}

/// `T::from(x).unwrap()` (`num_traits::NumCast`) between float types, in VJP form: the
/// conversion of a value whose derivative is 1.
///
/// ```
/// use autodiff_runtime::vjp::{numcast, Pullback};
/// let (y, pb): (f32, _) = numcast(2.5f64);
/// assert_eq!(y, 2.5f32);
/// assert_eq!(pb.pull(1.0f32), 1.0f64);
/// ```
#[inline(always)]
#[track_caller]
pub fn numcast<S: num_traits::Float, T: num_traits::Float>(x: S) -> (T, NumCastPb<S, T>) {
    (
        T::from(x).expect("a float converts to another float"),
        NumCastPb(PhantomData),
    )
}
