//! `+ - * /` and unary `-` in VJP form, for every operand combination the operators accept:
//! `Tensor`, `&Tensor` and a scalar on either side, and plain `f32`/`f64`/`T: Float` scalars.
//!
//! Broadcasting adjoints reduce back to each operand's shape (`sum_to`), and a scalar operand of
//! a tensor operation receives the sum of its cotangent.

use super::scalar::{ScalarBinaryPb, ScalarUnaryPb};
use super::Pullback;
use crate::tensor::{Element, Tensor};
use core::marker::PhantomData;
use core::ops::{Add, Div, Mul, Neg, Sub};
use num_traits::Float;

/// A value remembered by a tensor operation's pullback: a tensor (an `Arc` clone) or a scalar.
#[derive(Clone, Debug)]
pub enum Saved<E: Element> {
    /// A tensor operand.
    Tensor(Tensor<E>),
    /// A scalar operand.
    Scalar(E),
}

impl<E: Element> Saved<E> {
    fn mul_into(&self, g: Tensor<E>) -> Tensor<E> {
        match self {
            Saved::Tensor(t) => &g * t,
            Saved::Scalar(s) => {
                let s = *s;
                g.map_inplace(move |v| v * s)
            }
        }
    }
    fn div_into(&self, g: Tensor<E>) -> Tensor<E> {
        match self {
            Saved::Tensor(t) => &g / t,
            Saved::Scalar(s) => {
                let s = *s;
                g.map_inplace(move |v| v / s)
            }
        }
    }
}

/// Shape remembered for an operand only when broadcasting changed it (otherwise `None`, so the
/// common same-shape case stores and allocates nothing).
pub type Note = Option<Vec<usize>>;

/// Operands of tensor operations: how to save them and how to reduce a cotangent to them.
pub trait TensorOperand<E: Element> {
    /// The operand's gradient type (`Tensor<E>`, or `E` for a scalar operand).
    type Grad: Reduce<E>;
    /// The operand as a saved value.
    fn saved(&self) -> Saved<E>;
    /// The operand's shape if it differs from the output's.
    fn note(&self, out: &[usize]) -> Note;
}

/// Reduction of an output cotangent to an operand's gradient.
pub trait Reduce<E: Element> {
    /// Sums `g` over the broadcast dimensions recorded in `note`.
    fn reduce(g: Tensor<E>, note: &Note) -> Self;
}

impl<E: Element> Reduce<E> for Tensor<E> {
    #[inline]
    fn reduce(g: Tensor<E>, note: &Note) -> Self {
        match note {
            None => g,
            Some(shape) => g.sum_to(shape),
        }
    }
}

impl<E: Element> Reduce<E> for E {
    #[inline]
    fn reduce(g: Tensor<E>, _: &Note) -> Self {
        g.as_slice().iter().copied().sum()
    }
}

fn shape_note(shape: &[usize], out: &[usize]) -> Note {
    if shape == out {
        None
    } else {
        Some(shape.to_vec())
    }
}

impl<E: Element> TensorOperand<E> for Tensor<E> {
    type Grad = Tensor<E>;
    fn saved(&self) -> Saved<E> {
        Saved::Tensor(self.clone())
    }
    fn note(&self, out: &[usize]) -> Note {
        shape_note(self.shape(), out)
    }
}

impl<E: Element> TensorOperand<E> for &Tensor<E> {
    type Grad = Tensor<E>;
    fn saved(&self) -> Saved<E> {
        Saved::Tensor((*self).clone())
    }
    fn note(&self, out: &[usize]) -> Note {
        shape_note(self.shape(), out)
    }
}

impl<E: Element> TensorOperand<E> for E {
    type Grad = E;
    fn saved(&self) -> Saved<E> {
        Saved::Scalar(*self)
    }
    fn note(&self, _: &[usize]) -> Note {
        None
    }
}

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

fn left_grad<E: Element>(op: BinOp, g: Tensor<E>, b: &Option<Saved<E>>) -> Tensor<E> {
    match (op, b) {
        (BinOp::Add | BinOp::Sub, _) => g,
        (BinOp::Mul, Some(b)) => b.mul_into(g),
        (BinOp::Div, Some(b)) => b.div_into(g),
        _ => unreachable!("operand saved for this operator"),
    }
}

