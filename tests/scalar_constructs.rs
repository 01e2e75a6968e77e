//! Every supported construct, on plain `f64` scalars, checked against central finite
//! differences (and, per construct, a property test over random inputs).
// The functions below are written the way the constructs under test are spelled, not the way
// clippy would prefer them.
#![allow(
    clippy::assign_op_pattern,
    clippy::clone_on_copy,
    clippy::never_loop,
    clippy::while_immutable_condition,
    clippy::let_and_return
)]

mod common;

use autodiff::prelude::*;
use common::{assert_close, fd};
use proptest::prelude::*;

const TOL: f64 = 1e-6;

// ---- straight-line code -------------------------------------------------------------------

#[differentiable]
fn lets_and_reassign(x: f64) -> f64 {
    let a = x * 3.0;
    let mut b = a + 1.0;
    b = b * x;
    b += x;
    b -= 0.5;
    b *= a;
    b /= 2.0;
    let b = b - x; // shadowing
    let c = {
        let inner = b * b;
        inner + 1.0
    };
    c / 10.0
}

#[differentiable]
fn operators_mixed(x: f64, y: f64) -> f64 {
    let a = -x + 2.0 * y - y / 3.0;
    let b = 1.0 / x + x * y - (y - x) / (x + 4.0);
    a * b - -y
}

#[differentiable]
fn methods(x: f64) -> f64 {
    x.exp()
        + x.ln()
        + x.sqrt()
        + x.powi(3)
        + x.powf(1.7)
        + x.sin() * x.cos()
        + x.tan()
        + x.tanh()
        + x.sinh()
        + x.cosh()
        + x.abs()
        + x.recip()
        + x.cbrt()
        + x.exp2()
        + x.log2()
        + x.log10()
        + x.ln_1p()
        + x.exp_m1()
        + (x / 3.0).asin()
        + (x / 3.0).acos()
        + x.atan()
}

#[differentiable]
fn binary_methods(x: f64, y: f64) -> f64 {
    x.powf(y) + x.max(y) * 2.0 + x.min(y) * 3.0 + x.hypot(y) + y.atan2(x) + x.clone()
}

#[differentiable(wrt(x))]
fn wrt_subset(x: f64, y: f64) -> f64 {
    x * y * y
}

#[test]
fn straight_line_code() {
    for x in [0.3, 1.2, 2.5] {
        let (v, g) = lets_and_reassign_grad(x);
        assert_eq!(v, lets_and_reassign(x));
        assert_close(g, fd(lets_and_reassign, x), TOL);
    }
}

#[test]
fn operators_on_two_arguments() {
    let (x, y) = (0.7, -1.3);
    let (v, (gx, gy)) = operators_mixed_grad(x, y);
    assert_eq!(v, operators_mixed(x, y));
    assert_close(gx, fd(|x| operators_mixed(x, y), x), TOL);
    assert_close(gy, fd(|y| operators_mixed(x, y), y), TOL);
}

#[test]
fn every_scalar_method() {
    for x in [0.4, 1.1, 2.3] {
        let (_, g) = methods_grad(x);
        assert_close(g, fd(methods, x), 1e-5);
    }
    for (x, y) in [(0.8, 1.9), (2.2, 0.6)] {
        let (_, (gx, gy)) = binary_methods_grad(x, y);
        assert_close(gx, fd(|x| binary_methods(x, y), x), 1e-5);
        assert_close(gy, fd(|y| binary_methods(x, y), y), 1e-5);
    }
}

#[test]
fn wrt_picks_a_subset() {
    let (v, gx) = wrt_subset_grad(2.0, 3.0);
    assert_eq!(v, 18.0);
    assert_eq!(gx, 9.0);
}

// ---- branches ----------------------------------------------------------------------------------

