//! The fused and structured pullbacks against central finite differences in f64 (proptest), and
//! against the unfused rules they replace:
//!
//! - `square_vjp`, `dot_self_vjp`, and `mul_lr(&x, &x)` / `x.dot_vjp_lr(&x)` with one buffer for
//!   both operands (one gradient returned twice, doubled in place by the accumulation);
//! - matrix-product pullbacks with a uniform cotangent (row/column sums instead of products),
//!   including a cotangent that differs from uniform in one entry only.

use autodiff_runtime::vjp::{self, acc, DotSelfVjp, Pullback, SquareVjp, TensorVjp};
use autodiff_runtime::Tensor;
use proptest::prelude::*;

const H: f64 = 1e-6;

/// Central-difference gradient of the scalar function `f` at `x`.
fn fd_grad(f: &dyn Fn(&Tensor<f64>) -> f64, x: &Tensor<f64>) -> Tensor<f64> {
    let base = x.to_vec();
    let g = (0..base.len())
        .map(|i| {
            let mut p = base.clone();
            p[i] += H;
            let mut m = base.clone();
            m[i] -= H;
            (f(&Tensor::from_vec(p, x.shape())) - f(&Tensor::from_vec(m, x.shape()))) / (2.0 * H)
        })
        .collect();
    Tensor::from_vec(g, x.shape())
}

/// `<v, y>`.
fn inner(v: &Tensor<f64>, y: &Tensor<f64>) -> f64 {
    v.as_slice()
        .iter()
        .zip(y.as_slice())
        .map(|(a, b)| a * b)
        .sum()
}

#[track_caller]
fn close(a: &Tensor<f64>, b: &Tensor<f64>, tol: f64) {
    assert_eq!(a.shape(), b.shape(), "shapes");
    let scale = b.as_slice().iter().fold(1f64, |m, v| m.max(v.abs()));
    for (x, y) in a.as_slice().iter().zip(b.as_slice()) {
        assert!((x - y).abs() <= tol * scale, "{a} vs {b}");
    }
}

fn tensor(shape: &'static [usize], lo: f64, hi: f64) -> impl Strategy<Value = Tensor<f64>> {
    let n: usize = shape.iter().product();
    proptest::collection::vec(lo..hi, n).prop_map(move |v| Tensor::from_vec(v, shape))
}

