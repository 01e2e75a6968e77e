//! More ordinary expressions (issue 12): `rev()` after `zip` / `enumerate` over containers of
//! active values, `#[differentiable]` methods of generic impl blocks, local `Vec<T>` in generic
//! functions. Gradients against central finite differences in f64 (fixed inputs and proptests).
// `acc = acc + ..` and `&Vec<_>` arguments are forms under test, not style slips.
#![allow(clippy::assign_op_pattern, clippy::ptr_arg)]

mod common;
use autodiff::prelude::*;
use common::{assert_close, assert_flat_close, fd, fd_flat};

// ----- rev() after zip / enumerate ------------------------------------------------------------

#[differentiable]
fn revzip(x: f64, ws: &[f64]) -> f64 {
    let ys = vec![x, 2.0 * x, x * x];
    let mut acc = 0.0;
    for (y, w) in ys.iter().zip(ws.iter()).rev() {
        acc = acc * 0.5 + y * w;
    }
    acc
}

#[differentiable]
fn revenumerate(x: f64) -> f64 {
    let ys = vec![x, x.sin(), x * x, 3.0];
    let mut acc = 0.0;
    for (i, y) in ys.iter().enumerate().rev() {
        acc = acc * 0.5 + y * (i as f64 + 1.0);
    }
    acc
}

/// The adapter forms of the two loops above.
#[differentiable]
fn revchains(x: f64, ws: &[f64]) -> f64 {
    let ys = vec![x, 2.0 * x, x * x];
    let a: f64 = ys.iter().zip(ws.iter()).rev().map(|(y, w)| y * w).sum();
    let b = ys
        .iter()
        .zip(ws.iter())
        .rev()
        .fold(0.0, |acc, (y, w)| acc * 0.5 + y * w);
    let c = ys
        .iter()
        .enumerate()
        .rev()
        .fold(1.0, |acc, (i, &y)| acc * 0.5 + y.sin() * i as f64);
    let d: f64 = ys
        .iter()
        .enumerate()
        .rev()
        .map(|(i, y)| y * y * (i + 1) as f64)
        .sum();
    a + b + c + d
}

/// Over a differentiated argument, with the active side second and zips of unequal lengths
/// (`rev` of a zip walks back from the shorter length).
#[differentiable(wrt(ws))]
fn revzip_parameters(ws: &Vec<f64>, xs: &[f64]) -> f64 {
    let mut acc = 0.0;
    for (x, w) in xs.iter().zip(ws.iter()).rev() {
        acc = acc * 0.5 + (x * w).sin();
    }
    for (i, w) in ws.iter().enumerate().rev() {
        acc = acc * 0.5 + w * w * i as f64;
    }
    for ((i, w), x) in ws.iter().rev().enumerate().zip(xs.iter()).rev() {
        acc = acc * 0.9 + w * x + w * i as f64;
    }
    acc
}

#[test]
fn rev_after_zip_and_enumerate() {
    let ws = [0.5, -1.0, 2.0];
    for x in [-1.2, 0.3, 1.7] {
        assert_close(revzip_grad(x, &ws).0, revzip(x, &ws), 0.0);
        assert_close(revzip_grad(x, &ws).1, fd(|t| revzip(t, &ws), x), 1e-8);
        assert_close(revenumerate_grad(x).1, fd(revenumerate, x), 1e-8);
        assert_close(revchains_grad(x, &ws).1, fd(|t| revchains(t, &ws), x), 1e-7);
    }
}

#[test]
fn rev_after_zip_over_a_differentiated_argument() {
    let ws = vec![0.3, -1.1, 0.8, 0.4];
    for xs in [&[1.0, 2.0, -0.5][..], &[1.0, 2.0, -0.5, 0.7, 3.0][..]] {
        let (_, g) = revzip_parameters_grad(&ws, xs);
        let fdg = fd_flat(|w: &Vec<f64>| revzip_parameters(w, xs), &ws);
        assert_flat_close(&g, &fdg, 1e-7);
    }
}

mod prop_rev {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn rev_chains_match_finite_differences(
            x in -2.0f64..2.0,
            ws in proptest::collection::vec(-3.0f64..3.0, 0..6),
        ) {
            assert_close(revzip_grad(x, &ws).1, fd(|t| revzip(t, &ws), x), 1e-7);
            assert_close(revenumerate_grad(x).1, fd(revenumerate, x), 1e-7);
            assert_close(revchains_grad(x, &ws).1, fd(|t| revchains(t, &ws), x), 1e-6);
            let vs: Vec<f64> = ws.iter().map(|w| w * 0.5 + x).collect();
            let (_, g) = revzip_parameters_grad(&vs, &ws);
            let fdg = fd_flat(|v: &Vec<f64>| revzip_parameters(v, &ws), &vs);
            assert_flat_close(&g, &fdg, 1e-6);
        }
    }
}
