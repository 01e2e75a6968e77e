use autodiff::prelude::*;

// a slice as a differentiated argument: forward mode seeds owned containers (`&Vec<Tensor>`)
#[differentiable(wrt(xs), jvp)]
fn total(xs: &[Tensor<f64>]) -> Tensor<f64> {
    (&xs[0] * &xs[1]).sum()
}

fn main() {}
