//! The extra element-wise functions in VJP form: `clamp`, `sign`, `ln_1p`, `exp_m1`, `log2`,
//! `log10`, `tan`, `erf`, `softplus`, `gelu`, `gelu_tanh`, `silu`, `leaky_relu`, `elu`
//! (differentiable in the receiver), and `maximum`/`minimum` in the three activity forms.
//!
//! Kinks follow PyTorch 2.15: `clamp` passes the gradient strictly inside (`min < x < max`,
//! 0 at the bounds),
//! `leaky_relu` and `elu` use the negative branch at 0, `sign` has zero gradient, and
//! `maximum`/`minimum` split the cotangent in half between tied operands.

use super::tensor_methods::zip_into;
use super::Pullback;
use crate::tensor::{
    erf, sigmoid, Element, Tensor, GELU_CUBIC, SOFTPLUS_THRESHOLD, SQRT_2_OVER_PI,
};

/// Which function an [`ActivationPb`] differentiates, with its constant parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ActivationKind<E> {
    /// `clamp(min, max)`: 1 for `min < x < max`, else 0 (also at the bounds, as PyTorch).
    Clamp(E, E),
    /// `sign`: 0.
    Sign,
    /// `ln_1p`: `1/(1 + x)`.
    Ln1p,
    /// `exp_m1`: `eˣ`.
    ExpM1,
    /// `log2`: `1/(x ln 2)`.
    Log2,
    /// `log10`: `1/(x ln 10)`.
    Log10,
    /// `tan`: `1 + tan² x`.
    Tan,
    /// `erf`: `2/√π e^{-x²}`.
    Erf,
    /// `softplus`: `σ(x)` (1 above the threshold 20).
    Softplus,
    /// `gelu`: `Φ(x) + x φ(x)`.
    Gelu,
    /// `gelu_tanh`: the derivative of the tanh form.
    GeluTanh,
    /// `silu`: `σ(x) (1 + x (1 - σ(x)))`.
    Silu,
    /// `leaky_relu(slope)`: 1 for `x > 0`, else `slope`.
    LeakyRelu(E),
    /// `elu(alpha)`: 1 for `x > 0`, else `alpha eˣ`.
    Elu(E),
}

impl<E: Element> ActivationKind<E> {
    /// The derivative at `x`.
    #[inline]
    pub fn derivative(self, x: E) -> E {
        let f = E::of_f64;
        let one = E::one();
        match self {
            ActivationKind::Clamp(lo, hi) => {
                if x > lo && x < hi {
                    one
                } else {
                    E::zero()
                }
            }
            ActivationKind::Sign => E::zero(),
            ActivationKind::Ln1p => (one + x).recip(),
            ActivationKind::ExpM1 => x.exp(),
            ActivationKind::Log2 => (x * f(std::f64::consts::LN_2)).recip(),
            ActivationKind::Log10 => (x * f(std::f64::consts::LN_10)).recip(),
            ActivationKind::Tan => {
                let t = x.tan();
                one + t * t
            }
            ActivationKind::Erf => f(std::f64::consts::FRAC_2_SQRT_PI) * (-x * x).exp(),
            ActivationKind::Softplus => {
                if x > f(SOFTPLUS_THRESHOLD) {
                    one
                } else {
                    sigmoid(x)
                }
            }
            ActivationKind::Gelu => {
                let cdf = f(0.5) * (one + erf(x * f(std::f64::consts::FRAC_1_SQRT_2)));
                // the standard normal density, 1/√(2π) e^{-x²/2}
                let pdf = f(0.398_942_280_401_432_7) * (f(-0.5) * x * x).exp();
                cdf + x * pdf
            }
            ActivationKind::GeluTanh => {
                let (k, c) = (f(SQRT_2_OVER_PI), f(GELU_CUBIC));
                let t = (k * (x + c * x * x * x)).tanh();
                f(0.5) * (one + t) + f(0.5) * x * (one - t * t) * k * (one + f(3.0) * c * x * x)
            }
            ActivationKind::Silu => {
                let s = sigmoid(x);
                s * (one + x * (one - s))
            }
            ActivationKind::LeakyRelu(slope) => {
                if x > E::zero() {
                    one
                } else {
                    slope
                }
            }
            ActivationKind::Elu(alpha) => {
                if x > E::zero() {
                    one
                } else {
                    alpha * x.exp()
                }
            }
        }
    }
}

/// Pullback of the element-wise functions of this module: `g · f'(x)` in one pass.
#[derive(Clone, Debug)]
pub struct ActivationPb<E: Element> {
    kind: ActivationKind<E>,
    x: Tensor<E>,
}

impl<E: Element> Pullback for ActivationPb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().activation)(self, g)
    }
}

