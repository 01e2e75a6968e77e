//! Runtime for the `autodiff` crate: the [`Tensor`] type, BLAS-class kernels,
//! the reverse-mode rules (VJPs) that `#[differentiable]` calls, and [`Param`].
#![deny(missing_docs)]

pub mod kernels;
mod param;
pub mod tensor;
pub mod vjp;

pub use param::{no_grad, Param};
pub use tensor::{Element, ShapeError, Tensor};

/// The `ndarray` crate this runtime converts to and from (feature `ndarray`), re-exported so
/// that the array types always match the version the conversions were built against.
#[cfg(feature = "ndarray")]
pub use ndarray;
