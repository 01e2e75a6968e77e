use autodiff::prelude::*;

#[differentiable]
fn f(x: &Tensor) -> Tensor {
    let y = x.cumsum(0);
    y.sum()
}

fn main() {}
