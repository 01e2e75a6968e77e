//! Adversarial review of forward mode, round 5: closures in the copies at dual numbers
//! (`NAME_jvp`, `NAME_hvp`): an unannotated closure parameter called with a dual value and
//! passed to `f64::max` (`let g = |t| f64::max(t, x); g(x * y)`), the same annotated, and
//! closure parameters named like a dual local of the function (plain `usize`, plain float,
//! dual). Per form: the jvp against central differences, `<u, J v>` against the vjp to
//! 1e-12, and the hvp against central differences of the gradient.

mod common;
use autodiff::prelude::*;
use proptest::prelude::*;

/// Unannotated and annotated closure parameters called with dual values, in `f64::` calls.
#[differentiable(jvp, hvp)]
fn float_fn_closures(x: f64, y: f64) -> f64 {
    let g = |t| f64::max(t, x);
    let h = |t: f64, s| f64::powf(t, s) + f64::min(s, 0.9);
    g(x * y) + h(y, x) * g(y) + h(x * x, 1.5)
}

/// Closure parameters named like the dual local `t` (and the parameter `y`): a plain
/// `usize`, a plain float called with a literal, a dual one called with `t`.
#[differentiable(jvp, hvp)]
fn same_names(x: f64, y: f64, n: usize) -> f64 {
    let t = x * y;
    let count = |t: usize| t as f64 * 2.0;
    let half = |t: f64| t * 0.5;
    let sq = |y: f64| y * y;
    count(n) * t + half(3.0) + half(t) * sq(t) + sq(y)
}

#[test]
fn closures_in_the_copies() {
    for (x, y) in [(1.0, 1.4), (0.6, 0.9), (1.3, 0.4)] {
        check_xy!(float_fn_closures, float_fn_closures_jvp, float_fn_closures_vjp,
            float_fn_closures_grad, float_fn_closures_hvp; (); x, y);
        check_xy!(same_names, same_names_jvp, same_names_vjp, same_names_grad,
            same_names_hvp; (3); x, y);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn closures_at_random_points(x in 0.3f64..1.6, y in 0.3f64..1.9, n in 0usize..5) {
        check_xy!(float_fn_closures, float_fn_closures_jvp, float_fn_closures_vjp,
            float_fn_closures_grad, float_fn_closures_hvp; (); x, y);
        check_xy!(same_names, same_names_jvp, same_names_vjp, same_names_grad,
            same_names_hvp; (n); x, y);
    }
}
