//! Adversarial review of call activity (`vjp::call_activity`): helpers differentiated in every
//! parameter, built from the constructs whose reach (the parameters a value depends on) the
//! macro could get too small, each called from `#[differentiable]` callers with only some
//! arguments active (constants, data, detached values). Every caller's gradient is checked
//! against central finite differences in f64: a guard that skips a needed step shows up as a
//! wrong gradient.
// the constructs under test, written the way clippy would not
#![allow(
    clippy::needless_late_init,
    clippy::assign_op_pattern,
    clippy::useless_vec
)]

mod common;
use autodiff::prelude::*;
use common::counting::{check, costly, costly_vjp, pulls};
use common::{assert_close, fd};
use proptest::prelude::*;

const TOL: f64 = 1e-7;

// ----- shadowing, deferred initialisation, reassigned parameters, `&mut` locals -----------------

#[differentiable]
fn h_shadow(a: f64, b: f64) -> f64 {
    let s = a.exp();
    let a = a * b;
    let b = costly(a) + b;
    let c = b;
    s + a.sin() * c
}

/// A parameter shadowed by a plain copy of the other one (no operation in between).
#[differentiable]
fn h_shadow_copy(a: f64, b: f64) -> f64 {
    let s = a.exp();
    let a = b;
    let t = costly(a);
    s * t + a
}

#[differentiable]
fn shadow_a(a: f64) -> f64 {
    h_shadow(a, 0.7) + h_shadow_copy(a, 0.4)
}

#[differentiable]
fn shadow_b(b: f64) -> f64 {
    h_shadow(0.3, b) + h_shadow_copy(0.9, b)
}

#[test]
fn shadowed_parameters() {
    check(shadow_a, shadow_a_grad, 0.6);
    check(shadow_b, shadow_b_grad, 1.1);
}

#[differentiable]
fn h_deferred(a: f64, b: f64) -> f64 {
    let y;
    if a > 0.0 {
        y = a * 2.0;
    } else {
        y = b.sin();
    }
    let z;
    if b > 0.0 {
        z = costly(y) * b;
    } else {
        z = y;
    }
    z * y
}

#[differentiable]
fn deferred_a(a: f64) -> f64 {
    h_deferred(a, 0.5) + h_deferred(a, -0.5)
}

#[differentiable]
fn deferred_b(b: f64) -> f64 {
    h_deferred(0.8, b) + h_deferred(-0.8, b)
}

#[test]
fn let_without_initialiser_assigned_in_branches() {
    for x in [-0.7, 0.9] {
        check(deferred_a, deferred_a_grad, x);
        check(deferred_b, deferred_b_grad, x);
    }
}

#[differentiable]
fn h_mut_params(mut a: f64, mut b: f64, c: f64) -> f64 {
    for _ in 0..3 {
        a = a * 0.5 + b.sin();
        b = b * c;
    }
    let t = c;
    a * costly(b) + t
}

#[differentiable]
fn mut_params_b(b: f64) -> f64 {
    h_mut_params(0.4, b, 0.9)
}

#[differentiable]
fn mut_params_c(c: f64) -> f64 {
    h_mut_params(0.4, 0.8, c)
}

#[test]
fn reassigned_mut_parameters() {
    check(mut_params_b, mut_params_b_grad, 0.7);
    check(mut_params_c, mut_params_c_grad, 1.2);
}

// ----- structs, methods, generic impls -----------------------------------------------------------

#[derive(Clone, Debug, Differentiable)]
struct Params {
    w: f64,
    c: f64,
}

impl Params {
    #[differentiable(wrt(self, x))]
    fn eval(&self, x: f64) -> f64 {
        let w = self.w;
        w * x.sin() + self.c * costly(x)
    }
}

#[differentiable(wrt(p, x))]
fn h_struct(p: &Params, x: f64) -> f64 {
    let w = p.w;
    w * x + p.eval(x * p.c)
}

#[differentiable]
fn struct_x(x: f64) -> f64 {
    let p = Params { w: 0.7, c: -1.3 };
    h_struct(&p, x) + p.eval(x)
}

