use autodiff::prelude::*;

/// A curve whose own `len` is a length computed from the differentiated points.
#[derive(Clone, Differentiable)]
struct Curve {
    xs: Vec<f64>,
}

impl Curve {
    #[differentiable(wrt(self))]
    fn len(&self) -> f64 {
        self.xs.iter().map(|x| x * x).sum::<f64>().sqrt()
    }
}

// `len` by method syntax is read as a size (no derivative): refused, as it returns an `f64`
#[differentiable(wrt(c))]
fn cost(c: &Curve, w: f64) -> f64 {
    c.len() * w + c.xs.len() as f64
}

fn main() {}
