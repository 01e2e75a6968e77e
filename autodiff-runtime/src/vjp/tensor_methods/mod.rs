//! Tensor methods in VJP form: element-wise functions, reductions, shape operations and
//! products. Each forward calls the plain method, so values are bit-identical to it.

mod chain;
mod chain_eval;
mod chain_n;
mod fused;
mod products;

pub use chain::{
    fused_map, fused_mean, fused_sum, Dual, FuseArg, FuseTensor, FusedMapPb, FusedReducePb,
};
pub(crate) use chain::{fused_map_pull, fused_reduce_pull};
pub use chain_eval::{
    fused_map_n, FromGrads, FuseArgs, FusedNPb, FusedOut, FusedPbOf, Partials, ResultKind,
    TensorRecompute,
};
pub use chain_n::{
    fuse_const, DualN, FromLeafGrad, FuseConst, FuseLeaf, Join, LeafGrad, LeafValue, ScalarKind,
    TensorKind,
};
pub(crate) use fused::add_tangent;
pub use fused::{DotSelfPb, DotSelfVjp, SquarePb, SquareVjp};
pub use products::MatmulPb;
pub(crate) use products::{matmul_pull, MatmulOperands};

use super::{table, Pullback};
use crate::tensor::{Element, ReshapeDims, Tensor};
use products::matmul_pb;

/// Which element-wise function a [`UnaryPb`] differentiates, and what it saved.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnaryKind<E> {
    /// `exp`: saves the output `y`; `g * y`.
    Exp,
    /// `ln`: saves the input `x`; `g / x`.
    Ln,
    /// `sqrt`: saves the output; `g / (2 y)`.
    Sqrt,
    /// `powi(n)`: saves the input; `g * n * x^(n-1)`.
    Powi(i32),
    /// `powf(p)`: saves the input; `g * p * x^(p-1)`.
    Powf(E),
    /// `sin`: saves the input; `g * cos x`.
    Sin,
    /// `cos`: saves the input; `-g * sin x`.
    Cos,
    /// `tanh`: saves the output; `g * (1 - y^2)`.
    Tanh,
    /// `sigmoid`: saves the output; `g * y * (1 - y)`.
    Sigmoid,
    /// `relu`: saves the input; `g` where `x > 0`, else 0.
    Relu,
    /// `abs`: saves the input; `g * sign(x)` (0 at 0, like PyTorch).
    Abs,
}

/// Pullback of an element-wise tensor function: one fused pass over `g` and the saved tensor.
#[derive(Clone, Debug)]
pub struct UnaryPb<E: Element> {
    kind: UnaryKind<E>,
    saved: Tensor<E>,
}

/// `f(g, s)` element-wise, written into `g`'s buffer when nothing else shares it (the usual case
/// for a cotangent), so a chain of element-wise pullbacks allocates nothing.
pub(crate) fn zip_into<E: Element>(
    g: Tensor<E>,
    s: &Tensor<E>,
    f: impl Fn(E, E) -> E,
) -> Tensor<E> {
    let mut g = own_buffer(g, s);
    for (gv, &sv) in g.as_mut_slice().iter_mut().zip(s.as_slice()) {
        *gv = f(*gv, sv);
    }
    g
}

/// `g` in a buffer of its own: itself when unique (the usual case for a cotangent), else a
/// copy. Apart from [`zip_into`], which is instantiated for every function it applies, so that
/// the copy is not. Panics like `zip_map` when the shapes differ.
fn own_buffer<E: Element>(g: Tensor<E>, s: &Tensor<E>) -> Tensor<E> {
    if g.is_unique() && g.shape() == s.shape() {
        g
    } else {
        g.zip_map(s, |g, _| g)
    }
}

impl<E: Element> Pullback for UnaryPb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (table::of::<E>().unary)(self, g)
    }
}

