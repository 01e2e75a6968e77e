use autodiff::prelude::*;

#[differentiable]
fn f(x: &mut Tensor) -> Tensor {
    x.sum()
}

fn main() {}
