//! Differentiable constructors: a tensor built from scalars (`Tensor::scalar_vjp`,
//! `Tensor::full_vjp`, `Tensor::from_vec_vjp`), whose pullbacks map the tensor's cotangent back
//! to the scalars' cotangents.

use super::Pullback;
use crate::tensor::{Element, Tensor};

/// Pullback of [`Tensor::scalar_vjp`]: the only element of the cotangent.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScalarTensorPb<E: Element> {
    _e: core::marker::PhantomData<E>,
}

impl<E: Element> Pullback for ScalarTensorPb<E> {
    type Cot = Tensor<E>;
    type Grads = E;
    fn pull(&self, g: Tensor<E>) -> E {
        g.item()
    }
}

/// Pullback of [`Tensor::full_vjp`]: the sum of the cotangent (every element was the scalar).
#[derive(Clone, Copy, Debug, Default)]
pub struct FullPb<E: Element> {
    _e: core::marker::PhantomData<E>,
}

impl<E: Element> Pullback for FullPb<E> {
    type Cot = Tensor<E>;
    type Grads = E;
    fn pull(&self, g: Tensor<E>) -> E {
        g.sum().item()
    }
}

/// Pullback of [`Tensor::from_vec_vjp`]: the cotangent's elements, in row-major order.
#[derive(Clone, Copy, Debug, Default)]
pub struct FromVecPb<E: Element> {
    _e: core::marker::PhantomData<E>,
}

impl<E: Element> Pullback for FromVecPb<E> {
    type Cot = Tensor<E>;
    type Grads = Vec<E>;
    fn pull(&self, g: Tensor<E>) -> Vec<E> {
        g.into_vec()
    }
}

impl<E: Element> Tensor<E> {
    /// [`scalar`](Tensor::scalar) differentiated in the scalar.
    ///
    /// ```
    /// use autodiff_runtime::vjp::Pullback;
    /// use autodiff_runtime::Tensor;
    /// let (t, pb) = Tensor::scalar_vjp(2.0f64);
    /// assert_eq!(t.item(), 2.0);
    /// assert_eq!(pb.pull(Tensor::scalar(3.0)), 3.0);
    /// ```
    #[track_caller]
    pub fn scalar_vjp(s: E) -> (Tensor<E>, ScalarTensorPb<E>) {
        (Tensor::scalar(s), ScalarTensorPb::default())
    }

    /// [`full`](Tensor::full) differentiated in the fill value.
    ///
    /// ```
    /// use autodiff_runtime::vjp::Pullback;
    /// use autodiff_runtime::Tensor;
    /// let (t, pb) = Tensor::full_vjp(&[2, 2], 0.5f64);
    /// assert_eq!(t.sum().item(), 2.0);
    /// assert_eq!(pb.pull(Tensor::ones(&[2, 2])), 4.0);
    /// ```
    #[track_caller]
    pub fn full_vjp(shape: &[usize], s: E) -> (Tensor<E>, FullPb<E>) {
        (Tensor::full(shape, s), FullPb::default())
    }

    /// [`from_vec`](Tensor::from_vec) differentiated in the elements.
    ///
    /// ```
    /// use autodiff_runtime::vjp::Pullback;
    /// use autodiff_runtime::Tensor;
    /// let (t, pb) = Tensor::from_vec_vjp(vec![1.0f64, 2.0], &[2, 1]);
    /// assert_eq!(t.shape(), &[2, 1]);
    /// assert_eq!(pb.pull(Tensor::from_vec(vec![5.0, 6.0], &[2, 1])), vec![5.0, 6.0]);
    /// ```
    #[track_caller]
    pub fn from_vec_vjp(v: Vec<E>, shape: &[usize]) -> (Tensor<E>, FromVecPb<E>) {
        (Tensor::from_vec(v, shape), FromVecPb::default())
    }
}
