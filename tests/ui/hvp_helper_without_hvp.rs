use autodiff::prelude::*;

#[differentiable(jvp)]
fn helper(x: f64) -> f64 {
    x.sin()
}

// `hvp` differentiates `helper` at dual numbers in reverse mode: it needs `hvp` too
#[differentiable(hvp)]
fn calls_helper(x: f64) -> f64 {
    helper(x) * x
}

fn main() {}
