//! `#[checkpoint(every = K)]` loops: the same gradient as the loop without the attribute (bit for
//! bit: the blocks run again are the same operations in the same order), for every kind of loop
//! and block length, including trip counts that are not multiples of K, data-dependent `while`
//! loops, loops inside loops, tensor state and arguments read by reference; and against central
//! finite differences.

mod common;
use autodiff::prelude::*;
use common::{assert_close, fd, fd_tensor};
use proptest::prelude::*;

/// W4: explicit Euler steps of `x' = p sin x - q x²`.
#[differentiable]
fn euler(x0: f64, p: f64, q: f64, steps: usize) -> f64 {
    let h = 0.001;
    let mut x = x0;
    for _ in 0..steps {
        x += h * (p * x.sin() - q * x * x);
    }
    x
}

#[differentiable]
fn euler_checkpointed(x0: f64, p: f64, q: f64, steps: usize, k: usize) -> f64 {
    let h = 0.001;
    let mut x = x0;
    #[checkpoint(every = k)]
    for _ in 0..steps {
        x += h * (p * x.sin() - q * x * x);
    }
    x
}

#[test]
fn euler_matches_the_unrecorded_loop_bit_for_bit_at_every_block_boundary() {
    for k in [1, 2, 7, 64] {
        for steps in [0, 1, k - 1, k, k + 1, 3 * k, 3 * k + 2, 1000] {
            let plain = euler_grad(0.5, 1.3, 0.7, steps);
            let ck = euler_checkpointed_grad(0.5, 1.3, 0.7, steps, k);
            assert_eq!(plain, ck, "k = {k}, steps = {steps}");
        }
    }
}

#[test]
fn euler_gradient_matches_finite_differences() {
    let (_, (gx, gp, gq)) = euler_checkpointed_grad(0.5, 1.3, 0.7, 500, 30);
    assert_close(gx, fd(|x| euler(x, 1.3, 0.7, 500), 0.5), 1e-7);
    assert_close(gp, fd(|p| euler(0.5, p, 0.7, 500), 1.3), 1e-7);
    assert_close(gq, fd(|q| euler(0.5, 1.3, q, 500), 0.7), 1e-7);
}

/// Two state variables (a leapfrog step), an index used in the body, `continue`, and an inner
/// loop that is recorded as usual inside each block.
#[differentiable(wrt(x0, v0, k))]
fn oscillator(x0: f64, v0: f64, k: f64, steps: usize, every: usize) -> f64 {
    let dt = 0.01;
    let mut x = x0;
    let mut v = v0;
    let mut energy = 0.0;
    #[checkpoint(every = every)]
    for i in 0..steps {
        v -= 0.5 * dt * k * x.sin();
        x += dt * v;
        v -= 0.5 * dt * k * x.sin();
        if i % 3 == 0 {
            continue;
        }
        let mut damp = 1.0;
        for _ in 0..(i % 4) {
            damp *= 0.999;
        }
        v *= damp;
        energy += (i as f64 + 1.0).recip() * (v * v + k * x * x);
    }
    energy + x
}

#[differentiable(wrt(x0, v0, k))]
fn oscillator_plain(x0: f64, v0: f64, k: f64, steps: usize) -> f64 {
    let dt = 0.01;
    let mut x = x0;
    let mut v = v0;
    let mut energy = 0.0;
    for i in 0..steps {
        v -= 0.5 * dt * k * x.sin();
        x += dt * v;
        v -= 0.5 * dt * k * x.sin();
        if i % 3 == 0 {
            continue;
        }
        let mut damp = 1.0;
        for _ in 0..(i % 4) {
            damp *= 0.999;
        }
        v *= damp;
        energy += (i as f64 + 1.0).recip() * (v * v + k * x * x);
    }
    energy + x
}

#[test]
fn several_state_variables_continue_and_inner_loops() {
    for every in [1, 5, 16, 100] {
        let plain = oscillator_plain_grad(0.3, -0.2, 2.0, 97);
        let ck = oscillator_grad(0.3, -0.2, 2.0, 97, every);
        assert_eq!(plain, ck, "every = {every}");
    }
    let (_, (gx, gv, gk)) = oscillator_grad(0.3, -0.2, 2.0, 97, 10);
    assert_close(gx, fd(|x| oscillator(x, -0.2, 2.0, 97, 10), 0.3), 1e-6);
    assert_close(gv, fd(|v| oscillator(0.3, v, 2.0, 97, 10), -0.2), 1e-6);
    assert_close(gk, fd(|k| oscillator(0.3, -0.2, k, 97, 10), 2.0), 1e-6);
}

