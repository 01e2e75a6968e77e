//! Tensor code through `#[differentiable]`: every differentiable tensor operation against
//! central finite differences (f64), broadcasting, `Param` accumulation, `detach`/`no_grad`,
//! and the seed notebooks' exact results.
// The functions below are written the way the constructs under test are spelled, not the way
// clippy would prefer them.
#![allow(
    clippy::assign_op_pattern,
    clippy::let_and_return,
    clippy::while_let_on_iterator
)]

mod common;

use autodiff::prelude::*;
use common::{assert_sums_close, assert_tensor_close, fd_tensor, rand};
use proptest::prelude::*;

const TOL: f64 = 1e-6;

// ---- every tensor operation --------------------------------------------------------------------

#[differentiable]
fn elementwise(x: &Tensor<f64>) -> Tensor<f64> {
    let pos = x.abs() + 0.5;
    let a = x.exp() + pos.ln() + pos.sqrt() + x.powi(3) + pos.powf(1.5);
    let b = x.sin() * x.cos() + x.tanh() + x.sigmoid() + x.relu() + x.abs();
    (a * b).sum()
}

#[differentiable]
fn reductions(x: &Tensor<f64>) -> Tensor<f64> {
    let s = x.sum_axis(0, false) * 2.0;
    let m = x.mean_axis(1, true);
    let k = x.sum_axis(1, true);
    (s.powi(2).sum() + (m * &k).sum() + x.mean() * x.norm()).sum()
}

#[differentiable]
fn shapes(x: &Tensor<f64>) -> Tensor<f64> {
    // x: [2, 3]
    let r = x.reshape(&[3, 2]);
    let v = x.view(&[6]);
    let f = x.flatten();
    let u = f.unsqueeze(0); // [1, 6]
    let q = u.squeeze(0);
    let t = x.t(); // [3, 2]
    let b = x.sum_axis(0, true).broadcast_to(&[4, 3]);
    let st = b.sum_to(&[1, 3]);
    (r * &t).sum() + (v * &q).sum() + f.powi(2).sum() + st.powi(2).sum()
}

#[differentiable]
fn products(a: &Tensor<f64>, b: &Tensor<f64>, v: &Tensor<f64>) -> Tensor<f64> {
    // a: [2, 3], b: [3, 4], v: [3]
    let c = a.mm(b); // [2, 4]
    let w = a.mv(v); // [2]
    let d = v.dot(v);
    let m1 = a.matmul(v); // 2-D x 1-D
    let m2 = v.matmul(b); // 1-D x 2-D
    let m3 = v.matmul(v); // 1-D x 1-D
    let m4 = a.matmul(b); // 2-D x 2-D
    c.tanh().sum() + (w * &m1).sum() + d * m3 + m2.sum() + m4.sin().sum()
}

#[differentiable]
fn broadcasting(x: &Tensor<f64>, row: &Tensor<f64>, s: f64) -> Tensor<f64> {
    // x: [3, 4], row: [4]
    let a = x + row;
    let b = row * x - s;
    let c = s / (x * x + 1.0) + row / 2.0;
    let d = 2.0 - &a * s;
    (a * b + c * d).sum()
}

#[test]
fn elementwise_ops_match_finite_differences() {
    let x = rand(&[2, 3], 11);
    let (_, g) = elementwise_grad(&x);
    assert_tensor_close(&g, &fd_tensor(|x| elementwise(x).item(), &x), 1e-5);
}

#[test]
fn reductions_match_finite_differences() {
    let x = rand(&[3, 4], 12);
    let (_, g) = reductions_grad(&x);
    assert_tensor_close(&g, &fd_tensor(|x| reductions(x).item(), &x), TOL);
}

#[test]
fn shape_ops_match_finite_differences() {
    let x = rand(&[2, 3], 13);
    let (_, g) = shapes_grad(&x);
    assert_tensor_close(&g, &fd_tensor(|x| shapes(x).item(), &x), TOL);
}

