//! Seed notebook 000 (d2l 1st edition, "自动求梯度", PyTorch port): the gradient of
//! y = 2xᵀx written with `mm`, gradients through Python control flow, and the chapter's two
//! exercises (a random vector/matrix `a` for the control-flow `f`; a control-flow example of
//! our own design), each checked.
//!
//! `cargo run --example seed_000_mm_control_flow_exercises`
use autodiff::prelude::*;

#[path = "common/mod.rs"]
mod common;
use common::{eq, BoolTensor, Notebook};

/// In [10]: `y = 2 * torch.mm(x.t(), x)`, with `x` a column vector: `y` has shape `[1, 1]`.
#[differentiable]
fn two_xtx(x: &Tensor) -> Tensor {
    2.0 * x.t().mm(x)
}

/// In [13]: the notebook's `f`, in the same words. The number of loop iterations and the branch
/// depend on the value of `a`; the conditions read plain numbers (`.item()`), so they are not
/// differentiated, and the pullback replays the path that ran.
#[differentiable]
fn f(a: &Tensor) -> Tensor {
    let mut b = a * 2.0;
    while b.norm().item() < 1000.0 {
        b = &b * 2.0;
    }
    // `if ... { c = b } else { c = 100 * b }; return c`
    if b.sum().item() > 0.0 {
        b
    } else {
        100.0 * &b
    }
}

/// Exercise 2, a control-flow example of our own: √a by Newton's (Babylonian) iteration,
/// stopped when an update no longer changes the estimate. The number of iterations depends on
/// `a` and the loop leaves through `break`. The pullback differentiates the iterations that ran,
/// and since they converged, the result is the derivative of √a, 1 / (2√a).
#[differentiable]
fn newton_sqrt(a: f64) -> f64 {
    let mut x = if a > 1.0 { a } else { 1.0 };
    let mut iterations = 0;
    loop {
        let next = 0.5 * (x + a / x);
        iterations += 1;
        if (next - x).abs() <= 1e-15 * x || iterations == 100 {
            x = next;
            break;
        }
        x = next;
    }
    x
}

/// Exercise 2, a second one: xⁿ by repeated squaring. Which multiplications happen depends on
/// the bits of `n` (an inactive `u32`); the derivative must still be n·xⁿ⁻¹.
#[differentiable]
fn pow_by_squaring(x: f64, n: u32) -> f64 {
    let mut result = 1.0;
    let mut base = x;
    let mut k = n;
    while k > 0 {
        if k % 2 == 1 {
            result *= base;
        }
        base = base * base;
        k /= 2;
    }
    result
}

/// What the exercises found, for the test.
pub struct Exercises {
    /// Exercise 1 with `a` a random vector: the pullback's gradient is close to `c / a`.
    pub vector_check: bool,
    /// ... and with `a` a random matrix.
    pub matrix_check: bool,
    /// With another cotangent `v`, the gradient is `k * v` (the Jacobian is k·I).
    pub weighted_check: BoolTensor,
    /// Exercise 2: `(a, d√a/da, 1/(2√a))` for each input.
    pub newton: Vec<(f64, f64, f64)>,
    /// Exercise 2: `(x, n, d(xⁿ)/dx, n·xⁿ⁻¹)`.
    pub powers: Vec<(f64, u32, f64, f64)>,
}

