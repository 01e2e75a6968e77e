//! The tensor pullbacks of `f32` and `f64`, compiled once, in this crate.
//!
//! A release build does not share generic instantiations between crates: a generic pullback
//! such as `UnaryPb<E>::pull` is compiled again, with all the tensor code it calls, in every
//! crate that uses it. For a crate of `#[differentiable]` tensor functions that was most of
//! its LLVM IR, and so most of what the attribute costs at compile time.
//!
//! So the work of the tensor pullbacks is done by generic functions reached through a
//! [`PullbackTable`] of function pointers that the element type hands out
//! ([`Tangent::pullback_table`](super::Tangent::pullback_table)): `f32` and `f64` return a `static`
//! table instantiated here, so a user's crate only calls into this crate; any other element
//! type (a dual number) gets the same functions instantiated where they are used, as before.
//! One indirect call per pullback is all it costs at run time.
//!
//! Not in the table: the pullbacks of the fused chains (generic over the user's closure, so
//! necessarily compiled with it), `SplitPb` (its panics name the caller's line, which a call
//! through a function pointer would lose), the constructors' one-line pullbacks, and those of
//! plain numbers, which are inlined.

use super::activation::{pick_grads, ActivationPb};
use super::batched::{matmul_grad_a, matmul_grad_b};
use super::binary::{left_grad, right_grad, tensor_scalar_pull, BinOp, Saved, TensorScalarPb};
use super::join::{CatPb, ExpandPb, PermutePb, RepeatPb};
use super::loss::{pair_loss_grads, CrossEntropyPb, LayerNormPb, PairLoss, SoftmaxPb};
use super::reduce_ext::LanePb;
use super::select::{GatherPb, GetPb, IndexAlongPb, MaskedFillPb, WhereCondPb};
use super::tensor_methods::{
    fused_map_pull, fused_reduce_pull, matmul_pull, norm_pull, reduce_pull, shape_pull, unary_pull,
    FusedMapPb, FusedReducePb, MatmulOperands, NormPb, ReducePb, ShapePb, UnaryPb,
};
use super::tensor_methods::{DotSelfPb, SquarePb};
use super::tensor_powf::PowfExpPb;
use crate::tensor::{Element, Tensor};

/// The tensor pullbacks of one element type, as function pointers (see the module
/// documentation). Obtained from [`Tangent::pullback_table`](super::Tangent::pullback_table); its
/// entries are internal.
#[allow(clippy::type_complexity)] // function-pointer types, each spelled out once
pub struct PullbackTable<E: Element> {
    pub(crate) unary: fn(&UnaryPb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) reduce: fn(&ReducePb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) norm: fn(&NormPb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) shape: fn(&ShapePb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) matmul: fn(&MatmulOperands<E>, Tensor<E>, [bool; 2]) -> [Option<Tensor<E>>; 2],
    pub(crate) fused_map: fn(&FusedMapPb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) fused_reduce: fn(&FusedReducePb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) bin_left: fn(BinOp, Tensor<E>, &Option<Saved<E>>) -> Tensor<E>,
    pub(crate) bin_right: fn(BinOp, Tensor<E>, &Option<Saved<E>>, &Option<Saved<E>>) -> Tensor<E>,
    pub(crate) tensor_scalar: fn(&TensorScalarPb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) sum_to: fn(Tensor<E>, &[usize]) -> Tensor<E>,
    pub(crate) neg: fn(Tensor<E>) -> Tensor<E>,
    pub(crate) accumulate: fn(&mut Tensor<E>, Tensor<E>),
    pub(crate) square: fn(&SquarePb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) dot_self: fn(&DotSelfPb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) batched_grad_a: fn(&[usize], &Tensor<E>, &Tensor<E>) -> Tensor<E>,
    pub(crate) batched_grad_b: fn(&Tensor<E>, &[usize], &Tensor<E>) -> Tensor<E>,
    pub(crate) activation: fn(&ActivationPb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) pick: fn(&Tensor<E>, &Tensor<E>, bool, &Tensor<E>) -> (Tensor<E>, Tensor<E>),
    pub(crate) softmax: fn(&SoftmaxPb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) layer_norm:
        fn(&LayerNormPb<E>, Tensor<E>) -> (Tensor<E>, Option<Tensor<E>>, Option<Tensor<E>>),
    pub(crate) cross_entropy: fn(&CrossEntropyPb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) pair_loss: fn(&Tensor<E>, &Tensor<E>, PairLoss, Tensor<E>) -> (Tensor<E>, Tensor<E>),
    pub(crate) lane: fn(&LanePb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) powf_exponent: fn(&PowfExpPb<E>, &Tensor<E>) -> E,
    pub(crate) powf_base: fn(&PowfExpPb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) get: fn(&GetPb<E>, E) -> Tensor<E>,
    pub(crate) index_along: fn(&IndexAlongPb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) gather: fn(&GatherPb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) masked_fill: fn(&MaskedFillPb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) where_cond: fn(&WhereCondPb<E>, Tensor<E>) -> (Tensor<E>, Tensor<E>),
    pub(crate) cat: fn(&CatPb<E>, Tensor<E>) -> Vec<Tensor<E>>,
    pub(crate) permute: fn(&PermutePb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) repeat: fn(&RepeatPb<E>, Tensor<E>) -> Tensor<E>,
    pub(crate) expand: fn(&ExpandPb<E>, Tensor<E>) -> Tensor<E>,
}

