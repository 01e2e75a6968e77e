//! `Dual<f32>` and `Dual<f64>` as [`Differentiable`] values, so that the reverse-mode code
//! generated for a function's copy at dual numbers (forward over reverse, `NAME_hvp` through
//! structs and containers) can hold gradients of dual numbers: a dual number is its own
//! tangent, added and scaled part by part.
//!
//! Its leaf, for the visitors (optimizers, checkpoints, paths), is its value: the tangent part
//! is a direction carried through a computation, not a parameter.
//!
//! ```
//! use autodiff_runtime::differentiable::Differentiable;
//! use autodiff_runtime::forward::Dual;
//!
//! let x = Dual::new(2.0f64, 1.0);
//! let mut g = x.zero_tangent();
//! Dual::<f64>::add_tangent(&mut g, Dual::new(0.5, 3.0));
//! Dual::<f64>::scale_tangent(&mut g, 2.0);
//! assert_eq!((g.value, g.tangent), (1.0, 6.0));
//! assert_eq!(x.num_elements(), 1);
//! ```

use super::Dual;
use crate::differentiable::{Differentiable, LeafMut, LeafPath, LeafRef};

macro_rules! dual_leaf {
    ($t:ty) => {
        /// A dual number is its own tangent; its leaf is its value.
        impl Differentiable for Dual<$t> {
            type Tangent = Dual<$t>;

            #[inline]
            fn zero_tangent(&self) -> Dual<$t> {
                Dual::new(0.0, 0.0)
            }

            #[inline]
            fn add_tangent(t: &mut Dual<$t>, other: Dual<$t>) {
                t.value += other.value;
                t.tangent += other.tangent;
            }

            #[inline]
            fn scale_tangent(t: &mut Dual<$t>, factor: f64) {
                t.value *= factor as $t;
                t.tangent *= factor as $t;
            }

            fn visit_leaves(&self, path: &mut LeafPath, f: &mut dyn FnMut(&LeafPath, LeafRef<'_>)) {
                f(path, LeafRef::from(&self.value));
            }

            fn visit_leaves_mut(
                &mut self,
                path: &mut LeafPath,
                f: &mut dyn FnMut(&LeafPath, LeafMut<'_>),
            ) {
                f(path, LeafMut::from(&mut self.value));
            }

            fn visit_tangent_leaves(
                t: &Dual<$t>,
                path: &mut LeafPath,
                f: &mut dyn FnMut(&LeafPath, LeafRef<'_>),
            ) {
                f(path, LeafRef::from(&t.value));
            }

            fn zip_leaves_mut(
                &mut self,
                t: &Dual<$t>,
                path: &mut LeafPath,
                f: &mut dyn FnMut(&LeafPath, LeafMut<'_>, LeafRef<'_>),
            ) {
                f(
                    path,
                    LeafMut::from(&mut self.value),
                    LeafRef::from(&t.value),
                );
            }
        }
    };
}

dual_leaf!(f32);
dual_leaf!(f64);
