use autodiff::prelude::*;

#[differentiable]
fn f(x: &Tensor) -> Tensor {
    let a = x.map(|v| v * 2.0);
    let b = x.zip_map(&a, |p, q| p * q);
    let c = unsafe { a.clone() };
    (a + b + c).sum()
}

fn main() {}
