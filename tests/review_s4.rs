//! Review round 4 of issue 16: checkpointed loops and forward mode of tensor functions in forms
//! the feature tests do not cover. Every checkpointed function is checked against central
//! finite differences in f64 (and, where the form allows, bit for bit against the same loop
//! without the attribute); every `NAME_jvp` against the pullback (`<g, v>` both ways) and every
//! `NAME_hvp` against central differences of the gradient along the direction.

mod common;
use autodiff::prelude::*;
use common::{assert_close, fd, fd_tensor};

fn dot(a: &Tensor<f64>, b: &Tensor<f64>) -> f64 {
    a.to_vec().iter().zip(b.to_vec()).map(|(x, y)| x * y).sum()
}

/// `d/dt ∇f(x + t v)` at `t = 0`, by central differences.
fn fd_hvp(
    grad: impl Fn(&Tensor<f64>) -> Tensor<f64>,
    x: &Tensor<f64>,
    v: &Tensor<f64>,
) -> Vec<f64> {
    let h = common::H;
    let plus = grad(&(x + v * h)).to_vec();
    let minus = grad(&(x - v * h)).to_vec();
    plus.iter()
        .zip(minus)
        .map(|(p, m)| (p - m) / (2.0 * h))
        .collect()
}

#[track_caller]
fn assert_all_close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_close(*x, *y, tol);
    }
}

// ---- checkpointed loops: a `while` condition that changes the state ----------------------------

/// The do-while idiom: the condition advances the index the body reads. The replay of a block
/// ran the body alone, so from the second iteration of each block on it read the wrong datum.
#[differentiable]
fn do_while(x0: f64, data: &[f64]) -> f64 {
    let mut x = x0;
    let mut i = 0;
    #[checkpoint(every = 2)]
    while {
        i += 1;
        i < data.len()
    } {
        x = x * data[i] + (x * 0.1).sin();
    }
    x
}

#[differentiable]
fn do_while_plain(x0: f64, data: &[f64]) -> f64 {
    let mut x = x0;
    let mut i = 0;
    while {
        i += 1;
        i < data.len()
    } {
        x = x * data[i] + (x * 0.1).sin();
    }
    x
}

/// A small linear congruential generator (the state a Monte Carlo loop carries).
#[derive(Clone)]
struct Lcg(u64);

