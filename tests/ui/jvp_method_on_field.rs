use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Lin {
    w: Tensor<f64>,
}

#[derive(Clone, Differentiable)]
struct Mlp {
    l1: Lin,
}

impl Lin {
    #[differentiable(wrt(self, x), jvp)]
    fn forward(&self, x: &Tensor<f64>) -> Tensor<f64> {
        x.matmul(&self.w).tanh()
    }
}

impl Mlp {
    // the macro does not see the type of `self.l1`: the copy of `forward` is found through the
    // receiver's type, which needs `#[differentiable]` on `impl Lin`
    #[differentiable(wrt(self, x), jvp)]
    fn loss(&self, x: &Tensor<f64>) -> Tensor<f64> {
        self.l1.forward(x).sum()
    }
}

fn main() {}
