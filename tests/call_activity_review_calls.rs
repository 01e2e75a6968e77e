//! Adversarial review of call activity (`vjp::call_activity`), continued: tensor helpers
//! (products with data on one side, broadcasting, `dot`, `x * x`) called with some arguments
//! inactive; requests that must not reach another function of the same name (a generated
//! callee without guards, a hand-written `NAME_vjp`); requests that must reach their callee
//! however it is named (generic functions, methods by method and path syntax, associated
//! functions, recursion: pullback counters); `hvp` through partial calls; calls inside
//! checkpointed loops, iterator chains and match arms. Gradients are checked against central
//! finite differences in f64.
// the constructs under test, written the way clippy would not
#![allow(clippy::assign_op_pattern)]

mod common;
use autodiff::prelude::*;
use common::counting::{check, costly, costly_vjp, count_pull, pulls};
use common::{assert_close, assert_tensor_close, fd, fd_tensor, rand};

const TOL: f64 = 1e-7;

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

// ----- tensors ----------------------------------------------------------------------------------

#[differentiable]
fn h_tensor(x: &Tensor<f64>, w: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    let y = x.matmul(w) + b;
    let z = &y * &y;
    (z.tanh() * &y).sum() + (x * x).sum() * w.sum()
}

#[differentiable]
fn tensor_w(w: &Tensor<f64>) -> Tensor<f64> {
    let x = Tensor::from_vec(vec![0.5, -0.2, 0.1, 0.3, 0.7, -0.4], &[2, 3]);
    let b = Tensor::from_vec(vec![0.1, -0.3], &[2]);
    h_tensor(&x, w, &b)
}

#[differentiable]
fn tensor_x(x: &Tensor<f64>) -> Tensor<f64> {
    let w = Tensor::from_vec(vec![0.5, -0.2, 0.1, 0.3, 0.7, -0.4], &[3, 2]);
    let b = Tensor::from_vec(vec![0.1, -0.3], &[2]);
    h_tensor(x, &w, &b)
}

#[differentiable]
fn tensor_b(b: &Tensor<f64>) -> Tensor<f64> {
    let w = Tensor::from_vec(vec![0.5, -0.2, 0.1, 0.3, 0.7, -0.4], &[3, 2]);
    let x = Tensor::from_vec(vec![0.5, -0.2, 0.1, 0.3, 0.7, -0.4], &[2, 3]);
    h_tensor(&x, &w, b)
}

#[differentiable]
fn h_dot(u: &Tensor<f64>, v: &Tensor<f64>) -> Tensor<f64> {
    let d = u.dot(v);
    d * (u * u).sum() + v.dot(v)
}

#[differentiable]
fn dot_u(u: &Tensor<f64>) -> Tensor<f64> {
    let v = Tensor::from_vec(vec![0.3, -0.6, 0.9], &[3]);
    h_dot(u, &v) + h_dot(&v, u)
}

#[differentiable]
fn h_batched(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    let p = a.matmul(b);
    (p.sin() * &p).sum()
}

#[differentiable]
fn batched_a(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    h_batched(a, &b.exp().detach())
}

#[differentiable(wrt(b))]
fn batched_b(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    h_batched(a, b)
}

#[test]
fn tensor_helpers() {
    let x = rand(&[2, 3], 1);
    let w = rand(&[3, 2], 2);
    let b = rand(&[2], 3);
    let (_, g) = tensor_w_grad(&w);
    assert_tensor_close(&g, &fd_tensor(|w| tensor_w(w).item(), &w), TOL);
    let (_, g) = tensor_x_grad(&x);
    assert_tensor_close(&g, &fd_tensor(|x| tensor_x(x).item(), &x), TOL);
    let (_, g) = tensor_b_grad(&b);
    assert_tensor_close(&g, &fd_tensor(|b| tensor_b(b).item(), &b), TOL);
    let u = rand(&[3], 4);
    let (_, g) = dot_u_grad(&u);
    assert_tensor_close(&g, &fd_tensor(|u| dot_u(u).item(), &u), TOL);
    let (a, bb) = (rand(&[2, 3, 4], 5), rand(&[2, 4, 2], 6));
    let (_, (ga, _)) = batched_a_grad(&a, &bb);
    assert_tensor_close(&ga, &fd_tensor(|a| batched_a(a, &bb).item(), &a), TOL);
    let (_, gb) = batched_b_grad(&a, &bb);
    assert_tensor_close(&gb, &fd_tensor(|b| batched_b(&a, b).item(), &bb), TOL);
}

