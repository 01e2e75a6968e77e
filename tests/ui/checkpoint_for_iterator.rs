use autodiff::prelude::*;

#[differentiable(wrt(x0))]
fn forced(x0: f64, forces: &[f64]) -> f64 {
    let mut x = x0;
    #[checkpoint(every = 100)]
    for f in forces.iter() {
        x = x + 0.01 * (f - x.sin());
    }
    x
}

fn main() {}
