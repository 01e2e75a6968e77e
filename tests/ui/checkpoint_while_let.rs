use autodiff::prelude::*;

#[differentiable(wrt(x0))]
fn drain(x0: f64, mut forces: Vec<f64>) -> f64 {
    let mut x = x0;
    #[checkpoint(every = 10)]
    while let Some(f) = forces.pop() {
        x = x * f;
    }
    x
}

fn main() {}
