use autodiff::prelude::*;

// data read by the body of a function with `jvp` is taken at dual numbers as a constant
struct Config {
    scale: Tensor<f64>,
}

#[differentiable(wrt(x), jvp)]
fn scaled(cfg: &Config, x: &Tensor<f64>) -> Tensor<f64> {
    (x * &cfg.scale).sum()
}

fn main() {}
