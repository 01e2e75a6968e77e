//! An iterator chain against the `for` loop it stands for: `#[differentiable]` lowers
//! `xs.iter().map(..).sum()` (and `zip`, `fold`) to that loop, so value+gradient should cost the
//! same. `cargo bench --bench iterators`.

use autodiff::prelude::*;
use criterion::{black_box, criterion_group, criterion_main, Criterion};

#[differentiable(wrt(theta))]
fn chain(theta: f64, xs: &[f64]) -> f64 {
    xs.iter().map(|&x| (theta * x).sin()).sum::<f64>()
}

#[differentiable(wrt(theta))]
fn looped(theta: f64, xs: &[f64]) -> f64 {
    let mut acc = 0.0;
    for &x in xs {
        acc += (theta * x).sin();
    }
    acc
}

#[differentiable(wrt(ws))]
fn chain_params(ws: &[f64], xs: &[f64]) -> f64 {
    ws.iter().zip(xs.iter()).map(|(&w, &x)| w * x).sum::<f64>()
}

#[differentiable(wrt(ws))]
fn zipped_loop_params(ws: &[f64], xs: &[f64]) -> f64 {
    let mut acc = 0.0;
    for (&w, &x) in ws.iter().zip(xs.iter()) {
        acc += w * x;
    }
    acc
}

#[differentiable(wrt(ws))]
fn looped_params(ws: &[f64], xs: &[f64]) -> f64 {
    let mut acc = 0.0;
    for i in 0..ws.len() {
        acc += ws[i] * xs[i];
    }
    acc
}

fn bench(c: &mut Criterion) {
    let n = 1000;
    let xs: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).cos()).collect();
    let ws: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).sin()).collect();
    let mut g = c.benchmark_group("iter_vs_loop_n1000");
    g.bench_function("map_sum_grad", |b| {
        b.iter(|| chain_grad(black_box(0.7), black_box(&xs)))
    });
    g.bench_function("for_loop_grad", |b| {
        b.iter(|| looped_grad(black_box(0.7), black_box(&xs)))
    });
    g.bench_function("zip_map_sum_params_grad", |b| {
        b.iter(|| chain_params_grad(black_box(&ws), black_box(&xs)))
    });
    g.bench_function("zip_loop_params_grad", |b| {
        b.iter(|| zipped_loop_params_grad(black_box(&ws), black_box(&xs)))
    });
    g.bench_function("indexed_loop_params_grad", |b| {
        b.iter(|| looped_params_grad(black_box(&ws), black_box(&xs)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
