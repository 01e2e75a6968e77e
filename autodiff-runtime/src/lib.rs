//! Runtime for the `autodiff` crate: the [`Tensor`] type, BLAS-class kernels,
//! the reverse-mode rules (VJPs) that `#[differentiable]` calls, [`Param`], the
//! [`Differentiable`] trait for structured values, optimizers ([`optim`]) and safetensors
//! checkpoints ([`checkpoint`]).
#![deny(missing_docs)]
#![deny(unsafe_code)]

pub mod calculus;
pub mod checkpoint;
pub mod differentiable;
pub mod forward;
pub mod gradcheck;
#[allow(unsafe_code)]
pub mod kernels;
pub mod optim;
mod param;
pub mod tensor;
pub mod vjp;

pub use differentiable::Differentiable;
pub use param::{no_grad, Param};
pub use tensor::{Element, Shape, ShapeError, Tensor};

/// The `ndarray` crate this runtime converts to and from (feature `ndarray`), re-exported so
/// that the array types always match the version the conversions were built against.
#[cfg(feature = "ndarray")]
pub use ndarray;
