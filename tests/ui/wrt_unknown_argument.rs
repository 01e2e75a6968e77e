use autodiff::prelude::*;

#[differentiable(wrt(y))]
fn f(x: f64, w: f64) -> f64 {
    x * w
}

fn main() {}
