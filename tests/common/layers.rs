//! A dense layer and an MLP of them with their inputs, shared by the tests of methods called in
//! different places (`forward_method_places.rs`, `forward_method_syntax.rs`), which give them
//! their methods. Included by `#[path]` where needed, not by `common/mod.rs`, so that other
//! tests do not compile the derive for them.

use autodiff::prelude::*;

/// `m.loss_jvp`, `m.loss_hvp` and `m.loss_grad` at `x` along `(v, vx)`, checked against each
/// other and against central differences of `m.loss` (`common::model_modes::check_modes`). A
/// macro because each includer gives `Mlp` its own `loss` method.
macro_rules! check_loss_modes {
    ($m:expr, $v:expr, $x:expr, $vx:expr) => {{
        let (m, v, x, vx) = ($m, $v, $x, $vx);
        let (y, jv) = m.loss_jvp(x, v, vx);
        let (y_h, (gm_h, gx_h), hv) = m.loss_hvp(x, v, vx);
        let modes = crate::common::model_modes::Modes {
            jvp: (y.item(), jv.item()),
            hvp: (y_h.item(), gm_h, gx_h),
            hv,
        };
        crate::common::model_modes::check_modes(
            m,
            (v, vx),
            x,
            modes,
            |m, x| m.loss(x).item(),
            |m, x| {
                let (y, (g, gx)) = m.loss_grad(x);
                (y.item(), g, gx)
            },
        );
    }};
}

#[derive(Clone, Debug, Differentiable)]
pub struct Lin {
    pub w: Tensor<f64>,
    pub b: Tensor<f64>,
}

#[derive(Clone, Debug, Differentiable)]
pub struct Mlp {
    pub layers: Vec<Lin>,
    pub head: Lin,
}

/// A square layer of width `n` from two seeds.
pub fn lin(seed: u64, n: usize) -> Lin {
    Lin {
        w: Tensor::randn_scaled(&[n, n], seed, 0.5),
        b: Tensor::randn_scaled(&[n], seed + 1, 0.5),
    }
}

/// Two layers of width 3 and a head.
pub fn mlp(seed: u64) -> Mlp {
    Mlp {
        layers: vec![lin(seed, 3), lin(seed + 2, 3)],
        head: lin(seed + 4, 3),
    }
}

/// A model's weights as a tangent (a direction in its parameter space).
pub fn tangent_of(m: &Mlp) -> MlpTangent {
    let t = |l: &Lin| LinTangent {
        w: l.w.clone(),
        b: l.b.clone(),
    };
    MlpTangent {
        layers: m.layers.iter().map(t).collect(),
        head: t(&m.head),
    }
}
