//! Adversarial review of forward mode (`NAME_jvp`, `NAME_hvp`): forms chosen to make the copy
//! at dual numbers silently wrong (names bound by `if let` / `match` arms / `while let`,
//! shadowing, closures over dual and plain values, casts, comparisons, non-smooth `Float`
//! methods, fold chains, recursion). Per form: the jvp against central differences, `<u, J v>`
//! against the vjp to 1e-12, and the hvp against central differences of the gradient.
#![allow(
    clippy::assign_op_pattern,
    clippy::ptr_arg,
    clippy::useless_conversion,
    clippy::unnecessary_cast,
    clippy::useless_vec,
    clippy::shadow_unrelated
)]

mod common;
use autodiff::prelude::*;
use common::{assert_close, H};
use proptest::prelude::*;

// ---- names bound by patterns (`if let`, `match` arms) next to dual names ----

/// `v` (bound by `if let` from a dual value) beside a dual parameter in `f64::max`.
#[differentiable(jvp, hvp)]
fn if_let_mixed(x: f64, y: f64) -> f64 {
    let o = Some(x * y);
    if let Some(v) = o {
        f64::max(v, x) * y + f64::powf(v, x)
    } else {
        y
    }
}

/// `v` (bound by a `match` arm from a dual value) passed to a closure also called with `x`.
#[differentiable(jvp, hvp)]
fn match_arm_closure(x: f64, y: f64) -> f64 {
    let sq = |t: f64| t * t;
    let o = Some(x * y);
    let a = match o {
        Some(v) => sq(v),
        None => sq(x),
    };
    a + sq(x)
}

/// Unannotated closure parameters of adapters over dual items, beside a dual parameter.
#[differentiable(jvp, hvp)]
fn adapter_param_mixed(x: f64, y: f64) -> f64 {
    let a = [x * y, y];
    a.iter()
        .map(|v| f64::max(*v, x) + f64::powf(*v, x))
        .sum::<f64>()
}

/// `if let` / `match` arm bindings alone in `f64::max(v, 0.1)` (were type errors).
#[differentiable(jvp, hvp)]
fn bound_alone(x: f64, y: f64) -> f64 {
    let o = Some(x * y);
    let a = if let Some(v) = o {
        f64::max(v, 0.1) + f64::powf(v, 2.0)
    } else {
        y
    };
    let b = match o {
        Some(v) => f64::min(2.0, v) * f64::hypot(v, 1.0),
        None => y,
    };
    a + b
}

/// `let .. else` of a dual value beside a dual parameter.
#[differentiable(jvp, hvp)]
fn let_else(x: f64, y: f64) -> f64 {
    let o = if y > 0.0 { Some(x * y) } else { None };
    let Some(v) = o else {
        return y;
    };
    f64::max(v, x) * y
}

/// Closure parameters of a `zip` of plain data and dual items, and of `enumerate`: the plain
/// ones stay plain (`f64::max(*w, 0.5)` of plain numbers), the dual ones carry tangents.
#[differentiable(jvp, hvp)]
fn zipped(x: f64, y: f64, ws: &[f64]) -> f64 {
    let a = [x * y, y, x];
    let s: f64 = ws
        .iter()
        .zip(a.iter())
        .map(|(w, v)| f64::max(*w, 0.5) * f64::max(*v, x))
        .sum();
    let t: f64 = a
        .iter()
        .enumerate()
        .map(|(i, v)| f64::min(*v, y) * (i as f64))
        .sum();
    s + t
}

