use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Lin {
    w: Tensor<f64>,
}

// `hvp` on a struct result makes the copy that other functions' `hvp` differentiate through;
// a Hessian-vector product of its own is that of a scalar function: there is no `grown_hvp`
#[differentiable(wrt(p), hvp)]
fn grown(p: &Lin) -> Lin {
    Lin { w: p.w.exp() }
}

impl Lin {
    #[differentiable(wrt(self), hvp)]
    fn doubled(&self) -> Lin {
        Lin { w: &self.w * 2.0 }
    }
}

fn main() {
    let p = Lin { w: Tensor::ones(&[2]) };
    let v = LinTangent { w: Tensor::ones(&[2]) };
    let _: (Lin, LinTangent, LinTangent) = grown_hvp(&p, &v);
    let _: (Lin, LinTangent, LinTangent) = p.doubled_hvp(&v);
}