impl Lcg {
    fn next_f64(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A random walk stopped at random (Russian roulette): the condition draws from the generator
/// the body draws from too.
#[differentiable]
fn roulette(x0: f64, p: f64, seed: u64) -> f64 {
    let mut rng = Lcg(seed);
    let mut x = x0;
    #[checkpoint(every = 3)]
    while rng.next_f64() < 0.9 {
        x = x + 0.1 * (p * x).sin() * rng.next_f64();
    }
    x
}

#[differentiable]
fn roulette_plain(x0: f64, p: f64, seed: u64) -> f64 {
    let mut rng = Lcg(seed);
    let mut x = x0;
    while rng.next_f64() < 0.9 {
        x = x + 0.1 * (p * x).sin() * rng.next_f64();
    }
    x
}

#[test]
fn a_while_condition_that_changes_the_state_runs_again_in_the_replay() {
    let data = [1.1, 0.9, 1.2, 0.8, 1.05, 0.95, 1.3];
    let (_, g) = do_while_grad(0.3, &data);
    assert_eq!(g, do_while_plain_grad(0.3, &data).1);
    assert_close(g, fd(|x| do_while(x, &data), 0.3), 1e-7);
    for seed in [1, 7, 42] {
        let (_, (gx, gp)) = roulette_grad(0.3, 0.7, seed);
        assert_eq!(
            (gx, gp),
            roulette_plain_grad(0.3, 0.7, seed).1,
            "seed {seed}"
        );
        assert_close(gx, fd(|x| roulette(x, 0.7, seed), 0.3), 1e-7);
        assert_close(gp, fd(|p| roulette(0.3, p, seed), 0.7), 1e-7);
    }
}

// ---- checkpointed loops: names the body binds itself, bindings declared without a value -----

/// `h` is moved into `y` before the loop, and the body binds its own `h`: the loop stored the
/// outer, moved `h` (E0382 inside the generated code).
#[differentiable(wrt(w, h0))]
fn moved_outer_name(w: &Tensor<f64>, h0: &Tensor<f64>, steps: usize) -> Tensor<f64> {
    let h = h0 * 2.0;
    let mut y = h;
    #[checkpoint(every = 3)]
    for _ in 0..steps {
        let h = w.mm(&y).tanh();
        y = &h * 0.5 + &y;
    }
    y.sum()
}

/// `last` is declared without a value and assigned once, where the loop ends: the loop stored
/// it before it had a value (a type error inside the generated code).
#[differentiable]
fn assigned_at_the_end(x0: f64, p: f64) -> f64 {
    let mut x = x0;
    let last;
    #[checkpoint(every = 2)]
    loop {
        x = x + 0.1 * (p * x).sin();
        if x > 2.0 {
            last = x * 2.0;
            break;
        }
    }
    last + x
}

/// Shadowing outside the loop, and a body-local `p` shadowing an argument.
#[differentiable]
fn shadowed(x0: f64, p: f64, steps: usize) -> f64 {
    let x = x0 * 2.0;
    let mut x = x + p;
    #[checkpoint(every = 4)]
    for _ in 0..steps {
        let p = p * 0.5;
        x = x + 0.01 * (p * x).sin();
    }
    x
}

#[test]
fn names_the_loop_binds_itself_and_bindings_assigned_in_it() {
    let w = Tensor::<f64>::randn_scaled(&[3, 3], 1, 0.5);
    let h0 = Tensor::<f64>::randn(&[3, 1], 2);
    let (_, (gw, gh)) = moved_outer_name_grad(&w, &h0, 7);
    let fd_w = fd_tensor(|w| moved_outer_name(w, &h0, 7).item(), &w);
    let fd_h = fd_tensor(|h| moved_outer_name(&w, h, 7).item(), &h0);
    assert_all_close(&gw.to_vec(), &fd_w.to_vec(), 1e-6);
    assert_all_close(&gh.to_vec(), &fd_h.to_vec(), 1e-6);

    let (_, (gx, gp)) = assigned_at_the_end_grad(0.3, 0.7);
    assert_close(gx, fd(|x| assigned_at_the_end(x, 0.7), 0.3), 1e-7);
    assert_close(gp, fd(|p| assigned_at_the_end(0.3, p), 0.7), 1e-7);

    let (_, (gx, gp)) = shadowed_grad(0.3, 0.7, 13);
    assert_close(gx, fd(|x| shadowed(x, 0.7, 13), 0.3), 1e-7);
    assert_close(gp, fd(|p| shadowed(0.3, p, 13), 0.7), 1e-7);
}

// ---- checkpointed loops: other forms that already worked (kept as regression tests) ---------

#[differentiable]
fn tuple_state(x0: f64, v0: f64, k: f64, steps: usize) -> f64 {
    let mut s = (x0, v0);
    #[checkpoint(every = 5)]
    for _ in 0..steps {
        let a = -k * s.0.sin();
        s = (s.0 + 0.01 * s.1, s.1 + 0.01 * a);
    }
    s.0 + s.1
}

#[derive(Clone, Differentiable)]
struct Phase {
    x: f64,
    v: f64,
}

#[differentiable]
fn struct_state(x0: f64, v0: f64, k: f64, steps: usize) -> f64 {
    let mut st = Phase { x: x0, v: v0 };
    #[checkpoint(every = 3)]
    for _ in 0..steps {
        let v = st.v - 0.1 * k * st.x.sin();
        st = Phase {
            x: st.x + 0.1 * v,
            v,
        };
    }
    st.x * st.v
}

/// A `Vec` filled in the loop (its whole value is state), and one filled by an inner loop.
#[differentiable]
fn vec_history(x0: f64, p: f64, steps: usize) -> f64 {
    let mut x = x0;
    let mut hist = Vec::new();
    #[checkpoint(every = 3)]
    for _ in 0..steps {
        for j in 0..2 {
            hist.push(x * (j as f64 + 1.0));
        }
        x = x + 0.1 * (p * x).sin();
    }
    let mut s = x;
    for h in hist.iter() {
        s += *h * *h;
    }
    s
}

/// `continue 'outer` and `break 'outer` from a `match` in an inner loop.
#[differentiable]
fn labelled(x0: f64, p: f64, steps: usize) -> f64 {
    let mut x = x0;
    #[checkpoint(every = 3)]
    'outer: for i in 0..steps {
        for j in 0..3 {
            match (i + j) % 4 {
                0 => continue 'outer,
                1 => {
                    if i > 20 {
                        break 'outer;
                    }
                    x = x * 1.01 + p * 0.01;
                }
                _ => x = x + 0.01 * (x * p).cos(),
            }
        }
    }
    x
}

#[test]
fn struct_tuple_and_vec_state_labels_and_matches() {
    let (_, (gx, gv, gk)) = tuple_state_grad(0.3, 0.1, 2.0, 17);
    assert_close(gx, fd(|x| tuple_state(x, 0.1, 2.0, 17), 0.3), 1e-7);
    assert_close(gv, fd(|v| tuple_state(0.3, v, 2.0, 17), 0.1), 1e-7);
    assert_close(gk, fd(|k| tuple_state(0.3, 0.1, k, 17), 2.0), 1e-7);
    let (_, (gx, gv, gk)) = struct_state_grad(0.3, 0.1, 2.0, 17);
    assert_close(gx, fd(|x| struct_state(x, 0.1, 2.0, 17), 0.3), 1e-7);
    assert_close(gv, fd(|v| struct_state(0.3, v, 2.0, 17), 0.1), 1e-7);
    assert_close(gk, fd(|k| struct_state(0.3, 0.1, k, 17), 2.0), 1e-7);
    for steps in [0, 1, 3, 10] {
        let (_, (gx, gp)) = vec_history_grad(0.3, 0.7, steps);
        assert_close(gx, fd(|x| vec_history(x, 0.7, steps), 0.3), 1e-7);
        assert_close(gp, fd(|p| vec_history(0.3, p, steps), 0.7), 1e-7);
    }
    let (_, (gx, gp)) = labelled_grad(0.3, 0.7, 30);
    assert_close(gx, fd(|x| labelled(x, 0.7, 30), 0.3), 1e-7);
    assert_close(gp, fd(|p| labelled(0.3, p, 30), 0.7), 1e-7);
}

#[differentiable]
fn mut_param(mut x: f64, p: f64, steps: usize) -> f64 {
    #[checkpoint(every = 2)]
    for _ in 0..steps {
        x = x + 0.1 * (p * x).sin();
    }
    x
}

#[differentiable]
fn outer_closure(x0: f64, p: f64, steps: usize) -> f64 {
    let f = |y: f64| p * y.sin();
    let mut x = x0;
    #[checkpoint(every = 3)]
    for _ in 0..steps {
        let g = |y: f64| y * p + x;
        x = g(x.sin()) * 0.5 + 0.1 * f(x);
    }
    x
}

/// Two checkpointed loops, the second a `while` with a data-dependent trip count and a bound
/// read only by the condition; K far above the trip count; loops that run zero times.
#[differentiable]
fn two_loops(x0: f64, p: f64, steps: usize, bound: f64) -> f64 {
    let mut x = x0;
    #[checkpoint(every = 1000)]
    for _ in 0..steps {
        x = x + 0.1 * (p * x).sin();
    }
    let mut y = x * x;
    #[checkpoint(every = 2)]
    while y < bound {
        y = y * 1.5 + p;
    }
    y + x
}

#[differentiable]
fn step_fn(x: f64, p: f64) -> f64 {
    x + 0.1 * (p * x).sin()
}

#[differentiable]
fn calls_user(x0: f64, p: f64, steps: usize) -> f64 {
    let mut x = x0;
    #[checkpoint(every = 3)]
    for _ in 0..steps {
        x = step_fn(x, p);
    }
    x
}

struct Sys {
    damping: f64,
    steps: usize,
}

impl Sys {
    /// `self` read by the condition (it does not change the state: not re-run).
    #[differentiable(wrt(x0, p))]
    fn run(&self, x0: f64, p: f64) -> f64 {
        let d = self.damping;
        let mut x = x0;
        let mut i = 0;
        #[checkpoint(every = 3)]
        while i < self.steps {
            x = x * d + (p * x).sin();
            i += 1;
        }
        x
    }
}

#[differentiable]
fn generic_ck<T: Float>(x0: T, p: T, steps: usize) -> T {
    let mut x = x0;
    let mut acc = x0 * p;
    #[checkpoint(every = 3)]
    for i in 0..steps {
        x = x + (p * x).sin() * T::from(0.1).unwrap();
        if i % 2 == 0 {
            acc = acc + x * x;
        }
    }
    acc + x
}

#[test]
fn parameters_closures_several_loops_methods_generics_and_calls() {
    let (_, (gx, gp)) = mut_param_grad(0.3, 0.7, 9);
    assert_close(gx, fd(|x| mut_param(x, 0.7, 9), 0.3), 1e-7);
    assert_close(gp, fd(|p| mut_param(0.3, p, 9), 0.7), 1e-7);
    let (_, (gx, gp)) = outer_closure_grad(0.3, 0.7, 9);
    assert_close(gx, fd(|x| outer_closure(x, 0.7, 9), 0.3), 1e-7);
    assert_close(gp, fd(|p| outer_closure(0.3, p, 9), 0.7), 1e-7);
    for (steps, bound) in [(0, 0.0), (0, 10.0), (9, 10.0), (9, -1.0)] {
        let (_, (gx, gp, _)) = two_loops_grad(0.3, 0.7, steps, bound);
        assert_close(gx, fd(|x| two_loops(x, 0.7, steps, bound), 0.3), 1e-7);
        assert_close(gp, fd(|p| two_loops(0.3, p, steps, bound), 0.7), 1e-7);
    }
    let (_, (gx, gp)) = calls_user_grad(0.3, 0.7, 8);
    assert_close(gx, fd(|x| calls_user(x, 0.7, 8), 0.3), 1e-7);
    assert_close(gp, fd(|p| calls_user(0.3, p, 8), 0.7), 1e-7);
    let sys = Sys {
        damping: 0.9,
        steps: 7,
    };
    let (_, (gx, gp)) = sys.run_grad(0.3, 0.7);
    assert_close(gx, fd(|x| sys.run(x, 0.7), 0.3), 1e-7);
    assert_close(gp, fd(|p| sys.run(0.3, p), 0.7), 1e-7);
    let (_, (gx, gp)) = generic_ck_grad(0.3, 0.7, 8);
    assert_close(gx, fd(|x| generic_ck(x, 0.7, 8), 0.3), 1e-7);
    assert_close(gp, fd(|p| generic_ck(0.3, p, 8), 0.7), 1e-7);
}

// ---- forward mode of tensor functions: operations that dropped the tangent ------------------

/// `erf` (and the exact `gelu`, built on it) was evaluated through `f64` for every element
/// type: at dual numbers the tangent was dropped, so `jvp` and `hvp` were wrong.
#[differentiable(jvp, hvp)]
fn erf_loss(x: &Tensor<f64>) -> Tensor<f64> {
    (x.erf() * x).sum()
}

#[differentiable(jvp, hvp)]
fn gelu_loss(x: &Tensor<f64>) -> Tensor<f64> {
    x.gelu().powi(2).sum()
}

#[test]
fn erf_and_gelu_carry_their_tangent() {
    let x = Tensor::from_vec(vec![0.3, -0.8, 1.1], &[3]);
    let v = Tensor::from_vec(vec![1.0, 0.5, -2.0], &[3]);
    let (_, g) = erf_loss_grad(&x);
    assert_all_close(
        &g.to_vec(),
        &fd_tensor(|x| erf_loss(x).item(), &x).to_vec(),
        1e-7,
    );
    let (_, jv) = erf_loss_jvp(&x, &v);
    assert_close(jv.item(), dot(&g, &v), 1e-12);
    let (_, _, hv) = erf_loss_hvp(&x, &v);
    assert_all_close(&hv.to_vec(), &fd_hvp(|x| erf_loss_grad(x).1, &x, &v), 1e-6);

    let (_, g) = gelu_loss_grad(&x);
    let (_, jv) = gelu_loss_jvp(&x, &v);
    assert_close(jv.item(), dot(&g, &v), 1e-12);
    let (_, _, hv) = gelu_loss_hvp(&x, &v);
    assert_all_close(&hv.to_vec(), &fd_hvp(|x| gelu_loss_grad(x).1, &x, &v), 1e-6);
}

/// What reverse mode takes as a constant (`detach()`, `no_grad`) kept its tangent in `NAME_jvp`,
/// which then disagreed with the pullback.
#[differentiable(jvp)]
fn detached(x: &Tensor<f64>) -> Tensor<f64> {
    (x * x.detach()).sum()
}

#[differentiable(jvp)]
fn no_grad_scale(x: &Tensor<f64>) -> Tensor<f64> {
    let s = autodiff::no_grad(|| x.sum());
    let n = autodiff::no_grad(|| x.numel());
    (x * s.item()).sum() * (n as f64)
}

#[test]
fn detach_and_no_grad_are_constants_in_forward_mode() {
    let x = Tensor::from_vec(vec![0.3, 0.8, 1.1], &[3]);
    let v = Tensor::from_vec(vec![1.0, 0.5, -2.0], &[3]);
    let (_, g) = detached_grad(&x);
    assert_close(detached_jvp(&x, &v).1.item(), dot(&g, &v), 1e-12);
    let (_, g) = no_grad_scale_grad(&x);
    assert_close(no_grad_scale_jvp(&x, &v).1.item(), dot(&g, &v), 1e-12);
}

/// The scalar forward mode (`T: Float` functions run at `Dual<T>`) has the same disagreement
/// with `no_grad`; the function itself is instantiated there, with no copy to rewrite.
#[differentiable(jvp)]
fn scalar_no_grad<T: Float>(x: T) -> T {
    let s = autodiff::no_grad(|| x * x);
    x * s
}

/// (Fixed in the runtime: inside `no_grad` dual numbers are built without tangent.)
#[test]
fn scalar_forward_mode_treats_no_grad_as_a_constant() {
    let (_, g) = scalar_no_grad_grad(0.7);
    assert_close(scalar_no_grad_jvp(0.7, 1.0).1, g, 1e-12);
}

// ---- forward mode of tensor functions: forms that did not compile --------------------------

/// A plain `f64` parameter compared with a dual scalar, and passed to tensor methods.
#[differentiable(wrt(x), jvp, hvp)]
fn plain_parameters(x: &Tensor<f64>, threshold: f64, lo: f64, p: f64) -> Tensor<f64> {
    let s = x.sum().item();
    let y = x.clamp(lo, 10.0).powf(p).sum();
    if s > threshold && threshold <= s {
        y * 2.0
    } else {
        y
    }
}

/// A parameter name shadowed by a dual value in the body, compared with a plain parameter.
#[differentiable(wrt(x), jvp, hvp)]
fn shadowed_parameters(x: &Tensor<f64>, s: f64, lo: f64) -> Tensor<f64> {
    let s = x.sum().item() * s;
    let y = x.clamp(lo, 10.0).sum();
    if s > 1.0 && lo < s && s >= lo {
        y * s
    } else {
        y
    }
}

/// An exponent parameter shadowed by a dual value (a differentiated exponent).
#[differentiable(wrt(x), jvp, hvp)]
fn shadowed_exponent(x: &Tensor<f64>, p: f64) -> Tensor<f64> {
    let p = x.get(&[0]) * p;
    x.powf(p).sum()
}

/// A differentiated scalar taken by reference.
#[differentiable(jvp, hvp)]
fn by_reference(x: &Tensor<f64>, s: &f64) -> Tensor<f64> {
    (x * *s).powi(2).sum()
}

#[test]
fn plain_parameters_and_scalars_by_reference() {
    let x = Tensor::from_vec(vec![0.3, 0.8, 1.1], &[3]);
    let v = Tensor::from_vec(vec![1.0, 0.5, -2.0], &[3]);
    for threshold in [0.0, 100.0] {
        let (_, g) = plain_parameters_grad(&x, threshold, 0.5, 2.5);
        let (_, jv) = plain_parameters_jvp(&x, threshold, 0.5, 2.5, &v);
        assert_close(jv.item(), dot(&g, &v), 1e-12);
        let (_, _, hv) = plain_parameters_hvp(&x, threshold, 0.5, 2.5, &v);
        let grad = |x: &Tensor<f64>| plain_parameters_grad(x, threshold, 0.5, 2.5).1;
        assert_all_close(&hv.to_vec(), &fd_hvp(grad, &x, &v), 1e-6);
    }
    for s in [0.1, 2.0] {
        let (_, g) = shadowed_parameters_grad(&x, s, 0.5);
        let (_, jv) = shadowed_parameters_jvp(&x, s, 0.5, &v);
        assert_close(jv.item(), dot(&g, &v), 1e-12);
        let (_, _, hv) = shadowed_parameters_hvp(&x, s, 0.5, &v);
        let grad = |x: &Tensor<f64>| shadowed_parameters_grad(x, s, 0.5).1;
        assert_all_close(&hv.to_vec(), &fd_hvp(grad, &x, &v), 1e-6);
    }
    let (_, g) = shadowed_exponent_grad(&x, 2.0);
    assert_close(
        shadowed_exponent_jvp(&x, 2.0, &v).1.item(),
        dot(&g, &v),
        1e-12,
    );
    let (_, _, hv) = shadowed_exponent_hvp(&x, 2.0, &v);
    let grad = |x: &Tensor<f64>| shadowed_exponent_grad(x, 2.0).1;
    assert_all_close(&hv.to_vec(), &fd_hvp(grad, &x, &v), 1e-6);
    let (_, (gx, gs)) = by_reference_grad(&x, &1.5);
    let (_, jv) = by_reference_jvp(&x, &1.5, &v, &0.7);
    assert_close(jv.item(), dot(&gx, &v) + 0.7 * gs, 1e-12);
    let (_, _, (hx, hs)) = by_reference_hvp(&x, &1.5, &v, &0.7);
    let h = common::H;
    let along = |t: f64| by_reference_grad(&(&x + &v * t), &(1.5 + 0.7 * t)).1;
    let ((px, ps), (mx, ms)) = (along(h), along(-h));
    assert_close(hs, (ps - ms) / (2.0 * h), 1e-6);
    let fd_hx: Vec<f64> = px
        .to_vec()
        .iter()
        .zip(mx.to_vec())
        .map(|(p, m)| (p - m) / (2.0 * h))
        .collect();
    assert_all_close(&hx.to_vec(), &fd_hx, 1e-6);
}

// ---- forward mode of tensor functions: forms that already worked -----------------------------

#[differentiable(wrt(x), jvp, hvp)]
fn with_match(x: &Tensor<f64>, mode: usize) -> Tensor<f64> {
    let y = match mode {
        0 => x.exp(),
        1 => x.sin() * 2.0,
        _ => x * x,
    };
    if y.sum().item() > 100.0 {
        return y.sum() * 0.5;
    }
    let mut acc = y.sum();
    for i in 0..3 {
        acc += y.get(&[i % 2]) * (i as f64);
    }
    acc
}

#[differentiable(jvp, hvp)]
fn scalar_out(x: &Tensor<f64>) -> f64 {
    let s = x.sum().item();
    let t = (0..3)
        .map(|i| x.get(&[i]).sin())
        .fold(s * 0.0, |a, b| a + b);
    s * s + t
}

#[differentiable(wrt(x), jvp, hvp)]
fn with_slice_data(x: &Tensor<f64>, data: &[Tensor<f64>]) -> Tensor<f64> {
    let mut acc = x.sum() * 0.0;
    for d in data {
        acc += (x * d).tanh().sum();
    }
    acc
}

#[differentiable(jvp)]
fn with_closure(x: &Tensor<f64>) -> Tensor<f64> {
    let f = |k: f64| (x * k).sin().sum();
    f(2.0) + f(0.5) * x.sum()
}

#[differentiable(jvp, hvp)]
fn softmax_var(x: &Tensor<f64>) -> Tensor<f64> {
    (x.softmax(0) * x.log_softmax(0)).sum() + x.var(0, true, false).sum()
}

#[differentiable(jvp, hvp)]
fn f32_loss(x: &Tensor<f32>) -> Tensor<f32> {
    (x.tanh() * x).sum()
}

#[differentiable(jvp)]
fn untyped(x: &Tensor) -> Tensor {
    x.exp() * 2.0
}

#[test]
fn matches_returns_slices_closures_iterators_f32_and_untyped_tensors() {
    let x = Tensor::from_vec(vec![0.3, -0.8, 1.1], &[3]);
    let v = Tensor::from_vec(vec![1.0, 0.5, -2.0], &[3]);
    for mode in 0..3 {
        let (_, g) = with_match_grad(&x, mode);
        assert_close(with_match_jvp(&x, mode, &v).1.item(), dot(&g, &v), 1e-12);
        let (_, _, hv) = with_match_hvp(&x, mode, &v);
        let grad = |x: &Tensor<f64>| with_match_grad(x, mode).1;
        assert_all_close(&hv.to_vec(), &fd_hvp(grad, &x, &v), 1e-6);
    }
    let (_, g) = scalar_out_grad(&x);
    assert_close(scalar_out_jvp(&x, &v).1, dot(&g, &v), 1e-12);
    let (_, _, hv) = scalar_out_hvp(&x, &v);
    assert_all_close(
        &hv.to_vec(),
        &fd_hvp(|x| scalar_out_grad(x).1, &x, &v),
        1e-6,
    );
    let data: Vec<Tensor<f64>> = (0..3).map(|s| Tensor::randn(&[3], 40 + s)).collect();
    let (_, g) = with_slice_data_grad(&x, &data);
    assert_close(
        with_slice_data_jvp(&x, &data, &v).1.item(),
        dot(&g, &v),
        1e-12,
    );
    let (_, g) = with_closure_grad(&x);
    assert_close(with_closure_jvp(&x, &v).1.item(), dot(&g, &v), 1e-12);
    let (_, g) = softmax_var_grad(&x);
    assert_all_close(
        &g.to_vec(),
        &fd_tensor(|x| softmax_var(x).item(), &x).to_vec(),
        1e-7,
    );
    assert_close(softmax_var_jvp(&x, &v).1.item(), dot(&g, &v), 1e-12);
    let (_, _, hv) = softmax_var_hvp(&x, &v);
    assert_all_close(
        &hv.to_vec(),
        &fd_hvp(|x| softmax_var_grad(x).1, &x, &v),
        1e-6,
    );

    // f32: against the f64 derivatives, to f32 precision (f'' = 2 sech² x (1 - x tanh x))
    let x32 = Tensor::from_vec(vec![0.3f32, 0.8, 1.1], &[3]);
    let v32 = Tensor::from_vec(vec![1.0f32, 0.5, -2.0], &[3]);
    let (_, jv) = f32_loss_jvp(&x32, &v32);
    let (_, _, hv) = f32_loss_hvp(&x32, &v32);
    let (mut jv_ref, mut hv_ref) = (0.0, Vec::new());
    for (xi, vi) in [0.3f64, 0.8, 1.1].into_iter().zip([1.0, 0.5, -2.0]) {
        let (t, s2) = (xi.tanh(), 1.0 - xi.tanh().powi(2));
        jv_ref += (t + xi * s2) * vi;
        hv_ref.push(2.0 * s2 * (1.0 - xi * t) * vi);
    }
    assert_close(jv.item() as f64, jv_ref, 1e-5);
    let hv: Vec<f64> = hv.to_vec().into_iter().map(f64::from).collect();
    assert_all_close(&hv, &hv_ref, 1e-5);
    let (_, jv) = untyped_jvp(&x32, &v32);
    for ((j, xi), vi) in jv.to_vec().into_iter().zip(x32.to_vec()).zip(v32.to_vec()) {
        assert_close(j as f64, 2.0 * (xi as f64).exp() * vi as f64, 1e-6);
    }
}
