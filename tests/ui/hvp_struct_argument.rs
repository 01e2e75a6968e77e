use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Lin {
    w: Tensor<f64>,
}

// forward over reverse through a struct argument is not generated: `jvp` is
#[differentiable(wrt(p), hvp)]
fn loss(p: &Lin, x: &Tensor<f64>) -> Tensor<f64> {
    x.matmul(&p.w).tanh().sum()
}

fn main() {}
