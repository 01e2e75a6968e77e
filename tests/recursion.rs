//! Recursive differentiable functions: direct recursion (the recursive call's pullback is
//! boxed) and mutual recursion, generic or not (a function that calls other differentiable
//! functions boxes its pullback).

mod common;
use autodiff::prelude::*;
use common::{assert_close, fd};

/// A nest of `sin`s built by recursion.
#[differentiable]
fn tower(x: f64, n: u32) -> f64 {
    if n == 0 {
        x
    } else {
        (tower(x, n - 1) * 0.5).sin() + x * x
    }
}

#[differentiable]
fn tensor_depth(x: &Tensor<f64>, n: u32) -> Tensor<f64> {
    if n == 0 {
        x.tanh()
    } else {
        tensor_depth(&(x * 1.5), n - 1) + x.exp() * 0.1
    }
}

#[differentiable]
fn even(x: f64, n: u32) -> f64 {
    if n == 0 {
        x
    } else {
        odd(x * 2.0, n - 1)
    }
}

#[differentiable]
fn odd(x: f64, n: u32) -> f64 {
    if n == 0 {
        x * x
    } else {
        even(x.sin() + 1.0, n - 1)
    }
}

/// Mutual recursion between generic functions (their pullbacks are boxed, with `T: 'static`).
#[differentiable]
fn generic_even<T: Float>(x: T, n: u32) -> T {
    if n == 0 {
        x
    } else {
        generic_odd::<T>(x + x, n - 1)
    }
}

#[differentiable]
fn generic_odd<T: Float>(x: T, n: u32) -> T {
    if n == 0 {
        x * x
    } else {
        generic_even(x.sin() + T::one(), n - 1) * x
    }
}

#[test]
fn direct_recursion() {
    for n in 0..5 {
        let (v, g) = tower_grad(0.8, n);
        assert_eq!(v, tower(0.8, n));
        assert_close(g, fd(|x| tower(x, n), 0.8), 1e-8);
    }
    let x = Tensor::from_vec(vec![0.2, -0.4], &[2]);
    let (_, pb) = tensor_depth_vjp(&x, 3);
    let g = pb(Tensor::ones(&[2]));
    for i in 0..2 {
        let f = |v: f64| {
            let mut d = x.to_vec();
            d[i] = v;
            tensor_depth(&Tensor::from_vec(d, &[2]), 3).sum().item()
        };
        assert_close(g.to_vec()[i], fd(f, x.to_vec()[i]), 1e-8);
    }
}

#[test]
fn mutual_recursion() {
    for n in 0..6 {
        let (_, g) = even_grad(0.3, n);
        assert_close(g, fd(|x| even(x, n), 0.3), 1e-8);
    }
}

#[test]
fn mutual_recursion_between_generic_functions() {
    for n in 0..6 {
        let (v, g) = generic_even_grad(0.3f64, n);
        assert_eq!(v, generic_even(0.3f64, n));
        assert_close(g, fd(|x| generic_even(x, n), 0.3), 1e-8);
        let (_, g) = generic_odd_grad(-0.7f64, n);
        assert_close(g, fd(|x| generic_odd(x, n), -0.7), 1e-8);
        // the same functions in f32: the f64 gradient rounded
        let (_, g32) = generic_odd_grad(-0.7f32, n);
        assert!(
            (f64::from(g32) - g).abs() <= 1e-5 * (1.0 + g.abs()),
            "{g32} vs {g}"
        );
    }
}

/// A recursive function with a data parameter (so its pullback is narrowed to `x` and `y`)
/// calling itself with one of them constant.
#[differentiable]
fn walk(x: f64, y: f64, n: usize) -> f64 {
    if n == 0 {
        x * y
    } else {
        walk(x, 2.0, n - 1) * y + walk(x.sin(), y, n - 1)
    }
}

/// Differentiated in every parameter, calling itself with a constant in one of them.
#[differentiable]
fn spiral(x: f64, y: f64) -> f64 {
    if x > 3.0 {
        x * y
    } else {
        spiral(x + 1.0, 0.5) * y + spiral(x * 2.0 + 1.0, y)
    }
}

#[test]
fn recursive_calls_with_constant_arguments() {
    let (_, (gx, gy)) = walk_grad(0.3, 0.7, 3);
    assert_close(gx, fd(|x| walk(x, 0.7, 3), 0.3), 1e-7);
    assert_close(gy, fd(|y| walk(0.3, y, 3), 0.7), 1e-7);
    let (_, (gx, gy)) = spiral_grad(0.2, 1.3);
    assert_close(gx, fd(|x| spiral(x, 1.3), 0.2), 1e-7);
    assert_close(gy, fd(|y| spiral(0.2, y), 1.3), 1e-7);
}