impl<E: Element> ActivationPb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: Tensor<E>) -> Tensor<E> {
        let kind = self.kind;
        zip_into(g, &self.x, move |g, x| g * kind.derivative(x))
    }
}

/// Pullback of `maximum`/`minimum`: the cotangent to the operand that was picked (half each on
/// a tie), summed back to each operand's shape. `L`/`R` say which operands are active.
#[derive(Clone, Debug)]
pub struct PickPb<E: Element, const L: bool, const R: bool> {
    a: Tensor<E>,
    b: Tensor<E>,
    largest: bool,
}

impl<E: Element, const L: bool, const R: bool> PickPb<E, L, R> {
    /// The gradients of both operands (only the active ones are used).
    fn grads(&self, g: &Tensor<E>) -> (Tensor<E>, Tensor<E>) {
        (crate::vjp::table::of::<E>().pick)(&self.a, &self.b, self.largest, g)
    }
}

/// The gradients of both operands of a [`PickPb`] (through
/// [`PullbackTable`](crate::vjp::PullbackTable)).
pub(crate) fn pick_grads<E: Element>(
    a0: &Tensor<E>,
    b0: &Tensor<E>,
    largest: bool,
    g: &Tensor<E>,
) -> (Tensor<E>, Tensor<E>) {
    let shape = g.shape();
    let (a, b) = (a0.broadcast_to(shape), b0.broadcast_to(shape));
    let half = E::of_f64(0.5);
    let weight_a = |x: E, y: E| {
        let picked = if largest { x > y } else { x < y };
        if x == y {
            half
        } else if picked || x.is_nan() {
            E::one()
        } else {
            E::zero()
        }
    };
    let wa = a.zip_map(&b, weight_a);
    let ga = g.zip_map(&wa, |g, w| g * w);
    let gb = g.zip_map(&wa, |g, w| g * (E::one() - w));
    (ga.sum_to(a0.shape()), gb.sum_to(b0.shape()))
}

impl<E: Element> Pullback for PickPb<E, true, false> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        self.grads(&g).0
    }
}

impl<E: Element> Pullback for PickPb<E, false, true> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        self.grads(&g).1
    }
}

impl<E: Element> Pullback for PickPb<E, true, true> {
    type Cot = Tensor<E>;
    type Grads = (Tensor<E>, Tensor<E>);
    fn pull(&self, g: Tensor<E>) -> (Tensor<E>, Tensor<E>) {
        self.grads(&g)
    }
}

macro_rules! activation_decl {
    ($($name:ident => $method:literal;)*) => {$(
        #[doc = concat!("`", $method, "`")]
        fn $name(&self) -> (Tensor<Self::Elem>, ActivationPb<Self::Elem>);
    )*};
}

macro_rules! activation_impl {
    ($($name:ident => $method:ident, $kind:expr;)*) => {$(
        #[track_caller]
        fn $name(&self) -> (Tensor<E>, ActivationPb<E>) {
            (self.$method(), self.activation_pb($kind))
        }
    )*};
}

macro_rules! pick_decl {
    ($($l:ident, $r:ident, $lr:ident => $method:literal;)*) => {$(
        #[doc = concat!("`", $method, "(other)` differentiated in the receiver.")]
        fn $l(&self, other: &Tensor<Self::Elem>) -> (Tensor<Self::Elem>, PickPb<Self::Elem, true, false>);
        #[doc = concat!("`", $method, "(other)` differentiated in the argument.")]
        fn $r(&self, other: &Tensor<Self::Elem>) -> (Tensor<Self::Elem>, PickPb<Self::Elem, false, true>);
        #[doc = concat!("`", $method, "(other)` differentiated in both.")]
        fn $lr(&self, other: &Tensor<Self::Elem>) -> (Tensor<Self::Elem>, PickPb<Self::Elem, true, true>);
    )*};
}

macro_rules! pick_impl {
    ($($l:ident, $r:ident, $lr:ident => $method:ident, $largest:expr;)*) => {$(
        #[track_caller]
        fn $l(&self, other: &Tensor<E>) -> (Tensor<E>, PickPb<E, true, false>) {
            (self.$method(other), self.pick_pb(other, $largest))
        }
        #[track_caller]
        fn $r(&self, other: &Tensor<E>) -> (Tensor<E>, PickPb<E, false, true>) {
            (self.$method(other), self.pick_pb(other, $largest))
        }
        #[track_caller]
        fn $lr(&self, other: &Tensor<E>) -> (Tensor<E>, PickPb<E, true, true>) {
            (self.$method(other), self.pick_pb(other, $largest))
        }
    )*};
}

