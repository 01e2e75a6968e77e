//! Fused element-wise chains: what the macro emits for an expression such as
//! `((x + 2.0).powi(2) * 3.0).mean()`, where one differentiated value `x` goes through several
//! element-wise operations with constant operands (optionally ending in `sum`/`mean`).
//!
//! The macro writes the chain once more as a closure over a [`Dual`] number (value and
//! derivative), so one pass over `x` computes the chain's value and its derivative together:
//!
//! | form | forward | saved | pullback |
//! |---|---|---|---|
//! | [`fused_map`] on a tensor | `y = f(x)`, `d = f'(x)` in one pass | `d` | `g ⊙ d`, in `g`'s buffer |
//! | [`fused_map`] on a scalar | `f(x)`, `f'(x)` | one scalar | `g · f'(x)` |
//! | [`fused_sum`] / [`fused_mean`] | `Σ f(x)` (÷ n) and `d = f'(x)` (÷ n) in one pass | `d` | `g · d` (no pass at all for `g = 1`) |
//!
//! Compared with one VJP form per operation, the forward makes one pass instead of one per
//! operation and keeps one tensor instead of one per operation, and the pullback is one pass.
//!
//! ```
//! use autodiff_runtime::vjp::{fused_mean, Pullback};
//! use autodiff_runtime::Tensor;
//!
//! let x = Tensor::from_vec(vec![1.0f32, -1.0], &[2]);
//! // mean(3·(x+2)²) and its gradient 6·(x+2)/n
//! let (y, pb) = fused_mean(&x, |v| (v + 2.0).powi(2) * 3.0);
//! assert_eq!(y.item(), (27.0 + 3.0) / 2.0);
//! assert_eq!(pb.pull(Tensor::scalar(1.0)).to_vec(), vec![9.0, 3.0]);
//! ```

// Dual-number rules: the product rule adds and the quotient rule subtracts and multiplies.
#![allow(clippy::suspicious_arithmetic_impl)]

use super::zip_into;
use crate::tensor::{Element, Tensor};
use crate::vjp::scalar::ScalarUnaryPb;
use crate::vjp::{table, Pullback};
use std::ops::{Add, Div, Mul, Neg, Sub};

/// The element-wise rules both dual numbers ([`Dual`], one derivative, and `DualN`, several)
/// implement, each written once on top of their `chain(value, derivative)`.
macro_rules! elementwise_rules {
    () => {
        /// `eˣ`
        #[inline(always)]
        pub fn exp(self) -> Self {
            let y = self.v.exp();
            self.chain(y, y)
        }

        /// Natural logarithm.
        #[inline(always)]
        pub fn ln(self) -> Self {
            self.chain(self.v.ln(), self.v.recip())
        }

        /// Square root.
        #[inline(always)]
        pub fn sqrt(self) -> Self {
            let y = self.v.sqrt();
            self.chain(y, (y + y).recip())
        }

        /// Integer power (small exponents as products, like `Tensor::powi`).
        #[inline(always)]
        pub fn powi(self, n: i32) -> Self {
            let (y, dy) = $crate::vjp::tensor_methods::chain::powi_and_derivative(self.v, n);
            self.chain(y, dy)
        }

        /// Floating-point power.
        #[inline(always)]
        pub fn powf(self, p: E) -> Self {
            let dy = if p == E::zero() {
                E::zero()
            } else {
                p * self.v.powf(p - E::one())
            };
            self.chain(self.v.powf(p), dy)
        }

        /// Sine (sine and cosine from one `sin_cos`).
        #[inline(always)]
        pub fn sin(self) -> Self {
            let (s, c) = self.v.sin_cos();
            self.chain(s, c)
        }

        /// Cosine.
        #[inline(always)]
        pub fn cos(self) -> Self {
            let (s, c) = self.v.sin_cos();
            self.chain(c, -s)
        }

        /// Logistic sigmoid.
        #[inline(always)]
        pub fn sigmoid(self) -> Self {
            let y = $crate::tensor::sigmoid(self.v);
            self.chain(y, y * (E::one() - y))
        }
    };
}
pub(super) use elementwise_rules;

