//! Forward mode (`jvp`, and `hvp` over it) through methods called by method syntax on fields,
//! elements and loop locals whose type the macro does not see (`self.layers[i].forward(&h)`,
//! `for l in &self.layers { h = l.forward(&h) }`): `#[differentiable]` on the methods' `impl`
//! block gives their copies to the receivers' dual forms (`autodiff::forward::DualMethod`).
//! Checked against the reverse mode (`<u, J v>` to 1e-12) and central differences.

mod common;
#[path = "common/layers.rs"]
#[macro_use]
mod layers;
use autodiff::prelude::*;
use common::{assert_close, flat_dot};
use layers::{mlp, tangent_of, Lin, Mlp};

#[differentiable]
impl Lin {
    #[differentiable(wrt(self, x), jvp, hvp)]
    fn forward(&self, x: &Tensor<f64>) -> Tensor<f64> {
        (x.matmul(&self.w) + &self.b).tanh()
    }

    /// Two arguments, one of them a plain number (not differentiated).
    #[differentiable(wrt(self, x), jvp, hvp)]
    fn scaled(&self, x: &Tensor<f64>, s: f64) -> Tensor<f64> {
        (x.matmul(&self.w) * s + &self.b).sin()
    }
}

impl Mlp {
    /// Layers by index and by a loop local, the head as a field, all by method syntax.
    #[differentiable(wrt(self, x), jvp, hvp)]
    fn loss(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let mut h = x.clone();
        for l in &self.layers {
            h = l.forward(&h);
        }
        for i in 0..self.layers.len() {
            h = self.layers[i].forward(&h);
        }
        let h = self.head.scaled(&h, 0.7) + self.layers[0].forward(&h);
        (&h * &h).sum()
    }
}

impl Mlp {
    /// The model as data (not differentiated): its layers' copies get constant receivers.
    #[differentiable(wrt(x), jvp, hvp)]
    fn loss_in_x(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let mut h = x.clone();
        for l in &self.layers {
            h = l.forward(&h);
        }
        let h = self.head.scaled(&h, 1.3);
        (&h * &h).sum()
    }
}

#[test]
fn jvp_and_hvp_through_methods_called_by_method_syntax() {
    for seed in [1u64, 31, 77] {
        let (m, v) = (mlp(seed), tangent_of(&mlp(seed + 10)));
        let (x, vx) = (
            Tensor::randn(&[2, 3], seed + 20),
            Tensor::randn(&[2, 3], seed + 21),
        );
        check_loss_modes!(&m, &v, &x, &vx);
    }
}

#[test]
fn jvp_and_hvp_with_the_receivers_as_data() {
    let m = mlp(5);
    let (x, vx) = (Tensor::randn(&[2, 3], 6), Tensor::randn(&[2, 3], 7));
    let (y, jv) = m.loss_in_x_jvp(&x, &vx);
    let (y_r, gx) = m.loss_in_x_grad(&x);
    assert_close(y.item(), y_r.item(), 1e-14);
    assert_close(jv.item(), flat_dot(&gx.to_vec(), &vx.to_vec()), 1e-12);
    let (_, g_h, hx) = m.loss_in_x_hvp(&x, &vx);
    for (a, b) in g_h.to_vec().iter().zip(gx.to_vec()) {
        assert_close(*a, b, 1e-14);
    }
    let grad_at = |s: f64| m.loss_in_x_grad(&(&x + &(&vx * s))).1.to_vec();
    let (gp, gm) = (grad_at(1e-5), grad_at(-1e-5));
    for (k, got) in hx.to_vec().iter().enumerate() {
        assert_close(*got, (gp[k] - gm[k]) / 2e-5, 1e-6);
    }
}
