use autodiff::prelude::*;

/// Configuration: no gradient.
struct Config {
    scale: f64,
}

#[differentiable(wrt(x, cfg))]
fn f(x: f64, cfg: &Config) -> f64 {
    x * cfg.scale
}

fn main() {}
