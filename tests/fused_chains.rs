//! Element-wise chains that the macro fuses into one pass (`autodiff-macros/src/lower/fuse.rs`,
//! runtime forms `fused_map` / `fused_sum` / `fused_mean`): every fused path against central
//! finite differences in f64 over random inputs, with cotangents other than 1, and checks that
//! the fused form is the one emitted.
#![allow(clippy::let_and_return)]

mod common;

use autodiff::prelude::*;
use common::{assert_close, assert_tensor_close, fd, fd_tensor};
use proptest::prelude::*;

const TOL: f64 = 1e-5;

// ---- tensor chains, one per method and operator form ----------------------------------------------

/// `mean` of a chain with constants on both sides of every operator (the W2 shape).
#[differentiable]
fn mean_chain(x: &Tensor<f64>) -> Tensor<f64> {
    ((x + 2.0).powi(2) * 3.0).mean()
}

/// W2 itself, in float32.
#[differentiable]
fn mean_chain_f32(x: &Tensor) -> Tensor {
    ((x + 2.0).powi(2) * 3.0).mean()
}

/// `sum` of a chain using the input several times, unary minus and every operator.
#[differentiable]
fn sum_chain(x: &Tensor<f64>) -> Tensor<f64> {
    (-(x * x.sin()) + 1.5 / (x * x + 1.0) - (2.0 - x) * 0.25).sum()
}

/// A fused chain without a reduction (its pullback multiplies the cotangent).
#[differentiable]
fn map_chain(x: &Tensor<f64>) -> Tensor<f64> {
    let y = x.tanh() * 2.0 + x.cos();
    y
}

/// The methods of positive arguments.
#[differentiable]
fn positive_methods(x: &Tensor<f64>) -> Tensor<f64> {
    let p = (x * x + 0.5).sqrt();
    let q = ((x * x + 0.25).ln() * 0.5).exp();
    let r = (x * x + 1.0).powf(1.5) + (x * x + 2.0).powi(-1);
    (p.sum() + q.sum() + r.sum()) * 1.0
}

/// Integer powers: the exponents computed as products and the general one.
#[differentiable]
fn powers(x: &Tensor<f64>) -> Tensor<f64> {
    (x.powi(3) * 0.5 + x.powi(4) - (x + 0.0).powi(1) + (x * 2.0).powi(0)).sum()
}

/// `sigmoid`, and a chain over a non-element-wise input (`a.mm(b)` lowered on its own).
#[differentiable]
fn over_product(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    (a.mm(b).sigmoid() * 3.0 - 1.0).mean()
}

// ---- scalar chains ---------------------------------------------------------------------------------

#[differentiable]
fn scalar_chain(x: f64) -> f64 {
    (x.sin() * 2.0 + x * x).exp() / (1.0 + x * x)
}

#[differentiable]
fn scalar_chain_f32(x: f32) -> f32 {
    (x + 1.0).powi(3) * 0.5 - x.tanh()
}

// ---- chains of several inputs ------------------------------------------------------------------------

/// W4's Euler step: `p * x.sin() - q * x * x` is one fused chain of three scalars.
#[differentiable]
fn euler(x0: f64, p: f64, q: f64, steps: usize) -> f64 {
    let h = 0.01f64;
    let mut x = x0;
    for _ in 0..steps {
        x += h * (p * x.sin() - q * x * x);
    }
    x
}

/// Every compound assignment fused with its target (`x op= chain` is the chain `x op (chain)`),
/// with inactive numbers as constants: a local, a reference to one, a parameter left out of
/// `wrt`; and `x = x + chain` written out.
#[differentiable(wrt(x0, p))]
fn compound_updates(x0: f64, p: f64, c: f64, steps: usize) -> f64 {
    let h = 0.05f64;
    let k = &h;
    let mut x = x0;
    for _ in 0..steps {
        x += h * (p * x.sin() - c * x * x);
        x -= *k * (x.cos() * p);
        x *= 1.0 + h * (p - x).sin();
        x /= 1.0 + c * (x * x * h);
        x = x + k * (p.exp() * x).sin();
    }
    x
}

