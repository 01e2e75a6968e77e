use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Scale<T: Float> {
    k: T,
}

impl<T: Float> Scale<T> {
    #[differentiable(wrt(x))]
    fn apply(&self, x: T) -> T {
        self.k * x.sin()
    }
}

// `hvp` would differentiate `apply` at dual numbers in reverse mode: a method of a generic
// `impl` block is not taken there
#[differentiable(wrt(x), hvp)]
fn loss(s: &Scale<f64>, x: f64) -> f64 {
    Scale::apply(s, x) * x
}

fn main() {}
