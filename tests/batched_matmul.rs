//! `a.matmul(&b)` on 3-D (and broadcast) tensors inside `#[differentiable]` functions: the
//! generated gradients against central finite differences in f64, directly and through
//! `autodiff::gradcheck`.

mod common;

use autodiff::gradcheck::{gradcheck, Gradcheck};
use autodiff::prelude::*;
use common::{assert_tensor_close, fd_tensor, rand};

/// Attention-like scores: `[b, t, d] x [b, d, t] -> [b, t, t]`, then a batch of values
/// `[b, t, t] x [b, t, e]`.
#[differentiable]
fn attention(q: &Tensor<f64>, k: &Tensor<f64>, v: &Tensor<f64>) -> Tensor<f64> {
    let scores = q.matmul(&k.transpose(1, 2)).tanh();
    let out = scores.matmul(v);
    (&out * &out).sum()
}

/// A linear layer applied to a batch of sequences (`[b, t, d] x [d, e]`, the weight broadcast
/// over the batch), then a 1-D read-out (`[b, t, e] x [e]`).
#[differentiable]
fn sequence_layer(x: &Tensor<f64>, w: &Tensor<f64>, r: &Tensor<f64>) -> Tensor<f64> {
    let h = x.matmul(w).tanh();
    h.matmul(r).exp().mean()
}

/// Broadcast batch dimensions: `[2, 1, m, k] x [3, k, n] -> [2, 3, m, n]`.
#[differentiable]
fn broadcast_batches(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    a.matmul(b).sin().sum()
}

#[test]
fn attention_gradients_match_finite_differences() {
    let (q, k, v) = (
        rand(&[2, 3, 4], 1),
        rand(&[2, 3, 4], 2),
        rand(&[2, 3, 2], 3),
    );
    let (_, (gq, gk, gv)) = attention_grad(&q, &k, &v);
    assert_tensor_close(&gq, &fd_tensor(|t| attention(t, &k, &v).item(), &q), 1e-6);
    assert_tensor_close(&gk, &fd_tensor(|t| attention(&q, t, &v).item(), &k), 1e-6);
    assert_tensor_close(&gv, &fd_tensor(|t| attention(&q, &k, t).item(), &v), 1e-6);
}

#[test]
fn weights_shared_over_the_batch_get_the_summed_gradient() {
    let (x, w, r) = (rand(&[2, 3, 4], 4), rand(&[4, 5], 5), rand(&[5], 6));
    let (_, (gx, gw, gr)) = sequence_layer_grad(&x, &w, &r);
    assert_eq!(
        (gx.shape(), gw.shape(), gr.shape()),
        (&[2, 3, 4][..], &[4, 5][..], &[5][..])
    );
    assert_tensor_close(
        &gx,
        &fd_tensor(|t| sequence_layer(t, &w, &r).item(), &x),
        1e-6,
    );
    assert_tensor_close(
        &gw,
        &fd_tensor(|t| sequence_layer(&x, t, &r).item(), &w),
        1e-6,
    );
    assert_tensor_close(
        &gr,
        &fd_tensor(|t| sequence_layer(&x, &w, t).item(), &r),
        1e-6,
    );
}

#[test]
fn broadcast_batch_dimensions() {
    let (a, b) = (rand(&[2, 1, 3, 4], 7), rand(&[3, 4, 2], 8));
    let (y, (ga, gb)) = broadcast_batches_grad(&a, &b);
    assert_eq!(y.shape(), &[] as &[usize]);
    assert_tensor_close(
        &ga,
        &fd_tensor(|t| broadcast_batches(t, &b).item(), &a),
        1e-6,
    );
    assert_tensor_close(
        &gb,
        &fd_tensor(|t| broadcast_batches(&a, t).item(), &b),
        1e-6,
    );
}

#[test]
fn gradcheck_agrees() {
    let qkv = (
        rand(&[2, 3, 4], 9),
        rand(&[2, 3, 4], 10),
        rand(&[2, 3, 2], 11),
    );
    gradcheck(
        |(q, k, v): &(Tensor<f64>, Tensor<f64>, Tensor<f64>)| attention_vjp(q, k, v),
        &qkv,
    )
    .unwrap();
    let ab = (rand(&[2, 1, 3, 4], 12), rand(&[3, 4, 2], 13));
    Gradcheck::new()
        .atol(1e-7)
        .rtol(1e-6)
        .check(
            |(a, b): &(Tensor<f64>, Tensor<f64>)| broadcast_batches_grad(a, b),
            &ab,
        )
        .unwrap();
}
