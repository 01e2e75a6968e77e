// Raw reads that cannot reach the output compile: conditions, bounds, indices, printing. This
// case fails only on its last function, which lets one raw number through.
use autodiff::prelude::*;

#[differentiable]
fn allowed(x: &Tensor<f64>) -> Tensor<f64> {
    let n = x.to_vec().len();
    let big = x.as_slice()[0] > 1.0;
    println!("{:?}", x.to_vec());
    let k = x.as_slice()[1].floor() as usize;
    let y = if big { x * 2.0 } else { x * 3.0 };
    (y * (n + k) as f64).sum()
}

#[differentiable]
fn refused(x: f64) -> f64 {
    let bits = x.to_bits();
    f64::from_bits(bits) * x
}

fn main() {}
