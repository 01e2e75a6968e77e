//! The leaves: `f32`, `f64` and `Tensor<E>` are their own tangents.

use super::{structure_mismatch, Differentiable, LeafMut, LeafPath, LeafRef};
use crate::tensor::{Element, Tensor};

macro_rules! scalar_leaf {
    ($t:ty) => {
        /// A scalar is its own tangent and a single leaf (a 0-d tensor in checkpoints).
        impl Differentiable for $t {
            type Tangent = $t;

            #[inline]
            fn zero_tangent(&self) -> $t {
                0.0
            }

            #[inline]
            fn add_tangent(t: &mut $t, other: $t) {
                *t += other;
            }

            #[inline]
            fn scale_tangent(t: &mut $t, factor: f64) {
                *t *= factor as $t;
            }

            fn visit_leaves(&self, path: &mut LeafPath, f: &mut dyn FnMut(&LeafPath, LeafRef<'_>)) {
                f(path, LeafRef::from(self));
            }

            fn visit_leaves_mut(
                &mut self,
                path: &mut LeafPath,
                f: &mut dyn FnMut(&LeafPath, LeafMut<'_>),
            ) {
                f(path, LeafMut::from(self));
            }

            fn visit_tangent_leaves(
                t: &$t,
                path: &mut LeafPath,
                f: &mut dyn FnMut(&LeafPath, LeafRef<'_>),
            ) {
                f(path, LeafRef::from(t));
            }

            fn zip_leaves_mut(
                &mut self,
                t: &$t,
                path: &mut LeafPath,
                f: &mut dyn FnMut(&LeafPath, LeafMut<'_>, LeafRef<'_>),
            ) {
                f(path, LeafMut::from(self), LeafRef::from(t));
            }
        }
    };
}

scalar_leaf!(f32);
scalar_leaf!(f64);

/// A tensor is its own tangent (same shape) and a single leaf.
///
/// ```
/// use autodiff_runtime::differentiable::Differentiable;
/// use autodiff_runtime::Tensor;
///
/// let x = Tensor::<f32>::ones(&[2]);
/// let mut g = x.zero_tangent();
/// Tensor::add_tangent(&mut g, Tensor::from_vec(vec![1.0, 2.0], &[2]));
/// Tensor::scale_tangent(&mut g, 2.0);
/// assert_eq!(g.to_vec(), vec![2.0, 4.0]);
/// ```
impl<E: Element> Differentiable for Tensor<E> {
    type Tangent = Tensor<E>;

    fn zero_tangent(&self) -> Tensor<E> {
        Tensor::zeros(self.shape())
    }

    #[track_caller]
    fn add_tangent(t: &mut Tensor<E>, other: Tensor<E>) {
        if t.shape() != other.shape() {
            structure_mismatch("add_tangent", "tensor shapes", t.shape(), other.shape());
        }
        *t += other;
    }

    fn scale_tangent(t: &mut Tensor<E>, factor: f64) {
        *t *= E::of_f64(factor);
    }

    fn visit_leaves(&self, path: &mut LeafPath, f: &mut dyn FnMut(&LeafPath, LeafRef<'_>)) {
        f(path, LeafRef::from(self));
    }

    fn visit_leaves_mut(&mut self, path: &mut LeafPath, f: &mut dyn FnMut(&LeafPath, LeafMut<'_>)) {
        f(path, LeafMut::from(self));
    }

    fn visit_tangent_leaves(
        t: &Tensor<E>,
        path: &mut LeafPath,
        f: &mut dyn FnMut(&LeafPath, LeafRef<'_>),
    ) {
        f(path, LeafRef::from(t));
    }

    fn zip_leaves_mut(
        &mut self,
        t: &Tensor<E>,
        path: &mut LeafPath,
        f: &mut dyn FnMut(&LeafPath, LeafMut<'_>, LeafRef<'_>),
    ) {
        f(path, LeafMut::from(self), LeafRef::from(t));
    }
}
