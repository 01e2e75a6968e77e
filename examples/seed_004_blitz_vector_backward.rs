//! Seed notebook 004 (PyTorch 60-minute blitz, "Autograd: 自动微分", PyTorch 0.3 era):
//! `out = mean(3 (x + 2)²)` and its gradient 4.5, then a data-dependent `while` loop on a random
//! vector and `y.backward(gradients)` for a non-scalar `y`.
//!
//! The notebook ran PyTorch 0.3, which printed `Variable containing:` blocks
//! (` 1  1\n 1  1\n[torch.FloatTensor of size 2x2]`). This crate prints like current PyTorch
//! (`tensor([[1., 1.], ...])`); the values are the same.
//!
//! `cargo run --example seed_004_blitz_vector_backward`
use autodiff::prelude::*;

#[path = "common/mod.rs"]
mod common;
use common::{eq, BoolTensor, Notebook};

/// In [3]: `y = x + 2`.
#[differentiable]
fn add_two(x: &Tensor) -> Tensor {
    x + 2.0
}

/// In [5]: `z = y * y * 3; out = z.mean()`.
#[differentiable]
fn out_of(x: &Tensor) -> Tensor {
    let y = add_two(x);
    let z = &y * &y * 3.0;
    z.mean()
}

/// In [8]: `y = x * 2; while y.data.norm() < 1000: y = y * 2`. `y.data` reads the value outside
/// the graph; in Rust the condition reads a plain number with `.item()`.
#[differentiable]
fn doubled_past_1000(x: &Tensor) -> Tensor {
    let mut y = x * 2.0;
    while y.norm().item() < 1000.0 {
        y = &y * 2.0;
    }
    y
}

/// The name of a pullback's type: the closure `NAME_vjp` returned, the counterpart of PyTorch's
/// `grad_fn` object.
fn type_name_of<T>(_: &T) -> &'static str {
    std::any::type_name::<T>()
}

/// Runs the notebook; returns its transcript and the check of In [9] (`x.grad == k * gradients`).
pub fn run() -> (Notebook, BoolTensor) {
    let mut nb = Notebook::new();

    // In [1] imports; `use autodiff::prelude::*` here. `Variable(.., requires_grad=True)` is a
    // `Param`: a tensor with a gradient slot.
    nb.cell(
        "In [2]",
        "x = Variable(torch.ones(2,2), requires_grad=True)\nprint(x)",
    );
    let mut x = Param::new(Tensor::ones(&[2, 2]));
    nb.show(&*x);

    nb.cell("In [3]", "y = x + 2\nprint(y)");
    let (y, y_grad_fn) = add_two_vjp(&x);
    nb.show(&y);

    // `y.grad_fn` is the object `backward` calls for y; here that is the pullback closure that
    // `add_two_vjp` generated at compile time (tensors carry no graph).
    nb.cell("In [4]", "print(y.grad_fn)");
    nb.show(type_name_of(&y_grad_fn)); // PyTorch: <AddBackward0 object at 0x7fa4ccd50210>

    // PyTorch 0.3 printed `out` as a 1-element tensor; it is 0-d today, and here.
    nb.cell("In [5]", "z = y * y * 3\nout = z.mean()\n\nprint(z, out)");
    let z = &y * &y * 3.0;
    let (out, out_backward) = out_of_vjp(&x);
    nb.show(format!("{z} {out}"));

    nb.cell("In [6]", "out.backward()");
    x.accumulate(&out_backward(Tensor::scalar(1.0)));

    // d(out)/dx_i = 3/2 (x_i + 2) = 4.5 at x_i = 1.
    nb.cell("In [7]", "print(x.grad)");
    nb.show(x.grad().unwrap());

    // A random x, seeded for a reproducible run. The notebook's draw printed
    // y = [1665.5319, 291.7892, -88.4084], i.e. y = 512 x; seed 0 also has
    // 1000/512 <= |x| < 1000/256, so y = 512 x here too and x.grad below equals the notebook's.
    nb.cell("In [8]", "x = torch.randn(3)\nx = Variable(x, requires_grad=True)\n\ny = x * 2\nwhile y.data.norm() < 1000:\n    y = y * 2\n\nprint(y)");
    let mut x = Param::new(Tensor::randn(&[3], 0));
    let (y, y_backward) = doubled_past_1000_vjp(&x);
    nb.show(&y);

    // y is a vector: the pullback takes a cotangent of y's shape, the `gradient` argument.
    // y = k x with k = 2^n, so x.grad = k * gradients. PyTorch 0.3 printed 51.2000, 512.0000,
    // 0.0512; today's PyTorch, like this crate, switches to scientific notation when the
    // largest and smallest magnitudes differ by more than 1000.
    nb.cell(
        "In [9]",
        "gradients = torch.FloatTensor([0.1, 1.0, 0.0001])\ny.backward(gradients)\n\nprint(x.grad)",
    );
    let gradients = Tensor::from_vec(vec![0.1, 1.0, 0.0001], &[3]);
    x.accumulate(&y_backward(gradients.clone()));
    let grad = x.grad().unwrap();
    nb.show(grad);
    let k = (y.norm() / x.norm()).item().round();
    let check = eq(grad, &(&gradients * k));
    nb.show(format!("k = {k}; x.grad == k * gradients: {check}"));

    (nb, check)
}

#[allow(dead_code)] // `tests/examples.rs` includes this file and calls `run` instead
fn main() {
    let (_, check) = run();
    assert!(check.all());
}
