//! Adversarial review of forward mode, round 5: float literals beside dual values in the
//! copies at dual numbers (`NAME_jvp`, `NAME_hvp`): a literal branch of an `if` / `match`
//! whose other branches are dual, a literal element of an array or `vec![..]` of dual
//! elements. Per form: the jvp against central differences, `<u, J v>` against the vjp to
//! 1e-12, and the hvp against central differences of the gradient.
#![allow(clippy::useless_vec)]

mod common;
use autodiff::prelude::*;
use common::{assert_close, H};
use proptest::prelude::*;

/// Checks `NAME_jvp` and `NAME_hvp` of `f(x, y)` at `(x, y)` along `(vx, vy)`.
macro_rules! check_xy {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident; $x:expr, $y:expr) => {{
        let (x, y): (f64, f64) = ($x, $y);
        let (vx, vy) = (0.7, -0.4);
        let (val, jv) = $jvp(x, y, vx, vy);
        assert_eq!(val, $f(x, y), "value of {}", stringify!($f));
        let along = |s: f64| $f(x + s * vx, y + s * vy);
        assert_close(jv, (along(H) - along(-H)) / (2.0 * H), 1e-6);
        let u = 1.3;
        let (_, pb) = $vjp(x, y);
        let (gx, gy) = pb(u);
        assert_close(u * jv, gx * vx + gy * vy, 1e-12);
        let (v2, g, hv) = $hvp(x, y, vx, vy);
        assert_eq!(v2, val);
        assert_close(g.0, gx / u, 1e-12);
        assert_close(g.1, gy / u, 1e-12);
        let grad_along = |s: f64| $grad(x + s * vx, y + s * vy).1;
        let (gp, gm) = (grad_along(H), grad_along(-H));
        assert_close(hv.0, (gp.0 - gm.0) / (2.0 * H), 1e-6);
        assert_close(hv.1, (gp.1 - gm.1) / (2.0 * H), 1e-6);
    }};
}

/// A literal `else` branch, a literal first branch, and an `else if` chain of literals.
#[differentiable(jvp, hvp)]
fn lit_if(x: f64, y: f64) -> f64 {
    let a = if x > 0.9 { x * y } else { 0.0 };
    let b = if y > 1.5 { -1.5 } else { y.sin() * x };
    let c = if x > 1.2 {
        x.exp()
    } else if y > 1.3 {
        2.5
    } else {
        let t = 0.5;
        t * 1.0
    };
    // both branches plain: untouched
    let k = if x > 1.05 { 1.0 } else { 2.0 };
    a * x + b * y + c * k
}

/// A literal arm beside dual arms, in a block arm and a nested `if`.
#[differentiable(jvp, hvp)]
fn lit_match(x: f64, y: f64) -> f64 {
    let o = if x > 0.7 { Some(x * y) } else { None };
    let a = match o {
        Some(v) => v * x,
        None => 0.0,
    };
    let n = (y * 2.0) as i32;
    let b = match n {
        0 => 1.0,
        1 | 2 => {
            let w = y * y;
            if w > 2.0 {
                w
            } else {
                -0.5
            }
        }
        _ => x.cos(),
    };
    a + b * y
}

/// Literal elements of an array and a `vec!` of dual elements.
#[differentiable(jvp, hvp)]
fn lit_array(x: f64, y: f64) -> f64 {
    let a = [x, y, 0.5];
    let v = vec![0.25, x * y, -2.0];
    let s: f64 = a.iter().zip(v.iter()).map(|(p, q)| p * q).sum();
    s + a[0] * a[1] * a[2] + v[1].sin()
}

#[test]
fn literal_branches_and_elements() {
    for (x, y) in [(1.0, 1.4), (0.8, 1.6), (1.3, 1.1), (0.5, 0.7), (0.6, 1.2)] {
        check_xy!(lit_if, lit_if_jvp, lit_if_vjp, lit_if_grad, lit_if_hvp; x, y);
        check_xy!(lit_match, lit_match_jvp, lit_match_vjp, lit_match_grad, lit_match_hvp; x, y);
        check_xy!(lit_array, lit_array_jvp, lit_array_vjp, lit_array_grad, lit_array_hvp; x, y);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn literal_branches_at_random_points(x in 0.3f64..1.6, y in 0.3f64..1.9) {
        check_xy!(lit_if, lit_if_jvp, lit_if_vjp, lit_if_grad, lit_if_hvp; x, y);
        check_xy!(lit_match, lit_match_jvp, lit_match_vjp, lit_match_grad, lit_match_hvp; x, y);
        check_xy!(lit_array, lit_array_jvp, lit_array_vjp, lit_array_grad, lit_array_hvp; x, y);
    }
}
