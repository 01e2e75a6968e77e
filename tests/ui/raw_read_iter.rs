use autodiff::prelude::*;
// Iterating over the numbers of a differentiable tensor and folding them into the result.

#[differentiable]
fn f(x: &Tensor<f64>, w: f64) -> f64 {
    let mut acc = w;
    for v in x.as_slice().iter() {
        acc = acc * v;
    }
    acc
}

fn main() {}
