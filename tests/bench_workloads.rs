//! Keeps the benchmark workloads honest: runs each workload of `examples/bench/workloads.rs`
//! once at a small size and checks its value and gradient
//!
//! 1. against float64 versions of the same functions (differentiated by the same macro),
//!    whose gradients are in turn checked against central finite differences in float64, and
//! 2. against `benches/reference-values.jsonl` at the sizes small enough for a debug test
//!    (W1 n=4, W2 2x2, W3 scalar, W4 T=10000), with the runner's tolerance.
//!
//! The hand-written gradients of `examples/bench/hand.rs` go through the same checks.
//!
//! So a broken benchmark (a wrong function, wrong inputs, a wrong derivative) fails `cargo test`
//! rather than producing fast wrong numbers.

#[path = "../examples/bench/reference.rs"]
mod reference;
#[path = "../examples/bench/workloads.rs"]
mod workloads;

use autodiff::prelude::*;
use std::path::PathBuf;
use workloads::Evaluation;

type T64 = Tensor<f64>;

// The workloads again, in float64, written with the `T64` alias (a name the macro cannot see
// through: such parameters go through `Differentiable`, which resolves it). They are copies
// because the element type differs from the f32 workloads', not because of the spelling.

#[differentiable]
fn w1_f64(x: &T64) -> T64 {
    2.0 * x.dot(x)
}

#[differentiable]
fn w2_f64(x: &T64) -> T64 {
    ((x + 2.0).powi(2) * 3.0).mean()
}

#[differentiable]
fn w3_f64(a: &T64) -> T64 {
    let mut b = a * 2.0;
    while b.norm().item() < 1000.0 {
        b = &b * 2.0;
    }
    let c = if b.sum().item() > 0.0 { b } else { &b * 100.0 };
    c.sum()
}

#[differentiable]
fn w4_f64(x0: f64, p: f64, q: f64, steps: usize) -> f64 {
    let h = 0.001;
    let mut x = x0;
    for _ in 0..steps {
        x += h * (p * x.sin() - q * x * x);
    }
    x
}

#[differentiable(wrt(w1, w2))]
fn w5_f64(x: &T64, w1: &T64, w2: &T64, y: &T64) -> T64 {
    (x.mm(w1).tanh().mm(w2) - y).powi(2).mean()
}

#[differentiable]
fn w6_f64(a: &T64, b: &T64, c: &T64) -> T64 {
    a.mm(b).tanh().mm(c).sum()
}

/// The float64 tensor holding exactly the values of a float32 input.
fn wide(t: &Tensor) -> T64 {
    Tensor::from_vec(t.as_slice().iter().map(|&v| v as f64).collect(), t.shape())
}

/// Central finite difference of `f` in coordinate `idx` of input `which`.
fn finite_difference(f: &dyn Fn(&[T64]) -> f64, inputs: &[T64], which: usize, idx: usize) -> f64 {
    let x = inputs[which].as_slice()[idx];
    let h = 1e-4 * x.abs().max(1.0);
    let shifted = |delta: f64| {
        let mut moved = inputs.to_vec();
        moved[which].as_mut_slice()[idx] = x + delta;
        f(&moved)
    };
    (shifted(h) - shifted(-h)) / (2.0 * h)
}

/// A few coordinates of an `n`-element input: all of them when small, else the first, last
/// and some in between.
fn coordinates(n: usize) -> Vec<usize> {
    if n <= 16 {
        (0..n).collect()
    } else {
        let mut c = vec![0, 1, n / 3, n / 2, 2 * n / 3, n - 1];
        c.dedup();
        c
    }
}

/// Checks the float64 gradients against finite differences, and both float32 evaluations of the
/// instance (the `#[differentiable]` one and the hand-written one) against the float64 value and
/// gradients; returns the two evaluations.
fn check(
    name: &str,
    inst: &mut workloads::Instance,
    f: &dyn Fn(&[T64]) -> f64,
    inputs: &[T64],
    value64: f64,
    grads64: &[T64],
) -> [Evaluation; 2] {
    let eval = (inst.evaluate)();
    let hand = (inst.hand_evaluate)();
    check_one(name, &eval, f, inputs, value64, grads64);
    check_one(
        &format!("{name} (hand-written)"),
        &hand,
        f,
        inputs,
        value64,
        grads64,
    );
    [eval, hand]
}

