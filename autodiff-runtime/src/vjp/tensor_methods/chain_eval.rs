//! Evaluation and pullback of [`fused_map_n`] (the chains of several inputs of `chain_n.rs`):
//! scalar results keep `K` partial derivatives; tensor results keep their inputs and the chain,
//! and the pullback evaluates it again for the derivatives.

use super::chain_n::{DualN, FromLeafGrad, FuseLeaf, Join, LeafGrad, LeafValue};
use super::chain_n::{ScalarKind, TensorKind};
use crate::tensor::{broadcast_shapes, recycled_vec, Element, Shape, Tensor};
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

/// What a chain with a tensor result keeps: its inputs (broadcast to the result's shape, shared
/// when they already have it), the scalar inputs, each input's own shape (`None` for a scalar)
/// and the chain itself, which the pullback evaluates again to get the derivatives. Saving the
/// inputs costs nothing (they are shared), where saving `K` derivative tensors would cost `K`
/// writes of the result's size.
pub struct TensorRecompute<E: Element, const K: usize, F> {
    inputs: [Option<Tensor<E>>; K],
    consts: [E; K],
    shapes: [Option<Shape>; K],
    shape: Vec<usize>,
    f: F,
}

/// Elements per block of the tensor loops (the inputs of a block stay in L1 while the pullback
/// evaluates the chain once per input).
const NB: usize = 512;

/// One block of every input: a slice of the block's elements, or the scalar.
#[derive(Clone, Copy)]
enum BlockInput<'a, E> {
    Slice(&'a [E]),
    Scalar(E),
}