/// [`UnaryPb`]'s pullback (through [`PullbackTable`](crate::vjp::PullbackTable)).
pub(crate) fn unary_pull<E: Element>(pb: &UnaryPb<E>, g: Tensor<E>) -> Tensor<E> {
    let one = E::one();
    let two = one + one;
    let s = &pb.saved;
    match pb.kind {
        UnaryKind::Exp => zip_into(g, s, |g, y| g * y),
        UnaryKind::Ln => zip_into(g, s, |g, x| g / x),
        UnaryKind::Sqrt => zip_into(g, s, move |g, y| g / (two * y)),
        UnaryKind::Powi(n) => {
            let nf = E::from(n).expect("exponent fits the element type");
            match n {
                0 => g.map_inplace(|_| E::zero()),
                1 => g,
                2 => zip_into(g, s, move |g, x| g * two * x),
                3 => zip_into(g, s, move |g, x| g * nf * x * x),
                _ => zip_into(g, s, move |g, x| g * nf * x.powi(n - 1)),
            }
        }
        UnaryKind::Powf(p) => {
            if p == E::zero() {
                g.map_inplace(|_| E::zero())
            } else {
                zip_into(g, s, move |g, x| g * p * x.powf(p - one))
            }
        }
        UnaryKind::Sin => zip_into(g, s, |g, x| g * x.cos()),
        UnaryKind::Cos => zip_into(g, s, |g, x| -(g * x.sin())),
        UnaryKind::Tanh => zip_into(g, s, move |g, y| g * (one - y * y)),
        UnaryKind::Sigmoid => zip_into(g, s, move |g, y| g * y * (one - y)),
        UnaryKind::Relu => zip_into(g, s, |g, x| if x > E::zero() { g } else { E::zero() }),
        UnaryKind::Abs => zip_into(g, s, |g, x| {
            if x > E::zero() {
                g
            } else if x < E::zero() {
                -g
            } else {
                E::zero()
            }
        }),
    }
}

/// What a reduction's pullback broadcasts back over.
#[derive(Clone, Debug)]
enum Reduction {
    /// `sum`/`mean` of everything: `g * scale` everywhere.
    All { scale_by_numel: bool },
    /// `sum_axis`/`mean_axis`.
    Axis {
        axis: usize,
        keepdim: bool,
        mean: bool,
    },
}

/// Pullback of `sum`, `mean`, `sum_axis` and `mean_axis`: broadcasts the cotangent back.
#[derive(Clone, Debug)]
pub struct ReducePb<E: Element> {
    shape: Vec<usize>,
    how: Reduction,
    _e: core::marker::PhantomData<E>,
}

impl<E: Element> Pullback for ReducePb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (table::of::<E>().reduce)(self, g)
    }
}

/// [`ReducePb`]'s pullback (through [`PullbackTable`](crate::vjp::PullbackTable)).
pub(crate) fn reduce_pull<E: Element>(pb: &ReducePb<E>, g: Tensor<E>) -> Tensor<E> {
    let numel: usize = pb.shape.iter().product();
    match pb.how {
        Reduction::All { scale_by_numel } => {
            let mut v = g.item();
            if scale_by_numel {
                v = v / E::from(numel).expect("size fits the element type");
            }
            Tensor::full(&pb.shape, v)
        }
        Reduction::Axis {
            axis,
            keepdim,
            mean,
        } => {
            let g = if keepdim { g } else { g.unsqueeze(axis) };
            let out = g.broadcast_to(&pb.shape);
            if mean {
                let n = E::from(pb.shape[axis]).expect("size fits the element type");
                out.map_inplace(move |v| v / n)
            } else {
                out
            }
        }
    }
}

/// Pullback of the L2 `norm`: `g * x / ‖x‖`, and 0 at the zero vector (PyTorch's choice).
#[derive(Clone, Debug)]
pub struct NormPb<E: Element> {
    x: Tensor<E>,
    norm: E,
}

impl<E: Element> Pullback for NormPb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (table::of::<E>().norm)(self, g)
    }
}

/// [`NormPb`]'s pullback (through [`PullbackTable`](crate::vjp::PullbackTable)).
pub(crate) fn norm_pull<E: Element>(pb: &NormPb<E>, g: Tensor<E>) -> Tensor<E> {
    if pb.norm == E::zero() {
        return Tensor::zeros(pb.x.shape());
    }
    let s = g.item() / pb.norm;
    pb.x.map(move |v| v * s)
}

/// Pullback of operations that only move elements: `reshape`/`view`/`flatten`/`unsqueeze`/
/// `squeeze` (reshape back), `t` (transpose back), `broadcast_to` (sum back), `sum_to`
/// (broadcast back).
#[derive(Clone, Debug)]
pub enum ShapePb<E: Element> {
    /// Reshape the cotangent to this shape.
    Reshape(Vec<usize>, core::marker::PhantomData<E>),
    /// Transpose the cotangent.
    Transpose,
    /// Sum the cotangent back to this shape.
    SumTo(Vec<usize>),
    /// Broadcast the cotangent to this shape.
    BroadcastTo(Vec<usize>),
}

