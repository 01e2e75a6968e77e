//! `#[differentiable]` on an `impl` block with methods of several forms (a struct argument, a
//! number result, a `self` receiver by value, a method without forward mode): the block
//! compiles (with its `DualMethod` impls), and the methods called by method syntax on fields give the reverse mode's
//! derivatives (`<u, J v>` against the vjp).

mod common;
use autodiff::prelude::*;
use common::{assert_close, flat_dot, flat_tangent};

#[derive(Clone, Debug, Differentiable)]
struct Scale {
    s: Tensor<f64>,
}

#[derive(Clone, Debug, Differentiable)]
struct Unit {
    w: Tensor<f64>,
}

#[derive(Clone, Debug, Differentiable)]
struct Net {
    units: Vec<Unit>,
    scale: Scale,
}

#[differentiable]
impl Unit {
    /// A struct argument (differentiated) besides the receiver.
    #[differentiable(wrt(self, x, sc), jvp)]
    fn apply(&self, x: &Tensor<f64>, sc: &Scale) -> Tensor<f64> {
        (x.matmul(&self.w) * &sc.s).tanh()
    }

    /// A number result.
    #[differentiable(wrt(self, x), jvp)]
    fn energy(&self, x: &Tensor<f64>) -> f64 {
        x.matmul(&self.w).powi(2).sum().item()
    }

    /// The receiver by value (its copy for the dual form clones the receiver; reverse mode
    /// does not call such methods on fields, so only its compiling is checked here).
    #[differentiable(wrt(self, x), jvp)]
    fn shifted(self, x: &Tensor<f64>) -> Tensor<f64> {
        x.matmul(&self.w).sin()
    }

    /// No forward mode: only reverse mode.
    #[differentiable(wrt(self, x))]
    fn plain(&self, x: &Tensor<f64>) -> Tensor<f64> {
        x.matmul(&self.w)
    }

    fn width(&self) -> usize {
        self.w.shape()[1]
    }
}

impl Net {
    #[differentiable(wrt(self, x), jvp)]
    fn loss(&self, x: &Tensor<f64>) -> f64 {
        let h = self.units[0].apply(x, &self.scale);
        let e = self.units[0].energy(&h);
        (&h * &h).sum().item() + e * 0.1
    }
}

#[test]
fn methods_of_several_forms_by_method_syntax() {
    let unit = |s| Unit {
        w: Tensor::randn_scaled(&[3, 3], s, 0.5),
    };
    let net = |s| Net {
        units: vec![unit(s), unit(s + 1)],
        scale: Scale {
            s: Tensor::randn(&[3], s + 2),
        },
    };
    let (m, v_net) = (net(1), net(11));
    assert_eq!(m.units[0].width(), 3);
    let v = NetTangent {
        units: v_net
            .units
            .iter()
            .map(|u| UnitTangent { w: u.w.clone() })
            .collect(),
        scale: ScaleTangent {
            s: v_net.scale.s.clone(),
        },
    };
    let (x, vx) = (Tensor::randn(&[2, 3], 21), Tensor::randn(&[2, 3], 22));
    let (y, jv) = m.loss_jvp(&x, &v, &vx);
    let (y_r, (g, gx)) = m.loss_grad(&x);
    assert_close(y, y_r, 1e-14);
    let both = flat_dot(&flat_tangent::<Net>(&g), &flat_tangent::<Net>(&v))
        + flat_dot(&gx.to_vec(), &vx.to_vec());
    assert_close(jv, both, 1e-12);
}