fn right_grad<E: Element>(
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
        GA::reduce(left_grad(self.op, g, &self.b), &self.na)
    }
}

impl<E: Element, GB: Reduce<E>> Pullback for TensorBinR<E, GB> {
    type Cot = Tensor<E>;
    type Grads = GB;
    fn pull(&self, g: Tensor<E>) -> GB {
        GB::reduce(right_grad(self.op, g, &self.a, &self.b), &self.nb)
    }
}

impl<E: Element, GA: Reduce<E>, GB: Reduce<E>> Pullback for TensorBinLR<E, GA, GB> {
    type Cot = Tensor<E>;
    type Grads = (GA, GB);
    fn pull(&self, g: Tensor<E>) -> (GA, GB) {
        let gb = GB::reduce(right_grad(self.op, g.clone(), &self.a, &self.b), &self.nb);
        let ga = GA::reduce(left_grad(self.op, g, &self.b), &self.na);
        (ga, gb)
    }
}

fn needs_a(op: BinOp) -> bool {
    matches!(op, BinOp::Mul | BinOp::Div)
}

fn tensor_l<E, A, B>(op: BinOp, a: &A, b: &B, out: &Tensor<E>) -> TensorBinL<E, A::Grad>
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

fn tensor_r<E, A, B>(op: BinOp, a: &A, b: &B, out: &Tensor<E>) -> TensorBinR<E, B::Grad>
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

fn tensor_lr<E, A, B>(op: BinOp, a: &A, b: &B, out: &Tensor<E>) -> TensorBinLR<E, A::Grad, B::Grad>
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

/// Marker for `+` (selects the operator at compile time, so each scalar pullback stores only
/// what its own derivative needs: nothing for `+` and `-`, one or two scalars for `*` and `/`).
#[derive(Clone, Copy, Debug)]
pub struct AddOp;
/// Marker for `-`.
#[derive(Clone, Copy, Debug)]
pub struct SubOp;
/// Marker for `*`.
#[derive(Clone, Copy, Debug)]
pub struct MulOp;
/// Marker for `/`.
#[derive(Clone, Copy, Debug)]
pub struct DivOp;

/// An operator marker: its run-time tag (used by tensor pullbacks) and its scalar rules.
pub trait OpMarker {
    /// The operator.
    const OP: BinOp;
}
impl OpMarker for AddOp {
    const OP: BinOp = BinOp::Add;
}
impl OpMarker for SubOp {
    const OP: BinOp = BinOp::Sub;
}
impl OpMarker for MulOp {
    const OP: BinOp = BinOp::Mul;
}
impl OpMarker for DivOp {
    const OP: BinOp = BinOp::Div;
}

/// Scalar pullback `g -> g` (zero-sized).
#[derive(Clone, Copy, Debug, Default)]
pub struct Pass<T>(PhantomData<fn(T) -> T>);
/// Scalar pullback `g -> -g` (zero-sized).
#[derive(Clone, Copy, Debug, Default)]
pub struct Negate<T>(PhantomData<fn(T) -> T>);
/// Scalar pullback `g -> (g, g)` (zero-sized).
#[derive(Clone, Copy, Debug, Default)]
pub struct PassPair<T>(PhantomData<fn(T) -> T>);
/// Scalar pullback `g -> (g, -g)` (zero-sized).
#[derive(Clone, Copy, Debug, Default)]
pub struct PassNegPair<T>(PhantomData<fn(T) -> T>);

impl<T: Float> Pullback for Pass<T> {
    type Cot = T;
    type Grads = T;
    #[inline(always)]
    fn pull(&self, g: T) -> T {
        g
    }
}
impl<T: Float> Pullback for Negate<T> {
    type Cot = T;
    type Grads = T;
    #[inline(always)]
    fn pull(&self, g: T) -> T {
        -g
    }
}
impl<T: Float> Pullback for PassPair<T> {
    type Cot = T;
    type Grads = (T, T);
    #[inline(always)]
    fn pull(&self, g: T) -> (T, T) {
        (g, g)
    }
}
impl<T: Float> Pullback for PassNegPair<T> {
    type Cot = T;
    type Grads = (T, T);
    #[inline(always)]
    fn pull(&self, g: T) -> (T, T) {
        (g, -g)
    }
}

