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
    // the macro cannot name the copy of `forward` for `self.l1`, whose type it does not see
    #[differentiable(wrt(self, x), jvp)]
    fn loss(&self, x: &Tensor<f64>) -> Tensor<f64> {
        self.l1.forward(x).sum()
    }
}

fn main() {}
