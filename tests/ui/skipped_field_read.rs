#![deny(deprecated)]
use autodiff::prelude::*;

#[derive(Differentiable, Clone, Debug)]
struct Model {
    w: f64,
    #[differentiable(skip)]
    scale: f64,
}

#[differentiable(wrt(m))]
fn f(m: &Model, x: f64) -> f64 {
    m.w * x * m.scale
}

fn main() {}
