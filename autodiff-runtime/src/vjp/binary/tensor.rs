//! Tensor operator rules: one generic pullback per activity pattern (`_l`, `_r`, `_lr`), with
//! the operator as data ([`BinOp`]). Broadcast operands are reduced back to their shape.

use super::operand::{Note, Reduce, Saved, TensorOperand};
use crate::tensor::{Element, Tensor};
use crate::vjp::{table, Pullback};
use core::marker::PhantomData;

/// The four arithmetic operators of a tensor operation, as data for one generic pullback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b`
    Div,
}

/// Pullback of a tensor binary operation with only the left operand differentiated.
#[derive(Clone, Debug)]
pub struct TensorBinL<E: Element, GA> {
    op: BinOp,
    b: Option<Saved<E>>,
    na: Note,
    _g: PhantomData<fn() -> GA>,
}

/// Pullback of a tensor binary operation with only the right operand differentiated.
#[derive(Clone, Debug)]
pub struct TensorBinR<E: Element, GB> {
    op: BinOp,
    a: Option<Saved<E>>,
    b: Option<Saved<E>>,
    nb: Note,
    _g: PhantomData<fn() -> GB>,
}

/// Pullback of a tensor binary operation with both operands differentiated.
#[derive(Clone, Debug)]
pub struct TensorBinLR<E: Element, GA, GB> {
    op: BinOp,
    a: Option<Saved<E>>,
    b: Option<Saved<E>>,
    na: Note,
    nb: Note,
    _g: PhantomData<fn() -> (GA, GB)>,
}

/// The left operand's gradient before any reduction (through
/// [`PullbackTable`](crate::vjp::PullbackTable)).
pub(crate) fn left_grad<E: Element>(op: BinOp, g: Tensor<E>, b: &Option<Saved<E>>) -> Tensor<E> {
    match (op, b) {
        (BinOp::Add | BinOp::Sub, _) => g,
        (BinOp::Mul, Some(b)) => b.mul_into(g),
        (BinOp::Div, Some(b)) => b.div_into(g),
        _ => unreachable!("operand saved for this operator"),
    }
}

/// The right operand's gradient before any reduction (through
/// [`PullbackTable`](crate::vjp::PullbackTable)).
pub(crate) fn right_grad<E: Element>(
    op: BinOp,
    g: Tensor<E>,
    a: &Option<Saved<E>>,
    b: &Option<Saved<E>>,
) -> Tensor<E> {
    match (op, a, b) {
        (BinOp::Add, _, _) => g,
        (BinOp::Sub, _, _) => g.map_inplace(|v| -v),
        (BinOp::Mul, Some(a), _) => a.mul_into(g),
        // d(a/b)/db = -a / b^2
        (BinOp::Div, Some(a), Some(b)) => {
            let t = a.mul_into(g);
            let t = b.div_into(t);
            b.div_into(t).map_inplace(|v| -v)
        }
        _ => unreachable!("operands saved for this operator"),
    }
}

impl<E: Element, GA: Reduce<E>> Pullback for TensorBinL<E, GA> {
    type Cot = Tensor<E>;
    type Grads = GA;
    fn pull(&self, g: Tensor<E>) -> GA {
        GA::reduce((table::of::<E>().bin_left)(self.op, g, &self.b), &self.na)
    }
}

impl<E: Element, GB: Reduce<E>> Pullback for TensorBinR<E, GB> {
    type Cot = Tensor<E>;
    type Grads = GB;
    fn pull(&self, g: Tensor<E>) -> GB {
        GB::reduce(
            (table::of::<E>().bin_right)(self.op, g, &self.a, &self.b),
            &self.nb,
        )
    }
}

impl<E: Element, GA: Reduce<E>, GB: Reduce<E>> Pullback for TensorBinLR<E, GA, GB> {
    type Cot = Tensor<E>;
    type Grads = (GA, GB);
    fn pull(&self, g: Tensor<E>) -> (GA, GB) {
        if let (BinOp::Mul, Some(Saved::Tensor(a)), Some(Saved::Tensor(b)), None, None) =
            (self.op, &self.a, &self.b, &self.na, &self.nb)
        {
            if a.shares_storage_with(b) {
                // `x * x`: one gradient `g·x` (in g's buffer when unique) serves both operands;
                // accumulating the second into the first doubles it in place.
                let t = (table::of::<E>().bin_left)(BinOp::Mul, g, &self.a);
                return (GA::reduce(t.clone(), &None), GB::reduce(t, &None));
            }
        }
        let t = table::of::<E>();
        let gb = GB::reduce(
            (t.bin_right)(self.op, g.clone(), &self.a, &self.b),
            &self.nb,
        );
        let ga = GA::reduce((t.bin_left)(self.op, g, &self.b), &self.na);
        (ga, gb)
    }
}