#[test]
fn pattern_bindings() {
    check_xy!(let_else, let_else_jvp, let_else_vjp, let_else_grad, let_else_hvp; (); 0.8, 1.3);
    check_xy!(bound_alone, bound_alone_jvp, bound_alone_vjp, bound_alone_grad, bound_alone_hvp;
        (); 0.8, 1.3);
    check_xy!(zipped, zipped_jvp, zipped_vjp, zipped_grad, zipped_hvp; (&[0.3, 1.5, -2.0]);
        0.8, 1.3);
    check_xy!(adapter_param_mixed, adapter_param_mixed_jvp, adapter_param_mixed_vjp,
        adapter_param_mixed_grad, adapter_param_mixed_hvp; (); 0.8, 1.3);
    check_xy!(if_let_mixed, if_let_mixed_jvp, if_let_mixed_vjp, if_let_mixed_grad,
        if_let_mixed_hvp; (); 0.8, 1.3);
    check_xy!(match_arm_closure, match_arm_closure_jvp, match_arm_closure_vjp,
        match_arm_closure_grad, match_arm_closure_hvp; (); 0.8, 1.3);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// The forms of the findings at random points (away from the kinks of `max` / `min`).
    #[test]
    fn pattern_bindings_at_random_points(x in 0.5f64..1.5, y in 1.1f64..2.0) {
        check_xy!(if_let_mixed, if_let_mixed_jvp, if_let_mixed_vjp, if_let_mixed_grad,
            if_let_mixed_hvp; (); x, y);
        check_xy!(match_arm_closure, match_arm_closure_jvp, match_arm_closure_vjp,
            match_arm_closure_grad, match_arm_closure_hvp; (); x, y);
        check_xy!(adapter_param_mixed, adapter_param_mixed_jvp, adapter_param_mixed_vjp,
            adapter_param_mixed_grad, adapter_param_mixed_hvp; (); x, y);
        check_xy!(let_else, let_else_jvp, let_else_vjp, let_else_grad, let_else_hvp; (); x, y);
        check_xy!(zipped, zipped_jvp, zipped_vjp, zipped_grad, zipped_hvp;
            (&[0.3, 1.5, -2.0]); x, y);
    }
}

// ---- shadowing: a plain and a dual local of one name in different scopes ----

#[differentiable(jvp, hvp)]
fn shadow_scopes(x: f64, y: f64) -> f64 {
    let mut s = 0.0;
    {
        let a = 2.5;
        s = s + a * x;
    }
    {
        let a = x * y;
        s = s + a * a;
    }
    let a: f64 = 3.0;
    s + a * y + f64::max(a, x)
}

#[test]
fn shadowing() {
    check_xy!(shadow_scopes, shadow_scopes_jvp, shadow_scopes_vjp, shadow_scopes_grad,
        shadow_scopes_hvp; (); 0.8, 1.3);
    check_xy!(shadow_scopes, shadow_scopes_jvp, shadow_scopes_vjp, shadow_scopes_grad,
        shadow_scopes_hvp; (); 3.5, 1.3);
}

// ---- closures capturing dual and plain values ----

#[differentiable(jvp, hvp)]
fn capture(x: f64, y: f64) -> f64 {
    let k = 1.5;
    let g = |t: f64| t * x + k;
    let h = || x * y;
    g(2.0) + g(y) * h() + f64::max(h(), 0.0)
}

#[test]
fn closures_capturing() {
    check_xy!(capture, capture_jvp, capture_vjp, capture_grad, capture_hvp; (); 0.8, 1.3);
}

// ---- casts and conversions of derived values ----

#[differentiable(jvp, hvp)]
fn own_type_casts(x: f64, y: f64) -> f64 {
    let a = (x * y) as f64;
    let b = f64::from(a) * y;
    let c: f64 = (b as f64).sin();
    a + b * c + f64::from(2.0f32) * (x as f64)
}

/// Through `f32` and back (jvp only: `hvp` runs at one element type).
#[differentiable(jvp)]
fn f32_round_trip(x: f64, y: f64) -> f64 {
    let a = (x * y) as f32;
    let b = f64::from(a * 2.0f32);
    b * y + f64::from(a.sin())
}

#[test]
fn casts() {
    check_xy!(own_type_casts, own_type_casts_jvp, own_type_casts_vjp, own_type_casts_grad,
        own_type_casts_hvp; (); 0.8, 1.3);
    // the f32 round trip: jvp against the vjp (both through f32) and, loosely, differences
    let (x, y, vx, vy) = (0.8, 1.3, 0.7, -0.4);
    let (val, jv) = f32_round_trip_jvp(x, y, vx, vy);
    assert_eq!(val, f32_round_trip(x, y));
    let (_, pb) = f32_round_trip_vjp(x, y);
    let (gx, gy) = pb(1.0);
    assert_close(jv, gx * vx + gy * vy, 1e-6);
    let (a, b) = (x * y, 2.0 * x * y);
    let exact = y * 2.0 * (vx * y + x * vy) + b * vy + a.cos() * (vx * y + x * vy);
    assert_close(jv, exact, 1e-5);
}

// ---- non-smooth `Float` methods: the tangent the vjp's gradient gives ----