#[differentiable(wrt(p))]
fn struct_p(p: &Params, x: f64) -> f64 {
    h_struct(p, x) * p.eval(0.4)
}

#[test]
fn struct_parameters_and_methods() {
    check(struct_x, struct_x_grad, 0.35);
    let p = Params { w: 0.7, c: -1.3 };
    let (_, g) = struct_p_grad(&p, 0.8);
    let gw = fd(|w| struct_p(&Params { w, c: p.c }, 0.8), p.w);
    let gc = fd(|c| struct_p(&Params { w: p.w, c }, 0.8), p.c);
    assert_close(g.w, gw, TOL);
    assert_close(g.c, gc, TOL);
}

#[derive(Clone, Debug, Differentiable)]
struct Gen<T: Float> {
    k: T,
}

impl<T: Float> Gen<T> {
    #[differentiable(wrt(self, x, y))]
    fn eval(&self, x: T, y: T) -> T {
        let z = self.k * x;
        z * y + x.sin() * self.k
    }
}

#[differentiable]
fn generic_y(y: f64) -> f64 {
    let g = Gen { k: 1.7 };
    g.eval(0.3, y) + g.eval(y, 0.2)
}

#[differentiable(wrt(g))]
fn generic_self(g: &Gen<f64>, y: f64) -> f64 {
    g.eval(0.3, y) * g.eval(y, 0.2)
}

#[test]
fn methods_of_generic_impls() {
    check(generic_y, generic_y_grad, 0.45);
    let g = Gen { k: 1.7 };
    let (_, gg) = generic_self_grad(&g, 0.45);
    assert_close(gg.k, fd(|k| generic_self(&Gen { k }, 0.45), 1.7), TOL);
}

// ----- loops, break values, match, if let --------------------------------------------------------

#[differentiable]
fn h_loop(a: f64, b: f64) -> f64 {
    let mut s = a;
    let mut t = b;
    for _ in 0..4 {
        let u = s * t;
        s = t.sin();
        t = u + 0.1;
    }
    costly(s) + t
}

#[differentiable]
fn loop_a(a: f64) -> f64 {
    h_loop(a, 0.8)
}

#[differentiable]
fn loop_b(b: f64) -> f64 {
    h_loop(0.9, b)
}

#[test]
fn loops_with_carried_state() {
    check(loop_a, loop_a_grad, 0.7);
    check(loop_b, loop_b_grad, 0.6);
}

#[differentiable]
fn h_break(a: f64, b: f64) -> f64 {
    let mut s = a;
    let r = loop {
        s = s * 1.3 + b;
        if s > 3.0 {
            break s * b;
        }
    };
    let mut k = 0;
    let mut w = r;
    while k < 3 {
        w = w.sin() + a;
        k += 1;
    }
    costly(r) + w
}

#[differentiable]
fn break_a(a: f64) -> f64 {
    h_break(a, 0.3)
}

#[differentiable]
fn break_b(b: f64) -> f64 {
    h_break(0.5, b)
}

#[test]
fn while_and_loop_with_break_values() {
    check(break_a, break_a_grad, 0.5);
    check(break_b, break_b_grad, 0.35);
}

#[differentiable]
fn h_match(a: f64, b: f64) -> f64 {
    let c = a * b;
    let r = match c {
        v if v > 1.0 => v.sin() * b,
        v => costly(v) + a,
    };
    let o = if b > 0.0 { Some(a * 2.0) } else { None };
    let q = if let Some(v) = o { v * b } else { b };
    r * q
}

#[differentiable]
fn match_a(a: f64) -> f64 {
    h_match(a, 0.7) + h_match(a, -0.7) + h_match(a, 3.0)
}

#[differentiable]
fn match_b(b: f64) -> f64 {
    h_match(0.6, b) + h_match(3.0, b)
}

#[test]
fn match_with_bindings_and_guards_and_if_let() {
    check(match_a, match_a_grad, 0.55);
    check(match_b, match_b_grad, 0.45);
    check(match_b, match_b_grad, -0.45);
}

