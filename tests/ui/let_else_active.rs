use autodiff::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y @ 0.0..=10.0 = x * 2.0 else {
        return 0.0;
    };
    y
}

fn main() {}
