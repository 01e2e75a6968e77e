//! `autodiff::gradcheck` on users' functions: generated `_grad`/`_vjp`s pass, correct
//! hand-written `_vjp`s pass, deliberately wrong ones are caught with a report naming the worst
//! element (leaf path, index, both values), for scalar, tensor, tuple and struct inputs.

use autodiff::gradcheck::{gradcheck, Gradcheck, GradcheckError};
use autodiff::prelude::*;
use autodiff::vjp::{Pullback, TensorVjp};

// ---- generated derivatives pass -----------------------------------------------------------------

#[differentiable]
fn energy(x: &Tensor<f64>, w: &Tensor<f64>) -> Tensor<f64> {
    let h = x.mv(w).tanh();
    (&h * &h).sum() + w.exp().mean()
}

#[differentiable]
fn features(x: &Tensor<f64>) -> Tensor<f64> {
    let s = x.sin();
    &s * x + x.exp() * 0.5
}

#[differentiable]
fn scalar_loop(x: f64, y: f64) -> f64 {
    let mut acc = x;
    let mut i = 0;
    while i < 4 {
        acc = (acc * y).sin() + x * acc;
        i += 1;
    }
    acc
}

fn data() -> (Tensor<f64>, Tensor<f64>) {
    let x = Tensor::from_vec(vec![0.5, -1.0, 0.25, 2.0, -0.3, 0.8], &[3, 2]);
    let w = Tensor::from_vec(vec![0.7, -0.4], &[2]);
    (x, w)
}

#[test]
fn generated_grad_and_vjp_pass() {
    let (x, w) = data();
    // one line per form: the input is the tuple of the arguments
    let report = gradcheck(
        |(x, w): &(Tensor<f64>, Tensor<f64>)| energy_grad(x, w),
        &(x.clone(), w.clone()),
    )
    .unwrap();
    assert_eq!(report.checked, 8);
    assert!(report.worst_ratio <= 1.0);
    gradcheck(
        |(x, w): &(Tensor<f64>, Tensor<f64>)| energy_vjp(x, w),
        &(x.clone(), w),
    )
    .unwrap();
    // a tensor output, reduced by a random cotangent and element by element
    gradcheck(|x: &Tensor<f64>| features_vjp(x), &x).unwrap();
    let full = Gradcheck::new()
        .each_output()
        .check(|x: &Tensor<f64>| features_vjp(x), &x);
    assert_eq!(full.unwrap().checked, 6 * 6);
    // scalars, with a loop
    gradcheck(|&(x, y): &(f64, f64)| scalar_loop_grad(x, y), &(0.3, 0.9)).unwrap();
    gradcheck(|&(x, y): &(f64, f64)| scalar_loop_vjp(x, y), &(0.3, 0.9)).unwrap();
}

// ---- hand-written VJPs ----------------------------------------------------------------------------

/// y = softplus(x) = ln(1 + e^x), right: y' = sigmoid(x).
fn softplus_vjp(x: &Tensor<f64>) -> (Tensor<f64>, impl Fn(Tensor<f64>) -> Tensor<f64>) {
    let y = x.map(|v| v.exp().ln_1p());
    let s = x.map(|v| 1.0 / (1.0 + (-v).exp()));
    (y, move |g: Tensor<f64>| &g * &s)
}

/// Wrong: uses e^x / (1 + e^x)² (the derivative of the sigmoid, not of softplus).
fn softplus_vjp_wrong(x: &Tensor<f64>) -> (Tensor<f64>, impl Fn(Tensor<f64>) -> Tensor<f64>) {
    let y = x.map(|v| v.exp().ln_1p());
    let d = x.map(|v| v.exp() / (1.0 + v.exp()).powi(2));
    (y, move |g: Tensor<f64>| &g * &d)
}

#[test]
fn a_wrong_hand_written_vjp_is_caught() {
    let x = Tensor::from_vec(vec![-1.5, -0.2, 0.0, 0.7, 2.5], &[5]);
    gradcheck(softplus_vjp, &x).unwrap();
    let err = gradcheck(softplus_vjp_wrong, &x).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("5 of 5 gradient elements differ"), "{msg}");
    // element by element: the worst is the largest |sigmoid - sigmoid'| relative to sigmoid,
    // at x = 2.5 (input and output element 4); off-diagonal elements are 0 on both sides
    let each = Gradcheck::new().each_output();
    assert!(each.check(softplus_vjp, &x).is_ok());
    let err = each.check(softplus_vjp_wrong, &x).unwrap_err();
    let GradcheckError::Mismatch {
        worst,
        failed,
        checked,
        ..
    } = &err
    else {
        panic!("expected a mismatch, got {err}");
    };
    assert_eq!((*failed, *checked), (5, 25));
    assert_eq!((worst.index, worst.output), (4, Some(4)), "{err}");
    let s = 1.0 / (1.0 + (-2.5f64).exp());
    assert!((worst.numeric - s).abs() < 1e-8, "{worst}");
    assert!((worst.analytic - s * (1.0 - s)).abs() < 1e-12, "{worst}");
    let msg = err.to_string();
    assert!(msg.contains("element 4 [4], output element 4"), "{msg}");
}

