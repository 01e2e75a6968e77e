use autodiff::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let maybe = Some(x * 2.0);
    match maybe {
        Some(v) => v,
        None => 0.0,
    }
}

fn main() {}