/// Sums both gradients of an `_lr` pullback into one adjoint, as the generated code does.
fn accumulated(ga: Tensor<f64>, gb: Tensor<f64>) -> Tensor<f64> {
    let mut slot = None;
    acc(&mut slot, ga);
    acc(&mut slot, gb);
    slot.expect("two gradients")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn square_and_self_product(x in tensor(&[2, 3], -2.0, 2.0), v in tensor(&[2, 3], -1.0, 1.0),
                               s in -2.0f64..2.0) {
        let fd = fd_grad(&|x| inner(&v, &(x * x)), &x);
        // fused form
        let (y, pb) = (&x).square_vjp();
        assert_eq!(y, &x * &x);
        close(&pb.pull(v.clone()), &fd, 1e-7);
        // unfused `&x * &x` on one buffer: the same gradient, bit for bit
        let (y2, pb2) = vjp::mul_lr(&x, &x);
        assert_eq!(y2, y);
        let (ga, gb) = pb2.pull(v.clone());
        assert!(ga.shares_storage_with(&gb));
        let sum = accumulated(ga, gb);
        assert_eq!(sum, pb.pull(v.clone()));
        // two different buffers holding the same values take the general path, same result
        let (_, pb3) = vjp::mul_lr(&x, &x.detach().map(|v| v));
        let (ga, gb) = pb3.pull(v.clone());
        assert!(!ga.shares_storage_with(&gb));
        assert_eq!(accumulated(ga, gb), sum);
        // scalar form
        let (ys, pbs) = s.square_vjp();
        assert_eq!(ys, s * s);
        prop_assert!((pbs.pull(1.0) - ((s + H).powi(2) - (s - H).powi(2)) / (2.0 * H)).abs() < 1e-6);
    }

    #[test]
    fn dot_of_a_vector_with_itself(x in tensor(&[5], -2.0, 2.0), g in -2.0f64..2.0) {
        let fd = fd_grad(&|x| g * x.dot(x).item(), &x);
        let (y, pb) = x.dot_self_vjp();
        assert_eq!(y, x.dot(&x));
        let fused = pb.pull(Tensor::scalar(g));
        close(&fused, &fd, 1e-7);
        let (_, pb2) = x.dot_vjp_lr(&x);
        let (ga, gb) = pb2.pull(Tensor::scalar(g));
        assert!(ga.shares_storage_with(&gb));
        assert_eq!(accumulated(ga, gb), fused);
    }

    #[test]
    fn products_with_a_uniform_cotangent(a in tensor(&[3, 4], -1.0, 1.0),
                                         b in tensor(&[4, 5], -1.0, 1.0),
                                         u in tensor(&[4], -1.0, 1.0),
                                         s in -2.0f64..2.0, which in 0usize..15) {
        // sum(A·B)·s: the pullback sees the uniform cotangent s·1
        let g = Tensor::full(&[3, 5], s);
        let (_, pb) = a.mm_vjp_lr(&b);
        let (ga, gb) = pb.pull(g.clone());
        close(&ga, &fd_grad(&|a| s * a.mm(&b).sum().item(), &a), 1e-7);
        close(&gb, &fd_grad(&|b| s * a.mm(b).sum().item(), &b), 1e-7);
        close(&a.mm_vjp_l(&b).1.pull(g.clone()), &ga, 1e-12);
        close(&a.mm_vjp_r(&b).1.pull(g.clone()), &gb, 1e-12);
        // the products the shortcut replaces
        close(&ga, &g.mm(&b.t()), 1e-12);
        close(&gb, &a.t().mm(&g), 1e-12);
        // one entry off uniform: the general path, still right
        let mut off = g.clone();
        off.as_mut_slice()[which] += 0.5;
        let (ga, gb) = a.mm_vjp_lr(&b).1.pull(off.clone());
        close(&ga, &off.mm(&b.t()), 1e-12);
        close(&gb, &a.t().mm(&off), 1e-12);
        // mv and vector-matrix with uniform cotangents
        let (_, pb) = a.mv_vjp_lr(&u);
        let (ga, gu) = pb.pull(Tensor::full(&[3], s));
        close(&ga, &fd_grad(&|a| s * a.mv(&u).sum().item(), &a), 1e-7);
        close(&gu, &fd_grad(&|u| s * a.mv(u).sum().item(), &u), 1e-7);
        let (_, pb) = u.matmul_vjp_lr(&b);
        let (gu, gb) = pb.pull(Tensor::full(&[5], s));
        close(&gu, &fd_grad(&|u| s * u.matmul(&b).sum().item(), &u), 1e-7);
        close(&gb, &fd_grad(&|b| s * u.matmul(b).sum().item(), &b), 1e-7);
    }
}

#[test]
fn f32_uniform_shortcut_matches_the_products() {
    let a = Tensor::<f32>::randn(&[64, 96], 1);
    let b = Tensor::<f32>::randn(&[96, 80], 2);
    let g = Tensor::full(&[64, 80], 0.75f32);
    let (ga, gb) = a.mm_vjp_lr(&b).1.pull(g.clone());
    for (got, want) in [(ga, g.mm(&b.t())), (gb, a.t().mm(&g))] {
        let scale = want.as_slice().iter().fold(0f32, |m, v| m.max(v.abs()));
        for (x, y) in got.as_slice().iter().zip(want.as_slice()) {
            assert!((x - y).abs() <= 1e-5 * scale, "{x} vs {y}");
        }
    }
}
