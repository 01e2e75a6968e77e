//! Reverse-mode rules: every differentiable operation in its "VJP form".
//!
//! A VJP form computes the primal result exactly as the plain operation does and returns,
//! next to it, a *pullback*: a small named struct that holds only what the derivative needs
//! (an `Arc` clone of a tensor, a copied scalar, a shape when broadcasting happened) and maps
//! the output's cotangent to the cotangents of the active inputs ([`Pullback::pull`]).
//!
//! The `#[differentiable]` macro calls these forms; users rarely do, but they are public so
//! that hand-written custom derivatives (`NAME_vjp`) can reuse them:
//!
//! ```
//! use autodiff_runtime::vjp::{self, Pullback, TensorVjp};
//! use autodiff_runtime::Tensor;
//!
//! let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[3]);
//! // y = x * x, both operands active
//! let (y, pb) = vjp::mul_lr(&x, &x);
//! assert_eq!(y.to_vec(), vec![1.0, 4.0, 9.0]);
//! let (ga, gb) = pb.pull(Tensor::ones(&[3]));
//! assert_eq!((&ga + &gb).to_vec(), vec![2.0, 4.0, 6.0]);
//! // s = sum(x)
//! let (s, pb) = x.sum_vjp();
//! assert_eq!(s.item(), 6.0);
//! assert_eq!(pb.pull(Tensor::scalar(1.0)).to_vec(), vec![1.0, 1.0, 1.0]);
//! ```
//!
//! Naming: binary operations have three forms, chosen by the macro from activity analysis:
//! `_l` (only the left operand is differentiated), `_r` (only the right) and `_lr` (both), so that
//! no gradient is ever computed for a constant.

mod activation;
mod batched;
mod binary;
mod call_activity;
mod cast;
mod checkpointed;
mod constructors;
mod join;
mod loss;
mod narrowed;
mod reduce_ext;
mod scalar;
mod select;
mod sizes;
mod table;
mod tensor_methods;
mod tensor_powf;
mod trace;

pub use activation::{ActivationKind, ActivationPb, ActivationVjp, PickPb};
pub use batched::{BatchedMatmulPb, BatchedVjp};
pub use binary::*;
pub use call_activity::{
    clear_call_activity, take_call_activity, with_call_activity, Callee, ALL_ACTIVE,
};
pub use cast::{as_f32, as_f64, numcast, CastPb, NumCastPb};
pub use checkpointed::{
    checkpoint_block_len, checkpoint_blocks, checkpoint_every, StoreByRef, StoreByValue,
    StoreProbe, Stored, StoredRef,
};
pub use constructors::{FromVecPb, FullPb, ScalarTensorPb};
pub use join::{CatPb, ExpandPb, JoinVjp, PermutePb, RepeatPb, SplitPb};
pub use loss::{
    binary_cross_entropy_with_logits_vjp_l, binary_cross_entropy_with_logits_vjp_lr,
    binary_cross_entropy_with_logits_vjp_r, cross_entropy_vjp, mse_loss_vjp_l, mse_loss_vjp_lr,
    mse_loss_vjp_r, CrossEntropyPb, LayerNormPb, NormaliseVjp, PairLossPb, SoftmaxPb,
};
pub use narrowed::{
    require_wrt_match, CallMatchesWrt, CallProbe, CallPullback, Narrowed, ProbeExact,
    ProbeNarrowed, ProbeOther, SelectGrads, WrtMatches, WrtMismatch,
};
pub use reduce_ext::{LanePb, ReduceExtVjp};
pub use scalar::*;
pub use select::{GatherPb, GetPb, IndexAlongPb, MaskedFillPb, SelectVjp, WhereCondPb};
pub use sizes::{size_value, SizeValue};
pub use table::PullbackTable;
pub use tensor_methods::*;
pub use tensor_powf::{PowfExpOnlyPb, PowfExpPb, TensorPowfVjp};
pub use trace::{NoTrace, Trace, TraceIter};

use crate::tensor::{Element, Shape, Tensor};
use num_traits::Float;