#[differentiable(wrt(a, b, w))]
fn broadcast_one_side(
    a: &Tensor<f64>,
    b: &Tensor<f64>,
    w: &Tensor<f64>,
    c: &Tensor<f64>,
    d: &Tensor<f64>,
) -> Tensor<f64> {
    h_batched(a, b) + h_batched(c, b) + h_batched(a, w) + h_batched(a, d)
}

#[differentiable(wrt(b))]
fn batched_b_only(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    h_batched(a, b)
}

#[differentiable(wrt(a))]
fn batched_a_only(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    h_batched(a, b)
}

#[test]
fn one_sided_broadcast_batched_products() {
    for (sa, sb) in [
        (&[2, 1, 3, 4][..], &[3, 4, 2][..]),
        (&[2, 3, 4][..], &[4, 2][..]),
        (&[3, 4][..], &[2, 4, 2][..]),
        (&[2, 3, 4][..], &[2, 4, 2][..]),
    ] {
        let (a, b) = (rand(sa, 7), rand(sb, 8));
        let (_, (full_a, full_b)) = h_batched_grad(&a, &b);
        assert_tensor_close(&full_b, &fd_tensor(|b| h_batched(&a, b).item(), &b), TOL);
        assert_tensor_close(&full_a, &fd_tensor(|a| h_batched(a, &b).item(), &a), TOL);
        let (_, gb) = batched_b_only_grad(&a, &b);
        assert_tensor_close(&gb, &full_b, TOL);
        let (_, ga) = batched_a_only_grad(&a, &b);
        assert_tensor_close(&ga, &full_a, TOL);
    }
}

#[test]
fn broadcast_batched_products_with_data_on_one_side() {
    // `[2, 1, 3, 4] x [3, 4, 2]` (batch broadcast) and `[2, 1, 3, 4] x [4, 2]`
    let (a, b, w) = (
        rand(&[2, 1, 3, 4], 7),
        rand(&[3, 4, 2], 8),
        rand(&[4, 2], 9),
    );
    let (c, d) = (rand(&[2, 1, 3, 4], 10), rand(&[3, 4, 2], 11));
    let f = |a: &Tensor<f64>, b: &Tensor<f64>, w: &Tensor<f64>| broadcast_one_side(a, b, w, &c, &d);
    let (_, (ga, gb, gw)) = broadcast_one_side_grad(&a, &b, &w, &c, &d);
    assert_tensor_close(&ga, &fd_tensor(|a| f(a, &b, &w).item(), &a), TOL);
    assert_tensor_close(&gb, &fd_tensor(|b| f(&a, b, &w).item(), &b), TOL);
    assert_tensor_close(&gw, &fd_tensor(|w| f(&a, &b, w).item(), &w), TOL);
}

// ----- requests reaching a function of the same name that is not the callee ----------------------

mod inner {
    use super::{costly, costly_vjp};
    use autodiff::prelude::*;

    /// The same name as `outer::mix` (the request's tag is the name's hash).
    #[differentiable]
    pub fn mix(u: f64, v: f64) -> f64 {
        costly(u) * 2.0 + v.sin() * u
    }

    #[differentiable]
    pub fn swap(u: f64, v: f64) -> f64 {
        costly(u) * 3.0 + v * v
    }
}

mod outer {
    use super::inner;
    use autodiff::prelude::*;

    /// Every value here reaches both parameters (both are reassigned), so this `mix_vjp` has no
    /// guard of its own: the request meant for it must still not reach `inner::mix`.
    #[differentiable]
    pub fn mix(mut x: f64, mut y: f64) -> f64 {
        x = x * 1.5;
        y = y * 0.5;
        inner::mix(y, x)
    }
}

#[differentiable]
fn outer_mix_y(y: f64) -> f64 {
    outer::mix(0.6, y)
}

#[test]
fn a_request_is_not_passed_on_by_a_callee_that_does_not_read_it() {
    check(outer_mix_y, outer_mix_y_grad, 0.9);
}

