//! Tuples of up to 8 differentiable values (and `()`, which has no leaves): the tangent is the
//! tuple of the tangents, and leaves are named by position (`0`, `1`, ...).

use super::{Differentiable, LeafMut, LeafPath, LeafRef};

macro_rules! tuple_impl {
    ($($i:tt $T:ident),*) => {
        /// A tuple: the tangent is the tuple of the elements' tangents.
        #[allow(unused_variables, clippy::unused_unit)]
        impl<$($T: Differentiable),*> Differentiable for ($($T,)*) {
            type Tangent = ($($T::Tangent,)*);

            fn zero_tangent(&self) -> Self::Tangent {
                ($(self.$i.zero_tangent(),)*)
            }

            fn add_tangent(t: &mut Self::Tangent, other: Self::Tangent) {
                $($T::add_tangent(&mut t.$i, other.$i);)*
            }

            fn scale_tangent(t: &mut Self::Tangent, factor: f64) {
                $($T::scale_tangent(&mut t.$i, factor);)*
            }

            fn visit_leaves(&self, path: &mut LeafPath, f: &mut dyn FnMut(&LeafPath, LeafRef<'_>)) {
                $(
                    path.push_index($i);
                    self.$i.visit_leaves(path, f);
                    path.pop();
                )*
            }

            fn visit_leaves_mut(
                &mut self,
                path: &mut LeafPath,
                f: &mut dyn FnMut(&LeafPath, LeafMut<'_>),
            ) {
                $(
                    path.push_index($i);
                    self.$i.visit_leaves_mut(path, f);
                    path.pop();
                )*
            }

            fn visit_tangent_leaves(
                t: &Self::Tangent,
                path: &mut LeafPath,
                f: &mut dyn FnMut(&LeafPath, LeafRef<'_>),
            ) {
                $(
                    path.push_index($i);
                    $T::visit_tangent_leaves(&t.$i, path, f);
                    path.pop();
                )*
            }

            fn zip_leaves_mut(
                &mut self,
                t: &Self::Tangent,
                path: &mut LeafPath,
                f: &mut dyn FnMut(&LeafPath, LeafMut<'_>, LeafRef<'_>),
            ) {
                $(
                    path.push_index($i);
                    self.$i.zip_leaves_mut(&t.$i, path, f);
                    path.pop();
                )*
            }
        }
    };
}

tuple_impl!();
tuple_impl!(0 A);
tuple_impl!(0 A, 1 B);
tuple_impl!(0 A, 1 B, 2 C);
tuple_impl!(0 A, 1 B, 2 C, 3 D);
tuple_impl!(0 A, 1 B, 2 C, 3 D, 4 F);
tuple_impl!(0 A, 1 B, 2 C, 3 D, 4 F, 5 G);
tuple_impl!(0 A, 1 B, 2 C, 3 D, 4 F, 5 G, 6 H);
tuple_impl!(0 A, 1 B, 2 C, 3 D, 4 F, 5 G, 6 H, 7 I);
