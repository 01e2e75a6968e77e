//! Dispatch: the [`BinaryVjp`] trait implemented for every operand pair the operators accept,
//! and the free functions the macro calls (`add_l`, `mul_lr`, ...).

use super::operand::TensorOperand;
use super::scalar::{AddOp, DivOp, MulOp, OpMarker, ScalarRule, SubOp};
use super::tensor::{
    tensor_l, tensor_lr, tensor_r, tensor_scalar, BinOp, TensorBinL, TensorBinLR, TensorBinR,
    TensorScalarPb,
};
use crate::tensor::{Element, Tensor};
use crate::vjp::Pullback;
use core::borrow::Borrow;
use num_traits::Float;

/// Binary operators in VJP form, for operator `O` ([`AddOp`], [`SubOp`], [`MulOp`], [`DivOp`]).
/// Implemented for every operand pair the operators accept.
///
/// The macro calls the free functions [`add_l`], [`mul_lr`], ... which dispatch here.
pub trait BinaryVjp<Rhs, O>: Sized {
    /// The operation's result type.
    type Out;
    /// Pullback when only the left operand is differentiated.
    type L: Pullback;
    /// Pullback when only the right operand is differentiated.
    type R: Pullback;
    /// Pullback when both operands are differentiated.
    type LR: Pullback;
    /// `self op rhs` with a left-operand pullback.
    fn bin_l(self, rhs: Rhs) -> (Self::Out, Self::L);
    /// `self op rhs` with a right-operand pullback.
    fn bin_r(self, rhs: Rhs) -> (Self::Out, Self::R);
    /// `self op rhs` with a pullback for both operands.
    fn bin_lr(self, rhs: Rhs) -> (Self::Out, Self::LR);
}

impl<T: Float, O: ScalarRule<T>> BinaryVjp<T, O> for T {
    type Out = T;
    type L = O::L;
    type R = O::R;
    type LR = O::LR;
    #[inline(always)]
    #[track_caller]
    fn bin_l(self, b: T) -> (T, O::L) {
        O::l(self, b)
    }
    #[inline(always)]
    #[track_caller]
    fn bin_r(self, b: T) -> (T, O::R) {
        O::r(self, b)
    }
    #[inline(always)]
    #[track_caller]
    fn bin_lr(self, b: T) -> (T, O::LR) {
        O::lr(self, b)
    }
}

/// Scalar operands behind references (`x * w` with `w: &f64` from `ws.iter()`), in either
/// position: the same rules on the values.
macro_rules! scalar_ref_binary_vjp {
    ($(impl[$($g:tt)*] $lhs:ty, $rhs:ty;)*) => {$(
        impl<$($g)* T: Float, O: ScalarRule<T>> BinaryVjp<$rhs, O> for $lhs {
            type Out = T;
            type L = O::L;
            type R = O::R;
            type LR = O::LR;
            #[inline(always)]
            #[track_caller]
            fn bin_l(self, b: $rhs) -> (T, O::L) {
                O::l(*self.borrow(), *b.borrow())
            }
            #[inline(always)]
            #[track_caller]
            fn bin_r(self, b: $rhs) -> (T, O::R) {
                O::r(*self.borrow(), *b.borrow())
            }
            #[inline(always)]
            #[track_caller]
            fn bin_lr(self, b: $rhs) -> (T, O::LR) {
                O::lr(*self.borrow(), *b.borrow())
            }
        }
    )*};
}

