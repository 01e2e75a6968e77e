//! The six benchmark workloads of `benches/WORKLOADS.md`, written as ordinary
//! `#[differentiable]` functions (what a user gets), their inputs, and the hand-written
//! gradients of `hand.rs` they are measured against.
//!
//! Shared by the runner (`examples/bench/main.rs`), the criterion benchmarks
//! (`benches/workloads.rs`) and the test (`tests/bench_workloads.rs`) through
//! `#[path = "..."] mod workloads;`, so all three measure and check the same code.
#![allow(dead_code)] // each includer uses a different subset

#[path = "hand.rs"]
pub mod hand;

use autodiff::prelude::*;
use std::hint::black_box;

// ---------------------------------------------------------------------------------------------
// The functions
// ---------------------------------------------------------------------------------------------

/// W1-seed-dot: `y = 2*dot(x, x)`.
#[differentiable]
pub fn w1_dot(x: &Tensor) -> Tensor {
    2.0 * x.dot(x)
}

/// W2-seed-mean: `mean(3*(x+2)^2)`.
#[differentiable]
pub fn w2_mean(x: &Tensor) -> Tensor {
    ((x + 2.0).powi(2) * 3.0).mean()
}

/// W3-seed-control-flow: `b = 2a; while norm2(b) < 1000 { b = 2b }; c = if sum(b) > 0 { b }
/// else { 100b }; sum(c)`.
#[differentiable]
pub fn w3_control_flow(a: &Tensor) -> Tensor {
    let mut b = a * 2.0;
    while b.norm().item() < 1000.0 {
        b = &b * 2.0;
    }
    let c = if b.sum().item() > 0.0 { b } else { &b * 100.0 };
    c.sum()
}

/// W4-scalar-loop: `steps` explicit Euler steps of `x' = p*sin(x) - q*x^2` with `h = 0.001`,
/// on plain `f32` scalars; returns `x_T`.
#[differentiable]
pub fn w4_scalar_loop(x0: f32, p: f32, q: f32, steps: usize) -> f32 {
    let h = 0.001f32;
    let mut x = x0;
    for _ in 0..steps {
        x += h * (p * x.sin() - q * x * x);
    }
    x
}

/// W5-mlp: `mean((tanh(X@W1)@W2 - Y)^2)`, differentiated with respect to the weights.
#[differentiable(wrt(w1, w2))]
pub fn w5_mlp(x: &Tensor, w1: &Tensor, w2: &Tensor, y: &Tensor) -> Tensor {
    (x.mm(w1).tanh().mm(w2) - y).powi(2).mean()
}

/// W6-big-mm: `sum(tanh(A@B)@C)`, differentiated with respect to all three matrices.
#[differentiable]
pub fn w6_big_mm(a: &Tensor, b: &Tensor, c: &Tensor) -> Tensor {
    a.mm(b).tanh().mm(c).sum()
}

// ---------------------------------------------------------------------------------------------
// The inputs, exactly as WORKLOADS.md defines them
// ---------------------------------------------------------------------------------------------

/// W1: `x = randn(1, n)`.
pub fn w1_input(n: usize) -> Tensor {
    Tensor::randn(&[n], 1)
}

/// W2: `x = randn(2, rows*cols)` with shape `[rows, cols]`.
pub fn w2_input(rows: usize, cols: usize) -> Tensor {
    Tensor::randn(&[rows, cols], 2)
}

/// W3, size `scalar`: the 0-d tensor `a = 0.0984`.
pub fn w3_scalar_input() -> Tensor {
    Tensor::scalar(0.0984f32)
}

/// W3, size `n=..`: `a = randn(3, n, 1e-3)`.
pub fn w3_vector_input(n: usize) -> Tensor {
    Tensor::randn_scaled(&[n], 3, 1e-3)
}

/// W4: initial state and parameters.
pub const W4_X0: f32 = 0.5;
pub const W4_P: f32 = 1.3;
pub const W4_Q: f32 = 0.7;
/// W4: the number of Euler steps of the `T=10000` size.
pub const W4_STEPS: usize = 10_000;

/// W5 inputs `(X, W1, W2, Y)` for an MLP `batch x input x hidden x output`
/// (the benchmark size is `64x784x256x10`).
pub fn w5_inputs(
    batch: usize,
    input: usize,
    hidden: usize,
    output: usize,
) -> (Tensor, Tensor, Tensor, Tensor) {
    (
        Tensor::randn(&[batch, input], 51),
        Tensor::randn_scaled(&[input, hidden], 53, 0.05),
        Tensor::randn_scaled(&[hidden, output], 54, 0.05),
        Tensor::randn(&[batch, output], 52),
    )
}

