use autodiff::prelude::*;
use std::hint::black_box;

#[differentiable]
fn w2_mean(x: &Tensor) -> Tensor {
    ((x + 2.0).powi(2) * 3.0).mean()
}
#[differentiable]
fn w1_dot(x: &Tensor) -> Tensor {
    2.0 * x.dot(x)
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let x = if which.starts_with("w1") { Tensor::randn(&[4], 1) } else { Tensor::randn(&[2, 2], 2) };
    let n = 20_000_000;
    let t = std::time::Instant::now();
    for _ in 0..n {
        match which.as_str() {
            "w2g" => { black_box(w2_mean_grad(black_box(&x))); }
            "w2f" => { black_box(w2_mean(black_box(&x))); }
            "w1g" => { black_box(w1_dot_grad(black_box(&x))); }
            "w1f" => { black_box(w1_dot(black_box(&x))); }
            _ => {}
        }
    }
    println!("{} ns/call", t.elapsed().as_nanos() as f64 / n as f64);
}