/// W4 in `f32` with an unsuffixed constant: `h` takes the chain's type, as in the plain
/// function.
#[differentiable]
fn euler_f32(x0: f32, p: f32, q: f32) -> f32 {
    let h = 0.001;
    let mut x = x0;
    for _ in 0..100 {
        x += h * (p * x.sin() - q * x * x);
    }
    x
}

/// Two and four scalar inputs, every operator form and method between inputs.
#[differentiable]
fn scalar_inputs(a: f64, b: f64, c: f64, d: f64) -> f64 {
    let two = (3.0 - a / b).exp() - 2.0 / (1.0 + a * b) + (a - b).cos();
    let four = (a * b - c / d).tanh() + (c * c + d * d + 1.0).sqrt() * (a + d).sin();
    two + four + (-(c * d)).powi(3) + (a * a + 1.0).ln() * (b * b + 1.0).powf(0.5)
}

/// A tensor and a bias broadcast over its rows, and a tensor with an active scalar.
#[differentiable]
fn tensor_inputs(x: &Tensor<f64>, bias: &Tensor<f64>, s: f64) -> Tensor<f64> {
    let h = (x * bias + bias).tanh();
    let k = (x * s - 0.5 * s * s).exp();
    (h * 2.0).sum() + k.sum()
}

fn tensor(v: Vec<f64>) -> Tensor<f64> {
    let n = v.len();
    Tensor::from_vec(v, &[n])
}

