//! What a caller saves when a helper's argument is data at the call (`vjp::call_activity`): the
//! helper's pullback skips the work that leads only to that argument.
//! `cargo bench --bench call_activity`
//!
//! Each group times the same caller twice: calling the helper, whose pullback is told which
//! gradient the call needs, and calling a hand-written wrapper of the helper's `_vjp` (a
//! custom derivative never receives the request), whose pullback computes every gradient, as
//! every call did before, and drops the unneeded one.

use autodiff::prelude::*;
use criterion::{black_box, criterion_group, criterion_main, Criterion};

/// A dense layer with a scalar loss: `x` is data in the callers below.
#[differentiable]
fn layer(x: &Tensor<f64>, w: &Tensor<f64>) -> Tensor<f64> {
    x.matmul(w).tanh().sum()
}

/// `layer`, computing both gradients whatever the call needs.
fn layer_every(x: &Tensor<f64>, w: &Tensor<f64>) -> Tensor<f64> {
    layer(x, w)
}

#[allow(clippy::type_complexity)]
fn layer_every_vjp(
    x: &Tensor<f64>,
    w: &Tensor<f64>,
) -> (
    Tensor<f64>,
    impl Fn(Tensor<f64>) -> (Tensor<f64>, Tensor<f64>) + use<>,
) {
    let (y, pb) = layer_vjp(x, w);
    (y, move |g| pb(g))
}

#[differentiable(wrt(w))]
fn fit(w: &Tensor<f64>, x: &Tensor<f64>) -> Tensor<f64> {
    layer(x, w)
}

#[differentiable(wrt(w))]
fn fit_every(w: &Tensor<f64>, x: &Tensor<f64>) -> Tensor<f64> {
    layer_every(x, w)
}

/// An ODE right-hand side whose time dependence is costly to differentiate.
#[differentiable]
fn rhs(t: f64, y: f64) -> f64 {
    let forcing = (t * 3.0).sin().exp() * (t * 0.5).cos().ln_1p() + (t * t).tanh();
    -0.8 * y + forcing * y.sin()
}

/// `rhs`, computing both gradients whatever the call needs.
fn rhs_every(t: f64, y: f64) -> f64 {
    rhs(t, y)
}

fn rhs_every_vjp(t: f64, y: f64) -> (f64, impl Fn(f64) -> (f64, f64)) {
    let (r, pb) = rhs_vjp(t, y);
    (r, move |g| pb(g))
}

#[differentiable]
fn euler(y0: f64, ts: &[f64]) -> f64 {
    let mut y = y0;
    for &t in ts {
        y = y + 0.01 * rhs(t, y);
    }
    y
}

#[differentiable]
fn euler_every(y0: f64, ts: &[f64]) -> f64 {
    let mut y = y0;
    for &t in ts {
        y = y + 0.01 * rhs_every(t, y);
    }
    y
}

fn tensor_helper(c: &mut Criterion) {
    let n = 256;
    let x = Tensor::<f64>::randn(&[n, n], 1);
    let w = Tensor::<f64>::randn(&[n, n], 2) * 0.05;
    assert!(fit_grad(&w, &x)
        .1
        .allclose(&fit_every_grad(&w, &x).1, 1e-12, 1e-12));
    let mut g = c.benchmark_group("call_activity_layer_256");
    g.bench_function("request", |b| b.iter(|| fit_grad(black_box(&w), &x)));
    g.bench_function("every_gradient", |b| {
        b.iter(|| fit_every_grad(black_box(&w), &x))
    });
    g.finish();
}

fn scalar_helper(c: &mut Criterion) {
    let ts: Vec<f64> = (0..1000).map(|i| i as f64 * 0.01).collect();
    assert_eq!(euler_grad(0.5, &ts), euler_every_grad(0.5, &ts));
    let mut g = c.benchmark_group("call_activity_euler_1000");
    g.bench_function("request", |b| b.iter(|| euler_grad(black_box(0.5), &ts)));
    g.bench_function("every_gradient", |b| {
        b.iter(|| euler_every_grad(black_box(0.5), &ts))
    });
    g.finish();
}

criterion_group!(benches, tensor_helper, scalar_helper);
criterion_main!(benches);
