//! `#[differentiable(hvp)]` through structs, containers, methods and calls of helpers:
//! `NAME_hvp(args.., v..) -> (out, grads, hvp)` with the gradients' types, against central
//! differences of the gradient and hand-derived Hessians.

mod common;
use autodiff::prelude::*;
use autodiff::LeafMut;
use common::{assert_close, flat_tangent};
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

/// `m` moved by `h` along the flat direction `v` (f64 leaves, in traversal order).
fn shifted<M: Differentiable + Clone>(m: &M, v: &[f64], h: f64) -> M {
    let mut c = m.clone();
    let mut k = 0;
    c.visit_leaves_mut(&mut autodiff::LeafPath::new(), &mut |_, leaf| match leaf {
        LeafMut::F64(x) => {
            *x += h * v[k];
            k += 1;
        }
        LeafMut::TensorF64(t) => {
            let data: Vec<f64> = t
                .to_vec()
                .iter()
                .enumerate()
                .map(|(i, x)| x + h * v[k + i])
                .collect();
            let n = data.len();
            *t = Tensor::from_vec(data, t.shape());
            k += n;
        }
        _ => panic!("f64 leaves only"),
    });
    c
}

/// Central differences, along the flat direction `v`, of the flat gradient `grad` at `m`: the
/// Hessian-vector product `H·v`, to compare with `NAME_hvp`'s.
fn fd_hvp<M: Differentiable + Clone>(grad: impl Fn(&M) -> Vec<f64>, m: &M, v: &[f64]) -> Vec<f64> {
    let h = 1e-5;
    let (gp, gm) = (grad(&shifted(m, v, h)), grad(&shifted(m, v, -h)));
    gp.iter().zip(&gm).map(|(a, b)| (a - b) / (2.0 * h)).collect()
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
    assert_all_close(&flat_tangent::<Lin>(&gp), &flat_tangent::<Lin>(&gp_r), 1e-14);
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
            [2.0 - 4.0 * c.b * (y - x * x) + 8.0 * c.b * x * x, -4.0 * c.b * x],
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
    let (p, vp) = ((Tensor::randn(&[3], 60), 0.8), (Tensor::randn(&[3], 61), -0.5));
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
