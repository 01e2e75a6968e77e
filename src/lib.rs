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
//!
//! ## Models as ordinary Rust data
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
    calculus, checkpoint, forward, gradcheck, kernels, no_grad, optim, tensor, vjp, Element, Param,
    ShapeError, Tensor,
};
pub use num_traits;

/// The `ndarray` crate that `Tensor` converts to and from (feature `ndarray`): `From`/`TryFrom`
/// between `Tensor<E>` and `ArrayD<E>`, `Array1<E>`, `Array2<E>`.
#[cfg(feature = "ndarray")]
pub use autodiff_runtime::ndarray;

/// What a user needs in scope: `Tensor`, `Param`, `differentiable`, `Differentiable` (the trait
/// and its derive), `optim`, `no_grad` and `Float`.
pub mod prelude {
    pub use crate::{differentiable, no_grad, optim, Differentiable, Element, Param, Tensor};
    pub use num_traits::Float;
}

/// The runtime items generated code refers to. Not a stable API.
#[doc(hidden)]
pub mod __rt {
    pub use autodiff_runtime::differentiable::{
        acc_in, accumulate_into, finish_structured, finish_tangent, no_scalar_seed, pop_discard,
        pop_into, slot_or_zero, zero_tangent_of, Differentiable, OutputSeed, Skipped, TangentOf,
    };
    pub use autodiff_runtime::vjp::*;
}

/// The `docs/` pages, compiled as doctests so that their examples cannot drift.
#[cfg(doctest)]
mod guides {
    #[doc = include_str!("../docs/control-flow.md")]
    mod control_flow {}
    #[doc = include_str!("../docs/custom-derivatives.md")]
    mod custom_derivatives {}
    #[doc = include_str!("../docs/expressions.md")]
    mod expressions {}
    #[doc = include_str!("../docs/calculus.md")]
    mod calculus_guide {}
    #[doc = include_str!("../docs/performance.md")]
    mod performance {}
}
