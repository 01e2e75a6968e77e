//! `#[differentiable(jvp)]` through structs, nested structs, containers and tuples, `&self`
//! methods (calling each other), non-generic scalar functions and calls of other functions:
//! `NAME_jvp` takes one tangent per differentiated argument, of the gradient's type, and agrees
//! with the reverse mode (`<u, J v>` both ways, to 1e-12 in f64) and with central differences.

mod common;
use autodiff::prelude::*;
use common::{assert_close, flat_dot, flat_tangent, shifted_along};
use proptest::prelude::*;

#[derive(Clone, Debug, Differentiable)]
struct Lin {
    w: Tensor<f64>,
    b: Tensor<f64>,
}

#[derive(Clone, Debug, Differentiable)]
struct Mlp {
    l1: Lin,
    l2: Lin,
    #[differentiable(skip)]
    name: String,
}

/// Central difference of `f` at `m` along the flat direction `v`.
fn fd_along<M: Differentiable + Clone>(f: impl Fn(&M) -> f64, m: &M, v: &[f64]) -> f64 {
    let h = 1e-6;
    (f(&shifted_along(m, v, h)) - f(&shifted_along(m, v, -h))) / (2.0 * h)
}

fn lin(seed: u64, n: usize, m: usize) -> Lin {
    Lin {
        w: Tensor::randn_scaled(&[n, m], seed, 0.5),
        b: Tensor::randn_scaled(&[m], seed + 1, 0.5),
    }
}

/// A struct argument read by field, differentiated with the data.
#[differentiable(wrt(p, x), jvp)]
fn lin_loss(p: &Lin, x: &Tensor<f64>) -> Tensor<f64> {
    (x.matmul(&p.w) + &p.b).tanh().sum()
}

/// The same with the struct as data (not differentiated): a constant in the copy.
#[differentiable(jvp)]
fn lin_data(p: &Lin, x: &Tensor<f64>) -> Tensor<f64> {
    (x.matmul(&p.w) + &p.b).powi(2).sum()
}

fn check_lin_loss(p: &Lin, x: &Tensor<f64>, vp: &Lin, vx: &Tensor<f64>) {
    let vp_t = LinTangent {
        w: vp.w.clone(),
        b: vp.b.clone(),
    };
    let (y, jv) = lin_loss_jvp(p, x, &vp_t, vx);
    let (y_r, (gp, gx)) = lin_loss_grad(p, x);
    assert_close(y.item(), y_r.item(), 1e-14);
    let both = flat_dot(&flat_tangent::<Lin>(&gp), &flat_tangent::<Lin>(&vp_t))
        + flat_dot(&gx.to_vec(), &vx.to_vec());
    assert_close(jv.item(), both, 1e-12);
    let pair = (p.clone(), x.clone());
    let mut dir = flat_tangent::<Lin>(&vp_t);
    dir.extend(vx.to_vec());
    let fd = fd_along(
        |q: &(Lin, Tensor<f64>)| lin_loss(&q.0, &q.1).item(),
        &pair,
        &dir,
    );
    assert_close(jv.item(), fd, 1e-7);
}

#[test]
fn struct_argument_read_by_field() {
    let (p, vp) = (lin(1, 3, 2), lin(5, 3, 2));
    let x = Tensor::randn(&[4, 3], 3);
    check_lin_loss(&p, &x, &vp, &Tensor::randn(&[4, 3], 4));

    let vx = Tensor::randn(&[4, 3], 9);
    let (_, jv) = lin_data_jvp(&p, &x, &vx);
    let (_, gx) = lin_data_grad(&p, &x);
    assert_close(jv.item(), flat_dot(&gx.to_vec(), &vx.to_vec()), 1e-12);
}

/// Nested structs (and a skipped field carried into the copy).
#[differentiable(wrt(m), jvp)]
fn mlp_loss(m: &Mlp, x: &Tensor<f64>) -> Tensor<f64> {
    let h = (x.matmul(&m.l1.w) + &m.l1.b).leaky_relu(0.1);
    (h.matmul(&m.l2.w) + &m.l2.b).powi(2).mean()
}

