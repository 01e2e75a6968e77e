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

fn main() {}
