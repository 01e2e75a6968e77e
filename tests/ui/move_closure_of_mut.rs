use autodiff::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut c = x;
    let scale = move |v: f64| v * c;
    c = 2.0 * x;
    scale(1.0) + c
}

fn main() {}
