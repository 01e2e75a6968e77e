use autodiff::prelude::*;

#[differentiable]
fn f(x: f64, k: impl Into<f64>) -> f64 {
    x * k.into()
}

fn main() {}
