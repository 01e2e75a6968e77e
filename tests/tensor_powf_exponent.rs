//! `x.powf(p)` on a tensor with a differentiable exponent, in every activity combination.

mod common;
use autodiff::prelude::*;
use common::{assert_close, assert_tensor_close, fd, fd_tensor};

#[differentiable]
fn both(x: &Tensor<f64>, p: f64) -> Tensor<f64> {
    x.powf(p).sum()
}

#[differentiable(wrt(p))]
fn exponent_only(x: &Tensor<f64>, p: f64) -> Tensor<f64> {
    (x.powf(p) * 2.0).sum()
}

fn positive() -> Tensor<f64> {
    Tensor::from_vec(vec![0.5, 1.5, 2.0, 0.25], &[2, 2])
}

#[test]
fn base_and_exponent() {
    let x = positive();
    let p = 1.7;
    let (_, (dx, dp)) = both_grad(&x, p);
    assert_tensor_close(&dx, &fd_tensor(|x| both(x, p).item(), &x), 1e-6);
    assert_close(dp, fd(|p| both(&x, p).item(), p), 1e-6);
}

#[test]
fn exponent_alone() {
    let x = positive();
    let (_, dp) = exponent_only_grad(&x, 0.6);
    assert_close(dp, fd(|p| exponent_only(&x, p).item(), 0.6), 1e-6);
}

#[test]
fn zero_base_has_zero_exponent_gradient() {
    // x^p ln x -> 0 as x -> 0 for p > 0 (PyTorch's convention at exactly 0)
    let x = Tensor::from_vec(vec![0.0, 2.0], &[2]);
    let (_, dp) = exponent_only_grad(&x, 2.0);
    assert_close(dp, 2.0 * 4.0 * 2f64.ln(), 1e-12);
}
