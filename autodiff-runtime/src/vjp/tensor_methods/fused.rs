//! Fused forms for a value used twice in one operation, for the macro to emit when it sees
//! them (and for hand-written custom derivatives):
//!
//! | expression | fused form | pullback |
//! |---|---|---|
//! | `&x * &x`, `x * x` (tensor or scalar) | `x.square_vjp()` ([`SquareVjp`]) | `2·g·x` in one pass, in `g`'s buffer |
//! | `x.dot(&x)` | `x.dot_self_vjp()` ([`DotSelfVjp`]) | `2·g·x`, one buffer |
//!
//! Without them, `mul_lr(&x, &x)` computes two gradient tensors and the accumulation adds them.
//! The unfused path is cheaper than that too: the `_lr` pullbacks notice when both operands are
//! one buffer and return one tensor twice, and [`add_tangent`] doubles it in place. Both give
//! results bit-identical to the unfused rules (`g·x + g·x`).

use super::zip_into;
use crate::tensor::{Element, Tensor};
use crate::vjp::scalar::ScalarUnaryPb;
use crate::vjp::Pullback;
use num_traits::Float;

/// `acc += g`, doubling in place when `g` is the very buffer of `acc` (a gradient returned
/// twice by a fused pullback), so that case neither allocates nor reads two buffers.
pub(crate) fn add_tangent<E: Element>(acc: &mut Tensor<E>, g: Tensor<E>) {
    if acc.shares_storage_with(&g) {
        drop(g);
        // Unique now unless someone else holds the buffer too; then this copies (CoW).
        for v in acc.as_mut_slice() {
            *v = *v + *v;
        }
    } else {
        *acc += g;
    }
}

/// Pullback of [`SquareVjp::square_vjp`] on a tensor: `g -> 2·g·x`.
#[derive(Clone, Debug)]
pub struct SquarePb<E: Element> {
    x: Tensor<E>,
}

impl<E: Element> Pullback for SquarePb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().square)(self, g)
    }
}

impl<E: Element> SquarePb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: Tensor<E>) -> Tensor<E> {
        // g·x + g·x, rounded exactly as the sum of the two unfused gradients.
        zip_into(g, &self.x, |g, x| {
            let t = g * x;
            t + t
        })
    }
}

/// `x * x` in VJP form with one fused pullback (see the module documentation).
///
/// ```
/// use autodiff_runtime::vjp::{Pullback, SquareVjp};
/// use autodiff_runtime::Tensor;
///
/// let x = Tensor::from_vec(vec![1.0f32, -2.0, 3.0], &[3]);
/// let (y, pb) = (&x).square_vjp();
/// assert_eq!(y.to_vec(), vec![1.0, 4.0, 9.0]);
/// assert_eq!(pb.pull(Tensor::ones(&[3])).to_vec(), vec![2.0, -4.0, 6.0]);
/// let (y, pb) = 3.0f64.square_vjp();
/// assert_eq!((y, pb.pull(1.0)), (9.0, 6.0));
/// ```
pub trait SquareVjp: Sized {
    /// The result type.
    type Out;
    /// The pullback.
    type Pb: Pullback;
    /// `self * self` and the pullback `g -> 2·g·self`.
    fn square_vjp(self) -> (Self::Out, Self::Pb);
}

impl<E: Element> SquareVjp for &Tensor<E> {
    type Out = Tensor<E>;
    type Pb = SquarePb<E>;
    #[track_caller]
    fn square_vjp(self) -> (Tensor<E>, SquarePb<E>) {
        (self * self, SquarePb { x: self.clone() })
    }
}

impl<E: Element> SquareVjp for Tensor<E> {
    type Out = Tensor<E>;
    type Pb = SquarePb<E>;
    #[track_caller]
    fn square_vjp(self) -> (Tensor<E>, SquarePb<E>) {
        (&self).square_vjp()
    }
}

impl<T: Float> SquareVjp for T {
    type Out = T;
    type Pb = ScalarUnaryPb<T>;
    #[inline(always)]
    #[track_caller]
    fn square_vjp(self) -> (T, ScalarUnaryPb<T>) {
        (self * self, ScalarUnaryPb::new(self + self))
    }
}

/// Pullback of [`DotSelfVjp::dot_self_vjp`]: `g -> 2·g·x` (one new buffer).
#[derive(Clone, Debug)]
pub struct DotSelfPb<E: Element> {
    x: Tensor<E>,
}

impl<E: Element> Pullback for DotSelfPb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().dot_self)(self, g)
    }
}

impl<E: Element> DotSelfPb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: Tensor<E>) -> Tensor<E> {
        let s = g.item();
        self.x.map(move |v| {
            let t = v * s;
            t + t
        })
    }
}

/// `x.dot(x)` in VJP form with one fused pullback (see the module documentation).
///
/// ```
/// use autodiff_runtime::vjp::{DotSelfVjp, Pullback};
/// use autodiff_runtime::Tensor;
///
/// let x = Tensor::from_vec(vec![0.0f32, 1.0, 2.0, 3.0], &[4]);
/// let (y, pb) = x.dot_self_vjp();
/// assert_eq!(y.item(), 14.0);
/// assert_eq!(pb.pull(Tensor::scalar(2.0)).to_vec(), vec![0.0, 4.0, 8.0, 12.0]);
/// ```
pub trait DotSelfVjp {
    /// The element type.
    type Elem: Element;
    /// `self.dot(self)` and the pullback `g -> 2·g·self`.
    fn dot_self_vjp(&self) -> (Tensor<Self::Elem>, DotSelfPb<Self::Elem>);
}

impl<E: Element> DotSelfVjp for Tensor<E> {
    type Elem = E;
    #[track_caller]
    fn dot_self_vjp(&self) -> (Tensor<E>, DotSelfPb<E>) {
        (self.dot(self), DotSelfPb { x: self.clone() })
    }
}
