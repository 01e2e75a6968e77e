//! Seed notebook 002 (d2l 2nd edition, 2.5 "自动微分", PyTorch): the gradient of y = 2xᵀx,
//! resetting accumulated gradients, non-scalar outputs, `detach`, and control flow.
//!
//! Every code cell is here in order, under its notebook label, printing what the notebook's
//! output cell shows. Where PyTorch appends `requires_grad=True` or `grad_fn=<...>` to a
//! printed tensor, this crate prints only the value: whether something is differentiated is
//! decided at compile time by `#[differentiable]`, not stored in the tensor.
//!
//! `cargo run --example seed_002_dot_detach_control_flow`
use autodiff::prelude::*;

#[path = "common/mod.rs"]
mod common;
use common::{eq, or_none, Notebook};

/// In [44]: `y = 2 * torch.dot(x, x)`.
#[differentiable]
fn two_dot(x: &Tensor) -> Tensor {
    2.0 * x.dot(x)
}

/// In [52]: `y = x.sum()`.
#[differentiable]
fn sum(x: &Tensor) -> Tensor {
    x.sum()
}

/// In [60]: `y = x * x`, a vector: its pullback needs a cotangent of the same shape.
#[differentiable]
fn square(x: &Tensor) -> Tensor {
    x * x
}

/// In [65]: `z = u * x` with `u = y.detach()`: `u` is an argument that is not differentiated
/// (`wrt(x)`), so it is a constant, which is exactly what `detach` makes of `y`.
#[differentiable(wrt(x))]
fn sum_u_times_x(u: &Tensor, x: &Tensor) -> Tensor {
    (u * x).sum()
}

/// In [67]: the notebook's `f`. `b.norm() < 1000` compares a tensor with a number in PyTorch;
/// in Rust the condition reads the number with `.item()`. The loop count and the branch depend
/// on `a`; the macro records which ran and the pullback replays exactly that path.
#[differentiable]
fn f(a: &Tensor) -> Tensor {
    let mut b = 2.0 * a;
    while b.norm().item() < 1000.0 {
        b = &b * 2.0;
    }
    if b.sum().item() > 0.0 {
        b
    } else {
        100.0 * &b
    }
}

/// Runs the notebook; returns its transcript.
pub fn run() -> Notebook {
    let mut nb = Notebook::new();

    nb.cell("In [42]", "x = torch.arange(4.0)\nx");
    let x = Tensor::arange(4);
    nb.show(&x);

    // PyTorch marks `x` with `requires_grad_(True)` and gives it a `.grad` slot. Here the slot is
    // a `Param` (a tensor plus its accumulated gradient); *which* arguments are differentiated is
    // decided by `#[differentiable]` at compile time, so there is no flag to set.
    nb.cell("In [43]", "x.requires_grad_(True)\nx.grad  # None");
    let mut x = Param::new(x);
    nb.show(or_none(x.grad())); // Jupyter shows nothing for None; we print it

    nb.cell("In [44]", "y = 2 * torch.dot(x,x)\ny");
    // `two_dot_vjp` runs the forward computation and returns the pullback (what `backward` runs).
    let (y, backward) = two_dot_vjp(&x);
    nb.show(&y); // PyTorch: tensor(28., grad_fn=<MulBackward0>)

    nb.cell("In [45]", "y.backward()\nx.grad");
    x.accumulate(&backward(Tensor::scalar(1.0))); // y is a scalar: the cotangent is 1
    nb.show(x.grad().unwrap());

    nb.cell("In [46]", "x.grad == 4 * x");
    nb.show(eq(x.grad().unwrap(), &(4.0 * &*x)));

    nb.cell("In [47]", "x");
    nb.show(&*x); // PyTorch: tensor([0., 1., 2., 3.], requires_grad=True)

    nb.cell(
        "In [52]",
        "x.grad.zero_()\ny = x.sum()\ny.backward()\nx.grad, y",
    );
    x.zero_grad_to_zeros();
    // `NAME_grad` = `NAME_vjp` + seeding the pullback with 1, for scalar outputs.
    let (y, dx) = sum_grad(&x);
    x.accumulate(&dx);
    nb.show(format!("({}, {y})", x.grad().unwrap()));

    nb.cell(
        "In [60]",
        "x.grad.zero_()\ny = x * x\nf'x: {x}, y: {y}, y.sum: {y.sum()}'",
    );
    x.zero_grad_to_zeros();
    let (y, y_backward) = square_vjp(&x);
    nb.show(format!("'x: {}, y: {y}, y.sum: {:?}'", *x, y.sum().item()));

    // y is a vector: `y.sum().backward()` is `y.backward(torch.ones(len(x)))`, i.e. the pullback
    // applied to a cotangent of ones.
    nb.cell("In [61]", "y.sum().backward()  # y' = 2x\nx.grad");
    x.accumulate(&y_backward(Tensor::ones(&[4])));
    nb.show(x.grad().unwrap());

    nb.cell(
        "In [65]",
        "x.grad.zero_()\ny = x * x\nu = y.detach()\nz = u * x\nz.sum().backward()\n\
         x.grad == u, x.grad, u.grad",
    );
    x.zero_grad_to_zeros();
    let (y, y_backward) = square_vjp(&x); // kept: In [51] pulls back through y again
    let u = y.detach();
    let (_z, dx) = sum_u_times_x_grad(&u, &x);
    x.accumulate(&dx);
    // `u.grad` is None in PyTorch because u is detached; here u is simply not a differentiated
    // argument (`wrt(x)`), so no gradient for it is ever computed or returned.
    let u_grad: Option<&Tensor> = None;
    let grad = x.grad().unwrap();
    nb.show(format!("({}, {grad}, {})", eq(grad, &u), or_none(u_grad)));

    // The pullback of `y = x * x` recorded in In [65] can be applied again (pullbacks are
    // `Fn`): the gradient of y.sum() is 2x, as if `detach` had never happened.
    nb.cell(
        "In [51]",
        "x.grad.zero_()\ny.sum().backward()\nx.grad == 2 * x",
    );
    x.zero_grad_to_zeros();
    x.accumulate(&y_backward(Tensor::ones(&[4])));
    nb.show(eq(x.grad().unwrap(), &(2.0 * &*x)));

    // In [67] defines `f` (above). In [74] draws a random scalar; we draw it from a seeded
    // generator so the run is reproducible. The notebook printed
    // (tensor(1611.5497, grad_fn=<MulBackward0>), tensor(0.0984, requires_grad=True)).
    nb.cell(
        "In [74]",
        "a = torch.randn(size=(), requires_grad=True)\nd = f(a)\nd.backward()\nd, a",
    );
    let a = Tensor::randn(&[], 2);
    let (d, a_grad) = f_grad(&a);
    nb.show(format!("({d}, {a})"));

    // f is piecewise linear: f(a) = k * a for a constant k that depends on the path taken, so
    // its gradient is k = d / a.
    nb.cell("In [73]", "a.grad == d / a");
    nb.show(eq(&a_grad, &(&d / &a)));

    nb
}

#[allow(dead_code)] // `tests/examples.rs` includes this file and calls `run` instead
fn main() {
    run();
}