#[differentiable]
fn branches(x: f64, mode: u8) -> f64 {
    let mut y = x * 2.0;
    if x > 1.0 {
        y = y * x;
    } else if x > 0.0 {
        y += x.sin();
    } else {
        y = -y;
    }
    let z = if y > 0.5 { y * y } else { y + 1.0 };
    let w = match mode {
        0 => z * 3.0,
        1 | 2 => {
            let t = z.exp();
            t / 2.0
        }
        _ => z,
    };
    w + x
}

#[differentiable]
fn both_branches_use_value(x: f64, flag: bool) -> f64 {
    let v = x * x;
    let r = if flag { v * 3.0 + v } else { v - x };
    r + v
}

#[test]
fn if_else_and_match() {
    for x in [-0.7, 0.4, 1.6] {
        for mode in 0..4 {
            let (v, g) = branches_grad(x, mode);
            assert_eq!(v, branches(x, mode));
            assert_close(g, fd(|x| branches(x, mode), x), TOL);
        }
    }
}

#[test]
fn a_value_used_by_both_branches() {
    for flag in [true, false] {
        let (_, g) = both_branches_use_value_grad(1.5, flag);
        assert_close(g, fd(|x| both_branches_use_value(x, flag), 1.5), TOL);
    }
}

// ---- loops ---------------------------------------------------------------------------------------

#[differentiable]
fn while_loop(x: f64) -> f64 {
    let mut y = x;
    let mut n = 0;
    while y < 100.0 && n < 50 {
        y = y * 1.5 + x;
        n += 1;
    }
    y
}

#[differentiable]
fn for_over_range_and_iter(x: f64, ks: &[f64]) -> f64 {
    let mut acc = 0.0; // starts constant, becomes active in the loop
    for k in ks.iter() {
        acc += x * *k;
    }
    for i in 0..3 {
        acc = acc * x + i as f64;
    }
    acc
}

#[differentiable]
fn loop_break_value(x: f64) -> f64 {
    let mut y = x;
    let r = loop {
        y = y * 2.0;
        if y > 10.0 {
            break y + x;
        }
    };
    r * 3.0
}

#[differentiable]
fn continue_and_labels(x: f64, n: usize) -> f64 {
    let mut s = x;
    'outer: for i in 0..n {
        for j in 0..n {
            if (i + j) % 3 == 0 {
                continue;
            }
            if j > i + 2 {
                continue 'outer;
            }
            if s > 1e6 {
                break 'outer;
            }
            s = s * 1.1 + x * (j as f64);
        }
        s = s.sin() + s;
    }
    s
}

#[differentiable(wrt(x))]
fn early_return(x: f64, limit: f64) -> f64 {
    let mut y = x;
    for i in 0..10 {
        let mut k = 0;
        while k < 5 {
            y = y * 1.2 + 0.1;
            if y > limit {
                return y * (i as f64 + 1.0);
            }
            k += 1;
        }
    }
    y - 1.0
}

#[differentiable]
fn zero_iterations(x: f64, n: usize) -> f64 {
    let mut y = x * 2.0;
    for _ in 0..n {
        y = y * y;
    }
    while n > 100 {
        y = y * 3.0;
    }
    y
}

#[differentiable]
fn break_first_iteration(x: f64) -> f64 {
    let mut y = x;
    loop {
        y = y * 5.0;
        break;
    }
    y
}

#[differentiable]
fn shadowing_in_loop(x: f64) -> f64 {
    let mut acc = x;
    for i in 0..4 {
        let t = acc * 2.0;
        let t = t + x * (i as f64); // shadows t
        let acc2 = t.sin();
        acc = acc2 + acc;
    }
    acc
}

#[test]
fn loops_of_every_kind() {
    for x in [0.3, 1.7] {
        assert_close(while_loop_grad(x).1, fd(while_loop, x), TOL);
        let ks = [0.5, -1.0, 2.0];
        assert_close(
            for_over_range_and_iter_grad(x, &ks).1,
            fd(|x| for_over_range_and_iter(x, &ks), x),
            TOL,
        );
        assert_close(loop_break_value_grad(x).1, fd(loop_break_value, x), TOL);
        for n in [0, 1, 4, 7] {
            assert_close(
                continue_and_labels_grad(x, n).1,
                fd(|x| continue_and_labels(x, n), x),
                TOL,
            );
        }
        assert_close(shadowing_in_loop_grad(x).1, fd(shadowing_in_loop, x), TOL);
    }
}

