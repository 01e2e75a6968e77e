//! `#[differentiable]` on a trait `impl` block: the trait's methods marked `#[differentiable]`
//! are differentiated like inherent methods, their generated `_vjp` / `_grad` (and forward-mode
//! copies) living in an inherent `impl` of the type, so callers use `layer.apply(x)` as usual.
//! Checked against central differences, and jvp against the vjp.

mod common;
use autodiff::prelude::*;
use common::{assert_close, assert_tensor_close, fd, fd_tensor, flat_dot, flat_tangent};

trait Layer {
    fn apply(&self, x: &Tensor<f64>) -> Tensor<f64>;
    fn width(&self) -> usize;
}

#[derive(Clone, Debug, Differentiable)]
struct Dense {
    w: Tensor<f64>,
    b: Tensor<f64>,
}

#[differentiable]
impl Layer for Dense {
    #[differentiable(wrt(self, x), jvp)]
    fn apply(&self, x: &Tensor<f64>) -> Tensor<f64> {
        (x.matmul(&self.w) + &self.b).tanh()
    }

    // not differentiated: stays as written
    fn width(&self) -> usize {
        self.w.shape()[1]
    }
}

/// A caller that uses the trait method by method syntax, on a parameter and on a field.
#[derive(Clone, Debug, Differentiable)]
struct Net {
    first: Dense,
    second: Dense,
}

impl Net {
    #[differentiable(wrt(self, x), jvp)]
    fn loss(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let h = self.first.apply(x);
        let y = self.second.apply(&h);
        (&y * &y).sum()
    }
}

#[differentiable(wrt(x))]
fn loss_in_x(d: &Dense, x: &Tensor<f64>) -> Tensor<f64> {
    d.apply(x).powi(2).sum() * d.width() as f64
}

/// A generic trait impl of a scalar model: the generated functions are generic the same way.
trait Energy<T> {
    fn energy(&self, x: T) -> T;
}

#[derive(Clone, Debug)]
struct Spring<T> {
    k: T,
}

#[differentiable]
impl<T: Float> Energy<T> for Spring<T> {
    #[differentiable(wrt(x))]
    fn energy(&self, x: T) -> T {
        let half = T::from(0.5).unwrap();
        half * self.k * x * x + x.sin()
    }
}

fn dense(seed: u64, n: usize, m: usize) -> Dense {
    Dense {
        w: Tensor::randn_scaled(&[n, m], seed, 0.5),
        b: Tensor::randn_scaled(&[m], seed + 1, 0.5),
    }
}

#[test]
fn trait_method_gradient_matches_central_differences() {
    let d = dense(1, 3, 2);
    let x = Tensor::randn(&[4, 3], 3);
    let (y, gx) = loss_in_x_grad(&d, &x);
    assert_close(y.item(), loss_in_x(&d, &x).item(), 1e-14);
    let num = fd_tensor(|x| loss_in_x(&d, x).item(), &x);
    assert_tensor_close(&gx, &num, 1e-6);
    // the method's own NAME_grad, called as an inherent method
    let (gd, _) = d.apply_vjp(&x).1(Tensor::ones(&[4, 2]));
    let shifted = |h: f64| {
        let mut e = d.clone();
        e.b = &e.b + &Tensor::from_vec(vec![h, 0.0], &[2]);
        e.apply(&x).sum().item()
    };
    assert_close(gd.b.to_vec()[0], fd(shifted, 0.0), 1e-6);
}

#[test]
fn trait_methods_called_on_fields_jvp_agrees_with_vjp() {
    let net = Net {
        first: dense(5, 3, 4),
        second: dense(7, 4, 2),
    };
    let v = NetTangent {
        first: DenseTangent {
            w: Tensor::randn(&[3, 4], 11),
            b: Tensor::randn(&[4], 12),
        },
        second: DenseTangent {
            w: Tensor::randn(&[4, 2], 13),
            b: Tensor::randn(&[2], 14),
        },
    };
    let (x, vx) = (Tensor::randn(&[2, 3], 15), Tensor::randn(&[2, 3], 16));
    let (y, jv) = net.loss_jvp(&x, &v, &vx);
    let (y_r, (g, gx)) = net.loss_grad(&x);
    assert_close(y.item(), y_r.item(), 1e-14);
    let both = flat_dot(&flat_tangent::<Net>(&g), &flat_tangent::<Net>(&v))
        + flat_dot(&gx.to_vec(), &vx.to_vec());
    assert_close(jv.item(), both, 1e-12);
    let num = fd_tensor(|x| net.loss(x).item(), &x);
    assert_tensor_close(&gx, &num, 1e-6);
}

#[test]
fn generic_trait_impl_is_differentiated_at_each_type() {
    let s = Spring { k: 3.0f64 };
    for x in [-1.3, 0.2, 2.5] {
        let (e, g) = s.energy_grad(x);
        assert_close(e, s.energy(x), 1e-15);
        assert_close(g, fd(|x| s.energy(x), x), 1e-7);
    }
    let s32 = Spring { k: 3.0f32 };
    let (_, g32) = s32.energy_grad(0.5f32);
    assert!((g32 - (3.0 * 0.5 + 0.5f32.cos())).abs() < 1e-5);
}
