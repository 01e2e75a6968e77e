//! Helpers shared by the integration tests: central finite differences in f64.
#![allow(dead_code)]

use autodiff::Tensor;

/// Step for central differences in f64: balances truncation (h^2) and rounding (eps/h).
pub const H: f64 = 1e-6;

/// Central difference of a scalar function.
pub fn fd(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    (f(x + H) - f(x - H)) / (2.0 * H)
}

/// Central-difference gradient of `f` with respect to every entry of `x`.
pub fn fd_tensor(f: impl Fn(&Tensor<f64>) -> f64, x: &Tensor<f64>) -> Tensor<f64> {
    let base = x.to_vec();
    let grads = (0..base.len())
        .map(|i| {
            let mut plus = base.clone();
            plus[i] += H;
            let mut minus = base.clone();
            minus[i] -= H;
            let fp = f(&Tensor::from_vec(plus, x.shape()));
            let fm = f(&Tensor::from_vec(minus, x.shape()));
            (fp - fm) / (2.0 * H)
        })
        .collect();
    Tensor::from_vec(grads, x.shape())
}

/// `|a - b| <= tol * max(1, |a|, |b|)`, with a message naming both.
#[track_caller]
pub fn assert_close(a: f64, b: f64, tol: f64) {
    let scale = 1f64.max(a.abs()).max(b.abs());
    assert!(
        (a - b).abs() <= tol * scale,
        "{a} vs {b} (difference {}, tolerance {})",
        (a - b).abs(),
        tol * scale
    );
}

/// Element-wise [`assert_close`] of two tensors of the same shape.
#[track_caller]
pub fn assert_tensor_close(a: &Tensor<f64>, b: &Tensor<f64>, tol: f64) {
    assert_eq!(a.shape(), b.shape(), "shapes differ");
    for (x, y) in a.to_vec().into_iter().zip(b.to_vec()) {
        assert_close(x, y, tol);
    }
}

/// A seeded f64 tensor with entries in roughly [-1, 1] (away from kinks of abs/relu).
pub fn rand(shape: &[usize], seed: u64) -> Tensor<f64> {
    Tensor::<f64>::randn(shape, seed)
}