#[differentiable(jvp, hvp)]
fn non_smooth(x: f64, y: f64) -> f64 {
    let a = x * y;
    a.floor() * y
        + a.ceil()
        + a.round() * x
        + a.trunc()
        + a.fract() * y
        + a.abs() * x
        + (a - 2.0).abs() * y
        + a.signum() * x
        + (-a).signum() * y
        + a.clamp(0.5, 1.0) * y
        + x.max(y) * a
        + x.min(y) * a
        + f64::max(a, y)
        + f64::min(a, 0.9)
}

#[test]
fn non_smooth_methods() {
    // away from the kinks
    check_xy!(non_smooth, non_smooth_jvp, non_smooth_vjp, non_smooth_grad, non_smooth_hvp; ();
        0.8, 1.3);
    check_xy!(non_smooth, non_smooth_jvp, non_smooth_vjp, non_smooth_grad, non_smooth_hvp; ();
        1.7, 1.3);
    check_xy!(non_smooth, non_smooth_jvp, non_smooth_vjp, non_smooth_grad, non_smooth_hvp; ();
        -0.6, 0.4);
}

/// At a kink the jvp must agree with the vjp's (sub)gradient, whatever the convention.
#[test]
fn non_smooth_at_kinks_agrees_with_vjp() {
    for (x, y) in [(1.0, 1.0), (0.5, 1.0), (1.0, 2.0), (0.0, 1.3), (1.3, 0.0)] {
        let (vx, vy) = (0.7, -0.4);
        let (_, jv) = non_smooth_jvp(x, y, vx, vy);
        let (gx, gy) = non_smooth_vjp(x, y).1(1.0);
        assert_close(jv, gx * vx + gy * vy, 1e-12);
        let (_, g, _) = non_smooth_hvp(x, y, vx, vy);
        assert_close(g.0, gx, 1e-12);
        assert_close(g.1, gy, 1e-12);
    }
}

// ---- comparisons and matches that read values ----

#[differentiable(jvp, hvp)]
fn compares(x: f64, y: f64) -> f64 {
    let a = x * y;
    let b = if a > 1.0 { a * a } else { a + y };
    let c = if x < y { x.sin() } else { y.cos() };
    let d = if a == 1.0 || y >= 10.0 {
        a * 0.0
    } else {
        a.exp()
    };
    let e = match a.partial_cmp(&0.5) {
        Some(std::cmp::Ordering::Greater) => a * 3.0,
        _ => a,
    };
    let f = match a {
        v if v < 0.0 => -v,
        0.0..=1.0 => a * x,
        v => v * v * y,
    };
    b + c + d + e + f
}

#[test]
fn comparisons_and_matches() {
    for (x, y) in [(0.8, 1.3), (0.4, 1.1), (2.0, 1.5), (-0.5, 1.0)] {
        check_xy!(compares, compares_jvp, compares_vjp, compares_grad, compares_hvp; (); x, y);
    }
}

// ---- integer conversions of active values: constant, as in the vjp ----

#[differentiable(jvp, hvp)]
fn int_of_active(x: f64, n: usize) -> f64 {
    let k = (x * 3.0).floor() as usize;
    let mut s = x;
    for i in 0..(k + n) {
        s = s * x + (i as f64);
    }
    s
}

#[test]
fn integer_conversions() {
    check_x!(int_of_active, int_of_active_jvp, int_of_active_vjp, int_of_active_grad,
        int_of_active_hvp; (2); 0.8);
}

// ---- a plain parameter shadowed by a dual local ----

/// The plain `p` before the shadowing, the dual `p` after it (the copy renames the local).
#[differentiable(wrt(x), jvp, hvp)]
fn shadow_param(x: f64, p: f64) -> f64 {
    let q = x.powf(p) + f64::max(x, p);
    let p = x * p;
    let r = if p > 1.0 { p * p } else { p };
    q + x.powf(p) + f64::max(p, 0.3) * p.max(x) + r
}

/// The same after the shadowing only, with `hvp`.
#[differentiable(wrt(x), jvp, hvp)]
fn shadow_param_after(x: f64, p: f64) -> f64 {
    let p = x * p;
    let r = if p > 1.0 { p * p } else { p };
    x.powf(p) + f64::max(p, 0.3) * p.max(x) + r
}

#[test]
fn shadowed_parameter() {
    for (x, p) in [(0.8, 1.5), (1.1, 0.5)] {
        let vx = 0.7;
        let (val, jv) = shadow_param_jvp(x, p, vx);
        assert_eq!(val, shadow_param(x, p));
        let along = |s: f64| shadow_param(x + s * vx, p);
        assert_close(jv, (along(H) - along(-H)) / (2.0 * H), 1e-6);
        assert_close(jv, shadow_param_vjp(x, p).1(1.0) * vx, 1e-12);
        check_x!(shadow_param, shadow_param_jvp, shadow_param_vjp, shadow_param_grad,
            shadow_param_hvp; (p); x);
        check_x!(shadow_param_after, shadow_param_after_jvp, shadow_param_after_vjp,
            shadow_param_after_grad, shadow_param_after_hvp; (p); x);
    }
}

