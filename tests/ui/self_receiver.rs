use autodiff::prelude::*;

#[derive(Differentiable, Clone, Debug)]
struct Model {
    w: f64,
}

impl Model {
    #[differentiable(wrt(self))]
    fn forward(&mut self, x: f64) -> f64 {
        x * self.w
    }
}

fn main() {}