/// (a, b) -> sum(a·b²): the gradient of `b` is wrong in one element only.
#[allow(clippy::type_complexity)]
fn pair_vjp_one_wrong(
    (a, b): &(Tensor<f64>, Tensor<f64>),
) -> (f64, impl Fn(f64) -> (Tensor<f64>, Tensor<f64>)) {
    let y = (a * &(b * b)).sum().item();
    let (a, b) = (a.clone(), b.clone());
    (y, move |g: f64| {
        let ga = (&b * &b) * g;
        let mut gb = (&a * &b) * (2.0 * g);
        gb.as_mut_slice()[2] *= 1.01; // a 1% error in b[1, 0]
        (ga, gb)
    })
}

#[test]
fn the_report_names_the_leaf_and_index() {
    let a = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let b = Tensor::from_vec(vec![0.5, -1.0, 1.5, 2.0], &[2, 2]);
    let err = gradcheck(pair_vjp_one_wrong, &(a, b)).unwrap_err();
    let GradcheckError::Mismatch { worst, failed, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(*failed, 1);
    assert_eq!((worst.path.as_str(), worst.index), ("1", 2));
    assert_eq!(worst.multi_index(), vec![1, 0]);
    assert!((worst.numeric - 2.0 * 3.0 * 1.5).abs() < 1e-6);
    assert!((worst.analytic - 1.01 * 9.0).abs() < 1e-12);
    let msg = err.to_string();
    assert!(
        msg.contains("input `1` (shape [2, 2]) element 2 [1, 0]"),
        "{msg}"
    );
}

#[test]
fn a_gradient_of_the_wrong_shape_is_a_structure_error() {
    let x = Tensor::from_vec(vec![1.0, 2.0, 3.0], &[3]);
    let err = gradcheck(
        |x: &Tensor<f64>| (x.sum(), |g: Tensor<f64>| Tensor::full(&[2], g.item())),
        &x,
    )
    .unwrap_err();
    assert!(matches!(err, GradcheckError::Structure(_)));
    assert!(err
        .to_string()
        .contains("the gradient has 2 elements, the input has 3"));
}

#[test]
fn tolerances_are_options() {
    // the wrong b-gradient above is off by 1% of 9: caught with PyTorch's defaults, and
    // accepted once rtol allows 2%
    let a = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let b = Tensor::from_vec(vec![0.5, -1.0, 1.5, 2.0], &[2, 2]);
    let ab = (a, b);
    assert!(gradcheck(pair_vjp_one_wrong, &ab).is_err());
    let loose = Gradcheck::new()
        .rtol(2e-2)
        .check(pair_vjp_one_wrong, &ab)
        .unwrap();
    assert!(
        loose.worst_ratio > 0.4 && loose.worst_ratio <= 1.0,
        "{loose:?}"
    );
    assert_eq!(loose.worst.unwrap().index, 2);
}

// ---- structured inputs -----------------------------------------------------------------------------

#[derive(Differentiable, Clone, Debug)]
struct Affine {
    w: Tensor<f64>,
    b: f64,
}

/// loss(m) = sum(tanh(x·w + b)) with a hand-written gradient of the struct.
fn affine_grad(m: &Affine, x: &Tensor<f64>, wrong_b: bool) -> (f64, AffineTangent) {
    let y = (x.mv(&m.w) + m.b).tanh();
    let d = y.map(|v| 1.0 - v * v);
    let gw = x.t().mv(&d);
    let mut gb = d.sum().item();
    if wrong_b {
        gb *= 0.5;
    }
    (y.sum().item(), AffineTangent { w: gw, b: gb })
}

#[test]
fn struct_inputs_are_checked_leaf_by_leaf() {
    let (x, w) = data();
    let m = Affine { w, b: 0.1 };
    let ok = gradcheck(|m: &Affine| affine_grad(m, &x, false), &m).unwrap();
    assert_eq!(ok.checked, 3);
    let err = gradcheck(|m: &Affine| affine_grad(m, &x, true), &m).unwrap_err();
    let GradcheckError::Mismatch { worst, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(worst.path, "b");
    assert!(err.to_string().contains("input `b` (shape [])"), "{err}");
}

#[test]
fn f32_inputs_with_a_larger_step() {
    let x = Tensor::<f32>::from_vec(vec![0.3, -0.7, 1.1], &[3]);
    let check = Gradcheck::new().eps(1e-3).atol(1e-3).rtol(1e-2);
    check.check(|x: &Tensor<f32>| x.tanh_vjp(), &x).unwrap();
    let wrong = |x: &Tensor<f32>| {
        let (y, pb) = x.tanh_vjp();
        (y, move |g: Tensor<f32>| pb.pull(g) * 1.1f32)
    };
    assert!(check.check(wrong, &x).is_err());
}