fn check_one(
    name: &str,
    eval: &Evaluation,
    f: &dyn Fn(&[T64]) -> f64,
    inputs: &[T64],
    value64: f64,
    grads64: &[T64],
) {
    assert_eq!(
        eval.grads.len(),
        grads64.len(),
        "{name}: number of gradients"
    );
    assert_eq!(
        grads64.len(),
        inputs.len(),
        "{name}: one gradient per differentiated input"
    );

    // The float64 function: value and gradient against finite differences.
    let plain = f(inputs);
    assert!(
        (plain - value64).abs() <= 1e-12 * plain.abs().max(1.0),
        "{name}: f64 `_grad` value {value64} differs from the plain function's {plain}"
    );
    let largest = grads64
        .iter()
        .flat_map(|g| g.as_slice())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    for (which, g) in grads64.iter().enumerate() {
        assert_eq!(
            g.shape(),
            inputs[which].shape(),
            "{name}: gradient {which} shape"
        );
        for idx in coordinates(g.numel()) {
            let ad = g.as_slice()[idx];
            let fd = finite_difference(f, inputs, which, idx);
            let tol = 1e-6 * ad.abs() + 1e-8 * largest;
            assert!(
                (ad - fd).abs() <= tol,
                "{name}: f64 gradient {which}[{idx}] = {ad:e}, finite difference {fd:e}"
            );
        }
    }

    // The float32 workload against the float64 one.
    let rel = |a: f64, b: f64, scale: f64| (a - b).abs() / scale.abs().max(f64::MIN_POSITIVE);
    assert!(
        rel(eval.value, value64, value64) < 1e-4,
        "{name}: f32 value {} vs f64 value {value64}",
        eval.value
    );
    assert_eq!(
        eval.fwd_value, eval.value,
        "{name}: plain function and `_grad` disagree"
    );
    for (g32, g64) in eval.grads.iter().zip(grads64) {
        assert_eq!(
            g32.shape,
            g64.shape(),
            "{name}: gradient `{}` shape",
            g32.name
        );
        let mean_abs =
            g64.as_slice().iter().map(|v| v.abs()).sum::<f64>() / g64.numel().max(1) as f64;
        for (i, (&a, &b)) in g32.data.iter().zip(g64.as_slice()).enumerate() {
            assert!(
                rel(a as f64, b, b.abs().max(mean_abs)) < 2e-3,
                "{name}: f32 gradient `{}`[{i}] = {a:e}, f64 gradient {b:e}",
                g32.name
            );
        }
    }
}

fn references() -> Vec<reference::Reference> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/reference-values.jsonl");
    reference::load(&path).unwrap_or_else(|e| panic!("reference values: {e}"))
}

/// Checks a small-size evaluation against the reference file, if the file has that size.
fn check_reference(workload: &str, size: &str, inst_numel: usize, steps: usize, eval: &Evaluation) {
    let refs = references();
    let Some(r) = refs
        .iter()
        .find(|r| r.workload == workload && r.size == size)
    else {
        return;
    };
    let grads: Vec<(&str, &[usize], &[f32])> = eval
        .grads
        .iter()
        .map(|g| (g.name, g.shape.as_slice(), g.data.as_slice()))
        .collect();
    let cmp = reference::compare(r, inst_numel, steps, eval.value, &grads);
    assert!(
        cmp.failures.is_empty(),
        "{workload} {size}: {:#?}",
        cmp.failures
    );
}

#[test]
#[allow(clippy::excessive_precision)] // the check values exactly as WORKLOADS.md prints them
fn inputs_match_the_workload_definition() {
    let x = workloads::w1_input(4);
    assert_eq!(
        x.to_vec(),
        vec![-0.0282497462f32, -0.227919519, 0.103090949, -0.506204069]
    );
}

#[test]
fn w1_dot() {
    let mut inst = workloads::w1_instance(4);
    let x = wide(&workloads::w1_input(4));
    let (v, g) = w1_f64_grad(&x);
    let evals = check(
        "W1",
        &mut inst,
        &|i| w1_f64(&i[0]).item(),
        &[x],
        v.item(),
        &[g],
    );
    for eval in &evals {
        check_reference("W1-seed-dot", "n=4", inst.numel, inst.steps, eval);
    }
}

