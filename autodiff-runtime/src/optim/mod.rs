//! Optimizers over any [`Differentiable`](crate::Differentiable) value: [`Sgd`] (momentum,
//! Nesterov, weight decay) and [`Adam`] (bias-corrected, with L2 or decoupled AdamW weight
//! decay), with PyTorch's update rules.
//!
//! `opt.step(&mut params, &grads)` walks the parameters and their gradient together
//! ([`zip_leaves_mut`](crate::Differentiable::zip_leaves_mut)) and updates every leaf in place.
//! The optimizer state (momentum buffers, moment estimates) is created on the first step with
//! the parameters' shapes and keyed by leaf order, so one optimizer belongs to one model. After
//! the first step a step allocates nothing for scalars and for tensors whose buffer is not
//! shared (a tensor that shares its buffer is copied once, copy-on-write, before the update).
//!
//! ```
//! use autodiff_runtime::optim::Sgd;
//! use autodiff_runtime::Tensor;
//!
//! // minimise (w - 3)^2 for a tensor and a scalar at once
//! let mut params = (Tensor::<f64>::zeros(&[2]), 0.0f64);
//! let mut opt = Sgd::new(0.1).momentum(0.5);
//! for _ in 0..100 {
//!     let grads = (&params.0 * 2.0 - 6.0, 2.0 * (params.1 - 3.0));
//!     opt.step(&mut params, &grads);
//! }
//! assert!((params.0.as_slice()[0] - 3.0).abs() < 1e-6);
//! assert!((params.1 - 3.0).abs() < 1e-6);
//! ```

mod adam;
mod sgd;
mod state;

pub use adam::Adam;
pub use sgd::Sgd;
