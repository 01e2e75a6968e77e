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
//! [`Param`] accumulates gradients across backward passes until [`Param::zero_grad`], and
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
//!
//! # Models as ordinary Rust data
//! [`Differentiable`] values (scalars, tensors, `Vec`s, arrays, tuples, `Option`, `Box`, and
//! structs with `#[derive(Differentiable)]`) have a gradient of the same structure: the derive
//! generates `NameTangent` with the same field names. [`optim`] steps any of them in place and
//! [`checkpoint`] saves and loads them as safetensors files named by field path
//! (`layers.0.w`). See `docs/data-structures.md` and `docs/checkpoints.md`.
//!
//! ```
//! use autodiff::prelude::*;
//!
//! #[derive(Differentiable, Clone, Debug)]
//! struct Layer { w: Tensor<f64>, b: Tensor<f64> }
//!
//! #[derive(Differentiable, Clone, Debug)]
//! struct Model {
//!     layers: Vec<Layer>,
//!     #[differentiable(skip)]
//!     name: String, // carried, never differentiated
//! }
//!
//! #[differentiable(wrt(w, b))]
//! fn loss(w: &Tensor<f64>, b: &Tensor<f64>, x: &Tensor<f64>) -> Tensor<f64> {
//!     let y = x.mv(w) + b;
//!     (&y * &y).mean()
//! }
//!
//! let mut m = Model {
//!     layers: vec![Layer { w: Tensor::ones(&[2]), b: Tensor::zeros(&[1]) }],
//!     name: "tiny".into(),
//! };
//! assert_eq!(m.leaf_paths(), ["layers.0.w", "layers.0.b"]);
//! let x = Tensor::from_vec(vec![1.0, 2.0, -1.0, 0.5], &[2, 2]);
//! let mut opt = optim::Adam::new(0.05);
//! let first = loss(&m.layers[0].w, &m.layers[0].b, &x).item();
//! for _ in 0..50 {
//!     let (_, (dw, db)) = loss_grad(&m.layers[0].w, &m.layers[0].b, &x);
//!     // the gradient has the model's structure: ModelTangent { layers: [LayerTangent { w, b }] }
//!     let mut g = m.zero_tangent();
//!     g.layers[0] = LayerTangent { w: dw, b: db };
//!     opt.step(&mut m, &g);
//! }
//! assert!(loss(&m.layers[0].w, &m.layers[0].b, &x).item() < first / 10.0);
//!
//! let bytes = autodiff::checkpoint::save_to_bytes(&m).unwrap();
//! let mut copy = m.clone();
//! copy.layers[0].w = Tensor::zeros(&[2]);
//! autodiff::checkpoint::load_from_bytes(&mut copy, &bytes).unwrap();
//! assert_eq!(copy.layers[0].w, m.layers[0].w);
//! ```
#![deny(missing_docs)]

#[doc(hidden)]
pub use autodiff_macros::__known_operations_check;
pub use autodiff_macros::{differentiable, Differentiable};
pub use autodiff_runtime::differentiable::{
    Differentiable, LeafMut, LeafPath, LeafRef, PathSegment,
};
pub use autodiff_runtime::{
    checkpoint, kernels, no_grad, optim, tensor, vjp, Element, Param, ShapeError, Tensor,
};
pub use num_traits;

/// What a user needs in scope: `Tensor`, `Param`, `differentiable`, `Differentiable` (the trait
/// and its derive), `optim`, `no_grad` and `Float`.
pub mod prelude {
    pub use crate::{differentiable, no_grad, optim, Differentiable, Element, Param, Tensor};
    pub use num_traits::Float;
}

/// The runtime items generated code refers to. Not a stable API.
#[doc(hidden)]
pub mod __rt {
    pub use autodiff_runtime::differentiable::{accumulate_into, finish_tangent};
    pub use autodiff_runtime::vjp::*;
}
