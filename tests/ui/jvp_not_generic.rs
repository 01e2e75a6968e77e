use autodiff::prelude::*;

#[differentiable(jvp)]
fn f(x: &Tensor, w: &Tensor) -> Tensor {
    x.mm(w).sum()
}

fn main() {}