/// W6 inputs `(A, B, C)`, each `n x n` (the benchmark size is 1024).
pub fn w6_inputs(n: usize) -> (Tensor, Tensor, Tensor) {
    (
        Tensor::randn_scaled(&[n, n], 61, 0.03),
        Tensor::randn_scaled(&[n, n], 62, 0.03),
        Tensor::randn_scaled(&[n, n], 63, 0.03),
    )
}

// ---------------------------------------------------------------------------------------------
// A uniform view for the runner and the benchmarks
// ---------------------------------------------------------------------------------------------

/// One input's gradient, flattened.
pub struct Grad {
    pub name: &'static str,
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// What one evaluation produced: the plain function's value, the `_grad` function's value and
/// every gradient (in the reference file's input order).
pub struct Evaluation {
    pub fwd_value: f64,
    pub value: f64,
    pub grads: Vec<Grad>,
}

impl Evaluation {
    /// Sum of all gradient entries of all inputs, accumulated in f64.
    pub fn grad_checksum(&self) -> f64 {
        self.grads
            .iter()
            .flat_map(|g| &g.data)
            .map(|&v| v as f64)
            .sum()
    }

    /// Sum of the absolute values of all gradient entries, accumulated in f64.
    pub fn grad_abs_checksum(&self) -> f64 {
        self.grads
            .iter()
            .flat_map(|g| &g.data)
            .map(|&v| (v as f64).abs())
            .sum()
    }
}

/// A workload at one size, with its inputs built: closures for one forward call, one
/// value-and-gradient call (results passed through `black_box` and dropped, as a user would),
/// and one checked evaluation.
pub struct Instance {
    /// The element count of the largest input (sets the checking tolerance).
    pub numel: usize,
    /// The number of sequential loop steps values go through (W4's Euler steps, else 1; sets the
    /// checking tolerance).
    pub steps: usize,
    pub fwd: Box<dyn FnMut()>,
    pub grad: Box<dyn FnMut()>,
    pub evaluate: Box<dyn FnMut() -> Evaluation>,
    /// One call of the hand-written value and gradient (`hand.rs`).
    pub hand: Box<dyn FnMut()>,
    /// One checked evaluation of the hand-written version (`fwd_value` is its value too).
    pub hand_evaluate: Box<dyn FnMut() -> Evaluation>,
}

/// One timed call (results dropped through `black_box`).
pub type Timed = Box<dyn FnMut()>;
/// One checked evaluation.
pub type Checked = Box<dyn FnMut() -> Evaluation>;

/// The timed and the checked closure of a hand-written gradient: `run` computes the value and
/// the gradients (in the reference file's input order) from the inputs it captured.
fn hand_closures<R: 'static>(
    run: impl Fn() -> R + 'static,
    to_eval: impl Fn(R) -> (f32, Vec<Grad>) + 'static,
) -> (Timed, Checked) {
    let run = std::rc::Rc::new(run);
    let timed = {
        let run = run.clone();
        Box::new(move || {
            black_box(run());
        }) as Box<dyn FnMut()>
    };
    let eval = Box::new(move || {
        let (value, grads) = to_eval(run());
        Evaluation {
            fwd_value: value as f64,
            value: value as f64,
            grads,
        }
    }) as Box<dyn FnMut() -> Evaluation>;
    (timed, eval)
}

/// An input's elements, opaque to the optimiser (so a timed call cannot be hoisted).
fn s(t: &Tensor) -> &[f32] {
    black_box(t.as_slice())
}

/// A flat gradient with the shape of `like`.
fn flat_grad(name: &'static str, like: &Tensor, data: Vec<f32>) -> Grad {
    Grad {
        name,
        shape: like.shape().to_vec(),
        data,
    }
}

/// A workload at one size, before its inputs are built.
pub struct Spec {
    /// `"W1-seed-dot"`, ...
    pub workload: &'static str,
    /// The size label: `"n=4"`, `"1000x1000"`, ...
    pub size: String,
    pub build: Box<dyn Fn() -> Instance>,
}

impl Spec {
    /// The short id (`"W1"` .. `"W6"`) used by `--only`.
    pub fn id(&self) -> &str {
        self.workload.split('-').next().unwrap_or(self.workload)
    }
}