impl<E: Element> Pullback for ShapePb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (table::of::<E>().shape)(self, g)
    }
}

/// [`ShapePb`]'s pullback (through [`PullbackTable`](crate::vjp::PullbackTable)).
pub(crate) fn shape_pull<E: Element>(pb: &ShapePb<E>, g: Tensor<E>) -> Tensor<E> {
    match pb {
        ShapePb::Reshape(shape, _) => g.reshape(shape.as_slice()),
        ShapePb::Transpose => g.t(),
        ShapePb::SumTo(shape) => g.sum_to(shape),
        ShapePb::BroadcastTo(shape) => g.broadcast_to(shape),
    }
}

macro_rules! product_vjp {
    ($($method:ident => $l:ident, $r:ident, $lr:ident;)*) => {$(
        #[doc = concat!("`", stringify!($method), "` differentiated in the receiver.")]
        fn $l(&self, other: &Tensor<Self::Elem>) -> (Tensor<Self::Elem>, MatmulPb<Self::Elem, true, false>);
        #[doc = concat!("`", stringify!($method), "` differentiated in the argument.")]
        fn $r(&self, other: &Tensor<Self::Elem>) -> (Tensor<Self::Elem>, MatmulPb<Self::Elem, false, true>);
        #[doc = concat!("`", stringify!($method), "` differentiated in both.")]
        fn $lr(&self, other: &Tensor<Self::Elem>) -> (Tensor<Self::Elem>, MatmulPb<Self::Elem, true, true>);
    )*};
}

macro_rules! product_vjp_impl {
    ($($method:ident => $l:ident, $r:ident, $lr:ident;)*) => {$(
        #[track_caller]
        fn $l(&self, other: &Tensor<E>) -> (Tensor<E>, MatmulPb<E, true, false>) {
            (self.$method(other), matmul_pb(self, other))
        }
        #[track_caller]
        fn $r(&self, other: &Tensor<E>) -> (Tensor<E>, MatmulPb<E, false, true>) {
            (self.$method(other), matmul_pb(self, other))
        }
        #[track_caller]
        fn $lr(&self, other: &Tensor<E>) -> (Tensor<E>, MatmulPb<E, true, true>) {
            (self.$method(other), matmul_pb(self, other))
        }
    )*};
}

