//! Model operations inside `#[differentiable]` functions, checked by central differences.

mod common;
use autodiff::prelude::*;
use autodiff::tensor::{cross_entropy, mse_loss};
use common::{assert_close, assert_tensor_close, fd_tensor};

#[differentiable(wrt(w, b))]
fn classifier(x: &Tensor<f64>, w: &Tensor<f64>, b: &Tensor<f64>, y: &[usize]) -> Tensor<f64> {
    let h = (x.mm(w) + b).gelu();
    let logits = h.log_softmax(1);
    cross_entropy(&logits, y) + (&h * &h).mean() * 0.1
}

#[differentiable]
fn regression(p: &Tensor<f64>, t: &Tensor<f64>) -> Tensor<f64> {
    let q = p.softplus().clamp(-2.0, 2.0);
    mse_loss(&q, t) + q.max() - q.max_axis(0, false).sum() * 0.5 + (p * p).sum() * 0.01
}

#[test]
fn cross_entropy_classifier_matches_finite_differences() {
    let x = Tensor::<f64>::randn(&[5, 3], 1);
    let w = Tensor::<f64>::randn(&[3, 4], 2);
    let b = Tensor::<f64>::randn(&[4], 3);
    let y = [0, 3, 1, 1, 2];
    let (_, (gw, gb)) = classifier_grad(&x, &w, &b, &y);
    assert_tensor_close(
        &gw,
        &fd_tensor(|w| classifier(&x, w, &b, &y).item(), &w),
        1e-6,
    );
    assert_tensor_close(
        &gb,
        &fd_tensor(|b| classifier(&x, &w, b, &y).item(), &b),
        1e-6,
    );
}

#[test]
fn regression_losses_and_reductions_match_finite_differences() {
    let p = Tensor::from_vec(vec![0.3, -0.8, 1.2, 0.1, -0.4, 0.9], &[3, 2]);
    let t = Tensor::from_vec(vec![0.5, 0.2, 1.0, 0.0, 0.3, 0.7], &[3, 2]);
    let (_, (gp, gt)) = regression_grad(&p, &t);
    assert_tensor_close(&gp, &fd_tensor(|p| regression(p, &t).item(), &p), 1e-6);
    assert_tensor_close(&gt, &fd_tensor(|t| regression(&p, t).item(), &t), 1e-6);
    assert_close(
        gt.sum().item(),
        fd_tensor(|t| regression(&p, t).item(), &t).sum().item(),
        1e-6,
    );
}

#[differentiable]
fn self_products(v: &Tensor<f64>, s: f64) -> Tensor<f64> {
    v.dot(v) * (s * s) + (v * v).sum()
}

#[test]
fn fused_self_products_match_finite_differences() {
    let v = Tensor::from_vec(vec![0.3, -1.1, 0.7], &[3]);
    let (_, (gv, gs)) = self_products_grad(&v, 1.5);
    assert_tensor_close(&gv, &fd_tensor(|v| self_products(v, 1.5).item(), &v), 1e-6);
    assert_close(gs, common::fd(|s| self_products(&v, s).item(), 1.5), 1e-6);
}