#[test]
fn nested_struct() {
    let m = Mlp {
        l1: lin(11, 3, 4),
        l2: lin(13, 4, 2),
        name: "mlp".into(),
    };
    let v = m.zero_tangent();
    let v = MlpTangent {
        l1: LinTangent {
            w: Tensor::randn(&[3, 4], 21),
            b: Tensor::randn(&[4], 22),
        },
        l2: LinTangent {
            w: Tensor::randn(&[4, 2], 23),
            b: v.l2.b + Tensor::randn(&[2], 24),
        },
    };
    let x = Tensor::randn(&[5, 3], 25);
    let (_, jv) = mlp_loss_jvp(&m, &x, &v);
    let (_, g) = mlp_loss_grad(&m, &x);
    let dir = flat_tangent::<Mlp>(&v);
    assert_close(jv.item(), flat_dot(&flat_tangent::<Mlp>(&g), &dir), 1e-12);
    assert_close(
        jv.item(),
        fd_along(|q: &Mlp| mlp_loss(q, &x).item(), &m, &dir),
        1e-7,
    );
}

impl Lin {
    /// A `&self` method.
    #[differentiable(wrt(self, x), jvp)]
    fn hidden(&self, x: &Tensor<f64>) -> Tensor<f64> {
        (x.matmul(&self.w) + &self.b).tanh()
    }

    /// A `&self` method differentiated in its other argument only: `self` is a constant.
    #[differentiable(jvp)]
    fn apply(&self, x: &Tensor<f64>) -> Tensor<f64> {
        (x.matmul(&self.w) + &self.b).sum()
    }

    /// An associated function, called as `Self::squash` by a method.
    #[differentiable(associated, jvp)]
    fn squash(h: &Tensor<f64>) -> Tensor<f64> {
        (h * h).tanh().mean()
    }

    #[differentiable(wrt(self, x), jvp)]
    fn squashed(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let h = self.hidden(x);
        Self::squash(&h)
    }

    /// A method calling another method.
    #[differentiable(wrt(self, x), jvp)]
    fn loss(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let h = self.hidden(x);
        (&h * &h).sum() + self.b.sum()
    }
}

#[test]
fn methods_and_a_method_calling_another() {
    let (p, vp) = (lin(31, 3, 3), lin(33, 3, 3));
    let vt = LinTangent {
        w: vp.w.clone(),
        b: vp.b.clone(),
    };
    let (x, vx) = (Tensor::randn(&[2, 3], 35), Tensor::randn(&[2, 3], 36));
    let u = Tensor::randn(&[2, 3], 37);
    let (h, jv) = p.hidden_jvp(&x, &vt, &vx);
    let (h_r, pb) = p.hidden_vjp(&x);
    assert_eq!(h.shape(), h_r.shape());
    let (gp, gx) = pb(u.clone());
    let both = flat_dot(&flat_tangent::<Lin>(&gp), &flat_tangent::<Lin>(&vt))
        + flat_dot(&gx.to_vec(), &vx.to_vec());
    assert_close(flat_dot(&u.to_vec(), &jv.to_vec()), both, 1e-12);

    let (_, jv) = p.apply_jvp(&x, &vx);
    let (_, gx) = p.apply_grad(&x);
    assert_close(jv.item(), flat_dot(&gx.to_vec(), &vx.to_vec()), 1e-12);

    let (_, jv) = p.squashed_jvp(&x, &vt, &vx);
    let (_, (gp, gx)) = p.squashed_grad(&x);
    let both = flat_dot(&flat_tangent::<Lin>(&gp), &flat_tangent::<Lin>(&vt))
        + flat_dot(&gx.to_vec(), &vx.to_vec());
    assert_close(jv.item(), both, 1e-12);

    let (_, jv) = p.loss_jvp(&x, &vt, &vx);
    let (_, (gp, gx)) = p.loss_grad(&x);
    let both = flat_dot(&flat_tangent::<Lin>(&gp), &flat_tangent::<Lin>(&vt))
        + flat_dot(&gx.to_vec(), &vx.to_vec());
    assert_close(jv.item(), both, 1e-12);
    let mut dir = flat_tangent::<Lin>(&vt);
    dir.extend(vx.to_vec());
    let pair = (p.clone(), x.clone());
    let fd = fd_along(|q: &(Lin, Tensor<f64>)| q.0.loss(&q.1).item(), &pair, &dir);
    assert_close(jv.item(), fd, 1e-7);
}

