use autodiff::prelude::*;

#[differentiable]
fn settle(x0: f64, steps: usize) -> f64 {
    let mut x = x0;
    #[checkpoint(every = 100)]
    for _ in 0..steps {
        x = x - 0.1 * x.sin();
        if x.abs() < 1e-9 {
            return x;
        }
    }
    x
}

fn main() {}
