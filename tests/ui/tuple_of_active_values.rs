use autodiff::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let pair = (x, x * 2.0);
    pair.0 + pair.1
}

fn main() {}