// ---- fold / sum chains, recursion, generic `T: Float` ----

#[differentiable(jvp, hvp)]
fn chains(x: f64, y: f64) -> f64 {
    let a = [x, y, x * y, x * 0.0 + 0.5];
    let s = a.iter().fold(1.0, |acc, v| acc * v + 0.1);
    let m = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let t: f64 = a.iter().map(|v| v * x).sum();
    let p = a.iter().map(|v| v.sin()).product::<f64>();
    let q = a
        .iter()
        .filter(|v| **v > 0.6)
        .fold(0.0, |acc: f64, v: &f64| acc + v * v);
    let r = a
        .iter()
        .fold(0.0, |acc, v| f64::max(acc, *v) + f64::min(acc, y));
    let w = [0.5, 2.0]
        .iter()
        .fold(x, |acc, c| f64::max(acc * c, y) + f64::min(*c, 1.0));
    s + m + t + p + q + r + w
}

#[differentiable(jvp, hvp)]
fn rec(x: f64, n: u32) -> f64 {
    if n == 0 {
        x
    } else {
        (rec(x, n - 1) * x).sin() + f64::max(x, 0.1)
    }
}

#[differentiable(jvp, hvp)]
fn generic<T: Float>(x: T, y: T) -> T {
    let two = T::from(2.0).unwrap();
    let a = x * y;
    let b = if a > two { a.ln() } else { a.floor() + a.abs() };
    x.max(y) * two + b + a.signum() * x + a.clamp(T::zero(), T::one())
}

/// Folds with `max` and a pattern parameter at `Dual<T>`.
#[differentiable(jvp, hvp)]
fn generic_fold<T: Float>(x: T, y: T) -> T {
    let a = [x, y, x * y];
    let m = a.iter().fold(T::zero(), |acc, &v| acc.max(v) + v * y);
    let p = a.iter().map(|v| v.abs()).fold(T::one(), |p, v| p * v);
    m + p
}

const K: f64 = 1.5;

/// A plain local captured by a `move` closure, its name later bound to a dual value; constants;
/// clamps between plain parameters; a `collect` annotated `Vec<f64>`.
#[differentiable(wrt(x, y), jvp, hvp)]
fn rebind_consts(x: f64, y: f64, lo: f64, hi: f64) -> f64 {
    let k = 2.0;
    let g = move |t: f64| t * k;
    let before = g(x) + g(y);
    let k = x * y;
    let v: Vec<f64> = (0..3).map(|i| x * (i as f64) + k).collect();
    let s = v.iter().sum::<f64>();
    before + k * K + std::f64::consts::PI * x + x.clamp(lo, hi) * y + s
}

#[test]
fn chains_recursion_generic() {
    check_xy!(generic_fold, generic_fold_jvp, generic_fold_vjp, generic_fold_grad,
        generic_fold_hvp; (); 0.8, 1.3);
    check_xy!(generic_fold, generic_fold_jvp, generic_fold_vjp, generic_fold_grad,
        generic_fold_hvp; (); -0.8, 1.3);
    check_xy!(rebind_consts, rebind_consts_jvp, rebind_consts_vjp, rebind_consts_grad,
        rebind_consts_hvp; (0.0, 1.0); 0.8, 1.3);
    check_xy!(rebind_consts, rebind_consts_jvp, rebind_consts_vjp, rebind_consts_grad,
        rebind_consts_hvp; (0.0, 1.0); 1.4, 1.3);
    check_xy!(chains, chains_jvp, chains_vjp, chains_grad, chains_hvp; (); 0.8, 1.3);
    check_xy!(chains, chains_jvp, chains_vjp, chains_grad, chains_hvp; (); 1.4, 0.3);
    check_x!(rec, rec_jvp, rec_vjp, rec_grad, rec_hvp; (3); 0.8);
    check_xy!(generic, generic_jvp, generic_vjp, generic_grad, generic_hvp; (); 0.8, 1.3);
    check_xy!(generic, generic_jvp, generic_vjp, generic_grad, generic_hvp; (); 1.8, 1.3);
}
