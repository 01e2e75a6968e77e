//! [`Differentiable`]: values that have a gradient, made of `f32`, `f64` and tensor leaves
//! (JAX's pytrees, Swift's `Differentiable` with its synthesised `TangentVector`).
//!
//! A differentiable value pairs with a *tangent* of the same structure: a `Vec` of tensors has
//! a `Vec` of tensors as its gradient, a struct deriving `Differentiable` gets a generated
//! `NameTangent` struct with the same field names. The trait gives what reverse-mode code,
//! optimizers and checkpoints need, and nothing more:
//!
//! - [`zero_tangent`](Differentiable::zero_tangent): a zero gradient shaped like a value;
//! - [`add_tangent`](Differentiable::add_tangent) / [`scale_tangent`](Differentiable::scale_tangent):
//!   accumulate and scale gradients in place;
//! - leaf visitors that name every leaf by its path ([`LeafPath`], `layers.0.w`), for the value,
//!   for a tangent, and zipped (value mutable, tangent shared) for optimizer updates.
//!
//! Implemented for `f32`, `f64`, `Tensor<E>`, `Vec<T>`, `[T; N]`, `Box<T>`, `Option<T>` and
//! tuples of up to 8 differentiable types; `#[derive(Differentiable)]` (from the `autodiff`
//! crate) covers structs. The dual numbers of forward mode ([`Dual`](crate::forward::Dual))
//! implement it too, as their own tangents with no leaves, so that generic generated code runs
//! on them.
//!
//! ```
//! use autodiff_runtime::differentiable::{Differentiable, LeafPath};
//! use autodiff_runtime::Tensor;
//!
//! // a "model": a list of (weight, bias) pairs and a scalar temperature
//! let model = (vec![(Tensor::<f64>::ones(&[2, 2]), Tensor::<f64>::zeros(&[2]))], 1.5f64);
//! let mut grad = model.zero_tangent();
//! let mut g2 = model.zero_tangent();
//! g2.1 = 0.5;
//! <(Vec<(Tensor<f64>, Tensor<f64>)>, f64)>::add_tangent(&mut grad, g2);
//! assert_eq!(grad.1, 0.5);
//!
//! let mut names = Vec::new();
//! model.visit_leaves(&mut LeafPath::new(), &mut |path, leaf| {
//!     names.push(format!("{path}: {:?}", leaf.shape()));
//! });
//! assert_eq!(names, ["0.0.0: [2, 2]", "0.0.1: [2]", "1: []"]);
//! ```

mod adjoint;
mod containers;
mod leaf;
mod path;
mod scalars;
mod tuples;

pub use adjoint::{
    acc_in, finish_structured, no_scalar_seed, pop_discard, pop_into, slot_or_zero,
    zero_tangent_of, AccumulateIn, OutputSeed, Skipped, TangentOf,
};
pub use leaf::{LeafMut, LeafRef};
pub use path::{LeafPath, PathSegment};

use std::fmt::Debug;

/// A value with a gradient: its tangent type, a zero of the same structure, in-place
/// accumulation and scaling of tangents, and visitors over its leaves (`f32`, `f64`,
/// `Tensor<f32>`, `Tensor<f64>`) named by their path.
///
/// Derive it for structs with `#[derive(Differentiable)]` (from `autodiff`); implement it by
/// hand by forwarding every method to the fields, pushing a [`LeafPath`] segment around each,
/// exactly as the derive does.
///
/// Every visitor walks leaves in the same order (fields in declaration order, elements by
/// position), and a tangent built by [`zero_tangent`](Self::zero_tangent) has exactly the
/// leaves of the value, with the same shapes. That order is what optimizers key their state on.
///
/// ```
/// use autodiff_runtime::differentiable::Differentiable;
/// use autodiff_runtime::Tensor;
///
/// let w = vec![Tensor::<f32>::ones(&[3]), Tensor::ones(&[2])];
/// let mut g = w.zero_tangent();                      // Vec<Tensor<f32>> of zeros
/// Vec::<Tensor<f32>>::add_tangent(&mut g, vec![Tensor::ones(&[3]), Tensor::ones(&[2])]);
/// Vec::<Tensor<f32>>::scale_tangent(&mut g, 0.5);
/// assert_eq!(g[0].to_vec(), vec![0.5, 0.5, 0.5]);
/// assert_eq!(w.leaf_paths(), ["0", "1"]);
/// assert_eq!(w.num_elements(), 5);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `Differentiable`",
    label = "this type has no gradient",
    note = "mark the field `#[differentiable(skip)]` if it is configuration or data that is carried but never differentiated",
    note = "or add `#[derive(Differentiable)]` to `{Self}` (or implement `autodiff::Differentiable` for it by hand)",
    note = "if `{Self}` is a float type parameter of the `impl` block around a `#[differentiable]` method, name it there: `#[differentiable(float = {Self})]`"
)]
pub trait Differentiable {
    /// The gradient type: same structure as the value (a struct's tangent has the same field
    /// names), with only the differentiated parts.
    type Tangent: Clone + Debug;