// ----- closures and iterator chains --------------------------------------------------------------

#[differentiable]
fn h_closure(a: f64, b: f64) -> f64 {
    let f = |x: f64| x * a + 0.5;
    let g = |x: f64| costly(x) * b;
    f(b) * g(a) + g(f(0.2))
}

#[differentiable]
fn closure_a(a: f64) -> f64 {
    h_closure(a, 0.8)
}

#[differentiable]
fn closure_b(b: f64) -> f64 {
    h_closure(0.3, b)
}

#[differentiable(wrt(a, b))]
fn h_chains(a: f64, b: f64, xs: &[f64]) -> f64 {
    let s: f64 = xs.iter().map(|x| costly(x * a)).sum();
    let z = xs
        .iter()
        .zip(xs.iter().rev())
        .map(|(x, y)| x * y * b)
        .fold(a, |acc, v| acc * 0.5 + v);
    let e: f64 = xs.iter().enumerate().map(|(i, x)| x * a * i as f64).sum();
    let r: f64 = xs.iter().rev().map(|x| x * b).sum();
    s * b + z * e + r * a
}

#[differentiable]
fn chains_a(a: f64, xs: &[f64]) -> f64 {
    h_chains(a, 0.7, xs)
}

#[differentiable]
fn chains_b(b: f64, xs: &[f64]) -> f64 {
    h_chains(0.4, b, xs)
}

#[test]
fn closures_called_directly_and_in_chains() {
    check(closure_a, closure_a_grad, 0.45);
    check(closure_b, closure_b_grad, 0.65);
    let xs = [0.3, -0.8, 1.1];
    check(|a| chains_a(a, &xs), |a| chains_a_grad(a, &xs), 0.6);
    check(|b| chains_b(b, &xs), |b| chains_b_grad(b, &xs), -0.3);
}

// ----- local Vecs, tuples, fused chains, compound assignment ------------------------------------

#[differentiable]
fn h_vec(a: f64, b: f64) -> f64 {
    let mut v = Vec::new();
    for i in 0..3 {
        v.push(a * (i as f64) + b);
    }
    let w = vec![a, b * 2.0];
    v[1] * w[0] + costly(v[2]) * w[1]
}

#[differentiable]
fn vec_a(a: f64) -> f64 {
    h_vec(a, 0.3)
}

#[differentiable]
fn vec_b(b: f64) -> f64 {
    h_vec(0.7, b)
}

#[differentiable]
fn h_tuple(a: f64, b: f64) -> f64 {
    let t = (a * b, b.sin());
    let (u, v) = t;
    let (p, q) = (v, u);
    costly(p) * q + t.0
}

#[differentiable]
fn tuple_a(a: f64) -> f64 {
    h_tuple(a, 0.9)
}

#[differentiable]
fn tuple_b(b: f64) -> f64 {
    h_tuple(0.2, b)
}

#[differentiable]
fn h_fused(p: f64, q: f64, x: f64) -> f64 {
    p * x.sin() - q * x * x
}

#[differentiable]
fn fused_each(v: f64) -> f64 {
    h_fused(v, 0.3, 0.8) + h_fused(0.4, v, 1.2) + h_fused(0.5, 0.6, v) + h_fused(v, v, 0.7)
}

#[differentiable]
fn h_compound(a: f64, b: f64) -> f64 {
    let mut s = 0.0;
    s += a * b;
    s *= b;
    s -= a.sin();
    costly(s)
}

#[differentiable]
fn compound_each(v: f64) -> f64 {
    h_compound(v, 0.6) + h_compound(0.9, v)
}

#[test]
fn vecs_tuples_fused_chains_and_compound_assignment() {
    check(vec_a, vec_a_grad, 0.6);
    check(vec_b, vec_b_grad, 0.8);
    check(tuple_a, tuple_a_grad, 0.6);
    check(tuple_b, tuple_b_grad, 0.8);
    check(fused_each, fused_each_grad, 0.55);
    check(compound_each, compound_each_grad, 0.75);
}

