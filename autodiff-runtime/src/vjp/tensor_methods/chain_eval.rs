//! Evaluation and pullback of [`fused_map_n`] (the chains of several inputs of `chain_n.rs`):
//! scalar results keep `K` partial derivatives, tensor results one derivative tensor per input.

use super::chain_n::{DualN, FromLeafGrad, FuseLeaf, Join, LeafGrad, LeafValue};
use super::chain_n::{ScalarKind, TensorKind};
use crate::tensor::{broadcast_shapes, Element, Shape, Tensor};
use crate::vjp::Pullback;
use std::array::from_fn;
use std::marker::PhantomData;

/// What the forward saved, pulled back to one gradient per input.
pub trait Partials<E: Element, const K: usize> {
    /// The cotangent of the chain's result.
    type Cot;
    /// `g · ∂f/∂xₖ` for every input, reduced to the input's shape.
    fn pull(&self, g: Self::Cot) -> [LeafGrad<E>; K];
}

impl<E: Element, const K: usize> Partials<E, K> for [E; K] {
    type Cot = E;
    #[inline(always)]
    fn pull(&self, g: E) -> [LeafGrad<E>; K] {
        self.map(|d| LeafGrad::Scalar(g * d))
    }
}

/// The saved derivatives of a chain with a tensor result: `∂f/∂xₖ` over the broadcast shape,
/// and each input's own shape (`None` for a scalar input).
#[derive(Clone, Debug)]
pub struct TensorPartials<E: Element, const K: usize> {
    d: [Tensor<E>; K],
    shapes: [Option<Shape>; K],
}

impl<E: Element, const K: usize> Partials<E, K> for TensorPartials<E, K> {
    type Cot = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> [LeafGrad<E>; K] {
        from_fn(|k| {
            let gk = g.zip_map(&self.d[k], |g, d| g * d);
            match &self.shapes[k] {
                None => LeafGrad::Scalar(gk.sum().item()),
                Some(s) => LeafGrad::Tensor(gk.sum_to(s)),
            }
        })
    }
}