#[test]
fn products_match_finite_differences() {
    let (a, b, v) = (rand(&[2, 3], 14), rand(&[3, 4], 15), rand(&[3], 16));
    let (_, (ga, gb, gv)) = products_grad(&a, &b, &v);
    assert_tensor_close(&ga, &fd_tensor(|a| products(a, &b, &v).item(), &a), TOL);
    assert_tensor_close(&gb, &fd_tensor(|b| products(&a, b, &v).item(), &b), TOL);
    assert_tensor_close(&gv, &fd_tensor(|v| products(&a, &b, v).item(), &v), TOL);
}

#[differentiable]
fn product_sum(a: &Tensor, b: &Tensor) -> Tensor {
    a.mm(b).sum()
}

/// f32 at a size where the kernels block, vectorise and (with two threads) split the sums:
/// d/da sum(a·b) = 1·bᵀ (row sums of b), d/db = aᵀ·1 (column sums of a), compared with plain
/// loops in f64 within the bound for sums taken in any order.
#[test]
fn f32_product_gradients_are_row_and_column_sums() {
    let (m, k, n) = (48, 200, 64);
    let (a, b): (Tensor, Tensor) = (Tensor::randn(&[m, k], 41), Tensor::randn(&[k, n], 42));
    let (_, (ga, gb)) = product_sum_grad(&a, &b);
    let sums = |t: &Tensor, rows: usize, cols: usize, along_rows: bool| {
        let (mut sum, mut magnitude) = (vec![0.0f64; if along_rows { rows } else { cols }], vec![]);
        magnitude.resize(sum.len(), 0.0);
        for (idx, &v) in t.as_slice().iter().enumerate() {
            let out = if along_rows { idx / cols } else { idx % cols };
            sum[out] += v as f64;
            magnitude[out] += (v as f64).abs();
        }
        (sum, magnitude)
    };
    let (row_sums, row_mag) = sums(&b, k, n, true);
    let expected_ga: Vec<f32> = (0..m * k).map(|i| row_sums[i % k] as f32).collect();
    let mag_ga: Vec<f64> = (0..m * k).map(|i| row_mag[i % k]).collect();
    // one extra rounding for the f64 -> f32 conversion of the expected value
    assert_sums_close(&ga, &Tensor::from_vec(expected_ga, &[m, k]), &mag_ga, n + 1);
    let (col_sums, col_mag) = sums(&a, m, k, false);
    let expected_gb: Vec<f32> = (0..k * n).map(|i| col_sums[i / n] as f32).collect();
    let mag_gb: Vec<f64> = (0..k * n).map(|i| col_mag[i / n]).collect();
    assert_sums_close(&gb, &Tensor::from_vec(expected_gb, &[k, n]), &mag_gb, m + 1);
}

#[test]
fn broadcasting_adjoints_reduce_to_operand_shapes() {
    let (x, row, s) = (rand(&[3, 4], 17), rand(&[4], 18), 0.7);
    let (_, (gx, grow, gs)) = broadcasting_grad(&x, &row, s);
    assert_eq!(grow.shape(), &[4]);
    assert_tensor_close(
        &gx,
        &fd_tensor(|x| broadcasting(x, &row, s).item(), &x),
        TOL,
    );
    assert_tensor_close(
        &grow,
        &fd_tensor(|r| broadcasting(&x, r, s).item(), &row),
        TOL,
    );
    let fd_s = common::fd(|s| broadcasting(&x, &row, s).item(), s);
    common::assert_close(gs, fd_s, TOL);
}

#[differentiable]
fn norm_at_zero(x: &Tensor<f64>) -> Tensor<f64> {
    x.norm()
}

#[test]
fn norm_gradient_at_the_origin_is_zero_like_pytorch() {
    let (_, g) = norm_at_zero_grad(&Tensor::zeros(&[3]));
    assert_eq!(g.to_vec(), vec![0.0, 0.0, 0.0]);
}

// ---- owned tensors, a value used twice, reassignment of tensors -----------------------------------

#[differentiable]
fn owned_args(x: Tensor<f64>, y: Tensor<f64>) -> Tensor<f64> {
    let z = &x * &y + &x; // x used twice
    let mut acc = z.clone();
    for _ in 0..3 {
        acc = acc * &y;
    }
    acc.sum() + x.sum()
}

