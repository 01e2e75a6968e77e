use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Layer {
    w: Tensor<f64>,
}

// a struct argument: forward mode runs tensor functions of tensors and scalars only
#[differentiable(wrt(layer), jvp)]
fn apply(layer: &Layer, x: &Tensor<f64>) -> Tensor<f64> {
    x.mm(&layer.w).sum()
}

fn main() {}
