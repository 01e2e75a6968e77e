//! Closures and iterator chains inside `#[differentiable]` functions, against central finite
//! differences in f64 (fixed inputs and a proptest over random ones).
// `acc = acc + ..` and `&Vec<_>` arguments are forms under test, not style slips.
#![allow(clippy::assign_op_pattern, clippy::ptr_arg)]

mod common;
use autodiff::prelude::*;
use common::{assert_close, assert_flat_close, fd, fd_flat};

#[differentiable]
fn closure_called_directly(x: f64) -> f64 {
    let sq = |v: f64| v * v;
    let shifted = |v: f64, s: f64| (v - s).sin() * x; // captures `x`
    sq(x) + shifted(sq(x), 0.5) + sq(3.0)
}

#[test]
fn closures_called_directly_with_and_without_captures() {
    for x in [-1.2, 0.3, 2.5] {
        let (_, g) = closure_called_directly_grad(x);
        assert_close(g, fd(closure_called_directly, x), 1e-8);
    }
}

#[differentiable(wrt(theta))]
fn map_sum(theta: f64, xs: &[f64]) -> f64 {
    xs.iter().map(|&xi| theta * xi).sum::<f64>()
}

#[differentiable(wrt(theta))]
fn fold_product(theta: f64, xs: &[f64]) -> f64 {
    let p: f64 = xs.iter().map(|x| (theta * x).cos()).product();
    xs.iter().fold(p, |acc, &x| acc * 0.5 + (x * theta).exp())
}

#[differentiable(wrt(theta))]
fn filter_take_while(theta: f64, xs: &[f64]) -> f64 {
    let kept: f64 = xs
        .iter()
        .filter(|&&x| x > 0.0)
        .take_while(|&&x| x < 10.0)
        .map(|&x| x * theta * theta)
        .sum();
    let skipped: f64 = xs.iter().copied().skip(1).take(2).map(|x| x + theta).sum();
    kept + skipped
}

#[differentiable(wrt(theta))]
fn for_each_and_ranges(theta: f64, n: usize) -> f64 {
    let mut acc = 0.0;
    (0..n).for_each(|i| acc = acc + theta.powi(i as i32));
    let s: f64 = (1..=n).map(|k| theta / k as f64).sum();
    acc + s
}

#[test]
fn iterator_chains_over_data() {
    let xs = [0.5, -1.0, 2.0, 12.0, 3.0];
    for theta in [0.7, -0.4] {
        assert_close(
            map_sum_grad(theta, &xs).1,
            fd(|t| map_sum(t, &xs), theta),
            1e-8,
        );
        assert_close(
            fold_product_grad(theta, &xs).1,
            fd(|t| fold_product(t, &xs), theta),
            1e-7,
        );
        assert_close(
            filter_take_while_grad(theta, &xs).1,
            fd(|t| filter_take_while(t, &xs), theta),
            1e-7,
        );
        assert_close(
            for_each_and_ranges_grad(theta, 4).1,
            fd(|t| for_each_and_ranges(t, 4), theta),
            1e-7,
        );
    }
}

#[differentiable(wrt(ws))]
fn chains_over_parameters(ws: &Vec<f64>, xs: &[f64]) -> f64 {
    let dot: f64 = ws.iter().zip(xs.iter()).map(|(w, x)| w * x).sum();
    let norm: f64 = ws.iter().map(|w| w * w).sum();
    let weighted = ws
        .iter()
        .enumerate()
        .fold(0.0, |acc, (i, w)| acc + w.sin() * i as f64);
    let squares: Vec<f64> = ws.iter().map(|w| w * w).collect();
    dot * norm + weighted + squares[1]
}

#[test]
fn iterator_chains_over_differentiated_containers() {
    let ws = vec![0.3, -1.1, 0.8];
    let xs = [1.0, 2.0, -0.5];
    let (_, g) = chains_over_parameters_grad(&ws, &xs);
    let fdg = fd_flat(|w: &Vec<f64>| chains_over_parameters(w, &xs), &ws);
    assert_flat_close(&g, &fdg, 1e-7);
}

#[differentiable(wrt(w))]
fn tensor_closure(w: &Tensor<f64>, xs: &[Tensor<f64>]) -> Tensor<f64> {
    let layer = |x: &Tensor<f64>| x.mm(w).tanh();
    let mut total = Tensor::zeros(&[]);
    for x in xs {
        total = total + layer(x).sum();
    }
    total
}

#[test]
fn closure_capturing_a_tensor() {
    let w = Tensor::randn(&[2, 3], 3);
    let xs: Vec<Tensor<f64>> = (0..3).map(|i| Tensor::randn(&[1, 2], 40 + i)).collect();
    let (_, g) = tensor_closure_grad(&w, &xs);
    let fdg = fd_flat(|w: &Tensor<f64>| tensor_closure(w, &xs).item(), &w);
    assert_flat_close(&g.to_vec(), &fdg, 1e-7);
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn chains_match_finite_differences(
            theta in -2.0f64..2.0,
            xs in proptest::collection::vec(-3.0f64..3.0, 0..6),
        ) {
            let g = map_sum_grad(theta, &xs).1;
            assert_close(g, fd(|t| map_sum(t, &xs), theta), 1e-7);
            let g = fold_product_grad(theta, &xs).1;
            assert_close(g, fd(|t| fold_product(t, &xs), theta), 1e-6);
            let g = filter_take_while_grad(theta, &xs).1;
            assert_close(g, fd(|t| filter_take_while(t, &xs), theta), 1e-6);
            let ws: Vec<f64> = xs.iter().map(|x| x * 0.5 + theta).collect();
            if ws.len() > 1 {
                let g = chains_over_parameters_grad(&ws, &xs).1;
                let fdg = fd_flat(|w: &Vec<f64>| chains_over_parameters(w, &xs), &ws);
                assert_flat_close(&g, &fdg, 1e-6);
            }
        }
    }
}

#[differentiable(wrt(ws))]
fn fused_chains_over_parts(ws: &Vec<f64>, m: &[f64]) -> f64 {
    let mut acc = 0.0;
    for w in ws.iter() {
        acc = acc + w.sin() * w.cos() + (w * 2.0).exp() * 0.5;
    }
    let s: f64 = ws.iter().map(|w| (w * 3.0).sin() * w.exp() - w * w).sum();
    for i in 0..ws.len() {
        acc = acc + (ws[i] * m[i]).exp() * ws[i].sin();
    }
    acc + s
}

#[test]
fn element_wise_chains_over_parts_of_arguments() {
    let ws = vec![0.3, -0.4, 0.9];
    let m = [1.0, 0.5, -0.25];
    let (_, g) = fused_chains_over_parts_grad(&ws, &m);
    let fdg = fd_flat(|w: &Vec<f64>| fused_chains_over_parts(w, &m), &ws);
    assert_flat_close(&g, &fdg, 1e-7);
}