/// The derivative half of a VJP form: maps the output cotangent to the inputs' cotangents.
///
/// Pullbacks take `&self`, so one recorded forward pass can be pulled back any number of times
/// (one call per row of a Jacobian).
pub trait Pullback {
    /// Cotangent of the operation's output (`Tensor<E>` for tensor results, `E` for scalars).
    type Cot;
    /// Cotangents of the differentiated inputs: one value, or a pair for `_lr` forms.
    type Grads;
    /// Applies the pullback to an output cotangent.
    fn pull(&self, g: Self::Cot) -> Self::Grads;

    /// [`Pullback::pull`] for a call that needs only some of the gradients (`need[i]` for input
    /// `i` of a two-input form; see [`with_call_activity`]). A form may skip the work of an
    /// unneeded gradient and return a placeholder in its place, which the caller drops unread;
    /// by default every gradient is computed.
    #[inline(always)]
    fn pull_part(&self, g: Self::Cot, need: [bool; 2]) -> Self::Grads {
        let _ = need;
        self.pull(g)
    }
}

/// What [`Pullback::pull_part`] returns in place of a gradient nobody reads: an empty tensor
/// (no element buffer to fill).
pub(crate) fn unneeded_gradient<E: Element>() -> Tensor<E> {
    Tensor::from_vec(Vec::new(), &[0])
}

/// A cotangent value that can be summed into an accumulator (a value used twice gets the sum
/// of both gradients).
pub trait Tangent: Sized {
    /// Adds `g` into `self`. Tensors add in place when their buffer is not shared.
    fn accumulate(&mut self, g: Self);

    /// The tensor pullbacks of this element type (see [`PullbackTable`]): `f32` and `f64`
    /// return tables compiled in this crate; the default instantiates them where used. Not
    /// meant to be overridden elsewhere.
    #[doc(hidden)]
    #[inline(always)]
    fn pullback_table() -> &'static PullbackTable<Self>
    where
        Self: Element,
    {
        &PullbackTable::GENERIC
    }
}

macro_rules! float_tangent {
    ($($t:ty => $table:ident),*) => {$(
        impl Tangent for $t {
            #[inline(always)]
            fn accumulate(&mut self, g: Self) {
                *self += g;
            }
            #[inline(always)]
            fn pullback_table() -> &'static PullbackTable<$t> {
                &table::$table
            }
        }
    )*};
}

// Concrete, not a blanket impl over `Float`: containers and tuples of tangents are tangents too
// (`differentiable::adjoint`), which a blanket impl over a foreign trait would rule out.
// Generic `T: Float` code gets `T: Tangent` from the bound `#[differentiable]` adds.
float_tangent!(f32 => F32, f64 => F64);

impl<E: Element> Tangent for Tensor<E> {
    #[inline]
    fn accumulate(&mut self, g: Self) {
        if self.shape() == g.shape() {
            (table::of::<E>().accumulate)(self, g);
        } else {
            // Gradients of one value always share its shape; a mismatch is a broadcasting bug
            // upstream, so name both shapes rather than silently broadcasting.
            panic!(
                "gradient accumulation: shape mismatch {:?} vs {:?}",
                self.shape(),
                g.shape()
            );
        }
    }
}

/// Adds a cotangent into an adjoint slot that starts as `None` ("zero, not allocated").
#[inline(always)]
pub fn acc<G: Tangent>(slot: &mut Option<G>, g: G) {
    match slot {
        Some(s) => s.accumulate(g),
        None => *slot = Some(g),
    }
}

/// Differentiable argument types: how to produce a zero gradient of the right shape when no
/// gradient reached the argument (it was unused, or only used through `detach`).
pub trait ArgZero {
    /// The gradient type of this argument.
    type Tan;
    /// What is remembered to build the zero (a shape for tensors, nothing for scalars).
    type Meta;
    /// Remembers the argument's shape.
    fn zero_meta(&self) -> Self::Meta;
    /// Builds a zero gradient.
    fn zero(meta: &Self::Meta) -> Self::Tan;
}