/// A non-generic scalar function: literals on both sides, a method with a literal argument, a
/// branch.
#[differentiable(jvp, hvp)]
fn scalar(x: f64, y: f64) -> f64 {
    let s = (x * y).sin() + x.powf(2.5) / y + 3.0 * x;
    if s > 1.0 {
        s * s
    } else {
        2.0 - s
    }
}

/// `f = x²y + x·sin y`: H = [[2y, 2x + cos y], [2x + cos y, -x sin y]].
#[differentiable(hvp)]
fn poly(x: f64, y: f64) -> f64 {
    x * x * y + x * y.sin()
}

#[test]
fn hvp_of_non_generic_scalar_functions() {
    let (x, y) = (0.7, -1.2);
    let hess = [
        [2.0 * y, 2.0 * x + y.cos()],
        [2.0 * x + y.cos(), -x * y.sin()],
    ];
    for (v, row) in [((1.0, 0.0), 0), ((0.0, 1.0), 1)] {
        let (value, g, hv) = poly_hvp(x, y, v.0, v.1);
        assert_eq!(value, poly(x, y));
        assert_eq!(g, poly_grad(x, y).1);
        assert_close(hv.0, hess[row][0], 1e-14);
        assert_close(hv.1, hess[row][1], 1e-14);
    }
    // against central differences of the gradient, along a direction
    let (vx, vy) = (0.4, -0.9);
    for (x, y) in [(1.3, 0.7), (0.2, 0.4)] {
        let (_, _, hv) = scalar_hvp(x, y, vx, vy);
        let h = 1e-6;
        let (gp, gm) = (
            scalar_grad(x + h * vx, y + h * vy).1,
            scalar_grad(x - h * vx, y - h * vy).1,
        );
        assert_close(hv.0, (gp.0 - gm.0) / (2.0 * h), 1e-6);
        assert_close(hv.1, (gp.1 - gm.1) / (2.0 * h), 1e-6);
    }
}

#[differentiable(jvp)]
fn helper(x: f64) -> f64 {
    x.sin() * x
}

/// A generic helper needs no `jvp`: it runs at dual numbers as written.
#[differentiable]
fn generic_helper<T: Float>(x: T) -> T {
    x * x.exp()
}

mod helpers {
    use autodiff::prelude::*;

    /// A helper in another module, called by its path.
    #[differentiable(jvp)]
    pub fn cube(x: f64) -> f64 {
        x * x * x
    }
}

/// Calls of a non-generic helper with `jvp`, of a generic one, and of a helper by its path.
#[differentiable(jvp)]
fn calls_helper(x: f64, y: f64) -> f64 {
    helper(x) * y + generic_helper(y * 0.5) + helpers::cube(x - y)
}

#[test]
fn non_generic_scalars_and_helpers() {
    for (x, y) in [(1.3, 0.7), (0.2, 0.4), (0.05, 1.9)] {
        let (vx, vy) = (0.6, -1.1);
        let (s, jv) = scalar_jvp(x, y, vx, vy);
        assert_eq!(s, scalar(x, y));
        let (_, (gx, gy)) = scalar_grad(x, y);
        assert_close(jv, gx * vx + gy * vy, 1e-12);
        let h = 1e-6;
        let fd = (scalar(x + h * vx, y + h * vy) - scalar(x - h * vx, y - h * vy)) / (2.0 * h);
        assert_close(jv, fd, 1e-7);

        let (c, jv) = calls_helper_jvp(x, y, vx, vy);
        assert_eq!(c, calls_helper(x, y));
        let (_, (gx, gy)) = calls_helper_grad(x, y);
        assert_close(jv, gx * vx + gy * vy, 1e-12);
        let fd = (calls_helper(x + h * vx, y + h * vy) - calls_helper(x - h * vx, y - h * vy))
            / (2.0 * h);
        assert_close(jv, fd, 1e-7);
    }
}

/// A `Vec` of tensors as a differentiated argument (`&Vec`, as reverse mode takes it).
#[allow(clippy::ptr_arg)]
#[differentiable(jvp, wrt(ws))]
fn vecs(ws: &Vec<Tensor<f64>>) -> Tensor<f64> {
    (&ws[0] * &ws[1]).sum() + ws[2].exp().sum()
}

