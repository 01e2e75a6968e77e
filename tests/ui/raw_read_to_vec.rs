use autodiff::prelude::*;

#[differentiable]
fn f(x: &Tensor<f64>) -> f64 {
    let v = x.to_vec();
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i] * v[i];
    }
    s
}

fn main() {}
