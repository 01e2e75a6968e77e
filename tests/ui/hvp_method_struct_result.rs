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

    // `hvp` would differentiate `grown` at dual numbers in reverse mode: a struct result is
    // not taken there
    #[differentiable(wrt(self), hvp)]
    fn loss(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let q = self.grown();
        x.matmul(&q.w).sum()
    }
}

fn main() {}