/// A `while` loop with a data-dependent trip count (the seed notebook's control flow), and a
/// `loop` left by `break`.
#[differentiable]
fn doubling(a: &Tensor<f64>) -> Tensor<f64> {
    let mut b = a * 2.0;
    #[checkpoint(every = 3)]
    while b.norm().item() < 1000.0 {
        b = &b * 2.0;
    }
    if b.sum().item() > 0.0 {
        b.sum()
    } else {
        (&b * 100.0).sum()
    }
}

#[differentiable]
fn newton_sqrt(a: f64) -> f64 {
    let mut x = a;
    #[checkpoint(every = 2)]
    loop {
        let next = 0.5 * (x + a / x);
        let converged = (next - x).abs() <= 1e-15 * x;
        x = next;
        if converged {
            break;
        }
    }
    x
}

#[test]
fn while_and_loop_with_data_dependent_trip_counts() {
    let a = Tensor::from_vec(vec![0.01, -0.03, 0.02], &[3]);
    let (c, g) = doubling_grad(&a);
    // linear along the path taken: the gradient is the constant factor
    let factor = c.item() / a.sum().item();
    for gi in g.to_vec() {
        assert_close(gi, factor, 1e-12);
    }
    for a in [0.3, 2.0, 50.0] {
        let (y, g) = newton_sqrt_grad(a);
        assert_close(y, a.sqrt(), 1e-14);
        assert_close(g, 0.5 / a.sqrt(), 1e-12);
    }
}

/// A recurrent cell over `steps` inputs: tensor state, a weight read by reference every step,
/// the step index reading the data, a reversed range.
#[differentiable(wrt(w, h0))]
fn rnn(w: &Tensor<f64>, h0: &Tensor<f64>, xs: &[Tensor<f64>], every: usize) -> Tensor<f64> {
    let mut h = h0.clone();
    #[checkpoint(every = every)]
    for t in (0..xs.len()).rev() {
        h = (w.mm(&h) + &xs[t]).tanh();
    }
    h.sum()
}

#[differentiable(wrt(w, h0))]
fn rnn_plain(w: &Tensor<f64>, h0: &Tensor<f64>, xs: &[Tensor<f64>]) -> Tensor<f64> {
    let mut h = h0.clone();
    for t in (0..xs.len()).rev() {
        h = (w.mm(&h) + &xs[t]).tanh();
    }
    h.sum()
}

#[test]
fn tensor_state_and_arguments_read_by_reference() {
    let w = Tensor::<f64>::randn_scaled(&[4, 4], 7, 0.5);
    let h0 = Tensor::<f64>::randn(&[4, 1], 8);
    let xs: Vec<Tensor<f64>> = (0..23).map(|s| Tensor::randn(&[4, 1], 100 + s)).collect();
    let (_, (gw_plain, gh_plain)) = rnn_plain_grad(&w, &h0, &xs);
    for every in [1, 4, 23, 50] {
        let (_, (gw, gh)) = rnn_grad(&w, &h0, &xs, every);
        assert_eq!(gw.to_vec(), gw_plain.to_vec(), "every = {every}");
        assert_eq!(gh.to_vec(), gh_plain.to_vec(), "every = {every}");
    }
    let (_, (gw, _)) = rnn_grad(&w, &h0, &xs, 5);
    let fd_w = fd_tensor(|w| rnn(w, &h0, &xs, 5).item(), &w);
    for (a, b) in gw.to_vec().into_iter().zip(fd_w.to_vec()) {
        assert_close(a, b, 1e-6);
    }
}

/// A checkpointed loop inside an ordinary loop: one stored record per execution.
#[differentiable]
fn epochs(x0: f64, p: f64) -> f64 {
    let mut x = x0;
    for e in 0..3 {
        let scale = 1.0 + e as f64;
        #[checkpoint(every = 4)]
        for _ in 0..10 {
            x = x + 0.01 * (p * scale * x).sin();
        }
        x *= 0.9;
    }
    x
}

#[test]
fn checkpointed_loop_inside_a_loop() {
    let (_, (gx, gp)) = epochs_grad(0.4, 1.7);
    assert_close(gx, fd(|x| epochs(x, 1.7), 0.4), 1e-8);
    assert_close(gp, fd(|p| epochs(0.4, p), 1.7), 1e-8);
}

/// A generic function: forward mode and Hessian-vector products go through the checkpointed
/// loop too (the dual numbers are stored and restored like any value).
#[differentiable(jvp, hvp)]
fn euler_generic<T: Float>(x0: T, p: T, steps: usize) -> T {
    let h = T::from(0.01).unwrap();
    let mut x = x0;
    #[checkpoint(every = 8)]
    for _ in 0..steps {
        x = x + h * (p * x.sin() - x * x);
    }
    x
}

