use autodiff::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    match x * 2.0 {
        v if v > 1.0 => v,
        v => -v,
    }
}

fn main() {}
