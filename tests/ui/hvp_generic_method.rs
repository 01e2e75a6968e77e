use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Lin {
    w: Tensor<f64>,
}

impl Lin {
    #[differentiable(wrt(self, x))]
    fn scaled<T: Into<f64>>(&self, x: &Tensor<f64>, k: T) -> Tensor<f64> {
        x.matmul(&self.w).tanh() * k.into()
    }

    // `hvp` would differentiate `scaled` at dual numbers in reverse mode: a generic method of a
    // non-generic type would take the type's twin as `self`
    #[differentiable(wrt(self), hvp)]
    fn loss(&self, x: &Tensor<f64>) -> Tensor<f64> {
        self.scaled(x, 2.0).sum()
    }
}

fn main() {}
