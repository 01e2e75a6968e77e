use autodiff::prelude::*;

fn apply(f: impl Fn(f64) -> f64, v: f64) -> f64 {
    f(v)
}

#[differentiable]
fn f(x: f64) -> f64 {
    let scale = |k: f64| x * k;
    apply(scale, 2.0) + apply(|k: f64| x + k, 1.0)
}

fn main() {}
