//! The shortest complete program: write an ordinary function, get its gradient.
//!
//! `cargo run --example quickstart`
use autodiff::prelude::*;

/// y = 2 xᵀx, an ordinary Rust function; the attribute also writes `y_vjp` and `y_grad`.
#[differentiable]
fn y(x: &Tensor) -> Tensor {
    2.0 * x.dot(x)
}

/// Returns `(x, y(x), dy/dx)` for `x = [0, 1, 2, 3]`.
pub fn run() -> (Tensor, Tensor, Tensor) {
    let x = Tensor::arange(4);
    let (y, dx) = y_grad(&x); // the value and the gradient, in one forward + backward sweep
    (x, y, dx)
}

#[allow(dead_code)] // `tests/examples.rs` includes this file and calls `run` instead
fn main() {
    let (x, y, dx) = run();
    println!("x     = {x}"); // tensor([0., 1., 2., 3.])
    println!("y     = {y}"); // tensor(28.)
    println!("dy/dx = {dx}"); // tensor([ 0.,  4.,  8., 12.]), which is 4x
    assert_eq!(dx, 4.0 * &x);
}