// ----- checkpointed loops, recursion --------------------------------------------------------------

#[differentiable]
fn h_checkpointed(a: f64, b: f64) -> f64 {
    let mut x = a;
    let c = b * 0.5;
    #[checkpoint(every = 2)]
    for _ in 0..5 {
        x += 0.1 * (c * x.sin() - x * x * 0.1);
    }
    x * costly(c)
}

#[differentiable]
fn checkpointed_each(v: f64) -> f64 {
    h_checkpointed(v, 0.8) + h_checkpointed(0.6, v)
}

#[differentiable]
fn h_rec(x: f64, a: f64, n: usize) -> f64 {
    if n == 0 {
        costly(a) * x
    } else {
        x * h_rec(x * a, a, n - 1)
    }
}

/// The recursive call passes a value of `a` only as `a` (a constant there does not compile:
/// the boxed recursive pullback returns every gradient).
#[differentiable]
fn h_rec_partial(x: f64, a: f64, n: usize) -> f64 {
    if n == 0 {
        x * costly(a)
    } else {
        h_rec_partial(x * a, a * 0.3, n - 1) + a.sin()
    }
}

#[differentiable]
fn rec_each(v: f64) -> f64 {
    h_rec(v, 0.9, 3) + h_rec(0.8, v, 3) + h_rec_partial(v, 0.7, 2) + h_rec_partial(0.5, v, 2)
}

#[test]
fn checkpointed_loops_and_recursion() {
    check(checkpointed_each, checkpointed_each_grad, 0.7);
    check(rec_each, rec_each_grad, 0.85);
}

// ----- the same helper several times, three levels of calls --------------------------------------

#[differentiable]
fn several_times(a: f64, b: f64) -> f64 {
    h_shadow(a, 0.3) + h_shadow(0.2, b) + h_shadow(a, a) * h_shadow(b, a) + h_shadow(0.1, 0.2)
}

#[differentiable]
fn l3(a: f64, b: f64) -> f64 {
    let m = a * 2.0;
    costly(m) * b + b.exp()
}

#[differentiable]
fn l2(a: f64, b: f64) -> f64 {
    l3(b, a * 2.0) + l3(a, 0.5)
}

#[differentiable]
fn l1(a: f64, b: f64) -> f64 {
    l2(0.4, b) * l2(a, 1.0)
}

#[differentiable]
fn three_levels(b: f64) -> f64 {
    l1(0.7, b) + l1(b, 0.3)
}

#[test]
fn one_helper_with_different_activity_and_three_levels() {
    let (_, (ga, gb)) = several_times_grad(0.4, 0.9);
    assert_close(ga, fd(|a| several_times(a, 0.9), 0.4), TOL);
    assert_close(gb, fd(|b| several_times(0.4, b), 0.9), TOL);
    check(three_levels, three_levels_grad, 0.35);
}

// ----- the work is skipped where it should be ---------------------------------------------------

#[differentiable]
fn h_skip(t: f64, y: f64) -> f64 {
    let u = t * 2.0;
    let (p, q) = (u, y);
    let c = costly(u) + costly(p);
    c * q + y.sin()
}

#[differentiable]
fn skip_y(y: f64) -> f64 {
    h_skip(0.4, y)
}

#[test]
fn work_skipped_through_immutable_bindings() {
    let before = pulls();
    check(skip_y, skip_y_grad, 0.8);
    // `u` carries `t` only; the tuple's parts are not analysed (they reach everything)
    let skipped = pulls() - before;
    assert!(skipped <= 2, "{skipped}");
    let before = pulls();
    let _ = h_shadow_copy_grad(0.3, 0.8);
    assert_eq!(pulls(), before + 1);
    let before = pulls();
    let _ = shadow_a_grad(0.3);
    // `h_shadow_copy(a, 0.4)`: `costly(a)` reads the copy of `b`, inactive there
    assert_eq!(
        pulls(),
        before + 1,
        "h_shadow's costly runs, h_shadow_copy's is skipped"
    );
}

