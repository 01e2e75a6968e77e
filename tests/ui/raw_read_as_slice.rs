use autodiff::prelude::*;

// `x.as_slice()[0]` reads a number without its derivative; used in the result it would give a
// silently wrong gradient ([1, 1, 1] instead of [7, 1, 1]).
#[differentiable]
fn first(x: &Tensor<f64>) -> Tensor<f64> {
    let x0 = x.as_slice()[0];
    x.sum() * x0
}

fn main() {}
