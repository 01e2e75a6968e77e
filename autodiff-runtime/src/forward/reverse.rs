//! Reverse mode at dual numbers (forward over reverse, for `NAME_hvp` of tensor functions): the
//! generated reverse-mode code of a copy of the function whose tensors hold
//! [`Dual`](super::Dual) numbers meets the plain numbers the body was written with (`x * 2.0`,
//! `1.0 - s`, `(k * h)` from plain arguments). Each such operation is the dual one with the
//! plain operand as a constant; the plain operand is never differentiated (it is not derived
//! from a differentiated argument), so its side of the pullback is never used.

use super::Dual;
use crate::vjp::{BinaryVjp, FuseArg, OpMarker, ScalarUnaryPb};
use crate::Tensor;

macro_rules! lifted_binary {
    ($(impl[$($g:tt)*] $lhs:ty, $rhs:ty => $L:ty, $R:ty, |$a:ident, $b:ident| ($la:expr, $lb:expr);)*) => {$(
        impl<$($g)* O: OpMarker> BinaryVjp<$rhs, O> for $lhs
        where
            $L: BinaryVjp<$R, O>,
        {
            type Out = <$L as BinaryVjp<$R, O>>::Out;
            type L = <$L as BinaryVjp<$R, O>>::L;
            type R = <$L as BinaryVjp<$R, O>>::R;
            type LR = <$L as BinaryVjp<$R, O>>::LR;
            #[inline(always)]
            #[track_caller]
            fn bin_l(self, $b: $rhs) -> (Self::Out, Self::L) {
                let $a = self;
                <$L as BinaryVjp<$R, O>>::bin_l($la, $lb)
            }
            #[inline(always)]
            #[track_caller]
            fn bin_r(self, $b: $rhs) -> (Self::Out, Self::R) {
                let $a = self;
                <$L as BinaryVjp<$R, O>>::bin_r($la, $lb)
            }
            #[inline(always)]
            #[track_caller]
            fn bin_lr(self, $b: $rhs) -> (Self::Out, Self::LR) {
                let $a = self;
                <$L as BinaryVjp<$R, O>>::bin_lr($la, $lb)
            }
        }
    )*};
}

macro_rules! lifted_for {
    ($($f:ty),*) => {$(
        lifted_binary! {
            impl[] $f, Dual<$f> => Dual<$f>, Dual<$f>, |a, b| (Dual::constant(a), b);
            impl[] Dual<$f>, $f => Dual<$f>, Dual<$f>, |a, b| (a, Dual::constant(b));
            impl['t,] &'t $f, Dual<$f> => Dual<$f>, Dual<$f>, |a, b| (Dual::constant(*a), b);
            impl['t,] Dual<$f>, &'t $f => Dual<$f>, Dual<$f>, |a, b| (a, Dual::constant(*b));
            impl[] Tensor<Dual<$f>>, $f => Tensor<Dual<$f>>, Dual<$f>,
                |a, b| (a, Dual::constant(b));
            impl['t,] &'t Tensor<Dual<$f>>, $f => &'t Tensor<Dual<$f>>, Dual<$f>,
                |a, b| (a, Dual::constant(b));
            impl[] $f, Tensor<Dual<$f>> => Tensor<Dual<$f>>, Tensor<Dual<$f>>,
                |a, b| (Tensor::scalar(Dual::constant(a)), b);
            impl['t,] $f, &'t Tensor<Dual<$f>> => Tensor<Dual<$f>>, &'t Tensor<Dual<$f>>,
                |a, b| (Tensor::scalar(Dual::constant(a)), b);
        }

        /// A dual scalar in a fused element-wise chain, like a plain one.
        impl FuseArg for Dual<$f> {
            type Elem = Dual<$f>;
            type Out = Dual<$f>;
            type Pb = ScalarUnaryPb<Dual<$f>>;
            #[inline(always)]
            fn fuse_map(
                &self,
                f: impl Fn(crate::vjp::Dual<Dual<$f>>) -> crate::vjp::Dual<Dual<$f>>,
            ) -> (Dual<$f>, ScalarUnaryPb<Dual<$f>>) {
                let r = f(crate::vjp::Dual::input(*self));
                (r.v, ScalarUnaryPb::new(r.d))
            }
        }
    )*};
}

lifted_for!(f32, f64);
