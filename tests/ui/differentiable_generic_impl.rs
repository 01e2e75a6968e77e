use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Lin<T: Element> {
    w: Tensor<T>,
}

#[differentiable]
impl<T: Element + Float> Lin<T> {
    fn width(&self) -> usize {
        self.w.shape()[1]
    }
}

trait Layer {
    fn apply(&self, x: &Tensor<f64>) -> Tensor<f64>;
}

#[derive(Clone, Differentiable)]
struct Id {
    s: Tensor<f64>,
}

#[differentiable]
impl Layer for Id {
    fn apply(&self, x: &Tensor<f64>) -> Tensor<f64> {
        x * &self.s
    }
}

fn main() {}
