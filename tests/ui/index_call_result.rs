use autodiff::prelude::*;

#[differentiable]
fn pair(x: f64) -> Vec<f64> {
    vec![x, x * x]
}

#[differentiable]
fn f(x: f64) -> f64 {
    let v = pair(x); // the macro cannot see that `v` is a `Vec`: `let v: Vec<f64> = ..`
    v[0] * v[1]
}

fn main() {}
