//! `x.powf(p)` on a tensor with a differentiable exponent `p` (a scalar): the forms
//! `powf_vjp_r` (only `p` active) and `powf_vjp_lr` (both). `powf_vjp_l` (only `x` active) is
//! in [`TensorVjp`](super::TensorVjp).

use super::tensor_methods::zip_into;
use super::Pullback;
use crate::tensor::{Element, Tensor};

/// Pullback of `x.powf(p)` with an active exponent: saves `x` and `y = x^p`.
#[derive(Clone, Debug)]
pub struct PowfExpPb<E: Element> {
    x: Tensor<E>,
    y: Tensor<E>,
    p: E,
}

impl<E: Element> PowfExpPb<E> {
    /// `d/dp = sum(g * y * ln x)`, taking `x^p ln x = 0` at `x = 0` for `p >= 0` (its limit,
    /// and PyTorch's convention).
    fn grad_p(&self, g: &Tensor<E>) -> E {
        (crate::vjp::table::of::<E>().powf_exponent)(self, g)
    }

    fn grad_x(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().powf_base)(self, g)
    }

    /// [`PowfExpPb::grad_p`]'s work (through [`PullbackTable`](crate::vjp::PullbackTable)).
    pub(crate) fn grad_p_impl(&self, g: &Tensor<E>) -> E {
        let p = self.p;
        g.as_slice()
            .iter()
            .zip(self.x.as_slice().iter().zip(self.y.as_slice()))
            .map(|(&g, (&x, &y))| {
                if x == E::zero() && p >= E::zero() {
                    E::zero()
                } else {
                    g * y * x.ln()
                }
            })
            .fold(E::zero(), |a, b| a + b)
    }

    /// [`PowfExpPb::grad_x`]'s work (through [`PullbackTable`](crate::vjp::PullbackTable)).
    pub(crate) fn grad_x_impl(&self, g: Tensor<E>) -> Tensor<E> {
        let p = self.p;
        if p == E::zero() {
            return g.map_inplace(|_| E::zero());
        }
        zip_into(g, &self.x, move |g, x| g * p * x.powf(p - E::one()))
    }
}

/// Gradient of the exponent only.
#[derive(Clone, Debug)]
pub struct PowfExpOnlyPb<E: Element>(PowfExpPb<E>);

impl<E: Element> Pullback for PowfExpOnlyPb<E> {
    type Cot = Tensor<E>;
    type Grads = E;
    fn pull(&self, g: Tensor<E>) -> E {
        self.0.grad_p(&g)
    }
}

impl<E: Element> Pullback for PowfExpPb<E> {
    type Cot = Tensor<E>;
    type Grads = (Tensor<E>, E);
    fn pull(&self, g: Tensor<E>) -> (Tensor<E>, E) {
        let dp = self.grad_p(&g);
        (self.grad_x(g), dp)
    }
}

/// VJP forms of `Tensor::powf` with a differentiable exponent.
///
/// ```
/// use autodiff_runtime::vjp::{Pullback, TensorPowfVjp};
/// use autodiff_runtime::Tensor;
///
/// let x = Tensor::from_vec(vec![1.0f64, 2.0], &[2]);
/// let (y, pb) = x.powf_vjp_r(3.0);
/// assert_eq!(y.to_vec(), vec![1.0, 8.0]);
/// // d/dp sum(x^p) = sum(x^p ln x) = 8 ln 2
/// assert!((pb.pull(Tensor::ones(&[2])) - 8.0 * 2f64.ln()).abs() < 1e-12);
/// ```
pub trait TensorPowfVjp<E: Element> {
    /// Only the exponent is differentiated.
    fn powf_vjp_r(&self, p: E) -> (Tensor<E>, PowfExpOnlyPb<E>);
    /// Base and exponent are differentiated.
    fn powf_vjp_lr(&self, p: E) -> (Tensor<E>, PowfExpPb<E>);
}

impl<E: Element> TensorPowfVjp<E> for Tensor<E> {
    #[track_caller]
    fn powf_vjp_r(&self, p: E) -> (Tensor<E>, PowfExpOnlyPb<E>) {
        let (y, pb) = self.powf_vjp_lr(p);
        (y, PowfExpOnlyPb(pb))
    }
    #[track_caller]
    fn powf_vjp_lr(&self, p: E) -> (Tensor<E>, PowfExpPb<E>) {
        let y = self.powf(p);
        let pb = PowfExpPb {
            x: self.clone(),
            y: y.clone(),
            p,
        };
        (y, pb)
    }
}