/// The blocks `start..start + m` of `0..n`, with each input's part of the block.
#[inline(always)]
fn blocks<'a, E: Element, const K: usize>(
    n: usize,
    slices: &'a [Option<&'a [E]>; K],
    consts: &'a [E; K],
) -> impl Iterator<Item = (usize, usize, [BlockInput<'a, E>; K])> + 'a {
    (0..n).step_by(NB).map(move |start| {
        let m = NB.min(n - start);
        let ins = from_fn(|k| match slices[k] {
            Some(s) => BlockInput::Slice(&s[start..start + m]),
            None => BlockInput::Scalar(consts[k]),
        });
        (start, m, ins)
    })
}

/// The `K` dual inputs at position `j` of a block (input `k` seeded in direction `k`).
#[inline(always)]
fn duals_at<E: Element, const K: usize>(
    ins: &[BlockInput<'_, E>; K],
    j: usize,
) -> [DualN<E, K>; K] {
    from_fn(|k| {
        let v = match ins[k] {
            BlockInput::Slice(s) => s[j],
            BlockInput::Scalar(c) => c,
        };
        DualN::input(v, k)
    })
}

impl<E: Element, const K: usize, F> Partials<E, K> for TensorRecompute<E, K, F>
where
    F: Fn([DualN<E, K>; K]) -> DualN<E, K>,
{
    type Cot = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> [LeafGrad<E>; K] {
        if g.shape() != self.shape.as_slice() {
            panic!(
                "element-wise chain: cotangent has shape {:?}, expected {:?}",
                g.shape(),
                self.shape
            );
        }
        let slices: [Option<&[E]>; K] = from_fn(|k| self.inputs[k].as_ref().map(|t| t.as_slice()));
        let gs = g.as_slice();
        let n = gs.len();
        let mut out: [Vec<E>; K] = from_fn(|_| recycled_vec(n));
        for (start, m, ins) in blocks(n, &slices, &self.consts) {
            let gb = &gs[start..start + m];
            // one pass over the block per input (the chain evaluated again each time), each
            // gradient written straight to its output
            for (k, o) in out.iter_mut().enumerate() {
                o.extend(
                    gb.iter()
                        .enumerate()
                        .map(|(j, &g)| g * (self.f)(duals_at(&ins, j)).d[k]),
                );
            }
        }
        let grads = out.map(|v| Tensor::from_vec(v, &self.shape));
        let mut grads = grads.into_iter();
        from_fn(|k| {
            let gk = grads.next().expect("one gradient per input");
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
    /// What the forward saves for the chain `F`.
    type Saved<F: Fn([DualN<E, K>; K]) -> DualN<E, K>>: Partials<E, K, Cot = Self::Out>;
    /// The value, and what the pullback needs.
    fn eval<F: Fn([DualN<E, K>; K]) -> DualN<E, K>>(
        leaves: [LeafValue<'_, E>; K],
        f: F,
    ) -> (Self::Out, Self::Saved<F>);
}

impl<E: Element, const K: usize> ResultKind<E, K> for ScalarKind {
    type Out = E;
    type Saved<F: Fn([DualN<E, K>; K]) -> DualN<E, K>> = [E; K];
    #[inline(always)]
    fn eval<F: Fn([DualN<E, K>; K]) -> DualN<E, K>>(
        leaves: [LeafValue<'_, E>; K],
        f: F,
    ) -> (E, [E; K]) {
        let r = f(scalar_inputs(&leaves));
        (r.v, r.d)
    }
}

/// The dual inputs of a chain of scalars (input `k` seeded in direction `k`); apart from
/// [`ScalarKind::eval`], which is instantiated for every chain, so that this is not.
#[inline(always)]
fn scalar_inputs<E: Element, const K: usize>(leaves: &[LeafValue<'_, E>; K]) -> [DualN<E, K>; K] {
    let zero = DualN {
        v: E::zero(),
        d: [E::zero(); K],
    };
    let mut out = [zero; K];
    for (k, (o, leaf)) in out.iter_mut().zip(leaves).enumerate() {
        let v = match leaf {
            LeafValue::Scalar(v) => *v,
            LeafValue::Tensor(t) => t.item(),
        };
        *o = DualN::input(v, k);
    }
    out
}

impl<E: Element, const K: usize> ResultKind<E, K> for TensorKind {
    type Out = Tensor<E>;
    type Saved<F: Fn([DualN<E, K>; K]) -> DualN<E, K>> = TensorRecompute<E, K, F>;
    fn eval<F: Fn([DualN<E, K>; K]) -> DualN<E, K>>(
        leaves: [LeafValue<'_, E>; K],
        f: F,
    ) -> (Tensor<E>, TensorRecompute<E, K, F>) {
        let mut shape: Vec<usize> = Vec::new();
        for l in &leaves {
            if let LeafValue::Tensor(t) = l {
                shape = broadcast_shapes(&shape, t.shape())
                    .unwrap_or_else(|e| panic!("element-wise chain: {e}"));
            }
        }
        let inputs: [Option<Tensor<E>>; K] = from_fn(|k| match &leaves[k] {
            LeafValue::Tensor(t) => Some(t.broadcast_to(&shape)),
            LeafValue::Scalar(_) => None,
        });
        let consts: [E; K] = from_fn(|k| match &leaves[k] {
            LeafValue::Scalar(v) => *v,
            LeafValue::Tensor(_) => E::zero(),
        });
        let shapes = from_fn(|k| match &leaves[k] {
            LeafValue::Tensor(t) => Some(t.shape_owned()),
            LeafValue::Scalar(_) => None,
        });
        let slices: [Option<&[E]>; K] = from_fn(|k| inputs[k].as_ref().map(|t| t.as_slice()));
        let n: usize = shape.iter().product();
        let mut ys = recycled_vec(n);
        for (_, m, ins) in blocks(n, &slices, &consts) {
            ys.extend((0..m).map(|j| f(duals_at(&ins, j)).v));
        }
        let y = Tensor::from_vec(ys, &shape);
        let saved = TensorRecompute {
            inputs,
            consts,
            shapes,
            shape,
            f,
        };
        (y, saved)
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
/// The pullback of [`fused_map_n`] on the inputs `X` with the chain `F`.
pub type FusedPbOf<X, F, const K: usize> = FusedNPb<
    <X as FuseArgs<K>>::Elem,
    K,
    <<X as FuseArgs<K>>::Kind as ResultKind<<X as FuseArgs<K>>::Elem, K>>::Saved<F>,
    <X as FuseArgs<K>>::Tans,
>;

/// An element-wise chain `f` of 2 to 4 inputs (a tuple of scalars and/or tensors, tensors
/// broadcast together), evaluated in one pass. For scalars the forward computes the partial
/// derivatives with respect to all inputs at once (see [`DualN`]); for tensors it computes the
/// value only and the pullback evaluates `f` again, writing every input's gradient in one pass.
#[inline(always)]
pub fn fused_map_n<X, F, const K: usize>(x: X, f: F) -> (FusedOut<X, K>, FusedPbOf<X, F, K>)
where
    X: FuseArgs<K>,
    F: Fn([DualN<X::Elem, K>; K]) -> DualN<X::Elem, K>,
{
    let (y, saved) = <X::Kind as ResultKind<X::Elem, K>>::eval(x.leaves(), f);
    (
        y,
        FusedNPb {
            saved,
            _types: PhantomData,
        },
    )
}
