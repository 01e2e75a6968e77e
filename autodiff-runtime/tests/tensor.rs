//! The tensor API as a user of the crate sees it: inference of the default element type,
//! operators, printing that matches PyTorch, gradients accumulated in a `Param`, and algebraic
//! laws checked on random shapes and values.

mod common;

use autodiff_runtime::tensor::broadcast_shapes;
use autodiff_runtime::{kernels, no_grad, Param, Tensor};
use common::{abs_mm, assert_sums_close, order_tolerance};
use proptest::prelude::*;

/// The seed notebook's first example, `y = 2 * x^T x` with `x = arange(4).reshape(4, 1)`, and
/// the gradient PyTorch prints, `4x`.
#[test]
fn seed_notebook_values_print_like_pytorch() {
    let x: Tensor = Tensor::arange(4).reshape(&[4, 1]);
    assert_eq!(
        x.to_string(),
        "tensor([[0.],\n        [1.],\n        [2.],\n        [3.]])"
    );
    let y = 2.0 * x.t().mm(&x);
    assert_eq!(y.to_string(), "tensor([[28.]])");
    assert_eq!(y.reshape(&[] as &[usize]).to_string(), "tensor(28.)");
    let grad = 4.0 * &x;
    assert_eq!(
        grad.to_string(),
        "tensor([[ 0.],\n        [ 4.],\n        [ 8.],\n        [12.]])"
    );
    assert_eq!((&grad - 4.0 * &x).norm().item(), 0.0);
    assert_eq!(grad.flatten().to_string(), "tensor([ 0.,  4.,  8., 12.])");

    // out = mean(3 * (x + 2)^2) with x = ones(2, 2): d out / dx = 4.5
    let ones: Tensor = Tensor::ones(&[2, 2]);
    let z = (&ones + 2.0).powi(2) * 3.0;
    assert_eq!(z.to_string(), "tensor([[27., 27.],\n        [27., 27.]])");
    assert_eq!(z.mean().to_string(), "tensor(27.)");
    let dout: Tensor = Tensor::full(&[2, 2], 6.0 * 3.0 / 4.0);
    assert_eq!(
        dout.to_string(),
        "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])"
    );

    let v: Tensor = Tensor::from_vec(vec![1.0, 0.1, 0.01, 0.001], &[4]);
    assert_eq!(
        (2.0 * &v).to_string(),
        "tensor([2.0000, 0.2000, 0.0200, 0.0020])"
    );
    let x: Tensor = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[4]);
    assert_eq!((&x * 2.0).to_string(), "tensor([2., 4., 6., 8.])");
    assert_eq!(Tensor::scalar(1.0f32).to_string(), "tensor(1.)");
}

#[test]
fn operators_accept_every_operand_form() {
    let x: Tensor = Tensor::arange(3);
    let y = x.clone() + 1.0;
    let results = [
        &x + &y,
        x.clone() + &y,
        &x + y.clone(),
        x.clone() + y.clone(),
        y.clone() + &x,
        &x + 1.0 + &x,
    ];
    for r in &results {
        assert_eq!(r.to_vec(), vec![1.0, 3.0, 5.0]);
    }
    assert_eq!((2.0 * &x).to_vec(), vec![0.0, 2.0, 4.0]);
    assert_eq!((&y * &y * 3.0).to_vec(), vec![3.0, 12.0, 27.0]);
    assert_eq!((1.0 / &y).to_vec(), vec![1.0, 0.5, 1.0 / 3.0]);
    assert_eq!((10.0 - y.clone()).to_vec(), vec![9.0, 8.0, 7.0]);
    assert_eq!((-(&x - 1.0)).to_vec(), vec![1.0, 0.0, -1.0]);
    let mut acc = x.zeros_like();
    acc += &x;
    acc += x.clone();
    acc -= 1.0;
    acc *= &y;
    acc /= 2.0;
    assert_eq!(acc.to_vec(), vec![-0.5, 1.0, 4.5]);
    let d: Tensor<f64> = Tensor::ones(&[2]);
    assert_eq!((0.5 * &d - 0.25).to_vec(), vec![0.25, 0.25]);
}

