use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Layer {
    w: Tensor<f64>,
}

// a struct result: forward mode returns numbers and tensors (and their tangents) only
#[differentiable(wrt(x), jvp)]
fn apply(layer: &Layer, x: &Tensor<f64>) -> Layer {
    Layer { w: x.mm(&layer.w) }
}

fn main() {}
