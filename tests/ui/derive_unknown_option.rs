use autodiff::prelude::*;

#[derive(Differentiable)]
struct Model {
    #[differentiable(frozen)]
    w: Tensor,
}

fn main() {}
