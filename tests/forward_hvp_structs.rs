//! `#[differentiable(hvp)]` through structs, containers, methods and calls of helpers:
//! `NAME_hvp(args.., v..) -> (out, grads, hvp)` with the gradients' types, against central
//! differences of the gradient and hand-derived Hessians.

mod common;
use autodiff::prelude::*;
use common::{assert_close, fd_hvp, flat_tangent};
use proptest::prelude::*;

#[derive(Clone, Debug, Differentiable)]
struct Lin {
    w: Tensor<f64>,
    b: Tensor<f64>,
}

fn lin(seed: u64, n: usize, m: usize) -> Lin {
    Lin {
        w: Tensor::randn_scaled(&[n, m], seed, 0.5),
        b: Tensor::randn_scaled(&[m], seed + 1, 0.5),
    }
}

fn tangent(l: &Lin) -> LinTangent {
    LinTangent {
        w: l.w.clone(),
        b: l.b.clone(),
    }
}

fn assert_all_close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_close(*x, *y, tol);
    }
}

/// A struct argument read by field, differentiated with the data.
#[differentiable(wrt(p, x), hvp)]
fn lin_loss(p: &Lin, x: &Tensor<f64>) -> Tensor<f64> {
    (x.matmul(&p.w) + &p.b).tanh().sum()
}

fn check_lin_loss(p: &Lin, x: &Tensor<f64>, vp: &LinTangent, vx: &Tensor<f64>) {
    let (y, (gp, gx), (hp, hx)) = lin_loss_hvp(p, x, vp, vx);
    let (y_r, (gp_r, gx_r)) = lin_loss_grad(p, x);
    assert_close(y.item(), y_r.item(), 1e-14);
    assert_all_close(
        &flat_tangent::<Lin>(&gp),
        &flat_tangent::<Lin>(&gp_r),
        1e-14,
    );
    assert_all_close(&gx.to_vec(), &gx_r.to_vec(), 1e-14);
    let grad = |q: &(Lin, Tensor<f64>)| {
        let (_, (gp, gx)) = lin_loss_grad(&q.0, &q.1);
        let mut g = flat_tangent::<Lin>(&gp);
        g.extend(gx.to_vec());
        g
    };
    let mut dir = flat_tangent::<Lin>(vp);
    dir.extend(vx.to_vec());
    let mut hv = flat_tangent::<Lin>(&hp);
    hv.extend(hx.to_vec());
    assert_all_close(&hv, &fd_hvp(grad, &(p.clone(), x.clone()), &dir), 1e-6);
}

#[test]
fn struct_argument_read_by_field() {
    let (p, vp) = (lin(1, 3, 2), lin(5, 3, 2));
    let (x, vx) = (Tensor::randn(&[4, 3], 3), Tensor::randn(&[4, 3], 4));
    check_lin_loss(&p, &x, &tangent(&vp), &vx);
}

/// Rosenbrock's function of a struct of two numbers, with its constants as data:
/// `f = (a - x)² + b (y - x²)²`.
#[derive(Clone, Debug, Differentiable)]
struct Point {
    x: f64,
    y: f64,
}

#[derive(Clone, Debug, Differentiable)]
struct RosenConsts {
    a: f64,
    b: f64,
}

#[differentiable(wrt(p), hvp)]
fn rosenbrock(p: &Point, c: &RosenConsts) -> f64 {
    let d = p.y - p.x * p.x;
    (c.a - p.x) * (c.a - p.x) + c.b * d * d
}

#[test]
fn rosenbrock_of_a_struct_against_its_hessian() {
    let c = RosenConsts { a: 1.0, b: 100.0 };
    for (x, y) in [(-1.2, 1.0), (0.3, -0.4), (1.0, 1.0)] {
        let p = Point { x, y };
        // H = [[2 - 4b(y - x²) + 8b x², -4b x], [-4b x, 2b]]
        let hess = [
            [
                2.0 - 4.0 * c.b * (y - x * x) + 8.0 * c.b * x * x,
                -4.0 * c.b * x,
            ],
            [-4.0 * c.b * x, 2.0 * c.b],
        ];
        for (v, row) in [((1.0, 0.0), 0), ((0.0, 1.0), 1)] {
            let (f, g, hv) = rosenbrock_hvp(&p, &c, &PointTangent { x: v.0, y: v.1 });
            assert_eq!(f, rosenbrock(&p, &c));
            let g_r = rosenbrock_grad(&p, &c).1;
            assert_eq!((g.x, g.y), (g_r.x, g_r.y));
            assert_close(hv.x, hess[row][0], 1e-12);
            assert_close(hv.y, hess[row][1], 1e-12);
        }
    }
}

/// A `Vec` of tensors and a tuple as differentiated arguments.
#[allow(clippy::ptr_arg)]
#[differentiable(wrt(ws, p), hvp)]
fn containers(ws: &Vec<Tensor<f64>>, p: &(Tensor<f64>, f64)) -> Tensor<f64> {
    ((&ws[0] * &ws[1]).sin() * &p.0).sum() * p.1 + ws[1].exp().sum()
}