#[test]
fn a_training_step_with_params() {
    // Linear regression, one step: w <- w - lr * X^T (X w - y) / n
    let x: Tensor = Tensor::randn(&[8, 3], 1);
    let y = Tensor::randn(&[8, 1], 2);
    let mut w = Param::new(Tensor::zeros(&[3, 1]));
    let loss_before = (x.mm(&w) - &y).powi(2).mean().item();
    for _ in 0..2 {
        let residual = x.mm(&w) - &y;
        let grad = x.mm_with(true, &residual, false) * (2.0 / 8.0);
        w.accumulate(&grad);
    }
    let g = w.grad().expect("accumulated").clone();
    let step = no_grad(|| &g * 0.05);
    *w.value_mut() -= &step;
    w.zero_grad();
    assert!(w.grad().is_none());
    let loss_after = (x.mm(&w) - &y).powi(2).mean().item();
    assert!(loss_after < loss_before, "{loss_after} >= {loss_before}");
}

/// An accuracy claim about the reduction kernels (blocked/pairwise summation), not a comparison
/// of two orders: the error is bounded relative to the sum of absolute values (for `x·x` that is
/// the sum itself), far below the `n·u·Σ|x|` (6% here) a naive f32 loop may reach.
#[test]
fn reductions_of_a_million_f32_elements_are_accurate() {
    let x: Tensor = Tensor::randn(&[1_000_000], 1);
    let exact: f64 = x.as_slice().iter().map(|&v| v as f64).sum();
    let l1: f64 = x.as_slice().iter().map(|&v| (v as f64).abs()).sum();
    assert!((x.sum().item() as f64 - exact).abs() <= 1e-6 * l1);
    let w1 = 2.0 * x.dot(&x).item() as f64;
    let exact_w1: f64 = 2.0
        * x.as_slice()
            .iter()
            .map(|&v| v as f64 * v as f64)
            .sum::<f64>();
    // OpenBLAS's sdot accumulates in f32 lanes whose number depends on the CPU (its error grows
    // like sqrt(n / lanes)·u); matrixmultiply's path here sums in blocks.
    let tolerance = if cfg!(feature = "blas") { 1e-4 } else { 1e-6 };
    assert!((w1 / exact_w1 - 1.0).abs() < tolerance);
}

#[test]
fn thread_count_is_settable() {
    let before = kernels::num_threads();
    assert!(before >= 1);
    kernels::set_num_threads(0);
    assert_eq!(kernels::num_threads(), 1);
    let a: Tensor = Tensor::randn(&[200, 300], 3);
    let b = Tensor::randn(&[300, 100], 4);
    let one = a.mm(&b);
    kernels::set_num_threads(2);
    let two = a.mm(&b);
    kernels::set_num_threads(before);
    // Two threads block the 300-term sums differently (OpenBLAS with OPENBLAS_CORETYPE=Haswell
    // differs by 4e-5 on entries of magnitude 80): equal up to 2·γ_300·Σ_k |a_ik||b_kj|.
    assert_sums_close(&one, &two, &abs_mm(&a, &b), 300);
}

#[test]
fn tensors_are_cheap_to_clone_and_send() {
    fn assert_send_sync<S: Send + Sync>() {}
    assert_send_sync::<Tensor>();
    assert_send_sync::<Param<f64>>();
    // five words: the elements (an `Arc`, or one element in line) and a shape of up to two
    // dimensions in line
    assert!(std::mem::size_of::<Tensor>() <= 40);
    let x: Tensor = Tensor::zeros(&[2, 3, 4]);
    let y = x.clone();
    assert!(y.shares_storage_with(&x));
    // a one-element tensor is copied, not shared (no allocation to share)
    let s = Tensor::scalar(2.0f32);
    assert!(!s.clone().shares_storage_with(&s));
    let handle = std::thread::spawn(move || y.sum().item());
    assert_eq!(handle.join().unwrap(), 0.0);
}

fn shape_strategy() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..4, 0..4)
}

/// A shape that broadcasts to `shape`: some leading dimensions dropped, some sizes set to 1.
fn broadcastable_from(shape: Vec<usize>) -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    let n = shape.len();
    (0..=n, prop::collection::vec(any::<bool>(), n)).prop_map(move |(drop, ones)| {
        let small = shape[drop..]
            .iter()
            .zip(&ones[drop..])
            .map(|(&d, &one)| if one { 1 } else { d })
            .collect();
        (shape.clone(), small)
    })
}

