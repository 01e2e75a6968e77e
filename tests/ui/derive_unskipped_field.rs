use autodiff::prelude::*;

/// Configuration that has no gradient.
#[derive(Clone, Debug)]
struct Config {
    depth: usize,
}

#[derive(Differentiable, Clone, Debug)]
struct Model {
    w: Tensor,
    config: Config,
}

fn main() {}
