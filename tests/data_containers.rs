//! Containers, tuples and aggregates inside `#[differentiable]` functions: slices, `Vec`s and
//! arrays as arguments, values built and taken apart in the body, tuple- and struct-valued
//! results, and an RNN that collects its states with `push` and stacks them. Every gradient is
//! checked against central finite differences in f64.
// `acc = acc + ..` and `&Vec<_>` arguments are forms under test, not style slips.
#![allow(clippy::assign_op_pattern, clippy::ptr_arg)]

mod common;
use autodiff::prelude::*;
use common::{assert_close, assert_flat_close, fd_flat, flat_tangent};

#[derive(Differentiable, Clone, Debug)]
struct Pair {
    a: f64,
    b: Tensor<f64>,
}

#[differentiable(wrt(ws))]
fn weighted(ws: &[f64], xs: &[f64]) -> f64 {
    let mut acc = 0.0;
    for i in 0..ws.len() {
        acc = acc + ws[i] * xs[i] * ws[i];
    }
    acc
}

#[test]
fn slice_elements_by_index() {
    let ws = vec![0.5, -1.5, 2.0];
    let xs = [1.0, 2.0, 3.0];
    let (_, g) = weighted_grad(&ws, &xs);
    let fd = fd_flat(|w: &Vec<f64>| weighted(w, &xs), &ws);
    assert_flat_close(&g, &fd, 1e-7);
}

#[differentiable(wrt(ws))]
fn iterate_vec(ws: &Vec<f64>, scale: f64) -> f64 {
    let mut acc = 1.0;
    for (i, w) in ws.iter().enumerate() {
        acc = acc * w.sin() + scale * i as f64;
    }
    for w in ws {
        acc = acc + *w * *w;
    }
    acc
}

#[test]
fn vec_iteration_with_iter_enumerate_and_reference() {
    let ws = vec![0.3, 1.1, -0.7, 2.0];
    let (_, g) = iterate_vec_grad(&ws, 0.25);
    let fd = fd_flat(|w: &Vec<f64>| iterate_vec(w, 0.25), &ws);
    assert_flat_close(&g, &fd, 1e-7);
}

#[differentiable(wrt(arr, pair))]
fn arrays_and_tuples(arr: [f64; 3], pair: (f64, Tensor<f64>)) -> Tensor<f64> {
    let (s, t) = (arr[0] * arr[2], pair.1.sum() * pair.0);
    t * s + arr[1]
}

#[test]
fn array_and_tuple_arguments() {
    let arr = [0.5, 1.5, -2.0];
    let pair = (0.3, Tensor::from_vec(vec![1.0, 2.0], &[2]));
    let (_, (ga, gp)) = arrays_and_tuples_grad(arr, pair.clone());
    let fda = fd_flat(
        |a: &[f64; 3]| arrays_and_tuples(*a, pair.clone()).item(),
        &arr,
    );
    let fdp = fd_flat(
        |p: &(f64, Tensor<f64>)| arrays_and_tuples(arr, p.clone()).item(),
        &pair,
    );
    assert_flat_close(&ga, &fda, 1e-7);
    assert_flat_close(&flat_tangent::<(f64, Tensor<f64>)>(&gp), &fdp, 1e-7);
}

#[differentiable(wrt(p))]
fn struct_fields(p: &Pair, k: f64) -> Tensor<f64> {
    let Pair { a, b } = p.clone();
    (&b * a).exp().sum() * k + b.sum()
}

#[test]
fn struct_destructured_from_a_clone() {
    let p = Pair {
        a: 0.4,
        b: Tensor::from_vec(vec![0.1, -0.2, 0.3], &[3]),
    };
    let (_, g) = struct_fields_grad(&p, 1.5);
    let fd = fd_flat(|p: &Pair| struct_fields(p, 1.5).item(), &p);
    assert_flat_close(&flat_tangent::<Pair>(&g), &fd, 1e-7);
}

#[differentiable]
fn split_pair(x: f64, y: f64) -> (f64, f64) {
    let t = (x * y, x + y);
    let (p, q) = t;
    (p.sin(), q * p)
}

#[test]
fn tuple_output_pullback_takes_a_tuple_cotangent() {
    let (x, y) = (0.7, -1.3);
    let ((a, b), pb) = split_pair_vjp(x, y);
    assert_eq!((a, b), split_pair(x, y));
    let (u, v) = (0.6, -2.0);
    let (gx, gy) = pb((u, v));
    let f = |x: f64, y: f64| {
        let (a, b) = split_pair(x, y);
        u * a + v * b
    };
    assert_close(gx, common::fd(|x| f(x, y), x), 1e-7);
    assert_close(gy, common::fd(|y| f(x, y), y), 1e-7);
}

#[differentiable]
fn make_pair(x: f64, t: &Tensor<f64>) -> Pair {
    let b = t * x;
    Pair { a: x * x, b }
}

