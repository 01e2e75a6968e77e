use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Cell {
    w: Tensor,
}

impl Cell {
    #[differentiable(wrt(self))]
    fn unroll(&self, h0: &Tensor, steps: usize) -> Tensor {
        let mut h = h0.clone();
        #[checkpoint(every = 10)]
        for _ in 0..steps {
            h = self.w.mm(&h).tanh();
        }
        h.sum()
    }
}

fn main() {}
