//! `#[differentiable(hvp)]` through helpers and methods with a struct or tuple result, and
//! through methods of generic `impl` blocks: the callees' copies at dual numbers are
//! differentiated in reverse mode like the caller's. `H·v` against central differences of the
//! gradient.

mod common;
use autodiff::prelude::*;
use common::{assert_close, fd_hvp, flat_tangent};
use proptest::prelude::*;

#[derive(Clone, Debug, Differentiable)]
struct Lin {
    w: Tensor<f64>,
    b: Tensor<f64>,
}

/// A helper with a struct result: `hvp` on it makes its copy at dual numbers (no `grown_hvp`).
#[differentiable(wrt(p), jvp, hvp)]
fn grown(p: &Lin) -> Lin {
    Lin {
        w: p.w.exp(),
        b: &p.b * &p.b,
    }
}

#[differentiable(wrt(p, x), hvp)]
fn grown_loss(p: &Lin, x: &Tensor<f64>) -> Tensor<f64> {
    let q = grown(p);
    (x.matmul(&q.w) + &q.b).tanh().sum()
}

fn lin(seed: u64) -> Lin {
    Lin {
        w: Tensor::randn_scaled(&[3, 2], seed, 0.5),
        b: Tensor::randn_scaled(&[2], seed + 1, 0.5),
    }
}

fn as_tangent(l: &Lin) -> LinTangent {
    LinTangent {
        w: l.w.clone(),
        b: l.b.clone(),
    }
}

fn flat_pair(g: &(LinTangent, Tensor<f64>)) -> Vec<f64> {
    flat_tangent::<(Lin, Tensor<f64>)>(g)
}