fn tensor_of(shape: &[usize], seed: u64) -> Tensor<f64> {
    Tensor::randn(shape, seed)
}

proptest! {
    #[test]
    fn broadcasting_is_symmetric_and_matches_broadcast_to(
        (big, small) in shape_strategy().prop_flat_map(broadcastable_from),
        seed in 0u64..1000,
    ) {
        let a = tensor_of(&big, seed);
        let b = tensor_of(&small, seed + 1);
        prop_assert_eq!(broadcast_shapes(&big, &small).unwrap(), big.clone());
        let expanded = b.broadcast_to(&big);
        prop_assert_eq!(&a + &b, a.zip_map(&expanded, |x, y| x + y));
        prop_assert_eq!(&b - &a, expanded.zip_map(&a, |x, y| x - y));
        prop_assert_eq!(&a * &b, &b * &a);
        let mut c = a.clone();
        c /= &b;
        prop_assert_eq!(c, a.zip_map(&expanded, |x, y| x / y));
    }

    #[test]
    fn sum_to_is_the_adjoint_of_broadcast_to(
        (big, small) in shape_strategy().prop_flat_map(broadcastable_from),
        seed in 0u64..1000,
    ) {
        let a = tensor_of(&small, seed);
        let g = tensor_of(&big, seed + 7);
        let lhs = (&a.broadcast_to(&big) * &g).sum().item();
        let reduced = g.sum_to(&small);
        prop_assert_eq!(reduced.shape(), &small[..]);
        let rhs = (&a * &reduced).sum().item();
        // both are Σ a_i·g_j over the big shape, summed in different orders
        let magnitude = (&a.abs().broadcast_to(&big) * &g.abs()).sum().item();
        let terms = g.numel() + 1;
        prop_assert!((lhs - rhs).abs() <= order_tolerance::<f64>(terms, magnitude));
    }

    #[test]
    fn matrix_products_agree_with_each_other(
        m in 1usize..20, k in 1usize..20, n in 1usize..20, seed in 0u64..1000,
    ) {
        let a = tensor_of(&[m, k], seed);
        let b = tensor_of(&[k, n], seed + 1);
        let c = a.mm(&b);
        // each entry is a sum of k products; the kernels may sum them in different orders
        let mag = abs_mm(&a, &b);
        assert_sums_close(&a.t().mm_with(true, &b, false), &c, &mag, k);
        assert_sums_close(&a.mm_with(false, &b.t(), true), &c, &mag, k);
        assert_sums_close(&b.mm_with(true, &a, true), &c.t(), &abs_mm(&b.t(), &a.t()), k);
        let v = tensor_of(&[k], seed + 2);
        let mv = a.mv(&v);
        let mag_mv = abs_mm(&a, &v.reshape(&[k, 1]));
        assert_sums_close(&a.mm(&v.reshape(&[k, 1])).flatten(), &mv, &mag_mv, k);
        assert_sums_close(&a.matmul(&v), &mv, &mag_mv, k);
        let row = tensor_of(&[m], seed + 3);
        let mag_row = abs_mm(&row.reshape(&[1, m]), &a);
        assert_sums_close(&row.matmul(&a), &a.t().mv(&row), &mag_row, m);
        // a sum of positive squares is its own magnitude; sqrt and squaring add two roundings
        let d = v.dot(&v).item();
        prop_assert!((d - v.norm().item().powi(2)).abs() <= order_tolerance::<f64>(k + 2, d));
    }

    #[test]
    fn axis_reductions_agree_with_sum_to(shape in prop::collection::vec(1usize..5, 1..4), seed in 0u64..1000) {
        let x = tensor_of(&shape, seed);
        for axis in 0..shape.len() {
            let mut kept = shape.clone();
            kept[axis] = 1;
            let magnitude = x.abs().sum_axis(axis, true).to_vec();
            assert_sums_close(&x.sum_axis(axis, true), &x.sum_to(&kept), &magnitude, shape[axis]);
            let mean = x.mean_axis(axis, false);
            prop_assert_eq!(mean.ndim(), shape.len() - 1);
        }
        let magnitude: f64 = x.as_slice().iter().map(|v| v.abs()).sum();
        let in_order = x.as_slice().iter().sum::<f64>();
        prop_assert!((x.sum().item() - in_order).abs() <= order_tolerance::<f64>(x.numel(), magnitude));
    }
}
