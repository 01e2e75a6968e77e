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

/// Checks `NAME_jvp` and `NAME_hvp` of `f(x, y, extra..)` at `(x, y)` along `(vx, vy)`.
macro_rules! check_xy {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident; ($($e:expr),*); $x:expr, $y:expr) => {{
        let (x, y): (f64, f64) = ($x, $y);
        let (vx, vy) = (0.7, -0.4);
        let (val, jv) = $jvp(x, y, $($e,)* vx, vy);
        assert_eq!(val, $f(x, y, $($e),*), "value of {}", stringify!($f));
        let along = |s: f64| $f(x + s * vx, y + s * vy, $($e),*);
        assert_close(jv, (along(H) - along(-H)) / (2.0 * H), 1e-6);
        let u = 1.3;
        let (_, pb) = $vjp(x, y, $($e),*);
        let (gx, gy) = pb(u);
        assert_close(u * jv, gx * vx + gy * vy, 1e-12);
        let (v2, g, hv) = $hvp(x, y, $($e,)* vx, vy);
        assert_eq!(v2, val);
        assert_close(g.0, gx / u, 1e-12);
        assert_close(g.1, gy / u, 1e-12);
        let grad_along = |s: f64| $grad(x + s * vx, y + s * vy, $($e),*).1;
        let (gp, gm) = (grad_along(H), grad_along(-H));
        assert_close(hv.0, (gp.0 - gm.0) / (2.0 * H), 1e-6);
        assert_close(hv.1, (gp.1 - gm.1) / (2.0 * H), 1e-6);
    }};
}

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
    a.iter().map(|v| f64::max(*v, x) + f64::powf(*v, x)).sum::<f64>()
}

#[test]
fn pattern_bindings() {
    check_xy!(adapter_param_mixed, adapter_param_mixed_jvp, adapter_param_mixed_vjp,
        adapter_param_mixed_grad, adapter_param_mixed_hvp; (); 0.8, 1.3);
    check_xy!(if_let_mixed, if_let_mixed_jvp, if_let_mixed_vjp, if_let_mixed_grad,
        if_let_mixed_hvp; (); 0.8, 1.3);
    check_xy!(match_arm_closure, match_arm_closure_jvp, match_arm_closure_vjp,
        match_arm_closure_grad, match_arm_closure_hvp; (); 0.8, 1.3);
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
