use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Lin {
    w: Tensor<f64>,
}

#[derive(Clone, Differentiable)]
struct Mlp {
    layers: Vec<Lin>,
}

// `#[differentiable]` on the `impl` block, but `forward` has `jvp` only
#[differentiable]
impl Lin {
    #[differentiable(wrt(self, x), jvp)]
    fn forward(&self, x: &Tensor<f64>) -> Tensor<f64> {
        x.matmul(&self.w).tanh()
    }
}

impl Mlp {
    #[differentiable(wrt(self, x), hvp)]
    fn loss(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let mut h = x.clone();
        for l in &self.layers {
            h = l.forward(&h);
        }
        h.sum()
    }
}

fn main() {}