/// VJP forms of the element-wise functions of this module.
///
/// ```
/// use autodiff_runtime::vjp::{ActivationVjp, Pullback};
/// use autodiff_runtime::Tensor;
///
/// let x = Tensor::from_vec(vec![-2.0f64, 0.5, 3.0], &[3]);
/// let (y, pb) = x.clamp_vjp(-1.0, 1.0);
/// assert_eq!(y.to_vec(), vec![-1.0, 0.5, 1.0]);
/// assert_eq!(pb.pull(Tensor::ones(&[3])).to_vec(), vec![0.0, 1.0, 0.0]);
/// let (_, pb) = x.maximum_vjp_lr(&Tensor::from_vec(vec![0.5], &[1]));
/// let (gx, gm) = pb.pull(Tensor::ones(&[3]));
/// assert_eq!((gx.to_vec(), gm.to_vec()), (vec![0.0, 0.5, 1.0], vec![1.5]));
/// ```
pub trait ActivationVjp {
    /// The element type.
    type Elem: Element;
    /// `clamp(min, max)` (gradient 1 for `min < x < max`, 0 at and beyond the bounds, as
    /// PyTorch).
    fn clamp_vjp(
        &self,
        min: Self::Elem,
        max: Self::Elem,
    ) -> (Tensor<Self::Elem>, ActivationPb<Self::Elem>);
    /// `leaky_relu(slope)`
    fn leaky_relu_vjp(&self, slope: Self::Elem) -> (Tensor<Self::Elem>, ActivationPb<Self::Elem>);
    /// `elu(alpha)`
    fn elu_vjp(&self, alpha: Self::Elem) -> (Tensor<Self::Elem>, ActivationPb<Self::Elem>);
    activation_decl! {
        sign_vjp => "sign";
        ln_1p_vjp => "ln_1p";
        exp_m1_vjp => "exp_m1";
        log2_vjp => "log2";
        log10_vjp => "log10";
        tan_vjp => "tan";
        erf_vjp => "erf";
        softplus_vjp => "softplus";
        gelu_vjp => "gelu";
        gelu_tanh_vjp => "gelu_tanh";
        silu_vjp => "silu";
    }
    pick_decl! {
        maximum_vjp_l, maximum_vjp_r, maximum_vjp_lr => "maximum";
        minimum_vjp_l, minimum_vjp_r, minimum_vjp_lr => "minimum";
    }
}

impl<E: Element> Tensor<E> {
    fn activation_pb(&self, kind: ActivationKind<E>) -> ActivationPb<E> {
        ActivationPb {
            kind,
            x: self.clone(),
        }
    }
    fn pick_pb<const L: bool, const R: bool>(
        &self,
        other: &Tensor<E>,
        largest: bool,
    ) -> PickPb<E, L, R> {
        PickPb {
            a: self.clone(),
            b: other.clone(),
            largest,
        }
    }
}

impl<E: Element> ActivationVjp for Tensor<E> {
    type Elem = E;
    #[track_caller]
    fn clamp_vjp(&self, min: E, max: E) -> (Tensor<E>, ActivationPb<E>) {
        (
            self.clamp(min, max),
            self.activation_pb(ActivationKind::Clamp(min, max)),
        )
    }
    #[track_caller]
    fn leaky_relu_vjp(&self, slope: E) -> (Tensor<E>, ActivationPb<E>) {
        (
            self.leaky_relu(slope),
            self.activation_pb(ActivationKind::LeakyRelu(slope)),
        )
    }
    #[track_caller]
    fn elu_vjp(&self, alpha: E) -> (Tensor<E>, ActivationPb<E>) {
        (
            self.elu(alpha),
            self.activation_pb(ActivationKind::Elu(alpha)),
        )
    }
    activation_impl! {
        sign_vjp => sign, ActivationKind::Sign;
        ln_1p_vjp => ln_1p, ActivationKind::Ln1p;
        exp_m1_vjp => exp_m1, ActivationKind::ExpM1;
        log2_vjp => log2, ActivationKind::Log2;
        log10_vjp => log10, ActivationKind::Log10;
        tan_vjp => tan, ActivationKind::Tan;
        erf_vjp => erf, ActivationKind::Erf;
        softplus_vjp => softplus, ActivationKind::Softplus;
        gelu_vjp => gelu, ActivationKind::Gelu;
        gelu_tanh_vjp => gelu_tanh, ActivationKind::GeluTanh;
        silu_vjp => silu, ActivationKind::Silu;
    }
    pick_impl! {
        maximum_vjp_l, maximum_vjp_r, maximum_vjp_lr => maximum, true;
        minimum_vjp_l, minimum_vjp_r, minimum_vjp_lr => minimum, false;
    }
}