/// A value and its derivative with respect to the chain's input (forward-mode, one direction).
///
/// Supports `+ - * /` with another `Dual` or a constant of the element type on either side,
/// unary `-`, and the element-wise methods the macro fuses: `exp`, `ln`, `sqrt`, `powi`,
/// `powf`, `sin`, `cos`, `sigmoid`, each computing its value with the same operations as the
/// tensor method and the scalar one, so fused values are bit-identical to unfused ones (`tanh`
/// is not among them: the tensor's kernel and the scalar's `tanh` differ in the last bit).
///
/// ```
/// use autodiff_runtime::vjp::Dual;
/// let x = Dual::input(3.0f64);
/// let y = 2.0 * x.powi(2) - x / 3.0;
/// assert_eq!((y.v, y.d), (17.0, 12.0 - 1.0 / 3.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dual<E> {
    /// The value.
    pub v: E,
    /// Its derivative with respect to the input.
    pub d: E,
}

impl<E: Element> Dual<E> {
    /// The chain's input `x` (derivative 1).
    #[inline(always)]
    pub fn input(x: E) -> Self {
        Dual { v: x, d: E::one() }
    }

    #[inline(always)]
    fn chain(self, v: E, dv: E) -> Self {
        Dual { v, d: self.d * dv }
    }

    elementwise_rules!();
}

/// `(xⁿ, n·xⁿ⁻¹)`, small exponents as products like `Tensor::powi`.
#[inline(always)]
pub(super) fn powi_and_derivative<E: Element>(x: E, n: i32) -> (E, E) {
    match n {
        0 => (E::one(), E::zero()),
        1 => (x, E::one()),
        2 => (x * x, x + x),
        3 => (x * x * x, E::of_f64(3.0) * x * x),
        -1 => (x.recip(), -(x * x).recip()),
        _ => (x.powi(n), E::of_f64(n as f64) * x.powi(n - 1)),
    }
}

impl<E: Element> Add for Dual<E> {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Dual {
            v: self.v + o.v,
            d: self.d + o.d,
        }
    }
}

impl<E: Element> Sub for Dual<E> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        Dual {
            v: self.v - o.v,
            d: self.d - o.d,
        }
    }
}

impl<E: Element> Mul for Dual<E> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Dual {
            v: self.v * o.v,
            d: self.d * o.v + self.v * o.d,
        }
    }
}

impl<E: Element> Div for Dual<E> {
    type Output = Self;
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        let v = self.v / o.v;
        Dual {
            v,
            d: (self.d - v * o.d) / o.v,
        }
    }
}

impl<E: Element> Neg for Dual<E> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Dual {
            v: -self.v,
            d: -self.d,
        }
    }
}

impl<E: Element> Add<E> for Dual<E> {
    type Output = Self;
    #[inline(always)]
    fn add(self, c: E) -> Self {
        Dual {
            v: self.v + c,
            d: self.d,
        }
    }
}

impl<E: Element> Sub<E> for Dual<E> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, c: E) -> Self {
        Dual {
            v: self.v - c,
            d: self.d,
        }
    }
}

impl<E: Element> Mul<E> for Dual<E> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, c: E) -> Self {
        Dual {
            v: self.v * c,
            d: self.d * c,
        }
    }
}

impl<E: Element> Div<E> for Dual<E> {
    type Output = Self;
    #[inline(always)]
    fn div(self, c: E) -> Self {
        Dual {
            v: self.v / c,
            d: self.d / c,
        }
    }
}