#[test]
fn owned_arguments_and_fan_out() {
    let (x, y) = (rand(&[4], 21), rand(&[4], 22));
    let (_, (gx, gy)) = owned_args_grad(x.clone(), y.clone());
    assert_tensor_close(
        &gx,
        &fd_tensor(|x| owned_args(x.clone(), y.clone()).item(), &x),
        TOL,
    );
    assert_tensor_close(
        &gy,
        &fd_tensor(|y| owned_args(x.clone(), y.clone()).item(), &y),
        TOL,
    );
}

// ---- the seeds ---------------------------------------------------------------------------------------

#[differentiable]
fn two_xtx_mm(x: &Tensor) -> Tensor {
    2.0 * x.t().mm(x)
}

#[differentiable]
fn two_xtx_dot(x: &Tensor) -> Tensor {
    2.0 * x.dot(x)
}

#[test]
fn seed_000_and_002_gradient_of_2xtx_is_4x() {
    let x = Tensor::arange(4).reshape(&[4, 1]);
    let (y, g) = two_xtx_mm_grad(&x);
    assert_eq!(y.to_vec(), vec![28.0]);
    assert_eq!(g, &x * 4.0);
    assert_eq!(
        g.to_string(),
        "tensor([[ 0.],\n        [ 4.],\n        [ 8.],\n        [12.]])"
    );

    let x = Tensor::arange(4);
    let (y, g) = two_xtx_dot_grad(&x);
    assert_eq!(y.to_string(), "tensor(28.)");
    assert_eq!(g.to_string(), "tensor([ 0.,  4.,  8., 12.])");
}

#[differentiable]
fn seed_001_out(x: &Tensor) -> Tensor {
    let y = x + 2.0;
    let z = &y * &y * 3.0;
    z.mean()
}

#[test]
fn seed_001_mean_of_3_x_plus_2_squared() {
    let x = Tensor::ones(&[2, 2]);
    let (out, g) = seed_001_out_grad(&x);
    assert_eq!(out.to_string(), "tensor(27.)");
    assert_eq!(
        g.to_string(),
        "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])"
    );
}

#[differentiable]
fn seed_001_view(x: &Tensor) -> Tensor {
    let y = 2.0 * x;
    y.view(&[2, 2])
}

#[test]
fn seed_001_non_scalar_output_takes_a_cotangent() {
    let x = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[4]);
    let (z, pb) = seed_001_view_vjp(&x);
    assert_eq!(z.to_string(), "tensor([[2., 4.],\n        [6., 8.]])");
    let v = Tensor::from_vec(vec![1.0, 0.1, 0.01, 0.001], &[2, 2]);
    assert_eq!(
        pb(v).to_string(),
        "tensor([2.0000, 0.2000, 0.0200, 0.0020])"
    );
}

#[test]
#[should_panic(expected = "grad can be implicitly created only for scalar outputs")]
fn grad_of_a_non_scalar_output_panics_like_pytorch() {
    let _ = seed_001_view_grad(&Tensor::ones(&[4]));
}

#[differentiable]
fn seed_002_detach(x: &Tensor) -> Tensor {
    let y = x * x;
    let u = y.detach();
    let z = u * x;
    z.sum()
}

#[differentiable]
fn seed_001_no_grad(x: &Tensor) -> Tensor {
    let y1 = x.powi(2);
    let y2 = no_grad(|| x.powi(3));
    y1 + y2
}

#[test]
fn seed_002_and_003_detach_makes_u_a_constant() {
    let x = Tensor::arange(4);
    let (_, g) = seed_002_detach_grad(&x);
    assert_eq!(g, &x * &x); // x.grad == u
}

#[test]
fn seed_001_no_grad_gives_2() {
    let x = Tensor::scalar(1.0);
    let (y3, g) = seed_001_no_grad_grad(&x);
    assert_eq!(y3.item(), 2.0);
    assert_eq!(g.item(), 2.0); // not 5: the no_grad part does not flow back
}