/// The scalar rules of one operator: result and pullback for each activity pattern.
pub trait ScalarRule<T: Float>: OpMarker {
    /// Pullback, left operand differentiated.
    type L: Pullback<Cot = T, Grads = T>;
    /// Pullback, right operand differentiated.
    type R: Pullback<Cot = T, Grads = T>;
    /// Pullback, both differentiated.
    type LR: Pullback<Cot = T, Grads = (T, T)>;
    /// `a op b` with the left pullback.
    fn l(a: T, b: T) -> (T, Self::L);
    /// `a op b` with the right pullback.
    fn r(a: T, b: T) -> (T, Self::R);
    /// `a op b` with both.
    fn lr(a: T, b: T) -> (T, Self::LR);
}

impl<T: Float> ScalarRule<T> for AddOp {
    type L = Pass<T>;
    type R = Pass<T>;
    type LR = PassPair<T>;
    #[inline(always)]
    fn l(a: T, b: T) -> (T, Pass<T>) {
        (a + b, Pass(PhantomData))
    }
    #[inline(always)]
    fn r(a: T, b: T) -> (T, Pass<T>) {
        (a + b, Pass(PhantomData))
    }
    #[inline(always)]
    fn lr(a: T, b: T) -> (T, PassPair<T>) {
        (a + b, PassPair(PhantomData))
    }
}

impl<T: Float> ScalarRule<T> for SubOp {
    type L = Pass<T>;
    type R = Negate<T>;
    type LR = PassNegPair<T>;
    #[inline(always)]
    fn l(a: T, b: T) -> (T, Pass<T>) {
        (a - b, Pass(PhantomData))
    }
    #[inline(always)]
    fn r(a: T, b: T) -> (T, Negate<T>) {
        (a - b, Negate(PhantomData))
    }
    #[inline(always)]
    fn lr(a: T, b: T) -> (T, PassNegPair<T>) {
        (a - b, PassNegPair(PhantomData))
    }
}

impl<T: Float> ScalarRule<T> for MulOp {
    type L = ScalarUnaryPb<T>;
    type R = ScalarUnaryPb<T>;
    type LR = ScalarBinaryPb<T>;
    #[inline(always)]
    fn l(a: T, b: T) -> (T, ScalarUnaryPb<T>) {
        (a * b, ScalarUnaryPb::new(b))
    }
    #[inline(always)]
    fn r(a: T, b: T) -> (T, ScalarUnaryPb<T>) {
        (a * b, ScalarUnaryPb::new(a))
    }
    #[inline(always)]
    fn lr(a: T, b: T) -> (T, ScalarBinaryPb<T>) {
        (a * b, ScalarBinaryPb::new(b, a))
    }
}

impl<T: Float> ScalarRule<T> for DivOp {
    type L = ScalarUnaryPb<T>;
    type R = ScalarUnaryPb<T>;
    type LR = ScalarBinaryPb<T>;
    #[inline(always)]
    fn l(a: T, b: T) -> (T, ScalarUnaryPb<T>) {
        (a / b, ScalarUnaryPb::new(b.recip()))
    }
    #[inline(always)]
    fn r(a: T, b: T) -> (T, ScalarUnaryPb<T>) {
        let y = a / b;
        (y, ScalarUnaryPb::new(-y / b))
    }
    #[inline(always)]
    fn lr(a: T, b: T) -> (T, ScalarBinaryPb<T>) {
        let y = a / b;
        (y, ScalarBinaryPb::new(b.recip(), -y / b))
    }
}

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

#[inline(always)]
fn apply<A, B, O>(op: BinOp, a: A, b: B) -> O
where
    A: Add<B, Output = O> + Sub<B, Output = O> + Mul<B, Output = O> + Div<B, Output = O>,
{
    match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
    }
}