/// A hand-written derivative that calls a generated function of the same name with its
/// arguments in another order.
fn swap(a: f64, b: f64) -> f64 {
    inner::swap(b, a)
}

fn swap_vjp(a: f64, b: f64) -> (f64, impl Fn(f64) -> (f64, f64)) {
    let (v, pb) = inner::swap_vjp(b, a);
    (v, move |g| {
        let (gb, ga) = pb(g);
        (ga, gb)
    })
}

#[differentiable]
fn hand_written_swap_b(b: f64) -> f64 {
    swap(0.4, b)
}

#[test]
fn a_request_is_not_taken_by_a_generated_function_inside_a_hand_written_one() {
    check(hand_written_swap_b, hand_written_swap_b_grad, 0.7);
}

// ----- hvp: the dual instantiation of a caller with a partial call --------------------------------

#[differentiable(jvp, hvp)]
fn g_helper<T: Float + 'static>(a: T, b: T) -> T {
    let m = a * b;
    m.sin() * b + a.exp()
}

#[differentiable(jvp, hvp)]
fn g_caller<T: Float + 'static>(x: T, y: T) -> T {
    let half = T::from(0.5).unwrap();
    g_helper(x, half) * g_helper(half, y) + g_helper(y, x)
}

#[test]
fn hvp_through_partial_calls() {
    let (x, y) = (0.7, -0.4);
    let (_, g, hv) = g_caller_hvp(x, y, 1.0, 0.0);
    assert_close(g.0, fd(|x| g_caller(x, y), x), TOL);
    assert_close(g.1, fd(|y| g_caller(x, y), y), TOL);
    let eps = 1e-6;
    let gp = g_caller_grad(x + eps, y).1;
    let gm = g_caller_grad(x - eps, y).1;
    assert_close(hv.0, (gp.0 - gm.0) / (2.0 * eps), 1e-6);
    assert_close(hv.1, (gp.1 - gm.1) / (2.0 * eps), 1e-6);
    let (_, dv) = g_caller_jvp(x, y, 0.0, 1.0);
    assert_close(dv, g.1, 1e-12);
}

// ----- the request still reaches its callee however it is named -----------------------------------

/// `costly` for any float type.
fn costly_g<T: Float>(t: T) -> T {
    t.sin() * t
}

fn costly_g_vjp<T: Float>(t: T) -> (T, impl Fn(T) -> T) {
    (costly_g(t), move |g| {
        count_pull();
        g * (t.cos() * t + t.sin())
    })
}

#[differentiable]
fn gen_costly<T: Float + 'static>(t: T, y: T) -> T {
    let s = t * T::from(2.0).unwrap();
    costly_g(s) + s * y
}

#[derive(Clone, Debug, Differentiable)]
struct Rate<T: Float> {
    k: T,
}

impl<T: Float> Rate<T> {
    #[differentiable(wrt(self, t, y))]
    fn step(&self, t: f64, y: T) -> T {
        self.k * y + costly_g(T::from(t).unwrap())
    }
}

impl Params {
    #[differentiable(associated)]
    fn assoc(t: f64, y: f64) -> f64 {
        costly(t) + y * y
    }
}

/// `costly` only reachable from the first argument.
#[differentiable]
fn rec_costly(t: f64, y: f64, n: usize) -> f64 {
    if n == 0 {
        costly(t) * y
    } else {
        rec_costly(t, y * 0.5, n - 1) + y
    }
}

#[differentiable]
fn named_every_way(y: f64) -> f64 {
    let r = Rate { k: 0.3 };
    let p = Params { w: 0.1, c: 0.2 };
    let a = r.step(0.5, y) + Rate::step(&r, 0.6, y);
    let b = Params::assoc(0.7, y) + p.eval(y);
    a + b + rec_costly(0.8, y, 2)
}

#[differentiable]
fn generic_named(y: f64) -> f64 {
    gen_costly(0.4, y) + gen_costly::<f64>(0.5, y)
}