#[differentiable]
fn control_flow_f(a: &Tensor) -> Tensor {
    let mut b = a * 2.0;
    while b.norm().item() < 1000.0 {
        b = &b * 2.0;
    }
    let c = if b.sum().item() > 0.0 { b } else { &b * 100.0 };
    c
}

#[test]
fn seed_control_flow_gradient_is_f_over_a() {
    // scalar, vector and matrix `a`: f(a) = k a with k picked by the control flow
    for shape in [vec![], vec![3], vec![2, 2]] {
        for seed in 0..5 {
            let a = Tensor::randn(&shape, 100 + seed);
            let (c, pb) = control_flow_f_vjp(&a);
            let g = pb(Tensor::ones(c.shape())); // c.sum().backward()
            let expected = &c / &a;
            assert!(g.allclose(&expected, 1e-5, 1e-5), "{g} vs {expected}");
        }
    }
}

#[test]
fn param_accumulates_until_zeroed() {
    let mut x = Param::new(Tensor::ones(&[2, 2]));
    let (_, pb) = seed_001_out_vjp(&x);
    x.accumulate(&pb(Tensor::scalar(1.0)));
    let (_, pb) = seed_001_out_vjp(&x);
    x.accumulate(&pb(Tensor::scalar(1.0)));
    assert_eq!(
        x.grad().unwrap().to_string(),
        "tensor([[9., 9.],\n        [9., 9.]])"
    );
    x.zero_grad_to_zeros();
    assert_eq!(x.grad().unwrap().to_vec(), vec![0.0; 4]);
    let (_, g) = seed_001_out_grad(&x);
    x.accumulate(&g);
    assert_eq!(x.grad().unwrap().to_vec(), vec![4.5; 4]);
    // PyTorch 2's `zero_grad()` (set_to_none): no gradient until the next accumulation
    x.zero_grad();
    assert!(x.grad().is_none());
    x.accumulate(&g);
    assert_eq!(x.grad().unwrap().to_vec(), vec![4.5; 4]);
}

// ---- property tests ------------------------------------------------------------------------------

fn tensor_strategy(n: usize) -> impl Strategy<Value = Tensor<f64>> {
    proptest::collection::vec(-2.0f64..2.0, n).prop_map(move |v| Tensor::from_vec(v, &[n]))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn prop_broadcasting(x in proptest::collection::vec(-2.0f64..2.0, 12), row in tensor_strategy(4), s in 0.3f64..2.0) {
        let x = Tensor::from_vec(x, &[3, 4]);
        let (_, (gx, grow, _)) = broadcasting_grad(&x, &row, s);
        assert_tensor_close(&gx, &fd_tensor(|x| broadcasting(x, &row, s).item(), &x), 1e-5);
        assert_tensor_close(&grow, &fd_tensor(|r| broadcasting(&x, r, s).item(), &row), 1e-5);
    }

    #[test]
    fn prop_owned_and_loops(x in tensor_strategy(4), y in tensor_strategy(4)) {
        let (_, (gx, gy)) = owned_args_grad(x.clone(), y.clone());
        assert_tensor_close(&gx, &fd_tensor(|x| owned_args(x.clone(), y.clone()).item(), &x), 1e-5);
        assert_tensor_close(&gy, &fd_tensor(|y| owned_args(x.clone(), y.clone()).item(), &y), 1e-5);
    }

    #[test]
    fn prop_control_flow_vector(v in proptest::collection::vec(-1.0f32..1.0, 3)) {
        prop_assume!(v.iter().all(|x| x.abs() > 1e-3));
        let a = Tensor::from_vec(v, &[3]);
        let (c, pb) = control_flow_f_vjp(&a);
        let g = pb(Tensor::ones(&[3]));
        prop_assert!(g.allclose(&(&c / &a), 1e-4, 1e-4));
    }
}

// ---- composition on tensors, custom tensor derivatives, Jacobians ---------------------------------

#[differentiable]
fn layer(w: &Tensor<f64>, x: &Tensor<f64>) -> Tensor<f64> {
    x.mm(w).tanh()
}

#[differentiable]
fn two_layers(w1: &Tensor<f64>, w2: &Tensor<f64>, x: &Tensor<f64>) -> Tensor<f64> {
    let h = layer(w1, x);
    let y = layer(w2, &h);
    (&y * &y).mean()
}