/// VJP forms of the differentiable [`Tensor`] methods (the macro calls them as
/// `x.exp_vjp()`, `a.mm_vjp_lr(&b)`, ...).
///
/// ```
/// use autodiff_runtime::vjp::{Pullback, TensorVjp};
/// use autodiff_runtime::Tensor;
///
/// let a = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], &[2, 2]);
/// let b = Tensor::eye(2);
/// let (c, pb) = a.mm_vjp_lr(&b);
/// assert_eq!(c, a);
/// let (ga, gb) = pb.pull(Tensor::ones(&[2, 2]));
/// assert_eq!(ga.to_vec(), vec![1.0, 1.0, 1.0, 1.0]); // G·Bᵀ
/// assert_eq!(gb.to_vec(), vec![4.0, 4.0, 6.0, 6.0]); // Aᵀ·G
/// ```
pub trait TensorVjp {
    /// The element type.
    type Elem: Element;
    /// `exp`
    fn exp_vjp(&self) -> (Tensor<Self::Elem>, UnaryPb<Self::Elem>);
    /// `ln`
    fn ln_vjp(&self) -> (Tensor<Self::Elem>, UnaryPb<Self::Elem>);
    /// `sqrt`
    fn sqrt_vjp(&self) -> (Tensor<Self::Elem>, UnaryPb<Self::Elem>);
    /// `powi(n)`
    fn powi_vjp(&self, n: i32) -> (Tensor<Self::Elem>, UnaryPb<Self::Elem>);
    /// `powf(p)` differentiated in the base (the exponent is a constant).
    fn powf_vjp_l(&self, p: Self::Elem) -> (Tensor<Self::Elem>, UnaryPb<Self::Elem>);
    /// `sin`
    fn sin_vjp(&self) -> (Tensor<Self::Elem>, UnaryPb<Self::Elem>);
    /// `cos`
    fn cos_vjp(&self) -> (Tensor<Self::Elem>, UnaryPb<Self::Elem>);
    /// `tanh`
    fn tanh_vjp(&self) -> (Tensor<Self::Elem>, UnaryPb<Self::Elem>);
    /// `sigmoid`
    fn sigmoid_vjp(&self) -> (Tensor<Self::Elem>, UnaryPb<Self::Elem>);
    /// `relu`
    fn relu_vjp(&self) -> (Tensor<Self::Elem>, UnaryPb<Self::Elem>);
    /// `abs`
    fn abs_vjp(&self) -> (Tensor<Self::Elem>, UnaryPb<Self::Elem>);
    /// `sum` (0-d result)
    fn sum_vjp(&self) -> (Tensor<Self::Elem>, ReducePb<Self::Elem>);
    /// `mean` (0-d result)
    fn mean_vjp(&self) -> (Tensor<Self::Elem>, ReducePb<Self::Elem>);
    /// `sum_axis(axis, keepdim)`
    fn sum_axis_vjp(
        &self,
        axis: usize,
        keepdim: bool,
    ) -> (Tensor<Self::Elem>, ReducePb<Self::Elem>);
    /// `mean_axis(axis, keepdim)`
    fn mean_axis_vjp(
        &self,
        axis: usize,
        keepdim: bool,
    ) -> (Tensor<Self::Elem>, ReducePb<Self::Elem>);
    /// `norm` (L2, 0-d result)
    fn norm_vjp(&self) -> (Tensor<Self::Elem>, NormPb<Self::Elem>);
    /// `reshape(dims)`
    fn reshape_vjp<D: ReshapeDims>(&self, dims: D) -> (Tensor<Self::Elem>, ShapePb<Self::Elem>);
    /// `view(dims)`
    fn view_vjp<D: ReshapeDims>(&self, dims: D) -> (Tensor<Self::Elem>, ShapePb<Self::Elem>);
    /// `flatten()`
    fn flatten_vjp(&self) -> (Tensor<Self::Elem>, ShapePb<Self::Elem>);
    /// `unsqueeze(dim)`
    fn unsqueeze_vjp(&self, dim: usize) -> (Tensor<Self::Elem>, ShapePb<Self::Elem>);
    /// `squeeze(dim)`
    fn squeeze_vjp(&self, dim: usize) -> (Tensor<Self::Elem>, ShapePb<Self::Elem>);
    /// `t()`
    fn t_vjp(&self) -> (Tensor<Self::Elem>, ShapePb<Self::Elem>);
    /// `broadcast_to(shape)`
    fn broadcast_to_vjp(&self, shape: &[usize]) -> (Tensor<Self::Elem>, ShapePb<Self::Elem>);
    /// `sum_to(shape)`
    fn sum_to_vjp(&self, shape: &[usize]) -> (Tensor<Self::Elem>, ShapePb<Self::Elem>);
    /// `clone()` (identity)
    fn clone_vjp(&self) -> (Tensor<Self::Elem>, ShapePb<Self::Elem>);
    product_vjp! {
        dot => dot_vjp_l, dot_vjp_r, dot_vjp_lr;
        mm => mm_vjp_l, mm_vjp_r, mm_vjp_lr;
        mv => mv_vjp_l, mv_vjp_r, mv_vjp_lr;
        matmul => matmul_vjp_l, matmul_vjp_r, matmul_vjp_lr;
    }
}

impl<E: Element> Tensor<E> {
    fn unary_pb(&self, y: &Tensor<E>, kind: UnaryKind<E>, save_output: bool) -> UnaryPb<E> {
        UnaryPb {
            kind,
            saved: if save_output { y.clone() } else { self.clone() },
        }
    }
    fn reduce_pb(&self, how: Reduction) -> ReducePb<E> {
        ReducePb {
            shape: self.shape().to_vec(),
            how,
            _e: core::marker::PhantomData,
        }
    }
    fn reshape_pb(&self) -> ShapePb<E> {
        ShapePb::Reshape(self.shape().to_vec(), core::marker::PhantomData)
    }
}

macro_rules! unary_impl {
    ($($name:ident => $method:ident, $kind:expr, $save_out:expr;)*) => {$(
        #[track_caller]
        fn $name(&self) -> (Tensor<E>, UnaryPb<E>) {
            let y = self.$method();
            let pb = self.unary_pb(&y, $kind, $save_out);
            (y, pb)
        }
    )*};
}