impl<T: Float> ArgZero for T {
    type Tan = T;
    type Meta = ();
    #[inline(always)]
    fn zero_meta(&self) {}
    #[inline(always)]
    fn zero(_: &()) -> T {
        T::zero()
    }
}

impl<E: Element> ArgZero for Tensor<E> {
    type Tan = Tensor<E>;
    type Meta = Shape;
    fn zero_meta(&self) -> Shape {
        self.shape_owned()
    }
    fn zero(meta: &Shape) -> Tensor<E> {
        Tensor::zeros(meta)
    }
}

impl<E: Element> ArgZero for &Tensor<E> {
    type Tan = Tensor<E>;
    type Meta = Shape;
    fn zero_meta(&self) -> Shape {
        self.shape_owned()
    }
    fn zero(meta: &Shape) -> Tensor<E> {
        Tensor::zeros(meta)
    }
}

/// Turns an argument's adjoint slot into its gradient, materialising a zero when nothing
/// flowed back to it.
#[inline(always)]
pub fn finish<A: ArgZero>(slot: Option<A::Tan>, meta: &A::Meta) -> A::Tan {
    match slot {
        Some(g) => g,
        None => A::zero(meta),
    }
}

/// Scalar outputs: the seed `1` that `NAME_grad` feeds to the pullback.
pub trait Seed: Sized {
    /// The cotangent `1` for this output; panics like PyTorch for a tensor of several elements.
    fn seed_one(&self) -> Self {
        self.seed_one_for("NAME")
    }
    /// [`Seed::seed_one`] for `NAME_grad` of the function `name` (named in the panic message).
    #[track_caller]
    fn seed_one_for(&self, name: &str) -> Self;
}

impl<T: Float> Seed for T {
    #[inline(always)]
    fn seed_one_for(&self, _: &str) -> T {
        T::one()
    }
}

impl<E: Element> Seed for Tensor<E> {
    #[track_caller]
    fn seed_one_for(&self, name: &str) -> Tensor<E> {
        if self.numel() != 1 {
            not_a_scalar_output(name, self.shape());
        }
        if self.shape().is_empty() {
            return Tensor::scalar(E::one());
        }
        Tensor::ones(self.shape())
    }
}

/// The panic of [`Seed::seed_one_for`] on a tensor (compiled once, like
/// [`cotangent_shape_mismatch`]).
#[cold]
#[track_caller]
fn not_a_scalar_output(name: &str, shape: &[usize]) -> ! {
    panic!(
        "grad can be implicitly created only for scalar outputs (output of `{name}` has shape {shape:?}); \
         call {name}_vjp and pass a cotangent of that shape to the pullback instead"
    )
}

/// The gradients a called function's pullback returns, split over the call's differentiable
/// arguments (`N` of them, in argument order). A mismatch is a compile error at the call.
#[diagnostic::on_unimplemented(
    message = "the pullback of this call returns `{Self}`, which does not match the {N} differentiable argument(s) passed to it",
    label = "this call passes {N} differentiable argument(s)",
    note = "a call `g(..)` in a `#[differentiable]` function uses `g_vjp`, whose pullback must return one gradient per argument that depends on the differentiated inputs (a tuple in argument order when there are several)",
    note = "if `g` is `#[differentiable(wrt(..))]`, add the missing arguments to its `wrt(..)`: the gradient must flow through them",
    note = "a callee can be called with any of its differentiated arguments inactive (their gradients are not computed); for a callee narrowed with `wrt(..)`, those among its first six parameters"
)]
pub trait CallGrads<const N: usize> {
    /// The gradients as a tuple (or the one gradient).
    type Split;
    /// Splits the pullback's result.
    fn split(self) -> Self::Split;
}

