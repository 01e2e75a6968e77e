use autodiff::prelude::*;

// Indexing the numbers of a differentiable tensor and returning one of them.
#[differentiable]
fn f(x: &Tensor<f64>) -> f64 {
    let i = 1;
    x.as_slice()[i] * 2.0
}

fn main() {}
