//! One helper, written once, called with every mix of active and inactive arguments
//! (constants, data, detached values): each call site gets the gradients it needs.

mod common;
use autodiff::prelude::*;
use common::{assert_close, fd};

/// The right-hand side of an ODE: time `t`, state `y`, rate `k`.
#[differentiable]
fn rhs(t: f64, y: f64, k: f64) -> f64 {
    -k * y + t.sin() * y * y
}

#[differentiable]
fn all_active(t: f64, y: f64, k: f64) -> f64 {
    rhs(t, y, k)
}

#[differentiable(wrt(y, k))]
fn time_is_data(t: f64, y: f64, k: f64) -> f64 {
    rhs(t, y, k) + rhs(0.5, y, 2.0)
}

#[differentiable]
fn only_state(y: f64) -> f64 {
    rhs(1.0, y, 0.3) * rhs(0.2, no_grad(|| y), y)
}

#[differentiable]
fn only_rate(k: f64, ts: &[f64]) -> f64 {
    let mut acc = 0.0;
    for &t in ts {
        acc += rhs(t, 0.7, k);
    }
    acc
}

#[test]
fn every_calling_pattern_of_one_helper() {
    let (t, y, k) = (0.4, 1.3, 0.8);
    let (_, (gt, gy, gk)) = all_active_grad(t, y, k);
    assert_close(gt, fd(|t| all_active(t, y, k), t), 1e-8);
    assert_close(gy, fd(|y| all_active(t, y, k), y), 1e-8);
    assert_close(gk, fd(|k| all_active(t, y, k), k), 1e-8);

    let (_, (gy, gk)) = time_is_data_grad(t, y, k);
    assert_close(gy, fd(|y| time_is_data(t, y, k), y), 1e-8);
    assert_close(gk, fd(|k| time_is_data(t, y, k), k), 1e-8);

    // the detached argument is a constant for differentiation
    let (v, gy) = only_state_grad(y);
    assert_close(v, only_state(y), 0.0);
    let expected = {
        let (a, b) = (rhs(1.0, y, 0.3), rhs(0.2, y, y));
        let da = fd(|y| rhs(1.0, y, 0.3), y);
        let db_dk = fd(|k| rhs(0.2, y, k), y);
        da * b + a * db_dk
    };
    assert_close(gy, expected, 1e-8);

    let ts = [0.0, 0.5, 1.0];
    let (_, gk) = only_rate_grad(k, &ts);
    assert_close(gk, fd(|k| only_rate(k, &ts), k), 1e-8);
}

/// Two arguments, all four activity combinations, on tensors.
#[differentiable]
fn sqdist(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    let d = a - b;
    (&d * &d).sum()
}

#[differentiable]
fn both(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    sqdist(a, b)
}

#[differentiable(wrt(a))]
fn first(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    sqdist(a, b)
}

#[differentiable(wrt(b))]
fn second(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    sqdist(a, b)
}

#[differentiable]
fn against_detached(a: &Tensor<f64>) -> Tensor<f64> {
    sqdist(a, &a.detach().exp()) + sqdist(&Tensor::ones(&[3]), a)
}

#[test]
fn four_activity_combinations_of_two_tensor_arguments() {
    let a = Tensor::from_vec(vec![0.5, -1.0, 2.0], &[3]);
    let b = Tensor::from_vec(vec![1.5, 0.0, -0.5], &[3]);
    let d: Vec<f64> = a
        .to_vec()
        .iter()
        .zip(b.to_vec())
        .map(|(x, y)| 2.0 * (x - y))
        .collect();
    let (_, (ga, gb)) = both_grad(&a, &b);
    assert_eq!(ga.to_vec(), d);
    assert_eq!(gb.to_vec(), d.iter().map(|v| -v).collect::<Vec<_>>());
    assert_eq!(first_grad(&a, &b).1.to_vec(), d);
    assert_eq!(
        second_grad(&a, &b).1.to_vec(),
        d.iter().map(|v| -v).collect::<Vec<_>>()
    );
    let (_, g) = against_detached_grad(&a);
    let expected: Vec<f64> = a
        .to_vec()
        .iter()
        .map(|x| 2.0 * (x - x.exp()) + 2.0 * (x - 1.0))
        .collect();
    for (u, v) in g.to_vec().iter().zip(&expected) {
        assert_close(*u, *v, 1e-12);
    }
}

/// A function narrowed with `wrt(..)` has a `Narrowed` pullback: called like a closure, and
/// accepted by `gradcheck` and `calculus::jacobian`.
#[test]
fn narrowed_pullbacks_are_ordinary_pullbacks_for_users() {
    let a = Tensor::from_vec(vec![0.5, -1.0, 2.0], &[3]);
    let b = Tensor::from_vec(vec![1.5, 0.0, -0.5], &[3]);
    let (_, pb) = first_vjp(&a, &b);
    let g = pb(Tensor::scalar(1.0));
    assert_eq!(g.to_vec(), vec![-2.0, -2.0, 5.0]);
    assert!(autodiff::gradcheck::gradcheck(|a: &Tensor<f64>| first_vjp(a, &b), &a).is_ok());
    let j = autodiff::calculus::jacobian(|a: &Tensor<f64>| first_vjp(a, &b), &a);
    assert_eq!(j.to_vec(), vec![-2.0, -2.0, 5.0]);
}

/// A helper with a data parameter (so it differentiates only `t`, `y` and `k`), called with some
/// of those inactive.
#[differentiable]
fn forced(t: f64, y: f64, k: f64, data: &[f64]) -> f64 {
    let f: f64 = data.iter().sum::<f64>() * t.cos();
    -k * y + f * y.sin()
}

#[differentiable]
fn forced_y_only(y: f64, data: &[f64]) -> f64 {
    forced(0.4, y, 0.9, data)
}

#[differentiable]
fn forced_t_and_k(t: f64, k: f64, data: &[f64]) -> f64 {
    forced(t, 1.5, k, data) * forced(t * 0.5, 0.2, 2.0, data)
}

/// Narrowed with `wrt(..)`, called with a subset of those.
#[differentiable(wrt(a, c))]
fn narrowed(a: f64, b: f64, c: f64) -> f64 {
    a * b + c.exp() * a
}

#[differentiable]
fn narrowed_c_only(c: f64) -> f64 {
    narrowed(1.2, 3.0, c) + narrowed(c, 1.0, 0.5)
}

#[test]
fn a_subset_of_a_narrowed_callees_parameters() {
    let data = [0.5, -0.25, 1.0];
    let (_, g) = forced_y_only_grad(0.8, &data);
    assert_close(g, fd(|y| forced_y_only(y, &data), 0.8), 1e-8);
    let (_, (gt, gk)) = forced_t_and_k_grad(0.3, 1.1, &data);
    assert_close(gt, fd(|t| forced_t_and_k(t, 1.1, &data), 0.3), 1e-8);
    assert_close(gk, fd(|k| forced_t_and_k(0.3, k, &data), 1.1), 1e-8);
    let (_, g) = narrowed_c_only_grad(0.7);
    assert_close(g, fd(narrowed_c_only, 0.7), 1e-8);
}
