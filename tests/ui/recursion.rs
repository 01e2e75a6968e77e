use autodiff::prelude::*;

#[differentiable]
fn f(x: f64, n: u32) -> f64 {
    if n == 0 {
        x
    } else {
        f(x * 2.0, n - 1)
    }
}

fn main() {}
