use autodiff::prelude::*;

// `x` is not differentiated by `layer`, so no gradient can flow from `layer(w2, &h)` back
// through `h` to `w1`: that would be a silently wrong gradient, so it is a compile error.
#[differentiable(wrt(w))]
fn layer(w: &Tensor, x: &Tensor) -> Tensor {
    x.mm(w).tanh()
}

#[differentiable(wrt(w1, w2))]
fn two_layers(w1: &Tensor, w2: &Tensor, x: &Tensor) -> Tensor {
    let h = layer(w1, x);
    let y = layer(w2, &h);
    y.sum()
}

fn main() {}
