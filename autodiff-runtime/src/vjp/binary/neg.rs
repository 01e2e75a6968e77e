//! Unary minus in VJP form; [`NegPb`] is also the pullback of the right operand of scalar `-`.

use crate::tensor::{Element, Tensor};
use crate::vjp::Pullback;
use core::marker::PhantomData;
use core::ops::Neg;
use num_traits::Float;

/// Unary minus in VJP form.
pub trait NegVjp: Sized {
    /// Result type of `-self`.
    type Out;
    /// Its pullback.
    type Pb: Pullback;
    /// `-self` with its pullback.
    fn neg_vjp(self) -> (Self::Out, Self::Pb);
}

/// Pullback of unary minus, `g -> -g` (zero-sized), for scalars and tensors; also the pullback
/// of `a - b` with respect to a scalar `b`.
#[derive(Clone, Copy, Debug, Default)]
pub struct NegPb<G>(PhantomData<fn(G) -> G>);

impl<G> NegPb<G> {
    /// The pullback (it holds nothing).
    #[inline(always)]
    pub fn new() -> Self {
        NegPb(PhantomData)
    }
}

impl<T: Float> Pullback for NegPb<T> {
    type Cot = T;
    type Grads = T;
    #[inline(always)]
    fn pull(&self, g: T) -> T {
        -g
    }
}

impl<E: Element> Pullback for NegPb<Tensor<E>> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().neg)(g)
    }
}

impl<T: Float> NegVjp for T {
    type Out = T;
    type Pb = NegPb<T>;
    #[inline(always)]
    #[track_caller]
    fn neg_vjp(self) -> (T, NegPb<T>) {
        (-self, NegPb(PhantomData))
    }
}

impl<E: Element> NegVjp for Tensor<E> {
    type Out = Tensor<E>;
    type Pb = NegPb<Tensor<E>>;
    #[track_caller]
    fn neg_vjp(self) -> (Tensor<E>, NegPb<Tensor<E>>) {
        (self.neg(), NegPb(PhantomData))
    }
}

impl<E: Element> NegVjp for &Tensor<E> {
    type Out = Tensor<E>;
    type Pb = NegPb<Tensor<E>>;
    #[track_caller]
    fn neg_vjp(self) -> (Tensor<E>, NegPb<Tensor<E>>) {
        (self.neg(), NegPb(PhantomData))
    }
}

/// `-a` in VJP form.
#[inline(always)]
pub fn neg<A: NegVjp>(a: A) -> (A::Out, A::Pb) {
    a.neg_vjp()
}
