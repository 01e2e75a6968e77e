//! Forward mode (`jvp`, and `hvp` over it) through methods called on fields, elements and loop
//! locals of a struct: by the type's path (`Lin::forward(&self.layers[0], x)`) or on a local
//! bound with its type (`for l in &self.layers { let l: &Lin = l; .. }`), the forms whose
//! method copy the macro can name. Checked against the reverse mode and central differences.

mod common;
#[path = "common/layers.rs"]
#[macro_use]
mod layers;
use autodiff::prelude::*;
use layers::{mlp, tangent_of, Lin, Mlp};

impl Lin {
    #[differentiable(wrt(self, x), jvp, hvp)]
    fn forward(&self, x: &Tensor<f64>) -> Tensor<f64> {
        (x.matmul(&self.w) + &self.b).tanh()
    }
}

impl Mlp {
    /// Layers by a typed loop local, the head by its type's path.
    #[differentiable(wrt(self, x), jvp, hvp)]
    fn loss(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let mut h = x.clone();
        for l in &self.layers {
            let l: &Lin = l;
            h = l.forward(&h);
        }
        let h = Lin::forward(&self.layers[0], &h) + Lin::forward(&self.head, &h);
        (&h * &h).sum()
    }
}

#[test]
fn jvp_and_hvp_through_methods_on_fields_elements_and_loop_locals() {
    let (m, v) = (mlp(1), tangent_of(&mlp(11)));
    let (x, vx) = (Tensor::randn(&[2, 3], 21), Tensor::randn(&[2, 3], 22));
    check_loss_modes!(&m, &v, &x, &vx);
}