impl<E: Element> PullbackTable<E> {
    /// The table of `E`'s instantiations.
    pub(crate) const GENERIC: Self = PullbackTable {
        unary: unary_pull,
        reduce: reduce_pull,
        norm: norm_pull,
        shape: shape_pull,
        matmul: matmul_pull,
        fused_map: fused_map_pull,
        fused_reduce: fused_reduce_pull,
        bin_left: left_grad,
        bin_right: right_grad,
        tensor_scalar: tensor_scalar_pull,
        sum_to,
        neg,
        accumulate: super::tensor_methods::add_tangent,
        square: SquarePb::pull_impl,
        dot_self: DotSelfPb::pull_impl,
        batched_grad_a: matmul_grad_a,
        batched_grad_b: matmul_grad_b,
        activation: ActivationPb::pull_impl,
        pick: pick_grads,
        softmax: SoftmaxPb::pull_impl,
        layer_norm: LayerNormPb::pull_impl,
        cross_entropy: CrossEntropyPb::pull_impl,
        pair_loss: pair_loss_grads,
        lane: LanePb::pull_impl,
        powf_exponent: PowfExpPb::grad_p_impl,
        powf_base: PowfExpPb::grad_x_impl,
        get: GetPb::pull_impl,
        index_along: IndexAlongPb::pull_impl,
        gather: GatherPb::pull_impl,
        masked_fill: MaskedFillPb::pull_impl,
        where_cond: WhereCondPb::pull_impl,
        cat: CatPb::pull_impl,
        permute: PermutePb::pull_impl,
        repeat: RepeatPb::pull_impl,
        expand: ExpandPb::pull_impl,
    };
}

fn sum_to<E: Element>(g: Tensor<E>, shape: &[usize]) -> Tensor<E> {
    g.sum_to(shape)
}

fn neg<E: Element>(g: Tensor<E>) -> Tensor<E> {
    g.map_inplace(|v| -v)
}

/// `f32`'s table, instantiated in this crate.
pub(crate) static F32: PullbackTable<f32> = PullbackTable::GENERIC;
/// `f64`'s table, instantiated in this crate.
pub(crate) static F64: PullbackTable<f64> = PullbackTable::GENERIC;

/// The table of `E`.
#[inline(always)]
pub(crate) fn of<E: Element>() -> &'static PullbackTable<E> {
    E::pullback_table()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forward::Dual;
    use crate::vjp::Tangent;

    #[test]
    fn f32_and_f64_hand_out_the_tables_compiled_here() {
        assert!(core::ptr::eq(f32::pullback_table(), &F32));
        assert!(core::ptr::eq(f64::pullback_table(), &F64));
        // other element types get the generic table, built where it is used
        let dual = <Dual<f64> as Tangent>::pullback_table();
        let g = Tensor::from_vec(vec![Dual::new(2.0, 1.0)], &[1]);
        assert_eq!((dual.neg)(g).to_vec(), vec![Dual::new(-2.0, -1.0)]);
    }
}