/// A single gradient (a scalar or a tensor), as opposed to a tuple of them.
#[diagnostic::on_unimplemented(
    message = "the pullback of this call returns `{Self}`, but the call passes one differentiable argument",
    label = "this call passes 1 differentiable argument",
    note = "a call `g(..)` in a `#[differentiable]` function uses `g_vjp`, whose pullback must return one gradient per argument that depends on the differentiated inputs",
    note = "pass the other differentiable arguments of `g` values that depend on the differentiated inputs, or narrow `g` with `#[differentiable(wrt(..))]`"
)]
pub trait SingleGrad {}
impl SingleGrad for f32 {}
impl SingleGrad for f64 {}
impl<E: Element> SingleGrad for Tensor<E> {}
// the gradient of one structured argument (tuples are not: a tuple is several gradients)
impl<G: Tangent> SingleGrad for Vec<G> {}
impl<G: Tangent, const N: usize> SingleGrad for [G; N] {}
impl<G: Tangent> SingleGrad for Box<G> {}
impl<G: Tangent> SingleGrad for Option<G> {}

impl<G: SingleGrad> CallGrads<1> for G {
    type Split = G;
    #[inline(always)]
    fn split(self) -> G {
        self
    }
}

macro_rules! call_grads_tuple {
    ($($n:literal => $($t:ident)*;)*) => {$(
        impl<$($t),*> CallGrads<$n> for ($($t,)*) {
            type Split = ($($t,)*);
            #[inline(always)]
            fn split(self) -> Self::Split {
                self
            }
        }
    )*};
}

call_grads_tuple! {
    2 => A B;
    3 => A B C;
    4 => A B C D;
    5 => A B C D F;
    6 => A B C D F G;
    7 => A B C D F G H;
    8 => A B C D F G H I;
    9 => A B C D F G H I J;
    10 => A B C D F G H I J K;
    11 => A B C D F G H I J K L;
    12 => A B C D F G H I J K L M;
    13 => A B C D F G H I J K L M N;
    14 => A B C D F G H I J K L M N O;
    15 => A B C D F G H I J K L M N O P;
    16 => A B C D F G H I J K L M N O P Q;
}

/// The most differentiable arguments one call of a `#[differentiable]` function can pass (the
/// macro refuses more with a message naming this limit).
pub const MAX_CALL_GRADS: usize = 16;

/// Every trait whose methods are VJP forms, imported anonymously: generated code writes
/// `use ::autodiff::__rt::prelude::*;` and calls `x.exp_vjp()` without naming the traits.
pub mod prelude {
    pub use super::{
        ActivationVjp as _, BatchedVjp as _, DotSelfVjp as _, JoinVjp as _, NormaliseVjp as _,
        ProbeExact as _, ProbeNarrowed as _, ProbeOther as _, ReduceExtVjp as _, ScalarVjp as _,
        SelectVjp as _, SquareVjp as _, StoreByRef as _, StoreByValue as _, TensorPowfVjp as _,
        TensorVjp as _,
    };
}

/// The output of a `#[differentiable]` function: what its pullback remembers to check the
/// cotangent it is given (the output's shape for tensors, nothing for scalars).
pub trait CotangentCheck: Sized {
    /// What is remembered.
    type Meta;
    /// Remembers the output's shape.
    fn cotangent_meta(&self) -> Self::Meta;
    /// Panics, naming the function, when `cot` does not have the output's shape.
    #[track_caller]
    fn check_cotangent(meta: &Self::Meta, cot: &Self, name: &str);
}

impl<T: Float> CotangentCheck for T {
    type Meta = ();
    #[inline(always)]
    fn cotangent_meta(&self) {}
    #[inline(always)]
    fn check_cotangent(_: &(), _: &T, _: &str) {}
}

impl<E: Element> CotangentCheck for Tensor<E> {
    type Meta = Shape;
    fn cotangent_meta(&self) -> Shape {
        self.shape_owned()
    }
    #[track_caller]
    fn check_cotangent(meta: &Shape, cot: &Tensor<E>, name: &str) {
        if !crate::tensor::same_shape(cot.shape(), meta) {
            cotangent_shape_mismatch(name, cot.shape(), meta);
        }
    }
}

/// The panic of [`CotangentCheck::check_cotangent`], apart so that it is compiled once rather
/// than in every crate with a `#[differentiable]` tensor function.
#[cold]
#[track_caller]
fn cotangent_shape_mismatch(name: &str, got: &[usize], expected: &[usize]) -> ! {
    panic!("pullback of `{name}`: cotangent has shape {got:?}, expected {expected:?}")
}
