//! Fused element-wise chains of several differentiated values: what the macro emits for an
//! expression such as `p * x.sin() - q * x * x`, where the inputs `p`, `x`, `q` (scalars or
//! tensors) go through element-wise operations with constant operands.
//!
//! The chain is evaluated once per element on [`DualN`] numbers carrying the derivatives with
//! respect to all `K` inputs (forward mode, `K` directions), so the forward saves `K` partial
//! derivatives — for scalars, `K` numbers instead of one record per operation — and the
//! pullback is `K` multiplications:
//!
//! | inputs | result | saved | pullback |
//! |---|---|---|---|
//! | all scalars | scalar | `[∂f/∂xₖ; K]` | `g · ∂f/∂xₖ` |
//! | some tensors (broadcast together) | tensor | one tensor `∂f/∂xₖ` per input | `g ⊙ ∂f/∂xₖ`, summed back to each input's shape |
//!
//! ```
//! use autodiff_runtime::vjp::{fused_map_n, Pullback};
//!
//! let (x, p, q) = (0.5f64, 1.3, 0.7);
//! let (y, pb) = fused_map_n((&p, &x, &q), |[p, x, q]| p * x.sin() - q * x * x);
//! assert_eq!(y, p * x.sin() - q * x * x);
//! let (dp, dx, dq) = pb.pull(1.0);
//! assert_eq!((dp, dq), (x.sin(), -(x * x)));
//! assert!((dx - (p * x.cos() - 2.0 * q * x)).abs() < 1e-15);
//! ```

// Dual-number rules: the product rule adds and the quotient rule subtracts and multiplies.
#![allow(clippy::suspicious_arithmetic_impl)]

use crate::tensor::{Element, Tensor};
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A value and its derivatives with respect to `K` inputs (forward mode, `K` directions).
///
/// The same operations as [`Dual`](super::Dual), with the same values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DualN<E, const K: usize> {
    /// The value.
    pub v: E,
    /// Its derivative with respect to each input.
    pub d: [E; K],
}

impl<E: Element, const K: usize> DualN<E, K> {
    /// Input number `k` with value `x` (derivative 1 in direction `k`, 0 in the others).
    #[inline(always)]
    pub fn input(x: E, k: usize) -> Self {
        let mut d = [E::zero(); K];
        d[k] = E::one();
        DualN { v: x, d }
    }

    #[inline(always)]
    fn chain(self, v: E, dv: E) -> Self {
        DualN {
            v,
            d: map(self.d, |d| d * dv),
        }
    }

    super::chain::elementwise_rules!();
}

// Plain loops rather than `array::map`/`array::from_fn`: the same code once optimised, but far
// less LLVM IR to get there, and every operation of every chain instantiates these.
#[inline(always)]
fn zip<E: Copy, const K: usize>(mut a: [E; K], b: [E; K], f: impl Fn(E, E) -> E) -> [E; K] {
    for (x, &y) in a.iter_mut().zip(&b) {
        *x = f(*x, y);
    }
    a
}

#[inline(always)]
fn map<E: Copy, const K: usize>(mut a: [E; K], f: impl Fn(E) -> E) -> [E; K] {
    for x in &mut a {
        *x = f(*x);
    }
    a
}

impl<E: Element, const K: usize> Add for DualN<E, K> {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        DualN {
            v: self.v + o.v,
            d: zip(self.d, o.d, |a, b| a + b),
        }
    }
}

impl<E: Element, const K: usize> Sub for DualN<E, K> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        DualN {
            v: self.v - o.v,
            d: zip(self.d, o.d, |a, b| a - b),
        }
    }
}

impl<E: Element, const K: usize> Mul for DualN<E, K> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        let (a, b) = (self.v, o.v);
        DualN {
            v: a * b,
            d: zip(self.d, o.d, |da, db| da * b + a * db),
        }
    }
}

impl<E: Element, const K: usize> Div for DualN<E, K> {
    type Output = Self;
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        let v = self.v / o.v;
        DualN {
            v,
            d: zip(self.d, o.d, |da, db| (da - v * db) / o.v),
        }
    }
}

