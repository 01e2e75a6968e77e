use autodiff::prelude::*;

#[differentiable]
fn f(x: Tensor) -> Tensor {
    let mut y = &x * 2.0;
    y[0] = 1.0;
    y.sum()
}

fn main() {}
