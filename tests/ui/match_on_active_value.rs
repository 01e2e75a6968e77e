use autodiff::prelude::*;

// Matching a differentiable value works with `_`, literals, ranges and plain bindings; a
// binding with a sub-pattern is refused.
#[differentiable]
fn f(x: f64) -> f64 {
    match x * 2.0 {
        v @ 0.0..=1.0 => v,
        v => -v,
    }
}

fn main() {}
