use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Poly<T: Float> {
    c: Vec<T>,
}

// a Hessian-vector product is that of a scalar function; a generic helper with a struct result
// needs only `#[differentiable]` for other functions' `hvp` (and `jvp` for its own tangent)
#[differentiable(wrt(p), hvp)]
fn shifted<T: Float>(p: &Poly<T>, x: T) -> Poly<T> {
    Poly { c: p.c.iter().map(|c| *c + x).collect() }
}

fn main() {}
