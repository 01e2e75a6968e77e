use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Lin {
    w: Tensor<f64>,
}

#[differentiable(wrt(p), jvp)]
fn grown(p: &Lin) -> Lin {
    Lin { w: p.w.exp() }
}

// `hvp` would differentiate `grown` at dual numbers in reverse mode: a struct result is not
// taken there
#[differentiable(wrt(p), hvp)]
fn loss(p: &Lin) -> Tensor<f64> {
    let q = grown(p);
    q.w.sum()
}

fn main() {}