/// A tuple as a differentiated argument.
#[differentiable(jvp, wrt(p, x))]
fn tuple_arg(p: &(Tensor<f64>, f64), x: &Tensor<f64>) -> Tensor<f64> {
    (x * &p.0).sin().sum() * p.1
}

#[test]
fn vec_and_tuple_arguments() {
    let ws: Vec<Tensor<f64>> = (0..3).map(|s| Tensor::randn(&[4], 40 + s)).collect();
    let vs: Vec<Tensor<f64>> = (0..3).map(|s| Tensor::randn(&[4], 50 + s)).collect();
    let (_, jv) = vecs_jvp(&ws, &vs);
    let (_, g) = vecs_grad(&ws);
    let dir = flat_tangent::<Vec<Tensor<f64>>>(&vs);
    assert_close(
        jv.item(),
        flat_dot(&flat_tangent::<Vec<Tensor<f64>>>(&g), &dir),
        1e-12,
    );
    assert_close(
        jv.item(),
        fd_along(|q: &Vec<Tensor<f64>>| vecs(q).item(), &ws, &dir),
        1e-7,
    );

    let p = (Tensor::randn(&[3], 60), 0.8);
    let vp = (Tensor::randn(&[3], 61), -0.5);
    let (x, vx) = (Tensor::randn(&[3], 62), Tensor::randn(&[3], 63));
    let (_, jv) = tuple_arg_jvp(&p, &x, &vp, &vx);
    let (_, (gp, gx)) = tuple_arg_grad(&p, &x);
    let both = flat_dot(&gp.0.to_vec(), &vp.0.to_vec())
        + gp.1 * vp.1
        + flat_dot(&gx.to_vec(), &vx.to_vec());
    assert_close(jv.item(), both, 1e-12);
}

/// Data that stays plain in the copy: containers of integers and numbers, an `Option`.
#[differentiable(wrt(x), jvp)]
#[allow(clippy::ptr_arg)]
fn with_data(x: &Tensor<f64>, idx: &Vec<usize>, scales: &Vec<f64>, k: Option<usize>) -> f64 {
    let mut s = x.get(&[k.unwrap_or(0)]);
    for (i, c) in idx.iter().zip(scales) {
        s += x.get(&[*i]) * *c;
    }
    s
}

#[test]
fn plain_data_arguments() {
    let (x, v) = (Tensor::randn(&[4], 90), Tensor::randn(&[4], 91));
    let (idx, scales) = (vec![3, 1, 3], vec![0.5, -2.0, 1.5]);
    let (_, jv) = with_data_jvp(&x, &idx, &scales, Some(2), &v);
    let (_, g) = with_data_grad(&x, &idx, &scales, Some(2));
    assert_close(jv, flat_dot(&g.to_vec(), &v.to_vec()), 1e-12);
}

/// A struct read inside a loop and a branch.
#[differentiable(wrt(p), jvp)]
fn looped(p: &Lin, x: &Tensor<f64>, steps: usize) -> Tensor<f64> {
    let mut h = x.clone();
    for _ in 0..steps {
        h = (h.matmul(&p.w) + &p.b).tanh();
    }
    if h.sum().item() > 0.0 {
        h.sum()
    } else {
        (h * 2.0).powi(2).sum()
    }
}

#[test]
fn struct_inside_loop_and_branch() {
    for seed in [70, 80] {
        let (p, vp) = (lin(seed, 3, 3), lin(seed + 2, 3, 3));
        let vt = LinTangent { w: vp.w, b: vp.b };
        let x = Tensor::randn(&[2, 3], seed + 4);
        let (_, jv) = looped_jvp(&p, &x, 5, &vt);
        let (_, g) = looped_grad(&p, &x, 5);
        let dir = flat_tangent::<Lin>(&vt);
        assert_close(jv.item(), flat_dot(&flat_tangent::<Lin>(&g), &dir), 1e-12);
        assert_close(
            jv.item(),
            fd_along(|q: &Lin| looped(q, &x, 5).item(), &p, &dir),
            1e-7,
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn struct_jvp_agrees_with_vjp_and_differences(seed in 0u64..10_000, n in 1usize..4, m in 1usize..4) {
        let (p, vp) = (lin(seed, n, m), lin(seed + 100, n, m));
        let x = Tensor::randn(&[2, n], seed + 200);
        check_lin_loss(&p, &x, &vp, &Tensor::randn(&[2, n], seed + 300));
    }
}