fn check_scalar_output(
    grad: impl Fn(&Tensor<f64>) -> Tensor<f64>,
    f: impl Fn(&Tensor<f64>) -> f64,
    x: &Tensor<f64>,
) {
    assert_tensor_close(&grad(x), &fd_tensor(f, x), TOL);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn prop_mean_chain(v in proptest::collection::vec(-2.0f64..2.0, 1..9)) {
        let x = tensor(v);
        check_scalar_output(|x| mean_chain_grad(x).1, |x| mean_chain(x).item(), &x);
    }

    #[test]
    fn prop_sum_chain(v in proptest::collection::vec(-2.0f64..2.0, 1..9)) {
        let x = tensor(v);
        check_scalar_output(|x| sum_chain_grad(x).1, |x| sum_chain(x).item(), &x);
    }

    #[test]
    fn prop_positive_methods(v in proptest::collection::vec(-2.0f64..2.0, 1..9)) {
        let x = tensor(v);
        check_scalar_output(|x| positive_methods_grad(x).1, |x| positive_methods(x).item(), &x);
    }

    #[test]
    fn prop_powers(v in proptest::collection::vec(-2.0f64..2.0, 1..9)) {
        let x = tensor(v);
        check_scalar_output(|x| powers_grad(x).1, |x| powers(x).item(), &x);
    }

    /// A cotangent other than 1 reaches both the mapped and the reduced forms.
    #[test]
    fn prop_cotangents(v in proptest::collection::vec(-2.0f64..2.0, 1..9), w in -3.0f64..3.0) {
        let x = tensor(v.clone());
        let n = v.len();
        let cot = Tensor::from_vec((0..n).map(|i| w + i as f64).collect(), &[n]);
        let (_, pb) = map_chain_vjp(&x);
        let g = pb(cot.clone());
        let weighted = |x: &Tensor<f64>| (map_chain(x) * &cot).sum().item();
        assert_tensor_close(&g, &fd_tensor(weighted, &x), TOL);

        let (_, pb) = mean_chain_vjp(&x);
        let g = pb(Tensor::scalar(w));
        let scaled = |x: &Tensor<f64>| w * mean_chain(x).item();
        assert_tensor_close(&g, &fd_tensor(scaled, &x), TOL);
    }

    #[test]
    fn prop_over_product(a in proptest::collection::vec(-1.0f64..1.0, 6), b in proptest::collection::vec(-1.0f64..1.0, 6)) {
        let a = Tensor::from_vec(a, &[2, 3]);
        let b = Tensor::from_vec(b, &[3, 2]);
        let (_, (ga, gb)) = over_product_grad(&a, &b);
        assert_tensor_close(&ga, &fd_tensor(|a| over_product(a, &b).item(), &a), TOL);
        assert_tensor_close(&gb, &fd_tensor(|b| over_product(&a, b).item(), &b), TOL);
    }

    #[test]
    fn prop_scalar_chains(x in -1.5f64..1.5) {
        assert_close(scalar_chain_grad(x).1, fd(scalar_chain, x), TOL);
        let g = scalar_chain_f32_grad(x as f32).1 as f64;
        let exact = fd(|x| { let t = x + 1.0; 0.5 * t * t * t - x.tanh() }, x);
        assert_close(g, exact, 1e-4);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn prop_euler(x0 in -1.0f64..1.0, p in 0.5f64..2.0, q in 0.1f64..1.0, steps in 0usize..40) {
        let (_, (gx, gp, gq)) = euler_grad(x0, p, q, steps);
        assert_close(gx, fd(|x0| euler(x0, p, q, steps), x0), TOL);
        assert_close(gp, fd(|p| euler(x0, p, q, steps), p), TOL);
        assert_close(gq, fd(|q| euler(x0, p, q, steps), q), TOL);
    }

    #[test]
    fn prop_compound_updates(x0 in -1.0f64..1.0, p in -1.0f64..1.0, c in 0.1f64..1.0, steps in 0usize..12, w in -2.0f64..2.0) {
        let (y, pb) = compound_updates_vjp(x0, p, c, steps);
        prop_assert_eq!(y, compound_updates(x0, p, c, steps));
        let (gx, gp) = pb(w);
        assert_close(gx, w * fd(|x0| compound_updates(x0, p, c, steps), x0), TOL);
        assert_close(gp, w * fd(|p| compound_updates(x0, p, c, steps), p), TOL);
    }

    #[test]
    fn prop_scalar_inputs(a in 0.2f64..1.5, b in 0.5f64..1.5, c in -1.0f64..1.0, d in 0.5f64..1.5, w in -2.0f64..2.0) {
        let (_, pb) = scalar_inputs_vjp(a, b, c, d);
        let (ga, gb, gc, gd) = pb(w);
        assert_close(ga, w * fd(|a| scalar_inputs(a, b, c, d), a), TOL);
        assert_close(gb, w * fd(|b| scalar_inputs(a, b, c, d), b), TOL);
        assert_close(gc, w * fd(|c| scalar_inputs(a, b, c, d), c), TOL);
        assert_close(gd, w * fd(|d| scalar_inputs(a, b, c, d), d), TOL);
    }

    #[test]
    fn prop_tensor_inputs(x in proptest::collection::vec(-1.0f64..1.0, 6), b in proptest::collection::vec(-1.0f64..1.0, 3), s in -1.0f64..1.0) {
        let x = Tensor::from_vec(x, &[2, 3]);
        let bias = Tensor::from_vec(b, &[3]);
        let (_, (gx, gb, gs)) = tensor_inputs_grad(&x, &bias, s);
        assert_tensor_close(&gx, &fd_tensor(|x| tensor_inputs(x, &bias, s).item(), &x), TOL);
        assert_tensor_close(&gb, &fd_tensor(|b| tensor_inputs(&x, b, s).item(), &bias), TOL);
        assert_close(gs, fd(|s| tensor_inputs(&x, &bias, s).item(), s), TOL);
    }
}

/// `fused_map_n` on tensors (what a chain of several inputs becomes if a tensor reaches one in a
/// function of scalars; the macro fuses such chains only there): a tensor, a bias broadcast over
/// its rows and a scalar, against central differences of the same expression on tensors.
#[test]
fn several_tensor_inputs_broadcast() {
    use autodiff::__rt::{fused_map_n, Pullback};
    let x = Tensor::<f64>::randn(&[3, 4], 7);
    let b = Tensor::<f64>::randn(&[4], 8);
    let s = 0.7f64;
    let w = Tensor::<f64>::randn(&[3, 4], 9);
    let plain = |x: &Tensor<f64>, b: &Tensor<f64>, s: f64| ((x * b + s) * 0.5 - s * b).exp();
    let (y, pb) = fused_map_n((&x, &b, &s), |[x, b, s]| ((x * b + s) * 0.5 - s * b).exp());
    assert_eq!(y, plain(&x, &b, s));
    let (gx, gb, gs) = pb.pull(w.clone());
    let weighted = |x: &Tensor<f64>, b: &Tensor<f64>, s: f64| (plain(x, b, s) * &w).sum().item();
    assert_tensor_close(&gx, &fd_tensor(|x| weighted(x, &b, s), &x), TOL);
    assert_tensor_close(&gb, &fd_tensor(|b| weighted(&x, b, s), &b), TOL);
    assert_close(gs, fd(|s| weighted(&x, &b, s), s), TOL);
}

/// Fused values are the plain function's values, bit for bit (the same operations in the same
/// order, and sums taken exactly as `Tensor::sum` takes them), at sizes that use every code path
/// of the fused loops (inline, short, one block, several blocks).
#[test]
fn fused_values_are_the_plain_values() {
    for n in [1, 3, 4, 5, 63, 64, 65, 1000, 1024, 1025, 5000] {
        let x = Tensor::<f64>::randn(&[n], n as u64);
        assert_eq!(
            mean_chain_grad(&x).0.item(),
            mean_chain(&x).item(),
            "n = {n}"
        );
        assert_eq!(sum_chain_grad(&x).0.item(), sum_chain(&x).item(), "n = {n}");
        assert_eq!(
            positive_methods_grad(&x).0.item(),
            positive_methods(&x).item()
        );
        assert_eq!(powers_grad(&x).0.item(), powers(&x).item(), "n = {n}");
        assert_eq!(map_chain_vjp(&x).0, map_chain(&x), "n = {n}");
        let x32 = Tensor::<f32>::randn(&[n], n as u64);
        assert_eq!(
            mean_chain_f32_grad(&x32).0.item(),
            mean_chain_f32(&x32).item()
        );
    }
    let (x, bias) = (
        Tensor::<f64>::randn(&[4, 3], 1),
        Tensor::<f64>::randn(&[3], 2),
    );
    assert_eq!(
        tensor_inputs_grad(&x, &bias, 0.3).0,
        tensor_inputs(&x, &bias, 0.3)
    );
    assert_eq!(euler_grad(0.5, 1.3, 0.7, 50).0, euler(0.5, 1.3, 0.7, 50));
    assert_eq!(euler_f32_grad(0.5, 1.3, 0.7).0, euler_f32(0.5, 1.3, 0.7));
    assert_eq!(
        compound_updates_grad(0.3, -0.4, 0.6, 9).0,
        compound_updates(0.3, -0.4, 0.6, 9)
    );
    assert_eq!(
        scalar_inputs_grad(0.5, 1.2, -0.3, 0.9).0,
        scalar_inputs(0.5, 1.2, -0.3, 0.9)
    );
    assert_eq!(scalar_chain_grad(0.7).0, scalar_chain(0.7));
    assert_eq!(scalar_chain_f32_grad(0.7).0, scalar_chain_f32(0.7));
}

/// The fused `mean` was emitted: its pullback seeded with 1 hands out the one derivative
/// tensor it saved (pulling twice gives the same buffer), which no per-operation chain does.
#[test]
fn reductions_are_fused() {
    let x = tensor(vec![0.5, -1.0, 2.0, 0.25, -0.75]);
    let (_, pb) = mean_chain_vjp(&x);
    let (g1, g2) = (pb(Tensor::scalar(1.0)), pb(Tensor::scalar(1.0)));
    assert!(g1.shares_storage_with(&g2));
    let (_, pb) = sum_chain_vjp(&x);
    let (g1, g2) = (pb(Tensor::scalar(1.0)), pb(Tensor::scalar(1.0)));
    assert!(g1.shares_storage_with(&g2));
}
