use autodiff::prelude::*;

// `g` differentiates its first and eighth parameters; a call may leave some of a narrowed
// callee's parameters inactive only among its first six, so passing only `a` active is refused
// (call it with both active, or move `h` forward).
#[differentiable(wrt(a, h))]
#[allow(clippy::too_many_arguments)]
fn g(a: f64, b: f64, c: f64, d: f64, e: f64, f: f64, k: f64, h: f64) -> f64 {
    a * h + b + c + d + e + f + k
}

#[differentiable]
fn caller(a: f64) -> f64 {
    g(a, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0)
}

fn main() {}