impl<E: Element, const K: usize> Neg for DualN<E, K> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        DualN {
            v: -self.v,
            d: map(self.d, |d| -d),
        }
    }
}

impl<E: Element, const K: usize> Add<E> for DualN<E, K> {
    type Output = Self;
    #[inline(always)]
    fn add(self, c: E) -> Self {
        DualN {
            v: self.v + c,
            d: self.d,
        }
    }
}

impl<E: Element, const K: usize> Sub<E> for DualN<E, K> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, c: E) -> Self {
        DualN {
            v: self.v - c,
            d: self.d,
        }
    }
}

impl<E: Element, const K: usize> Mul<E> for DualN<E, K> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, c: E) -> Self {
        DualN {
            v: self.v * c,
            d: map(self.d, |d| d * c),
        }
    }
}

impl<E: Element, const K: usize> Div<E> for DualN<E, K> {
    type Output = Self;
    #[inline(always)]
    fn div(self, c: E) -> Self {
        DualN {
            v: self.v / c,
            d: map(self.d, |d| d / c),
        }
    }
}

macro_rules! constant_on_the_left {
    ($($e:ty),*) => {$(
        impl<const K: usize> Add<DualN<$e, K>> for $e {
            type Output = DualN<$e, K>;
            #[inline(always)]
            fn add(self, x: DualN<$e, K>) -> DualN<$e, K> {
                DualN { v: self + x.v, d: x.d }
            }
        }
        impl<const K: usize> Sub<DualN<$e, K>> for $e {
            type Output = DualN<$e, K>;
            #[inline(always)]
            fn sub(self, x: DualN<$e, K>) -> DualN<$e, K> {
                DualN { v: self - x.v, d: map(x.d, |d| -d) }
            }
        }
        impl<const K: usize> Mul<DualN<$e, K>> for $e {
            type Output = DualN<$e, K>;
            #[inline(always)]
            fn mul(self, x: DualN<$e, K>) -> DualN<$e, K> {
                DualN { v: self * x.v, d: map(x.d, |d| self * d) }
            }
        }
        impl<const K: usize> Div<DualN<$e, K>> for $e {
            type Output = DualN<$e, K>;
            #[inline(always)]
            fn div(self, x: DualN<$e, K>) -> DualN<$e, K> {
                let v = self / x.v;
                DualN { v, d: map(x.d, |d| -(v * d) / x.v) }
            }
        }
    )*};
}
constant_on_the_left!(f32, f64);

/// A constant operand of a fused chain in a function of plain numbers: an inactive `f32` or
/// `f64` variable, or a reference to one (`h` in `x += h * (p * x.sin() - q * x * x)`), of the
/// chain's element type `E`. The macro evaluates it once, before the chain, so the chain's
/// closure holds a plain number.
pub trait FuseConst<E> {
    /// The number by value.
    fn fuse_const(self) -> E;
}

macro_rules! fuse_const {
    ($($e:ty),*) => {$(
        impl FuseConst<$e> for $e {
            #[inline(always)]
            fn fuse_const(self) -> $e {
                self
            }
        }
    )*};
}
fuse_const!(f32, f64);

impl<E, C: FuseConst<E> + Copy> FuseConst<E> for &C {
    #[inline(always)]
    fn fuse_const(self) -> E {
        (*self).fuse_const()
    }
}

/// `c` as a constant of a fused chain whose first input is `like` (see [`FuseConst`]); the
/// input fixes the type of an unsuffixed literal binding (`let h = 0.001;`), as the arithmetic
/// of the plain function does.
///
/// ```
/// use autodiff_runtime::vjp::{fuse_const, fused_map_n, Pullback};
///
/// let (x, p, h) = (0.5f32, 1.3f32, &0.001);
/// let c = fuse_const(h, &x);
/// let (y, pb) = fused_map_n((&x, &p), move |[x, p]| x + c * (p * x.sin()));
/// assert_eq!(y, x + h * (p * x.sin()));
/// let (dx, dp) = pb.pull(1.0);
/// assert_eq!(dp, h * x.sin());
/// assert!((dx - (1.0 + h * p * x.cos())).abs() < 1e-6);
/// ```
#[inline(always)]
pub fn fuse_const<E, C: FuseConst<E>, L: FuseLeaf<Elem = E> + ?Sized>(c: C, _like: &L) -> E {
    c.fuse_const()
}