/// Runs the notebook and the exercises; returns the transcript and the exercise results.
pub fn run() -> (Notebook, Exercises) {
    let mut nb = Notebook::new();

    // In [5] imports `Variable`; here `use autodiff::prelude::*` does.
    nb.cell(
        "In [8]",
        "x = Variable(torch.arange(4, dtype=torch.float32).reshape((4, 1)),requires_grad=True)\nx",
    );
    let mut x = Param::new(Tensor::arange(4).reshape(&[4, 1]));
    nb.show(&*x); // PyTorch appends `, requires_grad=True`; differentiation is chosen at compile time here

    nb.cell("In [10]", "y = 2 * torch.mm(x.t(), x)");
    let (y, backward) = two_xtx_vjp(&x);
    assert_eq!(y.shape(), &[1, 1]);

    // `y` holds one element, so the cotangent is a [1, 1] tensor of one (`y.backward()`).
    nb.cell("In [11]", "y.backward()");
    x.accumulate(&backward(Tensor::ones(&[1, 1])));

    nb.cell(
        "In [12]",
        "assert (x.grad - 4 * x).norm().item() == 0\nx.grad",
    );
    let grad = x.grad().unwrap();
    assert_eq!((grad - 4.0 * &*x).norm().item(), 0.0);
    nb.show(grad);

    // "训练模式和预测模式" has no code. In [13] defines `f` (above).

    nb.cell(
        "In [15]",
        "a = torch.randn(size=(1,))\na.requires_grad = True\nc = f(a)\nc.backward()",
    );
    let a = Tensor::randn(&[1], 0);
    let (c, a_grad) = f_grad(&a); // one element: seeded with 1, like `c.backward()`

    // The notebook (PyTorch 0.4) printed `tensor([1], dtype=torch.uint8)`; today's PyTorch
    // prints a bool tensor, which is what this prints.
    nb.cell("In [16]", "a.grad == c / a");
    nb.show(eq(&a_grad, &(&c / &a)));

    // Exercise 1: `a` a random vector, then a random matrix. `c = f(a)` has a's shape, so
    // there is no scalar to seed with 1: `f_grad` would panic ("grad can be implicitly created
    // only for scalar outputs"), as `c.backward()` raises in PyTorch. The pullback from
    // `f_vjp` needs a cotangent of c's shape: the `gradient` argument of `c.backward(v)`.
    //
    // Analysis: the norm and the sum are taken over all of `a`, so one path is taken for the
    // whole tensor and f(a) = k·a for a single scalar k = 2^(n+1) or 100·2^(n+1). The Jacobian
    // is k·I, the pullback of v is k·v, and with v = ones the gradient is k in every element.
    // `c / a` equals k only up to the rounding of `100 * b` (k·a is rounded, then divided by
    // a), so the check is `allclose`; an exact `==` can print False for some elements, in
    // PyTorch as here.
    nb.cell(
        "Exercise 1",
        "a = torch.randn(size=(3,))  # then (2, 3)\nc = f(a)\n\
         c.backward(torch.ones_like(c))\ntorch.allclose(a.grad, c / a)",
    );
    let mut checks = Vec::new();
    for (shape, seed) in [(&[3][..], 1), (&[2, 3][..], 3)] {
        let a = Tensor::randn(shape, seed);
        let (c, pullback) = f_vjp(&a);
        let grad = pullback(Tensor::ones(c.shape()));
        let check = grad.allclose(&(&c / &a), 1e-6, 0.0);
        nb.show(format!("a = {a}"));
        nb.show(format!("c = {c}"));
        nb.show(format!("a.grad = {grad}"));
        nb.show(format!("allclose(a.grad, c / a): {check}"));
        checks.push(check);
    }
    let (vector_check, matrix_check) = (checks[0], checks[1]);
    // Any other cotangent v: the pullback gives exactly k·v (k read from the gradient above).
    nb.cell(
        "Exercise 1b",
        "v = torch.tensor([0.1, 1.0, 0.0001])\nc.backward(v)\na.grad == k * v",
    );
    let a = Tensor::randn(&[3], 1);
    let (_c, pullback) = f_vjp(&a);
    let k = pullback(Tensor::ones(&[3])).as_slice()[0];
    let v = Tensor::from_vec(vec![0.1, 1.0, 0.0001], &[3]);
    let weighted_check = eq(&pullback(v.clone()), &(&v * k));
    nb.show(format!("k = {k}"));
    nb.show(weighted_check.clone());

    // Exercise 2: our own control flow, checked against the closed-form derivatives.
    nb.cell(
        "Exercise 2",
        "Newton's iteration for √a (loop + break), and xⁿ by repeated squaring",
    );
    let mut newton = Vec::new();
    for a in [0.25, 2.0, 10.0, 12345.0] {
        let (root, da) = newton_sqrt_grad(a);
        let expected = 0.5 / a.sqrt();
        nb.show(format!(
            "sqrt({a}) = {root:.6}, d/da = {da:.10}, 1/(2√a) = {expected:.10}"
        ));
        newton.push((a, da, expected));
    }
    let mut powers = Vec::new();
    for (x, n) in [(1.5, 13), (-0.7, 6), (2.0, 1), (3.0, 0)] {
        let (p, dx) = pow_by_squaring_grad(x, n);
        let expected = if n == 0 {
            0.0
        } else {
            n as f64 * x.powi(n as i32 - 1)
        };
        nb.show(format!(
            "({x})^{n} = {p:.6}, d/dx = {dx:.6}, n·x^(n-1) = {expected:.6}"
        ));
        powers.push((x, n, dx, expected));
    }

    let exercises = Exercises {
        vector_check,
        matrix_check,
        weighted_check,
        newton,
        powers,
    };
    (nb, exercises)
}

#[allow(dead_code)] // `tests/examples.rs` includes this file and calls `run` instead
fn main() {
    let (_, ex) = run();
    assert!(ex.vector_check && ex.matrix_check && ex.weighted_check.all());
    for (_, da, expected) in ex.newton {
        assert!((da - expected).abs() <= 1e-12 * expected);
    }
    for (_, _, dx, expected) in ex.powers {
        assert!((dx - expected).abs() <= 1e-12 * expected.abs().max(1.0));
    }
}
