//! Type aliases of `Tensor`, `f64` and `f32` in signatures: the macro cannot see through a name,
//! so such parameters and results go through `Differentiable`, which resolves the alias.

mod common;
use autodiff::prelude::*;
use common::{assert_close, fd};

type T64 = Tensor<f64>;
type Real = f64;

#[differentiable]
fn tensor_alias(x: &T64) -> T64 {
    (x * x).sum() * 0.5
}

#[differentiable]
fn scalar_alias(x: Real, y: Real) -> Real {
    x * y.sin()
}

#[differentiable(wrt(x))]
fn alias_named_in_wrt(x: &T64, scale: Real) -> T64 {
    x.exp().sum() * scale
}

#[test]
fn aliases_are_differentiated_and_grad_exists() {
    let x = Tensor::from_vec(vec![1.0, -2.0, 0.5], &[3]);
    let (v, g) = tensor_alias_grad(&x);
    assert_eq!(v.item(), 0.5 * (1.0 + 4.0 + 0.25));
    assert_eq!(g.to_vec(), x.to_vec());

    let (_, (gx, gy)) = scalar_alias_grad(0.7, 1.1);
    assert_close(gx, fd(|x| scalar_alias(x, 1.1), 0.7), 1e-9);
    assert_close(gy, fd(|y| scalar_alias(0.7, y), 1.1), 1e-9);

    let (_, g) = alias_named_in_wrt_grad(&x, 2.0);
    let expected: Vec<f64> = x.to_vec().iter().map(|v| 2.0 * v.exp()).collect();
    assert_eq!(g.to_vec(), expected);
}

#[derive(Differentiable, Clone, Debug)]
struct Pair {
    a: f64,
    b: f64,
}

#[differentiable]
fn make(x: f64) -> Pair {
    Pair { a: x, b: x * x }
}

#[test]
#[should_panic(expected = "`make_grad` needs a scalar output, but `make` returns a `Pair`")]
fn grad_of_a_struct_output_names_the_vjp() {
    let _ = make_grad(1.0);
}

#[differentiable]
fn widen(x: f32, y: f64) -> f64 {
    let a: f64 = x.into();
    let b = f64::from(x * x);
    a * y + b
}

#[test]
fn into_and_from_between_floats() {
    let (_, (gx, gy)) = widen_grad(1.5, 2.0);
    assert_close(gx as f64, 2.0 + 2.0 * 1.5, 1e-6);
    assert_close(gy, 1.5, 0.0);
}

#[differentiable]
fn numcast_generic<T: Float>(x: T) -> f64 {
    let y: f64 = <f64 as autodiff::num_traits::NumCast>::from(x * x).unwrap();
    let z = T::from(y * 3.0).unwrap();
    <f64 as autodiff::num_traits::NumCast>::from(z.sin()).expect("a float") + y
}

#[test]
fn numcast_from_between_floats() {
    let (_, g) = numcast_generic_grad(0.4f64);
    assert_close(g, fd(numcast_generic::<f64>, 0.4), 1e-8);
    let (_, g32) = numcast_generic_grad(0.4f32);
    assert!((g32 as f64 - g).abs() < 1e-5);
}
