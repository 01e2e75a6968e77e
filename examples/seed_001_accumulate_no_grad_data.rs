//! Seed notebook 001 (《动手学深度学习》PyTorch version, 2.3 "自动求梯度"): the computation graph
//! (`grad_fn`, leaves), gradient accumulation and `zero_()`, `backward(v)` for a non-scalar
//! output, `torch.no_grad()`, and changing a value through `.data` without affecting gradients.
//!
//! PyTorch builds the graph at run time and hangs it on the tensors (`grad_fn`,
//! `requires_grad`, `is_leaf`). Here the derivative code is generated at compile time by
//! `#[differentiable]`: a tensor carries no graph, and the cells that print graph attributes
//! show the closest honest counterpart instead, with a comment saying what differs.
//!
//! `cargo run --example seed_001_accumulate_no_grad_data`
use autodiff::prelude::*;

#[path = "common/mod.rs"]
mod common;
use common::Notebook;

/// In [3]: `y = x + 2`.
#[differentiable]
fn add_two(x: &Tensor) -> Tensor {
    x + 2.0
}

/// In [6]: `z = y * y * 3` (calls another differentiable function: its pullback is chained in).
#[differentiable]
fn z_of(x: &Tensor) -> Tensor {
    let y = add_two(x);
    &y * &y * 3.0
}

/// In [6]: `out = z.mean()`.
#[differentiable]
fn out_of(x: &Tensor) -> Tensor {
    z_of(x).mean()
}

/// In [7]: `b = (a * a).sum()`.
#[differentiable]
fn b_of(a: &Tensor) -> Tensor {
    (a * a).sum()
}

/// In [15]: `out2 = x.sum()`.
#[differentiable]
fn total(x: &Tensor) -> Tensor {
    x.sum()
}

/// In [16]: `y = 2 * x; z = y.view(2, 2)`.
#[differentiable]
fn doubled_2x2(x: &Tensor) -> Tensor {
    let y = 2.0 * x;
    y.view(&[2, 2])
}

/// In [21]: `y3 = x ** 2 + x ** 3` where `x ** 3` is computed under `torch.no_grad()`:
/// the macro treats the result of `no_grad(|| ..)` as a constant.
#[differentiable]
fn y3_of(x: &Tensor) -> Tensor {
    let y1 = x.powi(2);
    let y2 = no_grad(|| x.powi(3));
    y1 + y2
}

/// In [25]: `y = 2 * x`.
#[differentiable]
fn double(x: &Tensor) -> Tensor {
    2.0 * x
}

/// The name of a pullback's type: the closure that `NAME_vjp` returned, which is what PyTorch's
/// `grad_fn` object is (the code that `backward` runs for that value).
fn type_name_of<T>(_: &T) -> &'static str {
    std::any::type_name::<T>()
}

