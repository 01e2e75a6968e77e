use autodiff::prelude::*;

// `g` differentiates only `x`; this call differentiates `y`. Mapping `g`'s gradient by position
// would hand `x`'s gradient to `y` (a silently wrong result), so it is a compile error.
#[differentiable(wrt(x))]
fn g(x: f64, y: f64) -> f64 {
    x * 10.0 + y
}

#[differentiable]
fn caller(y: f64) -> f64 {
    g(2.0, y)
}

fn main() {}
