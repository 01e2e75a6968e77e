//! Scalar operator rules: operator markers ([`AddOp`], ...) and, per operator, the pullbacks of
//! `f32`/`f64`/`T: Float` operands, storing only what each derivative needs.

use super::tensor::BinOp;
use crate::vjp::scalar::{ScalarBinaryPb, ScalarUnaryPb};
use crate::vjp::Pullback;
use core::marker::PhantomData;
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
}
impl OpMarker for AddOp {
    const OP: BinOp = BinOp::Add;
}
impl OpMarker for SubOp {
    const OP: BinOp = BinOp::Sub;
}
impl OpMarker for MulOp {
    const OP: BinOp = BinOp::Mul;
}
impl OpMarker for DivOp {
    const OP: BinOp = BinOp::Div;
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
