use autodiff::prelude::*;

#[differentiable(jvp)]
fn helper(x: f64) -> f64 {
    x.sin()
}

// forward over reverse of a non-generic function does not go through its calls
#[differentiable(hvp)]
fn calls_helper(x: f64) -> f64 {
    helper(x) * x
}

fn main() {}