#[test]
fn vec_and_tuple_arguments() {
    let ws: Vec<Tensor<f64>> = (0..2).map(|s| Tensor::randn(&[3], 40 + s)).collect();
    let vs: Vec<Tensor<f64>> = (0..2).map(|s| Tensor::randn(&[3], 50 + s)).collect();
    let (p, vp) = (
        (Tensor::randn(&[3], 60), 0.8),
        (Tensor::randn(&[3], 61), -0.5),
    );
    let (_, (gw, gp), (hw, hp)) = containers_hvp(&ws, &p, &vs, &vp);
    let (_, (gw_r, gp_r)) = containers_grad(&ws, &p);
    type W = Vec<Tensor<f64>>;
    type P = (Tensor<f64>, f64);
    assert_all_close(&flat_tangent::<W>(&gw), &flat_tangent::<W>(&gw_r), 1e-14);
    assert_all_close(&flat_tangent::<P>(&gp), &flat_tangent::<P>(&gp_r), 1e-14);
    let grad = |q: &(W, P)| {
        let (_, (gw, gp)) = containers_grad(&q.0, &q.1);
        let mut g = flat_tangent::<W>(&gw);
        g.extend(flat_tangent::<P>(&gp));
        g
    };
    let mut dir = flat_tangent::<W>(&vs);
    dir.extend(flat_tangent::<P>(&vp));
    let mut hv = flat_tangent::<W>(&hw);
    hv.extend(flat_tangent::<P>(&hp));
    assert_all_close(&hv, &fd_hvp(grad, &(ws.clone(), p.clone()), &dir), 1e-6);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn struct_hvp_agrees_with_differences_of_the_gradient(
        seed in 0u64..10_000, n in 1usize..4, m in 1usize..4,
    ) {
        let (p, vp) = (lin(seed, n, m), lin(seed + 100, n, m));
        let x = Tensor::randn(&[2, n], seed + 200);
        check_lin_loss(&p, &x, &tangent(&vp), &Tensor::randn(&[2, n], seed + 300));
    }
}

/// A non-generic helper with `hvp`, a generic helper, a helper by its module path.
#[differentiable(hvp)]
fn sq_sin(x: f64) -> f64 {
    x.sin() * x
}

#[differentiable]
fn generic_exp<T: Float>(x: T) -> T {
    x * x.exp()
}

mod helpers {
    use autodiff::prelude::*;

    #[differentiable(hvp)]
    pub fn cube(x: f64) -> f64 {
        x * x * x
    }
}

/// `f = x sin x · y + (y/2) e^{y/2} + (x - y)³`
#[differentiable(hvp)]
fn calls_helpers(x: f64, y: f64) -> f64 {
    sq_sin(x) * y + generic_exp(y * 0.5) + helpers::cube(x - y)
}

#[test]
fn calls_of_helpers_against_the_hessian() {
    for (x, y) in [(1.3, 0.7), (0.2, -0.4)] {
        // f_xx = (2cos x - x sin x) y + 6(x-y), f_xy = sin x + x cos x - 6(x-y),
        // f_yy = (1/4)(2 + y/2) e^{y/2} + 6(x-y)
        let d = x - y;
        let fxx = (2.0 * x.cos() - x * x.sin()) * y + 6.0 * d;
        let fxy = x.sin() + x * x.cos() - 6.0 * d;
        let fyy = 0.25 * (2.0 + 0.5 * y) * (0.5 * y).exp() + 6.0 * d;
        let (f, g, hv) = calls_helpers_hvp(x, y, 1.0, 0.0);
        assert_eq!(f, calls_helpers(x, y));
        let g_r = calls_helpers_grad(x, y).1;
        assert_close(g.0, g_r.0, 1e-14);
        assert_close(g.1, g_r.1, 1e-14);
        assert_close(hv.0, fxx, 1e-12);
        assert_close(hv.1, fxy, 1e-12);
        let (_, _, hv) = calls_helpers_hvp(x, y, 0.0, 1.0);
        assert_close(hv.0, fxy, 1e-12);
        assert_close(hv.1, fyy, 1e-12);
    }
}

/// An MLP struct whose loss is a method calling other methods and an associated function.
#[derive(Clone, Debug, Differentiable)]
struct Mlp {
    l1: Lin,
    l2: Lin,
    #[differentiable(skip)]
    name: String,
}

impl Lin {
    #[differentiable(wrt(self, x), hvp)]
    fn forward(&self, x: &Tensor<f64>) -> Tensor<f64> {
        (x.matmul(&self.w) + &self.b).tanh()
    }
}

impl Mlp {
    #[differentiable(associated, hvp)]
    fn squash(h: &Tensor<f64>) -> Tensor<f64> {
        (h * h).mean()
    }

    #[differentiable(wrt(self), hvp)]
    fn loss(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let h = self.l1.w.sum() * 0.0 + x.matmul(&self.l1.w) + &self.l1.b;
        let h = h.tanh();
        Self::squash(&(h.matmul(&self.l2.w) + &self.l2.b))
    }
}

#[test]
fn mlp_method_against_differences_of_the_gradient() {
    let m = Mlp {
        l1: lin(11, 3, 4),
        l2: lin(13, 4, 2),
        name: "mlp".into(),
    };
    let v = MlpTangent {
        l1: tangent(&lin(21, 3, 4)),
        l2: tangent(&lin(23, 4, 2)),
    };
    let x = Tensor::randn(&[5, 3], 25);
    let (y, g, hv) = m.loss_hvp(&x, &v);
    let (y_r, g_r) = m.loss_grad(&x);
    assert_close(y.item(), y_r.item(), 1e-14);
    assert_all_close(&flat_tangent::<Mlp>(&g), &flat_tangent::<Mlp>(&g_r), 1e-14);
    let grad = |q: &Mlp| flat_tangent::<Mlp>(&q.loss_grad(&x).1);
    let dir = flat_tangent::<Mlp>(&v);
    assert_all_close(&flat_tangent::<Mlp>(&hv), &fd_hvp(grad, &m, &dir), 1e-6);
    assert_eq!(m.name, "mlp");
}
