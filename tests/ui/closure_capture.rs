use autodiff::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let scale = |k: f64| x * k;
    scale(2.0)
}

fn main() {}
