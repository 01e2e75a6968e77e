//! Runtime for the `autodiff` crate: the [`Tensor`] type, BLAS-class kernels,
//! the reverse-mode rules (VJPs) that `#[differentiable]` calls, and [`Param`].
#![deny(missing_docs)]
#![deny(unsafe_code)]

#[allow(unsafe_code)]
pub mod kernels;
mod param;
pub mod tensor;
pub mod vjp;

pub use param::{no_grad, Param};
pub use tensor::{Element, ShapeError, Tensor};