fn grad_of(name: &'static str, t: &Tensor) -> Grad {
    Grad {
        name,
        shape: t.shape().to_vec(),
        data: t.to_vec(),
    }
}

fn scalar_grad(name: &'static str, v: f32) -> Grad {
    Grad {
        name,
        shape: vec![],
        data: vec![v],
    }
}

/// Builds an [`Instance`] for a workload on tensors whose differentiated inputs are all the
/// function's arguments.
macro_rules! tensor_instance {
    ($f:ident, $f_grad:ident, [$($arg:ident),+], [$($name:literal),+], $hand:expr) => {{
        let (hand, hand_evaluate) = $hand;
        let numel = [$($arg.numel()),+].into_iter().max().unwrap_or(1);
        let fwd = {
            $(let $arg = $arg.clone();)+
            Box::new(move || {
                black_box($f($(black_box(&$arg)),+));
            }) as Box<dyn FnMut()>
        };
        let grad = {
            $(let $arg = $arg.clone();)+
            Box::new(move || {
                black_box($f_grad($(black_box(&$arg)),+));
            }) as Box<dyn FnMut()>
        };
        let evaluate = Box::new(move || {
            let fwd_value = $f($(&$arg),+).item() as f64;
            let (value, grads) = $f_grad($(&$arg),+);
            #[allow(unused_parens)]
            let ($($arg),+) = grads;
            Evaluation {
                fwd_value,
                value: value.item() as f64,
                grads: vec![$(grad_of($name, &$arg)),+],
            }
        }) as Box<dyn FnMut() -> Evaluation>;
        Instance { numel, steps: 1, fwd, grad, evaluate, hand, hand_evaluate }
    }};
}

/// W1 at `n` elements.
pub fn w1_instance(n: usize) -> Instance {
    let x = w1_input(n);
    let hand = {
        let (x, like) = (x.clone(), x.clone());
        hand_closures(
            move || hand::w1(black_box(x.as_slice())),
            move |(v, g)| (v, vec![flat_grad("x", &like, g)]),
        )
    };
    tensor_instance!(w1_dot, w1_dot_grad, [x], ["x"], hand)
}

/// W2 at `rows x cols`.
pub fn w2_instance(rows: usize, cols: usize) -> Instance {
    let x = w2_input(rows, cols);
    let hand = {
        let (x, like) = (x.clone(), x.clone());
        hand_closures(
            move || hand::w2(black_box(x.as_slice())),
            move |(v, g)| (v, vec![flat_grad("x", &like, g)]),
        )
    };
    tensor_instance!(w2_mean, w2_mean_grad, [x], ["x"], hand)
}

/// W3 on the given input.
pub fn w3_instance(a: Tensor) -> Instance {
    let hand = {
        let (x, like) = (a.clone(), a.clone());
        hand_closures(
            move || hand::w3(black_box(x.as_slice())),
            move |(v, g)| (v, vec![flat_grad("a", &like, g)]),
        )
    };
    tensor_instance!(w3_control_flow, w3_control_flow_grad, [a], ["a"], hand)
}

/// W4 with `steps` Euler steps.
pub fn w4_instance(steps: usize) -> Instance {
    let (x0, p, q) = (W4_X0, W4_P, W4_Q);
    let (hand, hand_evaluate) = hand_closures(
        move || hand::w4(black_box(x0), black_box(p), black_box(q), black_box(steps)),
        |(v, [dx0, dp, dq])| {
            let grads = vec![
                scalar_grad("x0", dx0),
                scalar_grad("p", dp),
                scalar_grad("q", dq),
            ];
            (v, grads)
        },
    );
    Instance {
        hand,
        hand_evaluate,
        numel: 1,
        steps,
        fwd: Box::new(move || {
            black_box(w4_scalar_loop(
                black_box(x0),
                black_box(p),
                black_box(q),
                black_box(steps),
            ));
        }),
        grad: Box::new(move || {
            black_box(w4_scalar_loop_grad(
                black_box(x0),
                black_box(p),
                black_box(q),
                black_box(steps),
            ));
        }),
        evaluate: Box::new(move || {
            let fwd_value = w4_scalar_loop(x0, p, q, steps) as f64;
            let (value, (dx0, dp, dq)) = w4_scalar_loop_grad(x0, p, q, steps);
            Evaluation {
                fwd_value,
                value: value as f64,
                grads: vec![
                    scalar_grad("x0", dx0),
                    scalar_grad("p", dp),
                    scalar_grad("q", dq),
                ],
            }
        }),
    }
}