/// Runs the notebook; returns its transcript.
pub fn run() -> Notebook {
    let mut nb = Notebook::new();

    // A leaf with `requires_grad=True` is a `Param` here: a tensor plus its accumulated
    // gradient. It has no `grad_fn` (nothing computed it), and neither does any tensor here:
    // derivatives are not attached to values. PyTorch prints `None`; there is nothing to print.
    nb.cell(
        "In [2]",
        "x = torch.ones(2, 2, requires_grad=True)\nprint(x)\nprint(x.grad_fn)",
    );
    let mut x = Param::new(Tensor::ones(&[2, 2]));
    nb.show(&*x); // PyTorch appends `, requires_grad=True`

    // `y.grad_fn` is the object `backward` calls for y. The counterpart is the pullback that
    // `add_two_vjp` returns next to the value: a closure, generated at compile time.
    nb.cell("In [3]", "y = x + 2\nprint(y)\nprint(y.grad_fn)");
    let (y, y_grad_fn) = add_two_vjp(&x);
    nb.show(&y); // PyTorch appends `, grad_fn=<AddBackward0>`
    nb.show(type_name_of(&y_grad_fn)); // PyTorch: <AddBackward0 object at 0x7ff6e9e7ec10>

    // `is_leaf` is a type here: the leaf `x` is a `Param` (it owns `.grad`); `y` is a plain
    // `Tensor`, a value with no gradient slot. The compiler checks it, so nothing is printed.
    nb.cell("In [4]", "print(x.is_leaf, y.is_leaf)  # True False");
    let _leaf: &Param = &x;
    let _not_a_leaf: &Tensor = &y;

    nb.cell(
        "In [6]",
        "z = y * y * 3\nout = z.mean()\nprint(z)\nprint(out)",
    );
    let z = z_of(&x); // the plain function: no derivative code runs
    let (out, out_backward) = out_of_vjp(&x);
    nb.show(&z);
    nb.show(&out);

    // `requires_grad` is not a flag on the tensor: calling `b_of(&a)` computes only the value,
    // calling `b_of_vjp(&a)` also records what the pullback needs, so "requires_grad_(True)"
    // is the choice of which function to call. PyTorch prints False, True and the grad_fn.
    nb.cell(
        "In [7]",
        "a = torch.randn(2, 2)\na = ((a * 3) / (a - 1))\nprint(a.requires_grad)\n\
         a.requires_grad_(True)\nprint(a.requires_grad)\nb = (a * a).sum()\nprint(b.grad_fn)",
    );
    let a = Tensor::randn(&[2, 2], 7);
    let a = (&a * 3.0) / (&a - 1.0);
    let _b = b_of(&a); // value only ("requires_grad=False")
    let (_b, b_grad_fn) = b_of_vjp(&a); // value and pullback ("requires_grad=True")
    nb.show(type_name_of(&b_grad_fn)); // PyTorch: <SumBackward0 object at 0x7ff67d190990>

    nb.cell(
        "In [8]",
        "out.backward()  # same as out.backward(torch.tensor(1.))",
    );
    x.accumulate(&out_backward(Tensor::scalar(1.0)));

    nb.cell("In [10]", "print(x.grad)");
    nb.show(x.grad().unwrap());

    // Gradients accumulate in the Param until they are zeroed, as in PyTorch. The notebook prints
    // 2 and 1 because that cell was run twice (its execution count jumps from 10 to 15): the
    // second run started from the 1 left by the first. Run once after In [10], the first print
    // is 4.5 + 1 = 5.5; we print that, then run the cell again to reproduce the notebook.
    let source = "out2 = x.sum()\nout2.backward()\nprint(x.grad)\n\nout3 = x.sum()\n\
                  x.grad.data.zero_()\nout3.backward()\nprint(x.grad)";
    for label in ["In [15] (first run)", "In [15]"] {
        nb.cell(label, source);
        let (_out2, dx) = total_grad(&x);
        x.accumulate(&dx);
        nb.show(x.grad().unwrap());
        let (_out3, dx) = total_grad(&x);
        x.zero_grad_to_zeros();
        x.accumulate(&dx);
        nb.show(x.grad().unwrap());
    }

    nb.cell("In [16]", "x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)\ny = 2 * x\nz = y.view(2, 2)\nprint(x)\nprint(y)\nprint(z)");
    let mut x = Param::new(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[4]));
    let y = double(&x);
    let (z, z_backward) = doubled_2x2_vjp(&x);
    nb.show(&*x);
    nb.show(&y);
    nb.show(&z);

    // z is not a scalar: its pullback takes a cotangent of z's shape, the `v` of `z.backward(v)`.
    nb.cell("In [18]", "v = torch.tensor([[1.0, 0.1], [0.01, 0.001]], dtype=torch.float)\nz.backward(v)\nprint(x.grad)");
    let v = Tensor::from_vec(vec![1.0, 0.1, 0.01, 0.001], &[2, 2]);
    x.accumulate(&z_backward(v));
    nb.show(x.grad().unwrap());

    // PyTorch also prints `requires_grad` for x, y1, y2, y3 (True, True, False, True): here
    // only the values exist at run time; that y2 is a constant is decided by the macro at
    // compile time, and the gradient below shows it.
    nb.cell(
        "In [21]",
        "x = torch.tensor(1.0, requires_grad=True)\ny1 = x ** 2\nwith torch.no_grad():\n    y2 = x ** 3\n\
         y3 = y1 + y2\nprint(y1)\nprint(y2)\nprint(y3)\ny3.backward()\nprint(x.grad)  # 2",
    );
    let mut x = Param::new(Tensor::scalar(1.0));
    let y1 = x.powi(2);
    let y2 = no_grad(|| x.powi(3));
    let (y3, dx) = y3_of_grad(&x);
    nb.show(&y1);
    nb.show(&y2);
    nb.show(&y3);
    x.accumulate(&dx);
    nb.show(x.grad().unwrap()); // 2, not 5: no gradient flows through y2

    // `x.data *= 100` changes the value outside the graph. The counterpart is
    // `Param::value_mut`. A pullback recorded before keeps what it saved (tensors are
    // copy-on-write, so the change cannot reach it; y = 2x saves only the 2), so the gradient
    // is still 2. `x.data.requires_grad` (False) has no counterpart: `x.value()` is just the
    // tensor.
    nb.cell(
        "In [25]",
        "x = torch.ones(1, requires_grad=True)\nprint(x.data)\ny = 2 * x\nx.data *= 100\n\
         y.backward()\nprint(x)\nprint(x.grad)",
    );
    let mut x = Param::new(Tensor::ones(&[1]));
    nb.show(x.value());
    let (_y, y_backward) = double_vjp(&x);
    *x.value_mut() *= 100.0;
    x.accumulate(&y_backward(Tensor::ones(&[1])));
    nb.show(&*x); // PyTorch appends `, requires_grad=True`
    nb.show(x.grad().unwrap());

    nb
}

#[allow(dead_code)] // `tests/examples.rs` includes this file and calls `run` instead
fn main() {
    run();
}
