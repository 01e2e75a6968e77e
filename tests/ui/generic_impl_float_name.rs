use autodiff::prelude::*;

#[derive(Differentiable, Clone)]
struct Line<Real: Float> {
    slope: Real,
}

impl<Real: Float> Line<Real> {
    #[differentiable(wrt(self, x))]
    fn at(&self, x: Real) -> Real {
        self.slope * x
    }
}

fn main() {}
