//! Scalar operator rules: operator markers ([`AddOp`], ...) and, per operator, the pullbacks of
//! `f32`/`f64`/`T: Float` operands, storing only what each derivative needs.

use super::tensor::BinOp;
use crate::vjp::scalar::{ScalarBinaryPb, ScalarUnaryPb};
use crate::vjp::Pullback;
use core::marker::PhantomData;
use core::ops::{Add, Div, Mul, Sub};
use num_traits::Float;

use super::neg::NegPb;

/// Marker for `+` (selects the operator at compile time, so each scalar pullback stores only
/// what its own derivative needs: nothing for `+` and `-`, one or two scalars for `*` and `/`).
#[derive(Clone, Copy, Debug)]
pub struct AddOp;
/// Marker for `-`.
#[derive(Clone, Copy, Debug)]
pub struct SubOp;
/// Marker for `*`.
#[derive(Clone, Copy, Debug)]
pub struct MulOp;
/// Marker for `/`.
#[derive(Clone, Copy, Debug)]
pub struct DivOp;

/// An operator marker: its run-time tag (used by tensor pullbacks) and its scalar rules.
pub trait OpMarker {
    /// The operator.
    const OP: BinOp;
    /// `a op b`. A method per marker rather than a `match` on [`OpMarker::OP`], so that a
    /// caller instantiates only its own operator's implementation (a tensor operator is
    /// several thousand lines of LLVM IR; a `match` would compile all four for every
    /// operand pair).
    ///
    /// ```
    /// use autodiff_runtime::vjp::{DivOp, OpMarker};
    ///
    /// assert_eq!(DivOp::apply(3.0, 2.0), 1.5);
    /// ```
    fn apply<A, B, O>(a: A, b: B) -> O
    where
        A: Add<B, Output = O> + Sub<B, Output = O> + Mul<B, Output = O> + Div<B, Output = O>;
}

macro_rules! op_marker {
    ($($marker:ident => $tag:ident, $tr:ident, $method:ident;)*) => {$(
        impl OpMarker for $marker {
            const OP: BinOp = BinOp::$tag;
            #[inline(always)]
            #[track_caller]
            fn apply<A, B, O>(a: A, b: B) -> O
            where
                A: Add<B, Output = O> + Sub<B, Output = O> + Mul<B, Output = O> + Div<B, Output = O>,
            {
                $tr::$method(a, b)
            }
        }
    )*};
}

op_marker! {
    AddOp => Add, Add, add;
    SubOp => Sub, Sub, sub;
    MulOp => Mul, Mul, mul;
    DivOp => Div, Div, div;
}

/// Scalar pullback `g -> g` (zero-sized).
#[derive(Clone, Copy, Debug, Default)]
pub struct Pass<T>(PhantomData<fn(T) -> T>);
/// Scalar pullback `g -> (g, g)` (zero-sized).
#[derive(Clone, Copy, Debug, Default)]
pub struct PassPair<T>(PhantomData<fn(T) -> T>);
/// Scalar pullback `g -> (g, -g)` (zero-sized).
#[derive(Clone, Copy, Debug, Default)]
pub struct PassNegPair<T>(PhantomData<fn(T) -> T>);

impl<T: Float> Pullback for Pass<T> {
    type Cot = T;
    type Grads = T;
    #[inline(always)]
    fn pull(&self, g: T) -> T {
        g
    }
}
impl<T: Float> Pullback for PassPair<T> {
    type Cot = T;
    type Grads = (T, T);
    #[inline(always)]
    fn pull(&self, g: T) -> (T, T) {
        (g, g)
    }
}
impl<T: Float> Pullback for PassNegPair<T> {
    type Cot = T;
    type Grads = (T, T);
    #[inline(always)]
    fn pull(&self, g: T) -> (T, T) {
        (g, -g)
    }
}

/// The scalar rules of one operator: result and pullback for each activity pattern.
pub trait ScalarRule<T: Float>: OpMarker {
    /// Pullback, left operand differentiated.
    type L: Pullback<Cot = T, Grads = T>;
    /// Pullback, right operand differentiated.
    type R: Pullback<Cot = T, Grads = T>;
    /// Pullback, both differentiated.
    type LR: Pullback<Cot = T, Grads = (T, T)>;
    /// `a op b` with the left pullback.
    fn l(a: T, b: T) -> (T, Self::L);
    /// `a op b` with the right pullback.
    fn r(a: T, b: T) -> (T, Self::R);
    /// `a op b` with both.
    fn lr(a: T, b: T) -> (T, Self::LR);
}

impl<T: Float> ScalarRule<T> for AddOp {
    type L = Pass<T>;
    type R = Pass<T>;
    type LR = PassPair<T>;
    #[inline(always)]
    fn l(a: T, b: T) -> (T, Pass<T>) {
        (a + b, Pass(PhantomData))
    }
    #[inline(always)]
    fn r(a: T, b: T) -> (T, Pass<T>) {
        (a + b, Pass(PhantomData))
    }
    #[inline(always)]
    fn lr(a: T, b: T) -> (T, PassPair<T>) {
        (a + b, PassPair(PhantomData))
    }
}

impl<T: Float> ScalarRule<T> for SubOp {
    type L = Pass<T>;
    type R = NegPb<T>;
    type LR = PassNegPair<T>;
    #[inline(always)]
    fn l(a: T, b: T) -> (T, Pass<T>) {
        (a - b, Pass(PhantomData))
    }
    #[inline(always)]
    fn r(a: T, b: T) -> (T, NegPb<T>) {
        (a - b, NegPb::new())
    }
    #[inline(always)]
    fn lr(a: T, b: T) -> (T, PassNegPair<T>) {
        (a - b, PassNegPair(PhantomData))
    }
}

impl<T: Float> ScalarRule<T> for MulOp {
    type L = ScalarUnaryPb<T>;
    type R = ScalarUnaryPb<T>;
    type LR = ScalarBinaryPb<T>;
    #[inline(always)]
    fn l(a: T, b: T) -> (T, ScalarUnaryPb<T>) {
        (a * b, ScalarUnaryPb::new(b))
    }
    #[inline(always)]
    fn r(a: T, b: T) -> (T, ScalarUnaryPb<T>) {
        (a * b, ScalarUnaryPb::new(a))
    }
    #[inline(always)]
    fn lr(a: T, b: T) -> (T, ScalarBinaryPb<T>) {
        (a * b, ScalarBinaryPb::new(b, a))
    }
}

impl<T: Float> ScalarRule<T> for DivOp {
    type L = ScalarUnaryPb<T>;
    type R = ScalarUnaryPb<T>;
    type LR = ScalarBinaryPb<T>;
    #[inline(always)]
    fn l(a: T, b: T) -> (T, ScalarUnaryPb<T>) {
        (a / b, ScalarUnaryPb::new(b.recip()))
    }
    #[inline(always)]
    fn r(a: T, b: T) -> (T, ScalarUnaryPb<T>) {
        let y = a / b;
        (y, ScalarUnaryPb::new(-y / b))
    }
    #[inline(always)]
    fn lr(a: T, b: T) -> (T, ScalarBinaryPb<T>) {
        let y = a / b;
        (y, ScalarBinaryPb::new(b.recip(), -y / b))
    }
}
