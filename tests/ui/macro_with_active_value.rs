use autodiff::prelude::*;

macro_rules! square {
    ($e:expr) => {
        $e * $e
    };
}

#[differentiable]
fn f(x: f64) -> f64 {
    let y = square!(x);
    println!("allowed: {x} {y}");
    y
}

fn main() {}