    /// A zero tangent with the structure and shapes of `self`.
    fn zero_tangent(&self) -> Self::Tangent;

    /// Adds `other` into `t` (in place for tensors whose buffer is not shared).
    ///
    /// # Panics
    /// If the two tangents differ in structure (tensor shapes, `Vec` lengths), naming both.
    fn add_tangent(t: &mut Self::Tangent, other: Self::Tangent);

    /// Multiplies every leaf of `t` by `factor` (in place).
    fn scale_tangent(t: &mut Self::Tangent, factor: f64);

    /// Calls `f` with the path and a view of every leaf of `self`, in the traversal order.
    fn visit_leaves(&self, path: &mut LeafPath, f: &mut dyn FnMut(&LeafPath, LeafRef<'_>));

    /// Calls `f` with the path and a mutable view of every leaf of `self`.
    fn visit_leaves_mut(&mut self, path: &mut LeafPath, f: &mut dyn FnMut(&LeafPath, LeafMut<'_>));

    /// Calls `f` with the path and a view of every leaf of the tangent `t`.
    fn visit_tangent_leaves(
        t: &Self::Tangent,
        path: &mut LeafPath,
        f: &mut dyn FnMut(&LeafPath, LeafRef<'_>),
    );

    /// Walks `self` and its tangent `t` together, calling `f` with each leaf of `self`
    /// (mutable) and the matching leaf of `t`: the one loop an optimizer step needs.
    /// Leaves without a tangent counterpart (an `Option` that is `None` in `t` only) are
    /// skipped.
    ///
    /// # Panics
    /// If `t` does not have the structure of `self` (a `Vec` of another length), naming the path.
    fn zip_leaves_mut(
        &mut self,
        t: &Self::Tangent,
        path: &mut LeafPath,
        f: &mut dyn FnMut(&LeafPath, LeafMut<'_>, LeafRef<'_>),
    );

    /// The paths of all leaves, in the traversal order (`["layers.0.w", "layers.0.b", ...]`).
    fn leaf_paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.visit_leaves(&mut LeafPath::new(), &mut |path, _| {
            out.push(path.to_string())
        });
        out
    }

    /// The total number of scalar elements over all leaves (the number of parameters).
    fn num_elements(&self) -> usize {
        let mut n = 0;
        self.visit_leaves(&mut LeafPath::new(), &mut |_, leaf| n += leaf.numel());
        n
    }
}

/// Adds a gradient into an adjoint slot that starts as `None` (zero, not yet allocated): the
/// [`vjp::acc`](crate::vjp::acc) of differentiable values, for generated reverse code.
///
/// ```
/// use autodiff_runtime::differentiable::accumulate_into;
/// let mut slot: Option<Vec<f64>> = None;
/// accumulate_into::<Vec<f64>>(&mut slot, vec![1.0, 2.0]);
/// accumulate_into::<Vec<f64>>(&mut slot, vec![0.5, 0.5]);
/// assert_eq!(slot, Some(vec![1.5, 2.5]));
/// ```
#[inline]
pub fn accumulate_into<T: Differentiable + ?Sized>(slot: &mut Option<T::Tangent>, g: T::Tangent) {
    match slot {
        Some(acc) => T::add_tangent(acc, g),
        None => *slot = Some(g),
    }
}

/// The gradient held by `slot`, or a zero shaped like `value` when nothing flowed back: the
/// [`vjp::finish`](crate::vjp::finish) of differentiable values, for generated reverse code.
///
/// ```
/// use autodiff_runtime::differentiable::finish_tangent;
/// let value = (1.0f32, [2.0f64, 3.0]);
/// assert_eq!(finish_tangent(None, &value), (0.0, [0.0, 0.0]));
/// ```
#[inline]
pub fn finish_tangent<T: Differentiable + ?Sized>(
    slot: Option<T::Tangent>,
    value: &T,
) -> T::Tangent {
    slot.unwrap_or_else(|| value.zero_tangent())
}

/// Panics with a message naming what differs between two tangents that must share a
/// structure (`what` is e.g. "Vec lengths").
#[cold]
#[track_caller]
pub(crate) fn structure_mismatch(op: &str, what: &str, a: impl Debug, b: impl Debug) -> ! {
    panic!("{op}: tangents of different structure ({what} {a:?} and {b:?})")
}
