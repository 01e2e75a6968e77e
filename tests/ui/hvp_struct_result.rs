use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Lin {
    w: Tensor<f64>,
}

// a Hessian-vector product is that of a scalar function: `jvp` takes struct results
#[differentiable(wrt(p), hvp)]
fn grown(p: &Lin) -> Lin {
    Lin { w: p.w.exp() }
}

fn main() {}