impl<T: Float, O: ScalarRule<T>> BinaryVjp<T, O> for T {
    type Out = T;
    type L = O::L;
    type R = O::R;
    type LR = O::LR;
    #[inline(always)]
    fn bin_l(self, b: T) -> (T, O::L) {
        O::l(self, b)
    }
    #[inline(always)]
    fn bin_r(self, b: T) -> (T, O::R) {
        O::r(self, b)
    }
    #[inline(always)]
    fn bin_lr(self, b: T) -> (T, O::LR) {
        O::lr(self, b)
    }
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
            fn bin_l(self, b: $rhs) -> (Tensor<$e>, Self::L) {
                let (sa, sb) = (self.clone(), b.clone());
                let out = apply(Op::OP, self, b);
                let pb = tensor_l(Op::OP, &sa, &sb, &out);
                (out, pb)
            }
            fn bin_r(self, b: $rhs) -> (Tensor<$e>, Self::R) {
                let (sa, sb) = (self.clone(), b.clone());
                let out = apply(Op::OP, self, b);
                let pb = tensor_r(Op::OP, &sa, &sb, &out);
                (out, pb)
            }
            fn bin_lr(self, b: $rhs) -> (Tensor<$e>, Self::LR) {
                let (sa, sb) = (self.clone(), b.clone());
                let out = apply(Op::OP, self, b);
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
    impl[E: Element,] Tensor<E>, E, E;
    impl['a, E: Element,] &'a Tensor<E>, E, E;
    impl[] f32, Tensor<f32>, f32;
    impl['a,] f32, &'a Tensor<f32>, f32;
    impl[] f64, Tensor<f64>, f64;
    impl['a,] f64, &'a Tensor<f64>, f64;
}

macro_rules! binary_entry_points {
    ($($op:ident, $sym:literal => $l:ident, $r:ident, $lr:ident;)*) => {$(
        #[doc = concat!("`a ", $sym, " b` differentiated in `a` only.")]
        #[inline(always)]
        pub fn $l<A: BinaryVjp<B, $op>, B>(a: A, b: B) -> (A::Out, A::L) {
            a.bin_l(b)
        }
        #[doc = concat!("`a ", $sym, " b` differentiated in `b` only.")]
        #[inline(always)]
        pub fn $r<A: BinaryVjp<B, $op>, B>(a: A, b: B) -> (A::Out, A::R) {
            a.bin_r(b)
        }
        #[doc = concat!("`a ", $sym, " b` differentiated in both operands.")]
        #[inline(always)]
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

/// Unary minus in VJP form.
pub trait NegVjp: Sized {
    /// Result type of `-self`.
    type Out;
    /// Its pullback.
    type Pb: Pullback;
    /// `-self` with its pullback.
    fn neg_vjp(self) -> (Self::Out, Self::Pb);
}

/// Pullback of unary minus.
#[derive(Clone, Copy, Debug, Default)]
pub struct NegPb<G>(PhantomData<fn(G) -> G>);

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
        g.map_inplace(|v| -v)
    }
}

impl<T: Float> NegVjp for T {
    type Out = T;
    type Pb = NegPb<T>;
    #[inline(always)]
    fn neg_vjp(self) -> (T, NegPb<T>) {
        (-self, NegPb(PhantomData))
    }
}

impl<E: Element> NegVjp for Tensor<E> {
    type Out = Tensor<E>;
    type Pb = NegPb<Tensor<E>>;
    fn neg_vjp(self) -> (Tensor<E>, NegPb<Tensor<E>>) {
        (self.neg(), NegPb(PhantomData))
    }
}

impl<E: Element> NegVjp for &Tensor<E> {
    type Out = Tensor<E>;
    type Pb = NegPb<Tensor<E>>;
    fn neg_vjp(self) -> (Tensor<E>, NegPb<Tensor<E>>) {
        (self.neg(), NegPb(PhantomData))
    }
}

/// `-a` in VJP form.
#[inline(always)]
pub fn neg<A: NegVjp>(a: A) -> (A::Out, A::Pb) {
    a.neg_vjp()
}