/// W5 at `batch x input x hidden x output`.
pub fn w5_instance(batch: usize, input: usize, hidden: usize, output: usize) -> Instance {
    let (x, w1, w2, y) = w5_inputs(batch, input, hidden, output);
    let numel = [x.numel(), w1.numel(), w2.numel(), y.numel()]
        .into_iter()
        .max()
        .unwrap_or(1);
    let fwd = {
        let (x, w1, w2, y) = (x.clone(), w1.clone(), w2.clone(), y.clone());
        Box::new(move || {
            black_box(w5_mlp(
                black_box(&x),
                black_box(&w1),
                black_box(&w2),
                black_box(&y),
            ));
        }) as Box<dyn FnMut()>
    };
    let grad = {
        let (x, w1, w2, y) = (x.clone(), w1.clone(), w2.clone(), y.clone());
        Box::new(move || {
            black_box(w5_mlp_grad(
                black_box(&x),
                black_box(&w1),
                black_box(&w2),
                black_box(&y),
            ));
        }) as Box<dyn FnMut()>
    };
    let (hand, hand_evaluate) = {
        let (x, w1, w2, y) = (x.clone(), w1.clone(), w2.clone(), y.clone());
        let (l1, l2) = (w1.clone(), w2.clone());
        let dims = (batch, input, hidden, output);
        hand_closures(
            move || hand::w5(s(&x), s(&w1), s(&w2), s(&y), dims),
            move |(v, g1, g2)| (v, vec![flat_grad("W1", &l1, g1), flat_grad("W2", &l2, g2)]),
        )
    };
    let evaluate = Box::new(move || {
        let fwd_value = w5_mlp(&x, &w1, &w2, &y).item() as f64;
        let (value, (dw1, dw2)) = w5_mlp_grad(&x, &w1, &w2, &y);
        Evaluation {
            fwd_value,
            value: value.item() as f64,
            grads: vec![grad_of("W1", &dw1), grad_of("W2", &dw2)],
        }
    });
    Instance {
        numel,
        steps: 1,
        fwd,
        grad,
        evaluate,
        hand,
        hand_evaluate,
    }
}

/// W6 at `n x n`.
pub fn w6_instance(n: usize) -> Instance {
    let (a, b, c) = w6_inputs(n);
    let hand = {
        let (ta, tb, tc) = (a.clone(), b.clone(), c.clone());
        let like = a.clone();
        hand_closures(
            move || hand::w6(s(&ta), s(&tb), s(&tc), n),
            move |(v, da, db, dc)| {
                let grads = vec![
                    flat_grad("A", &like, da),
                    flat_grad("B", &like, db),
                    flat_grad("C", &like, dc),
                ];
                (v, grads)
            },
        )
    };
    tensor_instance!(w6_big_mm, w6_big_mm_grad, [a, b, c], ["A", "B", "C"], hand)
}

/// Every workload at every size of WORKLOADS.md, in file order; W4 with `w4_steps` steps
/// (`W4_STEPS` is the defined size).
pub fn specs(w4_steps: usize) -> Vec<Spec> {
    fn spec(workload: &'static str, size: &str, build: impl Fn() -> Instance + 'static) -> Spec {
        Spec {
            workload,
            size: size.to_string(),
            build: Box::new(build),
        }
    }
    vec![
        spec("W1-seed-dot", "n=4", || w1_instance(4)),
        spec("W1-seed-dot", "n=1000000", || w1_instance(1_000_000)),
        spec("W2-seed-mean", "2x2", || w2_instance(2, 2)),
        spec("W2-seed-mean", "1000x1000", || w2_instance(1000, 1000)),
        spec("W3-seed-control-flow", "scalar", || {
            w3_instance(w3_scalar_input())
        }),
        spec("W3-seed-control-flow", "n=1000000", || {
            w3_instance(w3_vector_input(1_000_000))
        }),
        spec("W4-scalar-loop", &format!("T={w4_steps}"), move || {
            w4_instance(w4_steps)
        }),
        spec("W5-mlp", "64x784x256x10", || w5_instance(64, 784, 256, 10)),
        spec("W6-big-mm", "1024", || w6_instance(1024)),
    ]
}
