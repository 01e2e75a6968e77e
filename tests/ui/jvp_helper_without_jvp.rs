use autodiff::prelude::*;

#[differentiable]
fn helper(x: f64) -> f64 {
    x.sin()
}

// `helper` is not generic: forward mode needs its own copy at dual numbers
#[differentiable(jvp)]
fn calls_helper(x: f64) -> f64 {
    helper(x) * x
}

fn main() {}
