use autodiff::prelude::*;

// float literals inside a tuple pattern of dual values: refused, with the form to write
#[differentiable(jvp)]
fn f(x: f64, y: f64) -> f64 {
    match (x, y * 2.0) {
        (0.0, v) => v,
        (a, b) => a * b,
    }
}

fn main() {}
