use autodiff::prelude::*;

// A call passes at most 16 differentiable arguments (the gradients come back as a tuple).
#[differentiable]
#[allow(clippy::too_many_arguments)]
fn wide(
    a: f64, b: f64, c: f64, d: f64, e: f64, f: f64, g: f64, h: f64, i: f64,
    j: f64, k: f64, l: f64, m: f64, n: f64, o: f64, p: f64, q: f64,
) -> f64 {
    a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p + q
}

#[differentiable]
fn caller(x: f64) -> f64 {
    wide(x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x)
}

fn main() {}
