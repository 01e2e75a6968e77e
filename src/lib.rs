#![doc = include_str!("../docs/overview.md")]
//!
//! ## Guides
//!
//! The repository's `docs/` directory has a page per topic, each with examples that run as
//! doctests of this crate: control flow (what can be differentiated and how loops and branches
//! are reversed), custom derivatives (writing `NAME_vjp` by hand), performance (kernels, BLAS,
//! threads, memory), data structures and checkpoints. The `CHANGELOG.md` lists what changed.
//!
//! ## Features
//!
//! | feature | adds |
//! |---|---|
//! | `blas` | `mm`/`matmul`/`mv`/`dot` through the system CBLAS (`libopenblas-dev`) |
//! | `ndarray` | `From`/`TryFrom` between [`Tensor`] and `ndarray`'s `ArrayD`, `Array1`, `Array2` |
//! | `serde` | `Serialize`/`Deserialize` for [`Tensor`] (shape + data) |
//!
//! None is on by default; the defaults need nothing but the Rust toolchain.
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

/// The `docs/` pages, compiled as doctests so that their examples cannot drift.
#[cfg(doctest)]
mod guides {
    #[doc = include_str!("../docs/control-flow.md")]
    mod control_flow {}
    #[doc = include_str!("../docs/custom-derivatives.md")]
    mod custom_derivatives {}
    #[doc = include_str!("../docs/performance.md")]
    mod performance {}
}