#[test]
fn hvp_through_a_helper_with_a_struct_result() {
    check_grown_loss(1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn hvp_through_struct_results_over_random_points(seed in 0u64..100_000) {
        check_grown_loss(seed);
        check_loss_method(seed);
    }
}

fn check_grown_loss(seed: u64) {
    let (p, x) = (lin(seed), Tensor::randn_scaled(&[4, 3], seed + 2, 0.5));
    let (vp, vx) = (
        as_tangent(&lin(seed + 4)),
        Tensor::randn_scaled(&[4, 3], seed + 6, 0.5),
    );
    let (y, g, hv) = grown_loss_hvp(&p, &x, &vp, &vx);
    let (y_r, g_r) = grown_loss_grad(&p, &x);
    assert_close(y.item(), y_r.item(), 1e-14);
    for (a, b) in flat_pair(&g).iter().zip(flat_pair(&g_r)) {
        assert_close(*a, b, 1e-13);
    }
    let dir = flat_pair(&(vp, vx));
    let fd = fd_hvp(
        |(p, x): &(Lin, Tensor<f64>)| flat_pair(&grown_loss_grad(p, x).1),
        &(p, x),
        &dir,
    );
    for (a, b) in flat_pair(&hv).iter().zip(fd) {
        assert_close(*a, b, 1e-7);
    }
}

impl Lin {
    /// A method with a struct result, with `hvp`.
    #[differentiable(wrt(self), hvp)]
    fn doubled(&self) -> Lin {
        Lin {
            w: &self.w * 2.0,
            b: self.b.sin(),
        }
    }

    /// A method with a tuple result, with `hvp`.
    #[differentiable(wrt(self, x), hvp)]
    fn parts(&self, x: &Tensor<f64>) -> (Tensor<f64>, Tensor<f64>) {
        (x.matmul(&self.w), self.b.exp())
    }

    #[differentiable(wrt(self, x), hvp)]
    fn loss(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let d = self.doubled();
        let (h, e) = Lin::parts(&d, x);
        (h + e).tanh().powi(2).sum()
    }
}

#[test]
fn hvp_through_methods_with_struct_and_tuple_results() {
    check_loss_method(11);
}

fn check_loss_method(seed: u64) {
    let (p, x) = (lin(seed), Tensor::randn_scaled(&[4, 3], seed + 2, 0.5));
    let (vp, vx) = (
        as_tangent(&lin(seed + 4)),
        Tensor::randn_scaled(&[4, 3], seed + 6, 0.5),
    );
    let (_, g, hv) = p.loss_hvp(&x, &vp, &vx);
    let g_r = p.loss_grad(&x).1;
    for (a, b) in flat_pair(&g).iter().zip(flat_pair(&g_r)) {
        assert_close(*a, b, 1e-13);
    }
    let dir = flat_pair(&(vp, vx));
    let fd = fd_hvp(
        |(p, x): &(Lin, Tensor<f64>)| flat_pair(&p.loss_grad(x).1),
        &(p, x),
        &dir,
    );
    for (a, b) in flat_pair(&hv).iter().zip(fd) {
        assert_close(*a, b, 1e-7);
    }
}

/// Methods of a generic `impl` block (a struct generic over its element): `hvp` differentiates
/// them at dual numbers as written, called by the type's path or on an argument.
#[derive(Clone, Debug, Differentiable)]
struct Scale<T: Float> {
    k: T,
    c: T,
}

impl<T: Float> Scale<T> {
    #[differentiable(wrt(self, x))]
    fn apply(&self, x: T) -> T {
        self.k * x.sin() + self.c * x * x
    }

    /// A struct result, generic.
    #[differentiable(wrt(self, x))]
    fn moved(&self, x: T) -> Scale<T> {
        Scale {
            k: self.k * x,
            c: self.c + x,
        }
    }
}

#[differentiable(wrt(s, x), jvp, hvp)]
fn scaled(s: &Scale<f64>, x: f64) -> f64 {
    let m = s.moved(x);
    Scale::apply(s, x) * x + Scale::apply(&m, x) + s.apply(x * x)
}

#[test]
fn hvp_and_jvp_through_methods_of_a_generic_impl() {
    let s = Scale { k: 0.7, c: -0.4 };
    let (v, vx) = (ScaleTangent { k: 0.3, c: 0.8 }, -0.6);
    let x = 1.1;
    let (_, g, hv) = scaled_hvp(&s, x, &v, vx);
    let (_, g_r) = scaled_grad(&s, x);
    assert_close(g.0.k, g_r.0.k, 1e-14);
    let (_, jv) = scaled_jvp(&s, x, &v, vx);
    let along = g_r.0.k * v.k + g_r.0.c * v.c + g_r.1 * vx;
    assert!((jv - along).abs() <= 1e-12 * along.abs().max(1.0));
    let h = 1e-5;
    let at = |t: f64| {
        let q = Scale {
            k: s.k + t * v.k,
            c: s.c + t * v.c,
        };
        let (_, (gs, gx)) = scaled_grad(&q, x + t * vx);
        [gs.k, gs.c, gx]
    };
    let (a, b) = (at(h), at(-h));
    for (got, i) in [hv.0.k, hv.0.c, hv.1].iter().zip(0..3) {
        assert_close(*got, (a[i] - b[i]) / (2.0 * h), 1e-7);
    }
}

/// A generic free helper with a struct result needs only `#[differentiable]`.
#[differentiable(wrt(p, x))]
fn pushed<T: Float>(p: &Scale<T>, x: T) -> Scale<T> {
    Scale {
        k: p.k * x.cos(),
        c: p.c * p.k,
    }
}

#[differentiable(wrt(s, x), hvp)]
fn pushed_loss(s: &Scale<f64>, x: f64) -> f64 {
    let q = pushed(s, x);
    q.k * q.c * x + q.k.exp()
}

#[test]
fn hvp_through_a_generic_helper_with_a_struct_result() {
    let s = Scale { k: 0.9, c: 0.35 };
    let (v, vx) = (ScaleTangent { k: -0.4, c: 0.6 }, 0.25);
    let x = -0.7;
    let (_, _, hv) = pushed_loss_hvp(&s, x, &v, vx);
    let h = 1e-5;
    let at = |t: f64| {
        let q = Scale {
            k: s.k + t * v.k,
            c: s.c + t * v.c,
        };
        let (_, (gs, gx)) = pushed_loss_grad(&q, x + t * vx);
        [gs.k, gs.c, gx]
    };
    let (a, b) = (at(h), at(-h));
    for (got, i) in [hv.0.k, hv.0.c, hv.1].iter().zip(0..3) {
        assert_close(*got, (a[i] - b[i]) / (2.0 * h), 1e-7);
    }
}
