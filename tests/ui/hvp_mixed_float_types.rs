use autodiff::prelude::*;

// `hvp` takes one element type; `jvp` converts between `f32` and `f64`
#[differentiable(jvp, hvp)]
fn f(x: f32) -> f64 {
    f64::from(x) * 2.0
}

fn main() {}