/// `c + x`, `c - x`, `c * x`, `c / x` with the constant on the left, for `f32` and `f64`.
macro_rules! constant_on_the_left {
    ($($e:ty),*) => {$(
        impl Add<Dual<$e>> for $e {
            type Output = Dual<$e>;
            #[inline(always)]
            fn add(self, x: Dual<$e>) -> Dual<$e> {
                Dual { v: self + x.v, d: x.d }
            }
        }
        impl Sub<Dual<$e>> for $e {
            type Output = Dual<$e>;
            #[inline(always)]
            fn sub(self, x: Dual<$e>) -> Dual<$e> {
                Dual { v: self - x.v, d: -x.d }
            }
        }
        impl Mul<Dual<$e>> for $e {
            type Output = Dual<$e>;
            #[inline(always)]
            fn mul(self, x: Dual<$e>) -> Dual<$e> {
                Dual { v: self * x.v, d: self * x.d }
            }
        }
        impl Div<Dual<$e>> for $e {
            type Output = Dual<$e>;
            #[inline(always)]
            fn div(self, x: Dual<$e>) -> Dual<$e> {
                let v = self / x.v;
                Dual { v, d: -(v * x.d) / x.v }
            }
        }
    )*};
}
constant_on_the_left!(f32, f64);

/// Pullback of [`fused_map`] on a tensor: `g ⊙ f'(x)`.
#[derive(Clone, Debug)]
pub struct FusedMapPb<E: Element> {
    d: Tensor<E>,
}

impl<E: Element> Pullback for FusedMapPb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (table::of::<E>().fused_map)(self, g)
    }
}

/// [`FusedMapPb`]'s pullback (through [`PullbackTable`](crate::vjp::PullbackTable)).
pub(crate) fn fused_map_pull<E: Element>(pb: &FusedMapPb<E>, g: Tensor<E>) -> Tensor<E> {
    zip_into(g, &pb.d, |g, d| g * d)
}

/// Pullback of [`fused_sum`] / [`fused_mean`]: the saved derivative (already divided by `n`
/// for a mean) times the 0-d cotangent; for the cotangent 1 it is the saved tensor itself
/// (shared, O(1)).
#[derive(Clone, Debug)]
pub struct FusedReducePb<E: Element> {
    d: Tensor<E>,
}

impl<E: Element> Pullback for FusedReducePb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (table::of::<E>().fused_reduce)(self, g)
    }
}

/// [`FusedReducePb`]'s pullback (through [`PullbackTable`](crate::vjp::PullbackTable)).
pub(crate) fn fused_reduce_pull<E: Element>(pb: &FusedReducePb<E>, g: Tensor<E>) -> Tensor<E> {
    let s = g.item();
    if s == E::one() {
        pb.d.clone()
    } else {
        pb.d.map(|d| s * d)
    }
}

/// The inputs [`fused_map`] accepts: a tensor (by value or reference) or a scalar.
pub trait FuseArg {
    /// The element type the chain is evaluated in.
    type Elem: Element;
    /// The chain's result type.
    type Out;
    /// Its pullback.
    type Pb: Pullback;
    /// See [`fused_map`].
    fn fuse_map(&self, f: impl Fn(Dual<Self::Elem>) -> Dual<Self::Elem>) -> (Self::Out, Self::Pb);
}

impl<E: Element> FuseArg for Tensor<E> {
    type Elem = E;
    type Out = Tensor<E>;
    type Pb = FusedMapPb<E>;
    fn fuse_map(&self, f: impl Fn(Dual<E>) -> Dual<E>) -> (Tensor<E>, FusedMapPb<E>) {
        let (y, d) = self.map_pair(|x| {
            let r = f(Dual::input(x));
            (r.v, r.d)
        });
        (y, FusedMapPb { d })
    }
}

macro_rules! scalar_fuse_arg {
    ($($e:ty),*) => {$(
        impl FuseArg for $e {
            type Elem = $e;
            type Out = $e;
            type Pb = ScalarUnaryPb<$e>;
            #[inline(always)]
            fn fuse_map(&self, f: impl Fn(Dual<$e>) -> Dual<$e>) -> ($e, ScalarUnaryPb<$e>) {
                let r = f(Dual::input(*self));
                (r.v, ScalarUnaryPb::new(r.d))
            }
        }
    )*};
}
scalar_fuse_arg!(f32, f64);

impl<X: FuseArg + ?Sized> FuseArg for &X {
    type Elem = X::Elem;
    type Out = X::Out;
    type Pb = X::Pb;
    #[inline(always)]
    fn fuse_map(&self, f: impl Fn(Dual<X::Elem>) -> Dual<X::Elem>) -> (X::Out, X::Pb) {
        (**self).fuse_map(f)
    }
}