/// A hand-written derivative for a tensor function: softplus with its sigmoid derivative.
fn softplus(x: &Tensor<f64>) -> Tensor<f64> {
    x.map(|v| v.max(0.0) + (-v.abs()).exp().ln_1p())
}

fn softplus_vjp(x: &Tensor<f64>) -> (Tensor<f64>, impl Fn(Tensor<f64>) -> Tensor<f64>) {
    let s = x.sigmoid();
    (softplus(x), move |g: Tensor<f64>| &g * &s)
}

#[differentiable]
fn uses_softplus(x: &Tensor<f64>) -> Tensor<f64> {
    let y = softplus(&(x * 2.0));
    (y * x).sum()
}

#[test]
fn tensor_functions_compose() {
    let (w1, w2, x) = (rand(&[3, 4], 31), rand(&[4, 2], 32), rand(&[5, 3], 33));
    let (_, (g1, g2, gx)) = two_layers_grad(&w1, &w2, &x);
    assert_tensor_close(&g1, &fd_tensor(|w| two_layers(w, &w2, &x).item(), &w1), TOL);
    assert_tensor_close(&g2, &fd_tensor(|w| two_layers(&w1, w, &x).item(), &w2), TOL);
    assert_tensor_close(&gx, &fd_tensor(|x| two_layers(&w1, &w2, x).item(), &x), TOL);
}

#[test]
fn custom_tensor_derivative_is_used() {
    let x = rand(&[6], 34);
    let (_, g) = uses_softplus_grad(&x);
    assert_tensor_close(&g, &fd_tensor(|x| uses_softplus(x).item(), &x), TOL);
}

#[differentiable]
fn vector_map(x: &Tensor<f64>) -> Tensor<f64> {
    let y = x.sin() * x.sum();
    y.exp()
}

#[test]
fn pullback_called_per_row_builds_the_jacobian() {
    let x = rand(&[3], 35);
    let (y, pb) = vector_map_vjp(&x);
    for i in 0..3 {
        let mut e = vec![0.0; 3];
        e[i] = 1.0;
        let row = pb(Tensor::from_vec(e, &[3]));
        let fd_row = fd_tensor(|x| vector_map(x).to_vec()[i], &x);
        assert_tensor_close(&row, &fd_row, TOL);
    }
    assert_eq!(y, vector_map(&x));
}

#[differentiable]
fn inactive_patterns(x: &Tensor<f64>, data: &[Option<f64>]) -> Tensor<f64> {
    let mut acc = x * 0.0;
    let mut it = data.iter();
    while let Some(item) = it.next() {
        if let Some(v) = item {
            acc = acc + x * *v;
        } else {
            acc = acc - x;
        }
    }
    match data.len() {
        0 => acc.sum(),
        n if n > 2 => (acc * (n as f64)).sum(),
        _ => acc.sum() * 2.0,
    }
}

#[test]
fn while_let_if_let_and_guards_on_inactive_values() {
    let x = rand(&[2], 36);
    for data in [
        vec![],
        vec![Some(1.5), None],
        vec![Some(1.0), None, Some(-2.0)],
    ] {
        let (_, g) = inactive_patterns_grad(&x, &data);
        assert_tensor_close(
            &g,
            &fd_tensor(|x| inactive_patterns(x, &data).item(), &x),
            TOL,
        );
    }
}

/// `ones_like` / `zeros_like` of a differentiated tensor: same shape, values that do not depend
/// on it, so no gradient flows through them.
#[differentiable]
fn scaled_by_ones(x: &Tensor<f64>) -> Tensor<f64> {
    (x * (x.ones_like() * 3.0 + x.zeros_like())).sum()
}

#[test]
fn ones_like_and_zeros_like_carry_no_gradient() {
    let x = rand(&[3], 37);
    let (_, g) = scaled_by_ones_grad(&x);
    assert_eq!(g.to_vec(), vec![3.0; 3]);
    assert_tensor_close(&g, &fd_tensor(|x| scaled_by_ones(x).item(), &x), TOL);
}