#[test]
fn requests_reach_generic_functions_methods_associated_functions_and_recursion() {
    let before = pulls();
    check(named_every_way, named_every_way_grad, 0.6);
    // `p.eval(y)`: its costly reads `y`, so it runs; every other `costly` reads data
    assert_eq!(pulls(), before + 1, "work for data was not skipped");
    let before = pulls();
    let (_, g) = generic_named_grad(0.6);
    assert_eq!(pulls(), before, "work for data was not skipped");
    assert_close(g, fd(generic_named, 0.6), TOL);
}

/// A helper called by the helpers below.
#[differentiable]
fn l3(a: f64, b: f64) -> f64 {
    let m = a * 2.0;
    costly(m) * b + b.exp()
}

// ----- calls inside checkpointed loops, chains and match arms; one value in two positions ---------

/// A helper calling `l3` inside a checkpointed loop (the loop's blocks run again in the reverse
/// sweep, requests included).
#[differentiable]
fn h_ck_call(a: f64, b: f64) -> f64 {
    let mut x = a;
    #[checkpoint(every = 2)]
    for _ in 0..5 {
        x = x * 0.7 + l3(x * 0.1, b) * 0.1;
    }
    x + l3(b, b)
}

#[differentiable]
fn h_chain_call(a: f64, b: f64, xs: &[f64]) -> f64 {
    let s: f64 = xs.iter().map(|&x| l3(x * a, b)).sum();
    let m = match s > 0.0 {
        true => l3(a, s),
        false => l3(s, b),
    };
    s * m + l3(a, a)
}

#[differentiable]
fn calls_each(v: f64, xs: &[f64]) -> f64 {
    h_ck_call(v, 0.4) + h_ck_call(0.6, v) + h_chain_call(v, 0.3, xs) + h_chain_call(0.2, v, xs)
}

#[test]
fn calls_inside_checkpointed_loops_chains_and_match_arms() {
    for xs in [[0.5, -0.4, 0.9], [-0.5, -0.4, -0.9]] {
        check(|v| calls_each(v, &xs), |v| calls_each_grad(v, &xs), 0.45);
        check(|v| calls_each(v, &xs), |v| calls_each_grad(v, &xs), -0.3);
    }
}

// ----- a request left by a panic ------------------------------------------------------------------

mod fragile {
    /// A hand-written derivative that panics after its caller requested activity for it.
    pub fn mix(u: f64, v: f64) -> f64 {
        u * v
    }

    pub fn mix_vjp(u: f64, v: f64) -> (f64, impl Fn(f64) -> (f64, f64)) {
        assert!(u < 1.0, "fragile::mix refuses {u}");
        (mix(u, v), move |g| (g * v, g * u))
    }
}

#[differentiable]
fn fragile_caller(v: f64) -> f64 {
    fragile::mix(1.5, v)
}

#[test]
fn a_request_left_by_a_panic_reaches_no_other_function() {
    assert!(std::panic::catch_unwind(|| fragile_caller_grad(0.5)).is_err());
    // the pending request named `fragile::mix_vjp`: `inner::mix` needs both gradients here
    let (_, (gu, gv)) = inner::mix_grad(0.7, 0.2);
    assert_close(gu, fd(|u| inner::mix(u, 0.2), 0.7), TOL);
    assert_close(gv, fd(|v| inner::mix(0.7, v), 0.2), TOL);
}

// ----- narrowed callees called with a subset of their differentiated parameters -------------------

/// `b` is data, between the differentiated `a` and `c`; `c` reaches `costly` only through `m`.
#[differentiable(wrt(a, c))]
fn narrowed(a: f64, b: f64, c: f64, xs: &[f64]) -> f64 {
    let m = c * b;
    let s: f64 = xs.iter().map(|x| x * a).sum();
    costly(m) * a + s * c
}

#[differentiable]
fn narrowed_c(c: f64, xs: &[f64]) -> f64 {
    narrowed(0.3, 0.9, c, xs) + narrowed(c, 0.4, 0.2, xs)
}

#[test]
fn narrowed_callee_with_a_subset_active() {
    let xs = [0.5, -1.5];
    let before = pulls();
    check(|c| narrowed_c(c, &xs), |c| narrowed_c_grad(c, &xs), 0.7);
    // the second call needs only `a`: its `costly(m)` reads `c`, a constant there
    assert_eq!(pulls(), before + 1);
}
