use autodiff::prelude::*;

#[differentiable]
fn f(x: &Tensor) -> Tensor {
    let y = x.map(|v| v.max(0.0));
    y.sum()
}

fn main() {}
