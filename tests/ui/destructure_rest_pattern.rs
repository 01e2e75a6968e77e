use autodiff::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let triple = (x, x * 2.0, x * 3.0);
    let (a, ..) = triple;
    a
}

fn main() {}
