//! Reverse-mode automatic differentiation for Rust, done at compile time.
//!
//! Put `#[differentiable]` on an ordinary function — `let`, reassignment, `if`/`else`, `match`,
//! `while`, `for`, `loop`/`break`/`continue`, early `return`, calls to other such functions — and
//! next to the untouched function you get:
//!
//! - `NAME_vjp(args) -> (value, pullback)`: the forward sweep records which branches ran and what
//!   each loop iteration needs; the pullback (`impl Fn(cotangent) -> gradients`, callable any
//!   number of times) replays that record backwards;
//! - `NAME_grad(args) -> (value, gradients)` for scalar outputs.
//!
//! There is no run-time operation tape: the derivative code is written by the macro and
//! optimised by rustc like hand-written code.
//!
//! ```
//! use autodiff::prelude::*;
//!
//! #[differentiable]
//! fn f(a: &Tensor) -> Tensor {
//!     let mut b = a * 2.0;
//!     while b.norm().item() < 1000.0 {
//!         b = &b * 2.0;
//!     }
//!     let c = if b.sum().item() > 0.0 { b } else { &b * 100.0 };
//!     c.sum()
//! }
//!
//! let a = Tensor::scalar(0.0984f32);
//! let y = f(&a); // the original function, unchanged
//! let (y2, da) = f_grad(&a);
//! assert_eq!(y, y2);
//! // f is linear in a along the path taken, so the gradient is f(a) / a (the seed notebooks' check)
//! assert!((da.item() - y.item() / a.item()).abs() < 1e-2);
//! ```
//!
//! Gradients follow PyTorch's semantics: a value used twice gets the sum of both gradients,
//! [`Param`] accumulates gradients across backward passes until [`Param::zero_grad`] (which
//! leaves no gradient, like PyTorch 2's `set_to_none=True`), and
//! `x.detach()` / [`no_grad`] cut the graph.
//!
//! # Custom derivatives
//! A call `g(x)` with a differentiable argument becomes a call of `g_vjp(x)` in the generated
//! code. Put `#[differentiable]` on `g`, or write `g_vjp` yourself with the generated signature:
//! `fn g_vjp(same args) -> (Out, impl Fn(Out) -> Grads)`, where `Grads` holds one gradient per
//! argument that is differentiable *at the call site* (one value, or a tuple in argument order).
//!
//! ```
//! use autodiff::prelude::*;
//!
//! /// softplus(x) = ln(1 + e^x), with a numerically stable hand-written derivative.
//! fn softplus(x: f64) -> f64 {
//!     x.max(0.0) + (-x.abs()).exp().ln_1p()
//! }
//! fn softplus_vjp(x: f64) -> (f64, impl Fn(f64) -> f64) {
//!     let s = 1.0 / (1.0 + (-x).exp()); // the sigmoid is the derivative
//!     (softplus(x), move |g| g * s)
//! }
//!
//! #[differentiable]
//! fn loss(x: f64) -> f64 {
//!     softplus(x) * 2.0
//! }
//!
//! let (_, dx) = loss_grad(0.0);
//! assert!((dx - 1.0).abs() < 1e-12);
//! ```
#![deny(missing_docs)]

pub use autodiff_macros::differentiable;
pub use autodiff_runtime::{kernels, no_grad, tensor, vjp, Element, Param, ShapeError, Tensor};
pub use num_traits;

/// The `ndarray` crate that `Tensor` converts to and from (feature `ndarray`): `From`/`TryFrom`
/// between `Tensor<E>` and `ArrayD<E>`, `Array1<E>`, `Array2<E>`.
#[cfg(feature = "ndarray")]
pub use autodiff_runtime::ndarray;

/// What a user needs in scope: `Tensor`, `Param`, `differentiable`, `no_grad` and `Float`.
pub mod prelude {
    pub use crate::{differentiable, no_grad, Element, Param, Tensor};
    pub use num_traits::Float;
}

/// The runtime items generated code refers to. Not a stable API.
#[doc(hidden)]
pub mod __rt {
    pub use autodiff_runtime::vjp::*;
}
