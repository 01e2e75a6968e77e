use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Lin {
    w: Tensor<f64>,
}

#[differentiable(wrt(p), jvp)]
fn grown(p: &Lin) -> Lin {
    Lin { w: p.w.exp() }
}

// `hvp` differentiates `grown` at dual numbers in reverse mode: a helper with a struct result
// needs `hvp` too (which makes that copy; `grown` has `jvp` only)
#[differentiable(wrt(p), hvp)]
fn loss(p: &Lin) -> Tensor<f64> {
    let q = grown(p);
    q.w.sum()
}

fn main() {}