#[test]
fn return_from_nested_loops() {
    for (x, limit) in [(0.5, 3.0), (0.5, 1e9), (2.0, 2.1)] {
        let (v, g) = early_return_grad(x, limit);
        assert_eq!(v, early_return(x, limit));
        assert_close(g, fd(|x| early_return(x, limit), x), TOL);
    }
}

#[test]
fn loop_edge_cases() {
    assert_eq!(zero_iterations_grad(1.5, 0), (3.0, 2.0));
    assert_close(
        zero_iterations_grad(1.5, 2).1,
        fd(|x| zero_iterations(x, 2), 1.5),
        TOL,
    );
    assert_eq!(break_first_iteration_grad(2.0), (10.0, 5.0));
}

// Swift once returned a wrong gradient for an accumulator that starts as a constant.
#[differentiable]
fn accumulator_from_constant(x: f64) -> f64 {
    let mut acc = 0.0;
    for k in 1..=4 {
        acc += x * k as f64;
    }
    acc
}

#[test]
fn accumulator_starting_from_a_constant() {
    assert_eq!(accumulator_from_constant_grad(3.0), (30.0, 10.0));
}

// ---- composition, custom derivatives, detach / no_grad, casts ------------------------------------

#[differentiable]
fn inner(x: f64, y: f64) -> f64 {
    x * y + x.sin()
}

#[differentiable]
fn outer(x: f64) -> f64 {
    let a = inner(x, 2.0 * x);
    inner(a, x) + a
}

fn clipped(x: f64) -> f64 {
    x.clamp(-1.0, 1.0)
}

/// Custom derivative: straight-through estimator (gradient 1 everywhere).
fn clipped_vjp(x: f64) -> (f64, impl Fn(f64) -> f64) {
    (clipped(x), |g| g)
}

#[differentiable]
fn uses_custom(x: f64) -> f64 {
    clipped(x * 3.0) * x
}

#[differentiable]
fn detached(x: f64) -> f64 {
    let y = x * x;
    let u = no_grad(|| y * 1.0);
    u * x + y
}

#[differentiable]
fn casts(x: f32) -> f64 {
    let y = x as f64;
    let z = (y * y) as f32;
    let n = (x * 10.0) as usize; // inactive use
    (z as f64) * y + n as f64
}

#[test]
fn calls_compose_through_their_vjp() {
    for x in [0.2, 0.9] {
        assert_close(outer_grad(x).1, fd(outer, x), TOL);
    }
}

#[test]
fn hand_written_vjp_is_used() {
    // d/dx [clipped(3x) * x] with d clipped = 1: 3x + clipped(3x)
    let (v, g) = uses_custom_grad(0.5);
    assert_eq!(v, 0.5);
    assert_eq!(g, 3.0 * 0.5 + 1.0);
}

#[test]
fn no_grad_cuts_the_path() {
    // u = x^2 treated as a constant: d/dx (u x + x^2) = u + 2x
    let (_, g) = detached_grad(3.0);
    assert_eq!(g, 9.0 + 6.0);
}

#[test]
fn float_casts_are_differentiable() {
    let x = 1.5f32;
    let (_, g) = casts_grad(x);
    // y^3 in f64 terms: 3 y^2
    assert_close(g as f64, 3.0 * (x as f64) * (x as f64), 1e-6);
}

// ---- generic code ----------------------------------------------------------------------------------

#[differentiable]
fn generic_poly<T: Float>(x: T, c: T) -> T {
    let mut y = x * c;
    for _ in 0..3 {
        y = y * x + c;
    }
    y.sin()
}