proptest! {
    #[test]
    fn random_inputs_match_finite_differences(a in -1.5f64..1.5, b in -1.5f64..1.5) {
        for (f, g) in [
            (deferred_a as fn(f64) -> f64, deferred_a_grad as fn(f64) -> (f64, f64)),
            (shadow_b, shadow_b_grad),
            (loop_a, loop_a_grad),
            (closure_b, closure_b_grad),
            (tuple_a, tuple_a_grad),
            (compound_each, compound_each_grad),
        ] {
            let (_, d) = g(a);
            let want = fd(f, a);
            prop_assert!((d - want).abs() <= 1e-6 * (1.0 + want.abs()), "{d} vs {want}");
        }
        let (_, (ga, gb)) = several_times_grad(a, b);
        let wa = fd(|a| several_times(a, b), a);
        let wb = fd(|b| several_times(a, b), b);
        prop_assert!((ga - wa).abs() <= 1e-6 * (1.0 + wa.abs()), "{ga} vs {wa}");
        prop_assert!((gb - wb).abs() <= 1e-6 * (1.0 + wb.abs()), "{gb} vs {wb}");
    }
}

// ----- `if` and `match` values passed straight to a call ----------------------------------------

#[differentiable]
fn h_if_arg(a: f64, b: f64) -> f64 {
    let k = costly(if a > 0.0 { a * 2.0 } else { b.sin() });
    let m = costly(match b > 0.0 {
        true => b * 3.0,
        false => a * 0.5,
    });
    k * m + l3(if b > 0.5 { a } else { b }, a)
}

#[differentiable]
fn if_arg_each(v: f64) -> f64 {
    h_if_arg(v, 0.8) + h_if_arg(v, -0.8) + h_if_arg(0.7, v) + h_if_arg(-0.7, v)
}

#[test]
fn branch_values_as_arguments() {
    check(if_arg_each, if_arg_each_grad, 0.6);
    check(if_arg_each, if_arg_each_grad, -0.4);
}

// ----- work skipped through bindings, closures, branches, matches, chains and loops ---------------
// `costly` reads only `t`, which every caller below passes as a constant. Not skipped (the
// values count as reaching every parameter): tuple destructuring and `let mut` bindings.

#[differentiable]
fn s_let(t: f64, y: f64) -> f64 {
    let u = t * 2.0;
    let c = u;
    costly(c) * y
}

#[differentiable]
fn s_closure(t: f64, y: f64) -> f64 {
    let f = |x: f64| costly(x * 2.0);
    f(t) * y
}

#[differentiable]
fn s_shadow(t: f64, y: f64) -> f64 {
    let t = t * 2.0;
    costly(t) * y
}

#[differentiable]
fn s_branches(t: f64, y: f64) -> f64 {
    let u = if y > 0.0 { t * 2.0 } else { t };
    let w;
    if y > 0.5 {
        w = u * 3.0;
    } else {
        w = t;
    }
    let r = match w {
        v if v > 0.0 => costly(v),
        v => costly(-v),
    };
    costly(u) * y + r
}

#[differentiable]
fn s_loop_chain(t: f64, y: f64, xs: &[f64]) -> f64 {
    let mut acc = 0.0;
    for i in 0..3 {
        let u = t * i as f64;
        acc += costly(u) * y;
    }
    let s: f64 = xs.iter().map(|&x| costly(x * t)).sum();
    acc + s * y
}

#[differentiable]
fn skip_callers(y: f64, xs: &[f64]) -> f64 {
    s_let(0.4, y) + s_closure(0.4, y) + s_shadow(0.4, y) + s_branches(0.4, y) - s_branches(-0.4, y)
        + s_loop_chain(0.4, y, xs)
}

#[test]
fn work_skipped_through_bindings_closures_branches_and_loops() {
    let xs = [0.3, -0.2];
    for y in [0.8, 0.3, -0.6] {
        let before = pulls();
        check(|y| skip_callers(y, &xs), |y| skip_callers_grad(y, &xs), y);
        assert_eq!(pulls(), before, "work for a constant argument ran");
    }
}
