#![deny(deprecated)]
use autodiff::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let _unused = x * 2.0;
    3.0
}

fn main() {}
