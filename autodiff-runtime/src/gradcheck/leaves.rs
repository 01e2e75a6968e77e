//! Reading and perturbing the elements of a [`Differentiable`] value leaf by leaf, and
//! flattening a tangent in the same order.

use crate::differentiable::{Differentiable, LeafMut, LeafPath};

/// One leaf of the input: its path, shape and elements (widened to `f64`).
pub(super) struct Leaf {
    pub(super) path: String,
    pub(super) shape: Vec<usize>,
    pub(super) values: Vec<f64>,
}

/// The leaves of `x` in traversal order.
pub(super) fn leaves<X: Differentiable + ?Sized>(x: &X) -> Vec<Leaf> {
    let mut out = Vec::new();
    x.visit_leaves(&mut LeafPath::new(), &mut |path, leaf| {
        out.push(Leaf {
            path: path.to_string(),
            shape: leaf.shape().to_vec(),
            values: leaf.to_f64_vec(),
        })
    });
    out
}

/// Sets element `index` of leaf number `leaf` of `x` to `value` (rounded to the leaf's type)
/// and returns the value stored, widened back to `f64`.
pub(super) fn set_element<X: Differentiable + ?Sized>(
    x: &mut X,
    leaf: usize,
    index: usize,
    value: f64,
) -> f64 {
    let mut seen = 0;
    let mut stored = f64::NAN;
    x.visit_leaves_mut(&mut LeafPath::new(), &mut |_, l| {
        if seen == leaf {
            stored = match l {
                LeafMut::F32(v) => {
                    *v = value as f32;
                    *v as f64
                }
                LeafMut::F64(v) => {
                    *v = value;
                    *v
                }
                LeafMut::TensorF32(t) => {
                    let slot = &mut t.as_mut_slice()[index];
                    *slot = value as f32;
                    *slot as f64
                }
                LeafMut::TensorF64(t) => {
                    let slot = &mut t.as_mut_slice()[index];
                    *slot = value;
                    *slot
                }
            };
        }
        seen += 1;
    });
    stored
}

/// The elements of the tangent `t` of an `X`, in the order of [`leaves`].
pub(super) fn flatten_tangent<X: Differentiable + ?Sized>(t: &X::Tangent) -> Vec<f64> {
    let mut out = Vec::new();
    X::visit_tangent_leaves(t, &mut LeafPath::new(), &mut |_, leaf| {
        out.extend(leaf.to_f64_vec())
    });
    out
}