impl<E: Element> TensorVjp for Tensor<E> {
    type Elem = E;
    unary_impl! {
        exp_vjp => exp, UnaryKind::Exp, true;
        ln_vjp => ln, UnaryKind::Ln, false;
        sqrt_vjp => sqrt, UnaryKind::Sqrt, true;
        sin_vjp => sin, UnaryKind::Sin, false;
        cos_vjp => cos, UnaryKind::Cos, false;
        tanh_vjp => tanh, UnaryKind::Tanh, true;
        sigmoid_vjp => sigmoid, UnaryKind::Sigmoid, true;
        relu_vjp => relu, UnaryKind::Relu, false;
        abs_vjp => abs, UnaryKind::Abs, false;
    }
    #[track_caller]
    fn powi_vjp(&self, n: i32) -> (Tensor<E>, UnaryPb<E>) {
        let y = self.powi(n);
        let pb = self.unary_pb(&y, UnaryKind::Powi(n), false);
        (y, pb)
    }
    #[track_caller]
    fn powf_vjp_l(&self, p: E) -> (Tensor<E>, UnaryPb<E>) {
        let y = self.powf(p);
        let pb = self.unary_pb(&y, UnaryKind::Powf(p), false);
        (y, pb)
    }
    #[track_caller]
    fn sum_vjp(&self) -> (Tensor<E>, ReducePb<E>) {
        (
            self.sum(),
            self.reduce_pb(Reduction::All {
                scale_by_numel: false,
            }),
        )
    }
    #[track_caller]
    fn mean_vjp(&self) -> (Tensor<E>, ReducePb<E>) {
        (
            self.mean(),
            self.reduce_pb(Reduction::All {
                scale_by_numel: true,
            }),
        )
    }
    #[track_caller]
    fn sum_axis_vjp(&self, axis: usize, keepdim: bool) -> (Tensor<E>, ReducePb<E>) {
        let y = self.sum_axis(axis, keepdim);
        let pb = self.reduce_pb(Reduction::Axis {
            axis,
            keepdim,
            mean: false,
        });
        (y, pb)
    }
    #[track_caller]
    fn mean_axis_vjp(&self, axis: usize, keepdim: bool) -> (Tensor<E>, ReducePb<E>) {
        let y = self.mean_axis(axis, keepdim);
        let pb = self.reduce_pb(Reduction::Axis {
            axis,
            keepdim,
            mean: true,
        });
        (y, pb)
    }
    #[track_caller]
    fn norm_vjp(&self) -> (Tensor<E>, NormPb<E>) {
        let y = self.norm();
        let norm = y.item();
        (
            y,
            NormPb {
                x: self.clone(),
                norm,
            },
        )
    }
    #[track_caller]
    fn reshape_vjp<D: ReshapeDims>(&self, dims: D) -> (Tensor<E>, ShapePb<E>) {
        (self.reshape(dims), self.reshape_pb())
    }
    #[track_caller]
    fn view_vjp<D: ReshapeDims>(&self, dims: D) -> (Tensor<E>, ShapePb<E>) {
        (self.view(dims), self.reshape_pb())
    }
    #[track_caller]
    fn flatten_vjp(&self) -> (Tensor<E>, ShapePb<E>) {
        (self.flatten(), self.reshape_pb())
    }
    #[track_caller]
    fn unsqueeze_vjp(&self, dim: usize) -> (Tensor<E>, ShapePb<E>) {
        (self.unsqueeze(dim), self.reshape_pb())
    }
    #[track_caller]
    fn squeeze_vjp(&self, dim: usize) -> (Tensor<E>, ShapePb<E>) {
        (self.squeeze(dim), self.reshape_pb())
    }
    #[track_caller]
    fn t_vjp(&self) -> (Tensor<E>, ShapePb<E>) {
        (self.t(), ShapePb::Transpose)
    }
    #[track_caller]
    fn broadcast_to_vjp(&self, shape: &[usize]) -> (Tensor<E>, ShapePb<E>) {
        (
            self.broadcast_to(shape),
            ShapePb::SumTo(self.shape().to_vec()),
        )
    }
    #[track_caller]
    fn sum_to_vjp(&self, shape: &[usize]) -> (Tensor<E>, ShapePb<E>) {
        (
            self.sum_to(shape),
            ShapePb::BroadcastTo(self.shape().to_vec()),
        )
    }
    #[track_caller]
    fn clone_vjp(&self) -> (Tensor<E>, ShapePb<E>) {
        (self.clone(), self.reshape_pb())
    }
    product_vjp_impl! {
        dot => dot_vjp_l, dot_vjp_r, dot_vjp_lr;
        mm => mm_vjp_l, mm_vjp_r, mm_vjp_lr;
        mv => mv_vjp_l, mv_vjp_r, mv_vjp_lr;
        matmul => matmul_vjp_l, matmul_vjp_r, matmul_vjp_lr;
    }
}