#[test]
fn w2_mean() {
    let mut inst = workloads::w2_instance(2, 2);
    let x = wide(&workloads::w2_input(2, 2));
    let (v, g) = w2_f64_grad(&x);
    let evals = check(
        "W2",
        &mut inst,
        &|i| w2_f64(&i[0]).item(),
        &[x],
        v.item(),
        &[g],
    );
    for eval in &evals {
        check_reference("W2-seed-mean", "2x2", inst.numel, inst.steps, eval);
    }
}

#[test]
fn w3_control_flow_scalar() {
    let mut inst = workloads::w3_instance(workloads::w3_scalar_input());
    let a = wide(&workloads::w3_scalar_input());
    let (v, g) = w3_f64_grad(&a);
    // 0.0984 * 2 doubled 13 times passes 1000; the sum is positive.
    assert_eq!(g.item(), 16384.0);
    let evals = check(
        "W3 scalar",
        &mut inst,
        &|i| w3_f64(&i[0]).item(),
        &[a],
        v.item(),
        &[g],
    );
    for eval in &evals {
        check_reference(
            "W3-seed-control-flow",
            "scalar",
            inst.numel,
            inst.steps,
            eval,
        );
    }
}

#[test]
fn w3_control_flow_vector() {
    // A small vector with the definition's generator: the other branch (negative sum, x100).
    let input = workloads::w3_vector_input(1000);
    let mut inst = workloads::w3_instance(input.clone());
    let a = wide(&input);
    let (v, g) = w3_f64_grad(&a);
    check(
        "W3 n=1000",
        &mut inst,
        &|i| w3_f64(&i[0]).item(),
        &[a],
        v.item(),
        &[g],
    );
}

#[test]
fn w4_scalar_loop() {
    use workloads::{W4_P, W4_Q, W4_STEPS, W4_X0};
    let mut inst = workloads::w4_instance(W4_STEPS);
    let (x0, p, q) = (W4_X0 as f64, W4_P as f64, W4_Q as f64);
    let (v, (dx0, dp, dq)) = w4_f64_grad(x0, p, q, W4_STEPS);
    let inputs = [T64::scalar(x0), T64::scalar(p), T64::scalar(q)];
    let grads = [T64::scalar(dx0), T64::scalar(dp), T64::scalar(dq)];
    let f = |i: &[T64]| w4_f64(i[0].item(), i[1].item(), i[2].item(), W4_STEPS);
    let evals = check("W4", &mut inst, &f, &inputs, v, &grads);
    for eval in &evals {
        check_reference("W4-scalar-loop", "T=10000", inst.numel, inst.steps, eval);
    }
}

#[test]
fn w5_mlp() {
    let (b, i, h, o) = (4, 6, 5, 3);
    let mut inst = workloads::w5_instance(b, i, h, o);
    let (x, w1, w2, y) = workloads::w5_inputs(b, i, h, o);
    let (x, w1, w2, y) = (wide(&x), wide(&w1), wide(&w2), wide(&y));
    let (v, (g1, g2)) = w5_f64_grad(&x, &w1, &w2, &y);
    let f = |i: &[T64]| w5_f64(&x, &i[0], &i[1], &y).item();
    check(
        "W5",
        &mut inst,
        &f,
        &[w1.clone(), w2.clone()],
        v.item(),
        &[g1, g2],
    );
}

#[test]
fn w6_big_mm() {
    let n = 8;
    let mut inst = workloads::w6_instance(n);
    let (a, b, c) = workloads::w6_inputs(n);
    let (a, b, c) = (wide(&a), wide(&b), wide(&c));
    let (v, (ga, gb, gc)) = w6_f64_grad(&a, &b, &c);
    let f = |i: &[T64]| w6_f64(&i[0], &i[1], &i[2]).item();
    check("W6", &mut inst, &f, &[a, b, c], v.item(), &[ga, gb, gc]);
}

#[test]
fn every_defined_size_has_a_reference() {
    let refs = references();
    for spec in workloads::specs(workloads::W4_STEPS) {
        assert!(
            refs.iter()
                .any(|r| r.workload == spec.workload && r.size == spec.size),
            "no reference for {} {}",
            spec.workload,
            spec.size
        );
    }
}
