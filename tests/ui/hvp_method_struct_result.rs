use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Lin {
    w: Tensor<f64>,
}

impl Lin {
    #[differentiable(wrt(self))]
    fn grown(&self) -> Lin {
        Lin { w: self.w.exp() }
    }

    // `hvp` differentiates `grown` at dual numbers in reverse mode: a method with a struct
    // result needs `hvp` too
    #[differentiable(wrt(self), hvp)]
    fn loss(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let q = self.grown();
        x.matmul(&q.w).sum()
    }
}

fn main() {}
