use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Lin {
    w: Tensor<f64>,
}

impl Lin {
    #[differentiable(wrt(self, x))]
    fn hidden(&self, x: &Tensor<f64>) -> Tensor<f64> {
        x.matmul(&self.w).tanh()
    }

    // `hvp` differentiates `hidden` at dual numbers in reverse mode: it needs `hvp` too
    #[differentiable(wrt(self), hvp)]
    fn loss(&self, x: &Tensor<f64>) -> Tensor<f64> {
        self.hidden(x).sum()
    }
}

fn main() {}