fn needs_a(op: BinOp) -> bool {
    matches!(op, BinOp::Mul | BinOp::Div)
}

pub(super) fn tensor_l<E, A, B>(op: BinOp, a: &A, b: &B, out: &Tensor<E>) -> TensorBinL<E, A::Grad>
where
    E: Element,
    A: TensorOperand<E>,
    B: TensorOperand<E>,
{
    TensorBinL {
        op,
        b: needs_a(op).then(|| b.saved()),
        na: a.note(out.shape()),
        _g: PhantomData,
    }
}

pub(super) fn tensor_r<E, A, B>(op: BinOp, a: &A, b: &B, out: &Tensor<E>) -> TensorBinR<E, B::Grad>
where
    E: Element,
    A: TensorOperand<E>,
    B: TensorOperand<E>,
{
    TensorBinR {
        op,
        a: needs_a(op).then(|| a.saved()),
        b: (op == BinOp::Div).then(|| b.saved()),
        nb: b.note(out.shape()),
        _g: PhantomData,
    }
}

pub(super) fn tensor_lr<E, A, B>(
    op: BinOp,
    a: &A,
    b: &B,
    out: &Tensor<E>,
) -> TensorBinLR<E, A::Grad, B::Grad>
where
    E: Element,
    A: TensorOperand<E>,
    B: TensorOperand<E>,
{
    TensorBinLR {
        op,
        a: needs_a(op).then(|| a.saved()),
        b: needs_a(op).then(|| b.saved()),
        na: a.note(out.shape()),
        nb: b.note(out.shape()),
        _g: PhantomData,
    }
}

/// Pullback, in its tensor operand, of a tensor operation with a scalar (`2.0 * t`, `t / c`):
/// the tensor has the result's shape, so nothing is reduced, and all that is kept is the scalar
/// (and `t` itself for `c / t`, whose derivative `-c / t²` needs it). The same rules as
/// [`TensorBinL`] / [`TensorBinR`] with a scalar saved, without their bookkeeping (what the
/// tiny workloads spend their time on).
///
/// ```
/// use autodiff_runtime::vjp::{div_r, mul_l, Pullback};
/// use autodiff_runtime::Tensor;
///
/// let t = Tensor::from_vec(vec![1.0f64, 2.0, 4.0], &[3]);
/// let (y, pb) = mul_l(&t, 3.0); // t * 3
/// assert_eq!(y.to_vec(), vec![3.0, 6.0, 12.0]);
/// assert_eq!(pb.pull(Tensor::ones(&[3])).to_vec(), vec![3.0, 3.0, 3.0]);
/// let (y, pb) = div_r(2.0, &t); // 2 / t, derivative -2 / t²
/// assert_eq!(y.to_vec(), vec![2.0, 1.0, 0.5]);
/// assert_eq!(pb.pull(Tensor::ones(&[3])).to_vec(), vec![-2.0, -0.5, -0.125]);
/// ```
#[derive(Clone, Debug)]
pub struct TensorScalarPb<E: Element> {
    op: BinOp,
    c: E,
    /// `t` of `c / t`.
    t: Option<Tensor<E>>,
    /// The tensor is the right operand (`c op t`).
    right: bool,
}

impl<E: Element> Pullback for TensorScalarPb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    #[inline]
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (table::of::<E>().tensor_scalar)(self, g)
    }
}

/// [`TensorScalarPb`]'s pullback (through [`PullbackTable`](crate::vjp::PullbackTable)).
pub(crate) fn tensor_scalar_pull<E: Element>(pb: &TensorScalarPb<E>, g: Tensor<E>) -> Tensor<E> {
    let c = pb.c;
    match (pb.op, pb.right, &pb.t) {
        (BinOp::Add, _, _) | (BinOp::Sub, false, _) => g,
        (BinOp::Sub, true, _) => g.map_inplace(|v| -v),
        (BinOp::Mul, _, _) => g.map_inplace(move |v| v * c),
        (BinOp::Div, false, _) => g.map_inplace(move |v| v / c),
        (BinOp::Div, true, Some(t)) => {
            let r = g.map_inplace(move |v| v * c) / t;
            (r / t).map_inplace(|v| -v)
        }
        (BinOp::Div, true, None) => unreachable!("`c / t` keeps `t`"),
    }
}

/// The pullback of `c op t` (`right`) or `t op c` in `t`; `t` is kept for `c / t` only.
#[inline]
pub(super) fn tensor_scalar<E: Element>(
    op: BinOp,
    c: E,
    t: impl FnOnce() -> Tensor<E>,
    right: bool,
) -> TensorScalarPb<E> {
    TensorScalarPb {
        op,
        c,
        t: (right && op == BinOp::Div).then(t),
        right,
    }
}
