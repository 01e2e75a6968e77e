// A user's method named `len` called by method syntax on a field in a function with `hvp`:
// reverse mode reads the name as a size; refused at the call (call it by its type's path).
use autodiff::prelude::*;

#[derive(Clone, Debug, Differentiable)]
struct Poly {
    c: Vec<f64>,
}

#[derive(Clone, Debug, Differentiable)]
struct Track {
    p: Poly,
}

#[differentiable]
impl Poly {
    #[differentiable(wrt(self), jvp, hvp)]
    fn len(&self) -> f64 {
        self.c.iter().map(|v| v * v).sum::<f64>()
    }
}

#[differentiable(wrt(k, x), hvp)]
fn total(k: &Track, x: f64) -> f64 {
    k.p.len() * x
}

fn main() {}