/// How a chain whose result is of this kind ([`ScalarKind`], [`TensorKind`]) is evaluated.
pub trait ResultKind<E: Element, const K: usize> {
    /// The result type.
    type Out;
    /// What the forward saves.
    type Saved: Partials<E, K, Cot = Self::Out>;
    /// The value and the partial derivatives, in one pass.
    fn eval(
        leaves: [LeafValue<'_, E>; K],
        f: impl Fn([DualN<E, K>; K]) -> DualN<E, K>,
    ) -> (Self::Out, Self::Saved);
}

impl<E: Element, const K: usize> ResultKind<E, K> for ScalarKind {
    type Out = E;
    type Saved = [E; K];
    #[inline(always)]
    fn eval(
        leaves: [LeafValue<'_, E>; K],
        f: impl Fn([DualN<E, K>; K]) -> DualN<E, K>,
    ) -> (E, [E; K]) {
        let r = f(from_fn(|k| {
            let v = match &leaves[k] {
                LeafValue::Scalar(v) => *v,
                LeafValue::Tensor(t) => t.item(),
            };
            DualN::input(v, k)
        }));
        (r.v, r.d)
    }
}

impl<E: Element, const K: usize> ResultKind<E, K> for TensorKind {
    type Out = Tensor<E>;
    type Saved = TensorPartials<E, K>;
    fn eval(
        leaves: [LeafValue<'_, E>; K],
        f: impl Fn([DualN<E, K>; K]) -> DualN<E, K>,
    ) -> (Tensor<E>, TensorPartials<E, K>) {
        let mut shape: Vec<usize> = Vec::new();
        for l in &leaves {
            if let LeafValue::Tensor(t) = l {
                shape = broadcast_shapes(&shape, t.shape())
                    .unwrap_or_else(|e| panic!("element-wise chain: {e}"));
            }
        }
        let full: [Option<Tensor<E>>; K] = from_fn(|k| match &leaves[k] {
            LeafValue::Tensor(t) => Some(t.broadcast_to(&shape)),
            LeafValue::Scalar(_) => None,
        });
        let consts: [E; K] = from_fn(|k| match &leaves[k] {
            LeafValue::Scalar(v) => *v,
            LeafValue::Tensor(_) => E::zero(),
        });
        let slices: [Option<&[E]>; K] = from_fn(|k| full[k].as_ref().map(|t| t.as_slice()));
        let n: usize = shape.iter().product();
        let mut ys = Vec::with_capacity(n);
        let mut ds: [Vec<E>; K] = from_fn(|_| Vec::with_capacity(n));
        for i in 0..n {
            let r = f(from_fn(|k| {
                DualN::input(slices[k].map_or(consts[k], |s| s[i]), k)
            }));
            ys.push(r.v);
            for (dk, &v) in ds.iter_mut().zip(&r.d) {
                dk.push(v);
            }
        }
        let shapes = from_fn(|k| match &leaves[k] {
            LeafValue::Tensor(t) => Some(t.shape_owned()),
            LeafValue::Scalar(_) => None,
        });
        let d = ds.map(|v| Tensor::from_vec(v, &shape));
        (Tensor::from_vec(ys, &shape), TensorPartials { d, shapes })
    }
}

/// The gradients of all inputs, as the tuple of their types.
pub trait FromGrads<E: Element, const K: usize> {
    /// The conversion.
    fn from_grads(g: [LeafGrad<E>; K]) -> Self;
}

/// Pullback of [`fused_map_n`]: the saved partials (`S`) and the gradient types (`T`).
pub struct FusedNPb<E, const K: usize, S, T> {
    saved: S,
    _types: PhantomData<fn() -> (E, T)>,
}

impl<E: Element, const K: usize, S: Partials<E, K>, T: FromGrads<E, K>> Pullback
    for FusedNPb<E, K, S, T>
{
    type Cot = S::Cot;
    type Grads = T;
    #[inline(always)]
    fn pull(&self, g: S::Cot) -> T {
        T::from_grads(self.saved.pull(g))
    }
}

/// A tuple of 2 to 4 inputs of [`fused_map_n`] (each a scalar or a tensor, see
/// [`FuseLeaf`]).
pub trait FuseArgs<const K: usize> {
    /// The element type.
    type Elem: Element;
    /// The kind of the result.
    type Kind: ResultKind<Self::Elem, K>;
    /// The gradient types, as a tuple.
    type Tans: FromGrads<Self::Elem, K>;
    /// The inputs as the evaluation sees them.
    fn leaves(&self) -> [LeafValue<'_, Self::Elem>; K];
}

macro_rules! tuple_impls {
    ($k:literal, $kind:ty, ($($t:ident . $i:tt),*), where $($bound:tt)*) => {
        impl<A: FuseLeaf, $($t: FuseLeaf<Elem = A::Elem>),*> FuseArgs<$k> for (A, $($t,)*)
        where
            $($bound)*
        {
            type Elem = A::Elem;
            type Kind = $kind;
            type Tans = (A::Tan, $($t::Tan,)*);
            #[inline(always)]
            fn leaves(&self) -> [LeafValue<'_, A::Elem>; $k] {
                [self.0.leaf(), $(self.$i.leaf()),*]
            }
        }
    };
}

type J2<A, B> = <<A as FuseLeaf>::Kind as Join<<B as FuseLeaf>::Kind>>::Out;
type J3<A, B, C> = <J2<A, B> as Join<<C as FuseLeaf>::Kind>>::Out;
type J4<A, B, C, D> = <J3<A, B, C> as Join<<D as FuseLeaf>::Kind>>::Out;

macro_rules! from_grads {
    ($k:literal: $($t:ident),*) => {
        impl<E: Element, $($t: FromLeafGrad<E>),*> FromGrads<E, $k> for ($($t,)*) {
            #[inline(always)]
            #[allow(non_snake_case)]
            fn from_grads(g: [LeafGrad<E>; $k]) -> Self {
                let [$($t),*] = g;
                ($(<$t as FromLeafGrad<E>>::from_leaf_grad($t),)*)
            }
        }
    };
}
from_grads!(2: A, B);
from_grads!(3: A, B, C);
from_grads!(4: A, B, C, D);

tuple_impls!(2, J2<A, B>, (B.1), where
    A::Kind: Join<B::Kind>, J2<A, B>: ResultKind<A::Elem, 2>,);
tuple_impls!(3, J3<A, B, C>, (B.1, C.2), where
    A::Kind: Join<B::Kind>, J2<A, B>: Join<C::Kind>, J3<A, B, C>: ResultKind<A::Elem, 3>,);
tuple_impls!(4, J4<A, B, C, D>, (B.1, C.2, D.3), where
    A::Kind: Join<B::Kind>, J2<A, B>: Join<C::Kind>, J3<A, B, C>: Join<D::Kind>,
    J4<A, B, C, D>: ResultKind<A::Elem, 4>,);

/// The result of [`fused_map_n`] on the inputs `X`.
pub type FusedOut<X, const K: usize> =
    <<X as FuseArgs<K>>::Kind as ResultKind<<X as FuseArgs<K>>::Elem, K>>::Out;
/// The pullback of [`fused_map_n`] on the inputs `X`.
pub type FusedPbOf<X, const K: usize> = FusedNPb<
    <X as FuseArgs<K>>::Elem,
    K,
    <<X as FuseArgs<K>>::Kind as ResultKind<<X as FuseArgs<K>>::Elem, K>>::Saved,
    <X as FuseArgs<K>>::Tans,
>;

/// An element-wise chain `f` of 2 to 4 inputs (a tuple of scalars and/or tensors, tensors
/// broadcast together), evaluated in one pass with the derivatives for all inputs (see the
/// documentation of [`DualN`]).
#[inline(always)]
pub fn fused_map_n<X: FuseArgs<K>, const K: usize>(
    x: X,
    f: impl Fn([DualN<X::Elem, K>; K]) -> DualN<X::Elem, K>,
) -> (FusedOut<X, K>, FusedPbOf<X, K>) {
    let (y, saved) = <X::Kind as ResultKind<X::Elem, K>>::eval(x.leaves(), f);
    (
        y,
        FusedNPb {
            saved,
            _types: PhantomData,
        },
    )
}
