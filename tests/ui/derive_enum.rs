use autodiff::prelude::*;

#[derive(Differentiable)]
enum Layer {
    Dense(Tensor),
    Identity,
}

fn main() {}