#[test]
fn struct_output_pullback_takes_a_tangent() {
    let t = Tensor::from_vec(vec![1.0, 2.0], &[2]);
    let (p, pb) = make_pair_vjp(0.5, &t);
    assert_eq!(p.a, 0.25);
    let cot = PairTangent {
        a: 2.0,
        b: Tensor::from_vec(vec![1.0, -1.0], &[2]),
    };
    let (gx, gt) = pb(cot);
    // d/dx [2 x^2 + <[1,-1], t x>] = 4x + (t0 - t1); d/dt = x [1, -1]
    assert_close(gx, 4.0 * 0.5 + (1.0 - 2.0), 1e-12);
    assert_eq!(gt.to_vec(), vec![0.5, -0.5]);
}

/// A tiny RNN: the states are collected with `push` and stacked.
#[differentiable(wrt(w, u))]
fn rnn(w: &Tensor<f64>, u: &Tensor<f64>, xs: &[Tensor<f64>]) -> Tensor<f64> {
    let mut h = Tensor::zeros(&[1, 3]);
    let mut states = Vec::new();
    for x in xs {
        h = (h.mm(w) + x.mm(u)).tanh();
        states.push(h.clone());
    }
    let all = Tensor::stack(&states, 0);
    let first_last = Tensor::cat(&[&states[0], &h], 1);
    (&all * &all).sum() + first_last.sum()
}

#[test]
fn rnn_stacking_its_states_matches_finite_differences() {
    let w = Tensor::randn_scaled(&[3, 3], 1, 0.5);
    let u = Tensor::randn_scaled(&[2, 3], 2, 0.5);
    let xs: Vec<Tensor<f64>> = (0..4).map(|i| Tensor::randn(&[1, 2], 10 + i)).collect();
    let (_, (gw, gu)) = rnn_grad(&w, &u, &xs);
    let fdw = fd_flat(|w: &Tensor<f64>| rnn(w, &u, &xs).item(), &w);
    let fdu = fd_flat(|u: &Tensor<f64>| rnn(&w, u, &xs).item(), &u);
    assert_flat_close(&gw.to_vec(), &fdw, 1e-6);
    assert_flat_close(&gu.to_vec(), &fdu, 1e-6);
}

#[differentiable(wrt(layers))]
fn vec_literal_and_index(layers: &[Tensor<f64>], x: f64) -> Tensor<f64> {
    let parts = vec![&layers[0] * x, layers[1].exp()];
    let arr = [parts[1].sum(), parts[0].sum()];
    &arr[0] * &arr[1] + Tensor::stack(&parts, 0).sum()
}

#[test]
fn vec_literals_arrays_and_slices_of_tensors() {
    let layers = vec![Tensor::randn(&[2], 1), Tensor::randn(&[2], 2)];
    let (_, g) = vec_literal_and_index_grad(&layers, 0.7);
    let fd = fd_flat(
        |l: &Vec<Tensor<f64>>| vec_literal_and_index(l, 0.7).item(),
        &layers,
    );
    assert_flat_close(&flat_tangent::<Vec<Tensor<f64>>>(&g), &fd, 1e-6);
}

#[differentiable(wrt(x, w, b))]
fn pieces_and_norm(x: &Tensor<f64>, w: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    let parts = x.split(2, 1);
    let halves = x.chunk(2, 0);
    let y = x.layer_norm(&[3], Some(w), Some(b), 1e-5);
    let z = x.layer_norm(&[3], None, Some(b), 1e-5);
    (&parts[0] * &parts[1].sum()).sum() + halves[1].exp().sum() + (&y * &z).sum()
}

#[test]
fn split_chunk_and_layer_norm_in_a_body() {
    let x = Tensor::randn(&[2, 3], 7);
    let w = Tensor::randn(&[3], 8);
    let b = Tensor::randn(&[3], 9);
    let (_, (gx, gw, gb)) = pieces_and_norm_grad(&x, &w, &b);
    let fx = fd_flat(|x: &Tensor<f64>| pieces_and_norm(x, &w, &b).item(), &x);
    let fw = fd_flat(|w: &Tensor<f64>| pieces_and_norm(&x, w, &b).item(), &w);
    let fb = fd_flat(|b: &Tensor<f64>| pieces_and_norm(&x, &w, b).item(), &b);
    assert_flat_close(&gx.to_vec(), &fx, 1e-6);
    assert_flat_close(&gw.to_vec(), &fw, 1e-6);
    assert_flat_close(&gb.to_vec(), &fb, 1e-6);
}

#[differentiable]
fn selected(x: &Tensor<f64>, y: &Tensor<f64>) -> Tensor<f64> {
    let mask = x.gt(0.0);
    let picked = Tensor::where_cond(&mask, &(x * y), &y.exp());
    let only_x = Tensor::where_cond(&mask, x, &Tensor::zeros(&[3]));
    (picked + only_x * 2.0).sum()
}

#[test]
fn where_cond_in_a_body() {
    let x = Tensor::from_vec(vec![0.5, -1.0, 2.0], &[3]);
    let y = Tensor::from_vec(vec![1.5, 0.3, -0.7], &[3]);
    let (_, (gx, gy)) = selected_grad(&x, &y);
    let fx = fd_flat(|x: &Tensor<f64>| selected(x, &y).item(), &x);
    let fy = fd_flat(|y: &Tensor<f64>| selected(&x, y).item(), &y);
    assert_flat_close(&gx.to_vec(), &fx, 1e-7);
    assert_flat_close(&gy.to_vec(), &fy, 1e-7);
}
