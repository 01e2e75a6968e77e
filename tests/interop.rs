//! The facade's `ndarray` and `serde` features: a tensor computed by a differentiable function
//! goes to ndarray and back, and through JSON, unchanged.
#![cfg(all(feature = "ndarray", feature = "serde"))]

use autodiff::ndarray::{Array1, Array2, ArrayD};
use autodiff::prelude::*;

#[differentiable]
fn energy(x: &Tensor<f64>) -> Tensor<f64> {
    (x * x).sum() * 0.5
}

#[test]
fn gradients_round_trip_through_ndarray() {
    let a = Array2::from_shape_fn((3, 4), |(i, j)| i as f64 - 0.5 * j as f64);
    let x = Tensor::from(a.clone());
    let (_, grad) = energy_grad(&x);
    let g = Array2::try_from(grad).unwrap();
    assert_eq!(g, a, "the gradient of |x|^2 / 2 is x, exactly");
    let flat = Array1::try_from(Tensor::from(a.clone()).flatten()).unwrap();
    assert_eq!(flat.len(), 12);
    assert_eq!(ArrayD::from(Tensor::from(a.clone())), a.into_dyn());
}

#[test]
fn gradients_round_trip_through_json() {
    let x = Tensor::<f64>::randn(&[2, 3], 11);
    let (_, grad) = energy_grad(&x);
    let json = serde_json::to_string(&grad).unwrap();
    let back: Tensor<f64> = serde_json::from_str(&json).unwrap();
    assert_eq!(back.shape(), &[2, 3]);
    assert_eq!(back, grad, "JSON keeps every digit");
    assert_eq!(back, x, "the gradient of |x|^2 / 2 is x");
}