/// An element-wise chain `f` of one tensor or scalar `x`, in one pass (see the module
/// documentation).
///
/// ```
/// use autodiff_runtime::vjp::{fused_map, Pullback};
/// use autodiff_runtime::Tensor;
///
/// let x = Tensor::from_vec(vec![0.0f32, 1.0], &[2]);
/// let (y, pb) = fused_map(&x, |v| 2.0 * v.sin() + v * v);
/// assert_eq!(y.to_vec(), vec![0.0, 2.0 * 1.0f32.sin() + 1.0]);
/// assert_eq!(pb.pull(Tensor::ones(&[2])).to_vec(), vec![2.0, 2.0 * 1.0f32.cos() + 2.0]);
///
/// let (y, pb) = fused_map(&0.5f64, |v| (v * 4.0).exp());
/// assert_eq!((y, pb.pull(1.0)), (2.0f64.exp(), 4.0 * 2.0f64.exp()));
/// ```
#[inline(always)]
pub fn fused_map<X: FuseArg + ?Sized>(
    x: &X,
    f: impl Fn(Dual<X::Elem>) -> Dual<X::Elem>,
) -> (X::Out, X::Pb) {
    x.fuse_map(f)
}

/// A tensor, by value or by reference, for [`fused_sum`] and [`fused_mean`].
pub trait FuseTensor {
    /// The element type.
    type Elem: Element;
    /// The tensor.
    fn fuse_tensor(&self) -> &Tensor<Self::Elem>;
}

impl<E: Element> FuseTensor for Tensor<E> {
    type Elem = E;
    #[inline(always)]
    fn fuse_tensor(&self) -> &Tensor<E> {
        self
    }
}

impl<X: FuseTensor + ?Sized> FuseTensor for &X {
    type Elem = X::Elem;
    #[inline(always)]
    fn fuse_tensor(&self) -> &Tensor<X::Elem> {
        (**self).fuse_tensor()
    }
}

fn fused_reduce<E: Element>(
    x: &Tensor<E>,
    f: impl Fn(Dual<E>) -> Dual<E>,
    mean: bool,
) -> (Tensor<E>, FusedReducePb<E>) {
    let n = x.numel();
    let scale = if mean {
        E::of_f64(1.0 / n as f64)
    } else {
        E::one()
    };
    let (total, d) = x.sum_and_map(
        |v| {
            let r = f(Dual::input(v));
            (r.v, r.d)
        },
        scale,
    );
    // exactly as `Tensor::mean` divides, so the value is bit-identical to the unfused chain's
    let value = if mean {
        total / E::of_f64(n as f64)
    } else {
        total
    };
    (Tensor::scalar(value), FusedReducePb { d })
}

/// `f(x).sum()` for an element-wise chain `f` of one tensor, in one pass (see the module
/// documentation).
///
/// ```
/// use autodiff_runtime::vjp::{fused_sum, Pullback};
/// use autodiff_runtime::Tensor;
///
/// let x = Tensor::from_vec(vec![1.0f32, 2.0], &[2]);
/// let (y, pb) = fused_sum(&x, |v| v * v * 0.5);
/// assert_eq!(y.item(), 2.5);
/// assert_eq!(pb.pull(Tensor::scalar(2.0)).to_vec(), vec![2.0, 4.0]);
/// ```
pub fn fused_sum<X: FuseTensor + ?Sized>(
    x: &X,
    f: impl Fn(Dual<X::Elem>) -> Dual<X::Elem>,
) -> (Tensor<X::Elem>, FusedReducePb<X::Elem>) {
    fused_reduce(x.fuse_tensor(), f, false)
}

/// `f(x).mean()` for an element-wise chain `f` of one tensor, in one pass (see the module
/// documentation).
pub fn fused_mean<X: FuseTensor + ?Sized>(
    x: &X,
    f: impl Fn(Dual<X::Elem>) -> Dual<X::Elem>,
) -> (Tensor<X::Elem>, FusedReducePb<X::Elem>) {
    fused_reduce(x.fuse_tensor(), f, true)
}