scalar_ref_binary_vjp! {
    impl['b,] T, &'b T;
    impl['a,] &'a T, T;
}

macro_rules! tensor_binary_vjp {
    ($(impl[$($g:tt)*] $lhs:ty, $rhs:ty, $e:ty;)*) => {$(
        impl<$($g)* Op: OpMarker> BinaryVjp<$rhs, Op> for $lhs {
            type Out = Tensor<$e>;
            type L = TensorBinL<$e, <$lhs as TensorOperand<$e>>::Grad>;
            type R = TensorBinR<$e, <$rhs as TensorOperand<$e>>::Grad>;
            type LR = TensorBinLR<
                $e,
                <$lhs as TensorOperand<$e>>::Grad,
                <$rhs as TensorOperand<$e>>::Grad,
            >;
            #[track_caller]
            fn bin_l(self, b: $rhs) -> (Tensor<$e>, Self::L) {
                let (sa, sb) = (self.clone(), b.clone());
                let out = Op::apply(self, b);
                let pb = tensor_l(Op::OP, &sa, &sb, &out);
                (out, pb)
            }
            #[track_caller]
            fn bin_r(self, b: $rhs) -> (Tensor<$e>, Self::R) {
                let (sa, sb) = (self.clone(), b.clone());
                let out = Op::apply(self, b);
                let pb = tensor_r(Op::OP, &sa, &sb, &out);
                (out, pb)
            }
            #[track_caller]
            fn bin_lr(self, b: $rhs) -> (Tensor<$e>, Self::LR) {
                let (sa, sb) = (self.clone(), b.clone());
                let out = Op::apply(self, b);
                let pb = tensor_lr(Op::OP, &sa, &sb, &out);
                (out, pb)
            }
        }
    )*};
}

tensor_binary_vjp! {
    impl[E: Element,] Tensor<E>, Tensor<E>, E;
    impl['b, E: Element,] Tensor<E>, &'b Tensor<E>, E;
    impl['a, E: Element,] &'a Tensor<E>, Tensor<E>, E;
    impl['a, 'b, E: Element,] &'a Tensor<E>, &'b Tensor<E>, E;
}

/// A tensor and a scalar: the tensor's pullback is a [`TensorScalarPb`] (it keeps the scalar
/// only); the scalar's, the general one (it sums the cotangent).
macro_rules! tensor_scalar_vjp {
    (tensor_left: $(impl[$($g:tt)*] $lhs:ty, $e:ty;)*) => {$(
        impl<$($g)* Op: OpMarker> BinaryVjp<$e, Op> for $lhs {
            type Out = Tensor<$e>;
            type L = TensorScalarPb<$e>;
            type R = TensorBinR<$e, $e>;
            type LR = TensorBinLR<$e, Tensor<$e>, $e>;
            #[track_caller]
            fn bin_l(self, c: $e) -> (Tensor<$e>, Self::L) {
                let out = Op::apply(self, c);
                (out, tensor_scalar(Op::OP, c, || unreachable!(), false))
            }
            #[track_caller]
            fn bin_r(self, c: $e) -> (Tensor<$e>, Self::R) {
                let sa = self.clone();
                let out = Op::apply(self, c);
                let pb = tensor_r(Op::OP, &sa, &c, &out);
                (out, pb)
            }
            #[track_caller]
            fn bin_lr(self, c: $e) -> (Tensor<$e>, Self::LR) {
                let sa = self.clone();
                let out = Op::apply(self, c);
                let pb = tensor_lr(Op::OP, &sa, &c, &out);
                (out, pb)
            }
        }
    )*};
    (tensor_right: $(impl[$($g:tt)*] $e:ty, $rhs:ty;)*) => {$(
        impl<$($g)* Op: OpMarker> BinaryVjp<$rhs, Op> for $e {
            type Out = Tensor<$e>;
            type L = TensorBinL<$e, $e>;
            type R = TensorScalarPb<$e>;
            type LR = TensorBinLR<$e, $e, Tensor<$e>>;
            #[track_caller]
            fn bin_l(self, t: $rhs) -> (Tensor<$e>, Self::L) {
                let st = t.clone();
                let out = Op::apply(self, t);
                let pb = tensor_l(Op::OP, &self, &st, &out);
                (out, pb)
            }
            #[track_caller]
            fn bin_r(self, t: $rhs) -> (Tensor<$e>, Self::R) {
                let keep = (Op::OP == BinOp::Div).then(|| t.clone());
                let out = Op::apply(self, t);
                let pb = tensor_scalar(Op::OP, self, || keep.expect("kept for `c / t`"), true);
                (out, pb)
            }
            #[track_caller]
            fn bin_lr(self, t: $rhs) -> (Tensor<$e>, Self::LR) {
                let st = t.clone();
                let out = Op::apply(self, t);
                let pb = tensor_lr(Op::OP, &self, &st, &out);
                (out, pb)
            }
        }
    )*};
}

tensor_scalar_vjp! { tensor_left:
    impl[E: Element,] Tensor<E>, E;
    impl['a, E: Element,] &'a Tensor<E>, E;
}

tensor_scalar_vjp! { tensor_right:
    impl[] f32, Tensor<f32>;
    impl['a,] f32, &'a Tensor<f32>;
    impl[] f64, Tensor<f64>;
    impl['a,] f64, &'a Tensor<f64>;
}

macro_rules! binary_entry_points {
    ($($op:ident, $sym:literal => $l:ident, $r:ident, $lr:ident;)*) => {$(
        #[doc = concat!("`a ", $sym, " b` differentiated in `a` only.")]
        #[inline(always)]
        #[track_caller]
        pub fn $l<A: BinaryVjp<B, $op>, B>(a: A, b: B) -> (A::Out, A::L) {
            a.bin_l(b)
        }
        #[doc = concat!("`a ", $sym, " b` differentiated in `b` only.")]
        #[inline(always)]
        #[track_caller]
        pub fn $r<A: BinaryVjp<B, $op>, B>(a: A, b: B) -> (A::Out, A::R) {
            a.bin_r(b)
        }
        #[doc = concat!("`a ", $sym, " b` differentiated in both operands.")]
        #[inline(always)]
        #[track_caller]
        pub fn $lr<A: BinaryVjp<B, $op>, B>(a: A, b: B) -> (A::Out, A::LR) {
            a.bin_lr(b)
        }
    )*};
}

binary_entry_points! {
    AddOp, "+" => add_l, add_r, add_lr;
    SubOp, "-" => sub_l, sub_r, sub_lr;
    MulOp, "*" => mul_l, mul_r, mul_lr;
    DivOp, "/" => div_l, div_r, div_lr;
}
