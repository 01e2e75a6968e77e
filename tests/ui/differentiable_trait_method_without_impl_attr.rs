use autodiff::prelude::*;

trait Layer {
    fn apply(&self, x: f64) -> f64;
}

struct Double;

// the method's attribute alone: its `apply_vjp` / `apply_grad` are not members of `Layer`
impl Layer for Double {
    #[differentiable]
    fn apply(&self, x: f64) -> f64 {
        2.0 * x
    }
}

fn main() {}