#[test]
fn forward_mode_and_hvp_through_a_checkpointed_loop() {
    let (_, (gx, gp)) = euler_generic_grad(0.5, 1.3, 50);
    let (_, jv) = euler_generic_jvp(0.5, 1.3, 50, 1.0, -2.0);
    assert_close(jv, gx - 2.0 * gp, 1e-12);
    let (_, _, (hx, hp)) = euler_generic_hvp(0.5, 1.3, 50, 1.0, 0.0);
    let dgx = |x: f64| euler_generic_grad(x, 1.3, 50).1;
    assert_close(hx, fd(|x| dgx(x).0, 0.5), 1e-6);
    assert_close(hp, fd(|x| dgx(x).1, 0.5), 1e-6);
}

#[test]
#[should_panic(expected = "K must be at least 1")]
fn a_block_length_of_zero_is_refused_at_run_time() {
    let _ = euler_checkpointed_grad(0.5, 1.3, 0.7, 10, 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_block_length_gives_the_unrecorded_gradient(
        x0 in -1.0f64..1.0,
        p in 0.1f64..2.0,
        q in 0.1f64..2.0,
        steps in 0usize..300,
        k in 1usize..40,
    ) {
        prop_assert_eq!(euler_grad(x0, p, q, steps), euler_checkpointed_grad(x0, p, q, steps, k));
    }
}

#[derive(Clone, Differentiable)]
struct Cell {
    w: Tensor<f64>,
    b: Tensor<f64>,
}

impl Cell {
    /// The workaround the `self` error suggests: bind the field before the loop.
    #[differentiable(wrt(self, h0))]
    fn unroll(&self, h0: &Tensor<f64>, steps: usize) -> Tensor<f64> {
        let w = self.w.clone();
        let mut h = h0.clone();
        #[checkpoint(every = 3)]
        for _ in 0..steps {
            h = w.mm(&h).tanh();
        }
        (h * &self.b).sum()
    }
}

/// A differentiated struct read by field inside the loop.
#[differentiable(wrt(cell, h0))]
fn unroll_fields(cell: &Cell, h0: &Tensor<f64>, steps: usize) -> Tensor<f64> {
    let mut h = h0.clone();
    #[checkpoint(every = 4)]
    for _ in 0..steps {
        h = (cell.w.mm(&h) + &cell.b).tanh();
    }
    h.sum()
}

#[test]
fn struct_arguments_and_methods() {
    let cell = Cell {
        w: Tensor::randn_scaled(&[3, 3], 21, 0.6),
        b: Tensor::randn(&[3, 1], 22),
    };
    let h0 = Tensor::<f64>::randn(&[3, 1], 23);
    let (_, (gc, gh)) = cell.unroll_grad(&h0, 10);
    let fd_w = fd_tensor(
        |w| {
            let c = Cell {
                w: w.clone(),
                b: cell.b.clone(),
            };
            c.unroll(&h0, 10).item()
        },
        &cell.w,
    );
    let fd_h = fd_tensor(|h| cell.unroll(h, 10).item(), &h0);
    for (a, b) in gc.w.to_vec().into_iter().zip(fd_w.to_vec()) {
        assert_close(a, b, 1e-6);
    }
    for (a, b) in gh.to_vec().into_iter().zip(fd_h.to_vec()) {
        assert_close(a, b, 1e-6);
    }
    let (_, (gc, _)) = unroll_fields_grad(&cell, &h0, 10);
    let fd_b = fd_tensor(
        |b| {
            let c = Cell {
                w: cell.w.clone(),
                b: b.clone(),
            };
            unroll_fields(&c, &h0, 10).item()
        },
        &cell.b,
    );
    for (a, b) in gc.b.to_vec().into_iter().zip(fd_b.to_vec()) {
        assert_close(a, b, 1e-6);
    }
}

/// `while let` over data the loop consumes: the `Vec` is state, stored at every block start.
#[differentiable(wrt(x0))]
fn drain(x0: f64, forces: &[f64]) -> f64 {
    let mut x = x0;
    let mut pending = forces.to_vec();
    #[checkpoint(every = 3)]
    while let Some(f) = pending.pop() {
        x = x * f + x.sin();
    }
    x
}

#[test]
fn while_let_over_consumed_data() {
    let forces = [0.9, 1.1, 0.7, 1.3, 0.95, 1.05, 0.8];
    let (_, g) = drain_grad(0.4, &forces);
    assert_close(g, fd(|x| drain(x, &forces), 0.4), 1e-8);
}