// ---- inputs: scalars or tensors -------------------------------------------------------------------

/// One input of a chain as the evaluation sees it.
#[derive(Clone, Debug)]
pub enum LeafValue<'a, E: Element> {
    /// A scalar (the same value for every element).
    Scalar(E),
    /// A tensor (broadcast with the others).
    Tensor(&'a Tensor<E>),
}

/// One input's gradient before conversion to its type.
#[derive(Clone, Debug)]
pub enum LeafGrad<E: Element> {
    /// For a scalar input.
    Scalar(E),
    /// For a tensor input.
    Tensor(Tensor<E>),
}

/// Marker: every input so far is a scalar (the result is a scalar).
#[derive(Debug)]
pub struct ScalarKind;
/// Marker: some input is a tensor (the result is a tensor).
#[derive(Debug)]
pub struct TensorKind;

/// The kind of a chain's result given the kinds of two of its inputs.
pub trait Join<B> {
    /// `TensorKind` unless both are `ScalarKind`.
    type Out;
}
impl Join<ScalarKind> for ScalarKind {
    type Out = ScalarKind;
}
impl Join<TensorKind> for ScalarKind {
    type Out = TensorKind;
}
impl<B> Join<B> for TensorKind {
    type Out = TensorKind;
}

/// An input of [`fused_map_n`](super::chain_eval::fused_map_n): `f32`, `f64` or a tensor, by value or by reference.
pub trait FuseLeaf {
    /// The element type.
    type Elem: Element;
    /// [`ScalarKind`] or [`TensorKind`].
    type Kind;
    /// The gradient type.
    type Tan: FromLeafGrad<Self::Elem>;
    /// The value as the evaluation sees it.
    fn leaf(&self) -> LeafValue<'_, Self::Elem>;
}

/// Converts a [`LeafGrad`] to the gradient type of the input it belongs to.
pub trait FromLeafGrad<E: Element> {
    /// The conversion (a tensor gradient of a scalar input is summed; never produced).
    fn from_leaf_grad(g: LeafGrad<E>) -> Self;
}

macro_rules! scalar_leaf {
    ($($e:ty),*) => {$(
        impl FuseLeaf for $e {
            type Elem = $e;
            type Kind = ScalarKind;
            type Tan = $e;
            #[inline(always)]
            fn leaf(&self) -> LeafValue<'_, $e> {
                LeafValue::Scalar(*self)
            }
        }
        impl FromLeafGrad<$e> for $e {
            #[inline(always)]
            fn from_leaf_grad(g: LeafGrad<$e>) -> $e {
                match g {
                    LeafGrad::Scalar(v) => v,
                    LeafGrad::Tensor(t) => t.sum().item(),
                }
            }
        }
    )*};
}
scalar_leaf!(f32, f64);

impl<E: Element> FuseLeaf for Tensor<E> {
    type Elem = E;
    type Kind = TensorKind;
    type Tan = Tensor<E>;
    #[inline(always)]
    fn leaf(&self) -> LeafValue<'_, E> {
        LeafValue::Tensor(self)
    }
}

impl<E: Element> FromLeafGrad<E> for Tensor<E> {
    #[inline(always)]
    fn from_leaf_grad(g: LeafGrad<E>) -> Tensor<E> {
        match g {
            LeafGrad::Tensor(t) => t,
            LeafGrad::Scalar(v) => Tensor::scalar(v),
        }
    }
}

impl<X: FuseLeaf + ?Sized> FuseLeaf for &X {
    type Elem = X::Elem;
    type Kind = X::Kind;
    type Tan = X::Tan;
    #[inline(always)]
    fn leaf(&self) -> LeafValue<'_, X::Elem> {
        (**self).leaf()
    }
}
