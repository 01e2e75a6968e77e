//! A callee's pullback skips the work that leads only to arguments inactive at the call
//! (`vjp::call_activity`): the gradients stay exact, and the skipped work is not done.

mod common;
use autodiff::prelude::*;
use common::counting::{costly, costly_vjp, pulls};
use common::{assert_close, assert_tensor_close, fd, fd_tensor, rand};
use proptest::prelude::*;

/// `t` enters only through `costly`; `y` everywhere.
#[differentiable]
fn rhs(t: f64, y: f64) -> f64 {
    let s = y * y;
    costly(t * 2.0) * y + s.sin()
}

#[differentiable]
fn time_is_data(y: f64) -> f64 {
    rhs(0.7, y) * 3.0
}

#[differentiable]
fn both(t: f64, y: f64) -> f64 {
    rhs(t, y) * 3.0
}

/// Passes its own activity on: called with `t` as data, it asks `rhs` for `y` only.
#[differentiable]
fn middle(t: f64, y: f64) -> f64 {
    rhs(t, y) + rhs(t * 0.5, y)
}

#[differentiable]
fn outer(y: f64) -> f64 {
    middle(1.1, y)
}

#[differentiable]
fn in_a_loop(y: f64, ts: &[f64]) -> f64 {
    let mut acc = 0.0;
    for &t in ts {
        acc += rhs(t, acc + y);
    }
    acc
}

#[test]
fn work_for_an_inactive_argument_is_skipped() {
    let y = 0.9;
    let before = pulls();
    let (v, g) = time_is_data_grad(y);
    assert_eq!(pulls(), before, "costly's pullback ran for data");
    assert_close(v, time_is_data(y), 0.0);
    assert_close(g, fd(time_is_data, y), 1e-8);

    let before = pulls();
    let (_, (gt, gy)) = both_grad(0.7, y);
    assert_eq!(
        pulls(),
        before + 1,
        "the active call needs costly's pullback"
    );
    assert_close(gt, fd(|t| both(t, y), 0.7), 1e-8);
    assert_close(gy, fd(|y| both(0.7, y), y), 1e-8);
}

#[test]
fn activity_passes_through_nested_calls_and_loops() {
    let y = 0.4;
    let before = pulls();
    let (_, g) = outer_grad(y);
    assert_eq!(pulls(), before);
    assert_close(g, fd(outer, y), 1e-8);

    let before = pulls();
    let (_, (gt, gy)) = middle_grad(1.1, y);
    assert_eq!(pulls(), before + 2);
    assert_close(gt, fd(|t| middle(t, y), 1.1), 1e-8);
    assert_close(gy, fd(|y| middle(1.1, y), y), 1e-8);

    let ts = [0.1, 0.5, -0.3];
    let before = pulls();
    let (_, g) = in_a_loop_grad(y, &ts);
    assert_eq!(pulls(), before);
    assert_close(g, fd(|y| in_a_loop(y, &ts), y), 1e-8);
}

/// `a` is reassigned from `b`: after `a *= b`, `a` depends on `b` too, so `costly(a)` must
/// not be skipped when only `b` is active.
#[differentiable]
fn reassigned(mut a: f64, b: f64) -> f64 {
    a *= b;
    costly(a) + b
}

#[differentiable]
fn only_b(b: f64) -> f64 {
    reassigned(0.8, b)
}

/// A value built from both parameters through a local binding.
#[differentiable]
fn through_bindings(a: f64, b: f64) -> f64 {
    let m = a * b;
    let n = if m > 0.0 { costly(m) } else { m };
    costly(a) * n
}

#[differentiable]
fn only_b_again(b: f64) -> f64 {
    through_bindings(0.6, b) + through_bindings(b, 0.6)
}

#[test]
fn values_that_mix_parameters_keep_their_gradients() {
    let b = 1.3;
    let before = pulls();
    let (_, g) = only_b_grad(b);
    assert_eq!(pulls(), before + 1);
    assert_close(g, fd(only_b, b), 1e-8);
    let (_, g) = only_b_again_grad(b);
    assert_close(g, fd(only_b_again, b), 1e-8);
}

/// A matrix product with data on one side: one product for the needed side.
#[differentiable]
fn layer(x: &Tensor<f64>, w: &Tensor<f64>) -> Tensor<f64> {
    x.matmul(w).tanh().sum()
}

#[differentiable(wrt(w))]
fn weights_only(w: &Tensor<f64>, x: &Tensor<f64>) -> Tensor<f64> {
    layer(x, w) + layer(&x.exp(), w)
}

#[differentiable]
fn data_only(x: &Tensor<f64>) -> Tensor<f64> {
    let w = Tensor::from_vec(vec![0.5, -0.2, 0.1, 0.3, 0.7, -0.4], &[3, 2]);
    layer(x, &w)
}

#[test]
fn one_sided_matrix_products() {
    let x = rand(&[4, 3], 1);
    let w = rand(&[3, 2], 2);
    let (_, gw) = weights_only_grad(&w, &x);
    let want = fd_tensor(|w| weights_only(w, &x).item(), &w);
    assert_tensor_close(&gw, &want, 1e-7);
    let (_, gx) = data_only_grad(&x);
    assert_tensor_close(&gx, &fd_tensor(|x| data_only(x).item(), &x), 1e-7);
}

/// A method: the receiver is argument 0.
#[derive(Clone, Differentiable)]
struct Decay {
    rate: f64,
}

impl Decay {
    #[differentiable(wrt(self, t, y))]
    fn step(&self, t: f64, y: f64) -> f64 {
        -self.rate * y + costly(t)
    }
}

#[differentiable(wrt(d))]
fn rate_only(d: &Decay, y: f64) -> f64 {
    d.step(0.2, y) * d.step(0.4, y)
}

#[test]
fn methods_skip_work_for_inactive_arguments() {
    let d = Decay { rate: 0.8 };
    let before = pulls();
    let (_, g) = rate_only_grad(&d, 1.5);
    assert_eq!(pulls(), before);
    let want = fd(|r| rate_only(&Decay { rate: r }, 1.5), 0.8);
    assert_close(g.rate, want, 1e-8);
}

proptest! {
    #[test]
    fn partial_calls_match_finite_differences(y in -2.0f64..2.0, t in -2.0f64..2.0) {
        let (_, g) = in_a_loop_grad(y, &[t, t * 0.5]);
        let want = fd(|y| in_a_loop(y, &[t, t * 0.5]), y);
        prop_assert!((g - want).abs() <= 1e-6 * (1.0 + want.abs()), "{g} vs {want}");
        let (_, g) = only_b_again_grad(y);
        let want = fd(only_b_again, y);
        prop_assert!((g - want).abs() <= 1e-6 * (1.0 + want.abs()), "{g} vs {want}");
    }
}

/// Loop-carried values through an iterator chain's accumulator and a closure parameter: the
/// accumulator depends on `k` from the second step on.
#[differentiable]
fn folded(x: f64, k: f64, vs: &[f64]) -> f64 {
    let s = vs.iter().fold(x, |acc, &v| {
        let a = acc * v;
        costly(a) + k
    });
    let mut acc = x;
    for &v in vs {
        let z = acc * v;
        acc = z + k;
    }
    s + acc
}

#[differentiable]
fn folded_k_only(k: f64, vs: &[f64]) -> f64 {
    folded(0.3, k, vs)
}

#[test]
fn loop_carried_values_keep_their_gradients() {
    let vs = [0.5, -1.2, 0.8];
    let (_, g) = folded_k_only_grad(1.4, &vs);
    assert_close(g, fd(|k| folded_k_only(k, &vs), 1.4), 1e-8);
}
