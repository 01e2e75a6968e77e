use autodiff::prelude::*;

#[differentiable]
fn even(x: f64, n: u32) -> f64 {
    if n == 0 {
        x
    } else {
        odd(x * 2.0, n - 1)
    }
}

#[differentiable]
fn odd(x: f64, n: u32) -> f64 {
    even(x + 1.0, n - 1)
}

fn main() {}
