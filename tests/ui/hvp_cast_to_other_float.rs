use autodiff::prelude::*;

// `hvp` runs at one element type: a derived value cast to `f32` in an `f64` function is
// refused (`jvp` takes it)
#[differentiable(jvp, hvp)]
fn f(x: f64, y: f64) -> f64 {
    let a = (x * y) as f32;
    f64::from(a) * y
}

fn main() {}
