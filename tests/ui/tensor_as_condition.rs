use autodiff::prelude::*;

#[differentiable]
fn f(x: &Tensor) -> Tensor {
    if x {
        return x * 2.0;
    }
    x.sum()
}

fn main() {}