#[test]
fn generic_over_float() {
    let (_, (gx, gc)) = generic_poly_grad(0.7f64, 1.3f64);
    assert_close(gx, fd(|x| generic_poly(x, 1.3), 0.7), TOL);
    assert_close(gc, fd(|c| generic_poly(0.7, c), 1.3), TOL);
    let (_, (gx32, _)) = generic_poly_grad(0.7f32, 1.3f32);
    assert_close(gx32 as f64, gx, 1e-4);
}

// ---- pullbacks ---------------------------------------------------------------------------------------

thread_local! {
    static CONDITION_CALLS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn counted_condition(v: f64) -> bool {
    CONDITION_CALLS.with(|c| c.set(c.get() + 1));
    v < 50.0
}

#[differentiable]
fn counted(x: f64) -> f64 {
    let mut y = x;
    while counted_condition(y) {
        y = y * 2.0;
    }
    if counted_condition(y - 60.0) {
        y = y + x;
    }
    y
}

#[test]
fn pullback_never_reevaluates_conditions() {
    CONDITION_CALLS.with(|c| c.set(0));
    let (_, pb) = counted_vjp(1.0);
    let after_forward = CONDITION_CALLS.with(|c| c.get());
    assert_eq!(after_forward, 8); // 7 loop tests + 1 if
    let g1 = pb(1.0);
    let g2 = pb(2.0); // callable again
    assert_eq!(CONDITION_CALLS.with(|c| c.get()), after_forward);
    assert_eq!(g1, 64.0 + 1.0);
    assert_eq!(g2, 2.0 * g1);
}

// ---- property tests: one per construct family ------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn prop_straight_line(x in 0.1f64..3.0) {
        assert_close(lets_and_reassign_grad(x).1, fd(lets_and_reassign, x), 1e-5);
    }

    #[test]
    fn prop_operators(x in 0.2f64..3.0, y in -3.0f64..3.0) {
        let (_, (gx, gy)) = operators_mixed_grad(x, y);
        assert_close(gx, fd(|x| operators_mixed(x, y), x), 1e-5);
        assert_close(gy, fd(|y| operators_mixed(x, y), y), 1e-5);
    }

    #[test]
    fn prop_branches(x in -2.0f64..2.0, mode in 0u8..4) {
        // keep away from the branch boundaries where the function jumps
        prop_assume!((x - 1.0).abs() > 1e-3 && x.abs() > 1e-3);
        let y = if x > 1.0 { 2.0 * x * x } else if x > 0.0 { 2.0 * x + x.sin() } else { -2.0 * x };
        prop_assume!((y - 0.5).abs() > 1e-3);
        assert_close(branches_grad(x, mode).1, fd(|x| branches(x, mode), x), 1e-5);
    }

    #[test]
    fn prop_loops(x in 0.05f64..2.0, n in 0usize..6) {
        let (v, g) = continue_and_labels_grad(x, n);
        prop_assert_eq!(v, continue_and_labels(x, n));
        assert_close(g, fd(|x| continue_and_labels(x, n), x), 1e-5);
    }

    #[test]
    fn prop_early_return(x in 0.1f64..3.0, limit in 0.5f64..50.0) {
        let (v, g) = early_return_grad(x, limit);
        prop_assert_eq!(v, early_return(x, limit));
        // the step count is piecewise constant in x; skip points next to a jump
        prop_assume!(early_return(x + 1e-5, limit) - early_return(x - 1e-5, limit) < 1.0);
        assert_close(g, fd(|x| early_return(x, limit), x), 1e-4);
    }

    #[test]
    fn prop_composition(x in -1.0f64..1.0) {
        assert_close(outer_grad(x).1, fd(outer, x), 1e-5);
    }

    #[test]
    fn prop_generic(x in -1.0f64..1.0, c in -1.0f64..1.0) {
        let (_, (gx, gc)) = generic_poly_grad(x, c);
        assert_close(gx, fd(|x| generic_poly(x, c), x), 1e-5);
        assert_close(gc, fd(|c| generic_poly(x, c), c), 1e-5);
    }
}
