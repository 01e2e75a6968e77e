use autodiff::prelude::*;

struct Model {
    w: f64,
}

impl Model {
    #[differentiable]
    fn forward(&self, x: f64) -> f64 {
        x * self.w
    }
}

fn main() {}
