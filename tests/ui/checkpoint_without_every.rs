use autodiff::prelude::*;

#[differentiable]
fn a(x0: f64, steps: usize) -> f64 {
    let mut x = x0;
    #[checkpoint]
    for _ in 0..steps {
        x = x.sin();
    }
    x
}

#[differentiable]
fn b(x0: f64, steps: usize) -> f64 {
    let mut x = x0;
    #[checkpoint(each = 10)]
    for _ in 0..steps {
        x = x.sin();
    }
    x
}

fn main() {}
