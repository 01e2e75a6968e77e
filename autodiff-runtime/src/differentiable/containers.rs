//! Containers: `Vec<T>` and `[T; N]` (elements named by position), `Box<T>` and `Option<T>`
//! (transparent: they add no path segment).

use super::{structure_mismatch, Differentiable, LeafMut, LeafPath, LeafRef};

/// Visits the elements of a slice, each under its index.
fn visit_slice<T: Differentiable>(
    xs: &[T],
    path: &mut LeafPath,
    f: &mut dyn FnMut(&LeafPath, LeafRef<'_>),
) {
    for (i, x) in xs.iter().enumerate() {
        path.push_index(i);
        x.visit_leaves(path, f);
        path.pop();
    }
}

fn visit_slice_mut<T: Differentiable>(
    xs: &mut [T],
    path: &mut LeafPath,
    f: &mut dyn FnMut(&LeafPath, LeafMut<'_>),
) {
    for (i, x) in xs.iter_mut().enumerate() {
        path.push_index(i);
        x.visit_leaves_mut(path, f);
        path.pop();
    }
}

fn visit_tangent_slice<T: Differentiable>(
    ts: &[T::Tangent],
    path: &mut LeafPath,
    f: &mut dyn FnMut(&LeafPath, LeafRef<'_>),
) {
    for (i, t) in ts.iter().enumerate() {
        path.push_index(i);
        T::visit_tangent_leaves(t, path, f);
        path.pop();
    }
}

#[track_caller]
fn zip_slice_mut<T: Differentiable>(
    xs: &mut [T],
    ts: &[T::Tangent],
    path: &mut LeafPath,
    f: &mut dyn FnMut(&LeafPath, LeafMut<'_>, LeafRef<'_>),
) {
    if xs.len() != ts.len() {
        panic!(
            "zip_leaves_mut: `{path}` has {} elements but its tangent has {}",
            xs.len(),
            ts.len()
        );
    }
    for (i, (x, t)) in xs.iter_mut().zip(ts).enumerate() {
        path.push_index(i);
        x.zip_leaves_mut(t, path, f);
        path.pop();
    }
}

/// The impl shared by `Vec<T>` and `[T]`: the tangent is a `Vec` of the elements' tangents, of
/// the same length, and leaves are named by position (`layers.0.w`).
macro_rules! sequence_impl {
    ($(#[$doc:meta])* [$($g:tt)*] $ty:ty) => {
        $(#[$doc])*
        impl<$($g)*> Differentiable for $ty {
            type Tangent = Vec<T::Tangent>;

            fn zero_tangent(&self) -> Self::Tangent {
                self.iter().map(T::zero_tangent).collect()
            }

            #[track_caller]
            fn add_tangent(t: &mut Self::Tangent, other: Self::Tangent) {
                if t.len() != other.len() {
                    structure_mismatch("add_tangent", "Vec lengths", t.len(), other.len());
                }
                for (a, b) in t.iter_mut().zip(other) {
                    T::add_tangent(a, b);
                }
            }

            fn scale_tangent(t: &mut Self::Tangent, factor: f64) {
                t.iter_mut().for_each(|a| T::scale_tangent(a, factor));
            }

            fn visit_leaves(&self, path: &mut LeafPath, f: &mut dyn FnMut(&LeafPath, LeafRef<'_>)) {
                visit_slice(self, path, f);
            }

            fn visit_leaves_mut(
                &mut self,
                path: &mut LeafPath,
                f: &mut dyn FnMut(&LeafPath, LeafMut<'_>),
            ) {
                visit_slice_mut(self, path, f);
            }

            fn visit_tangent_leaves(
                t: &Self::Tangent,
                path: &mut LeafPath,
                f: &mut dyn FnMut(&LeafPath, LeafRef<'_>),
            ) {
                visit_tangent_slice::<T>(t, path, f);
            }

            #[track_caller]
            fn zip_leaves_mut(
                &mut self,
                t: &Self::Tangent,
                path: &mut LeafPath,
                f: &mut dyn FnMut(&LeafPath, LeafMut<'_>, LeafRef<'_>),
            ) {
                zip_slice_mut(self, t, path, f);
            }
        }
    };
}

sequence_impl! {
    /// A `Vec` of differentiable values: its tangent is a `Vec` of their tangents, of the same
    /// length, and its leaves are named by position (`layers.0.w`).
    ///
    /// ```
    /// use autodiff_runtime::differentiable::Differentiable;
    /// let v = vec![1.0f64, 2.0];
    /// let mut g = v.zero_tangent();
    /// Vec::<f64>::add_tangent(&mut g, vec![0.5, 1.0]);
    /// assert_eq!(g, vec![0.5, 1.0]);
    /// ```
    [T: Differentiable] Vec<T>
}

sequence_impl! {
    /// A slice of differentiable values (a `&[T]` argument): its tangent is a `Vec` of their
    /// tangents, as for `Vec<T>`.
    ///
    /// ```
    /// use autodiff_runtime::differentiable::Differentiable;
    /// let v = [1.0f64, 2.0];
    /// let s: &[f64] = &v;
    /// assert_eq!(s.zero_tangent(), vec![0.0, 0.0]);
    /// ```
    [T: Differentiable] [T]
}

/// An array of differentiable values: its tangent is an array of their tangents.
///
/// ```
/// use autodiff_runtime::differentiable::Differentiable;
/// let a = [1.0f32, 2.0, 3.0];
/// assert_eq!(a.zero_tangent(), [0.0; 3]);
/// assert_eq!(a.leaf_paths(), ["0", "1", "2"]);
/// ```
impl<T: Differentiable, const N: usize> Differentiable for [T; N] {
    type Tangent = [T::Tangent; N];

    fn zero_tangent(&self) -> Self::Tangent {
        std::array::from_fn(|i| self[i].zero_tangent())
    }

    fn add_tangent(t: &mut Self::Tangent, other: Self::Tangent) {
        for (a, b) in t.iter_mut().zip(other) {
            T::add_tangent(a, b);
        }
    }

    fn scale_tangent(t: &mut Self::Tangent, factor: f64) {
        t.iter_mut().for_each(|a| T::scale_tangent(a, factor));
    }

    fn visit_leaves(&self, path: &mut LeafPath, f: &mut dyn FnMut(&LeafPath, LeafRef<'_>)) {
        visit_slice(self, path, f);
    }

    fn visit_leaves_mut(&mut self, path: &mut LeafPath, f: &mut dyn FnMut(&LeafPath, LeafMut<'_>)) {
        visit_slice_mut(self, path, f);
    }

    fn visit_tangent_leaves(
        t: &Self::Tangent,
        path: &mut LeafPath,
        f: &mut dyn FnMut(&LeafPath, LeafRef<'_>),
    ) {
        visit_tangent_slice::<T>(t, path, f);
    }

    fn zip_leaves_mut(
        &mut self,
        t: &Self::Tangent,
        path: &mut LeafPath,
        f: &mut dyn FnMut(&LeafPath, LeafMut<'_>, LeafRef<'_>),
    ) {
        zip_slice_mut(self, t, path, f);
    }
}

/// A box is transparent: its tangent is a boxed tangent (so recursive structs stay sized) and
/// it adds no path segment.
///
/// ```
/// use autodiff_runtime::differentiable::Differentiable;
/// let b = Box::new(2.0f64);
/// assert_eq!(*b.zero_tangent(), 0.0);
/// assert_eq!(b.leaf_paths(), [""]);
/// ```
impl<T: Differentiable> Differentiable for Box<T> {
    type Tangent = Box<T::Tangent>;

    fn zero_tangent(&self) -> Self::Tangent {
        Box::new(T::zero_tangent(self))
    }

    fn add_tangent(t: &mut Self::Tangent, other: Self::Tangent) {
        T::add_tangent(t, *other);
    }

    fn scale_tangent(t: &mut Self::Tangent, factor: f64) {
        T::scale_tangent(t, factor);
    }

    fn visit_leaves(&self, path: &mut LeafPath, f: &mut dyn FnMut(&LeafPath, LeafRef<'_>)) {
        T::visit_leaves(self, path, f);
    }

    fn visit_leaves_mut(&mut self, path: &mut LeafPath, f: &mut dyn FnMut(&LeafPath, LeafMut<'_>)) {
        T::visit_leaves_mut(self, path, f);
    }

    fn visit_tangent_leaves(
        t: &Self::Tangent,
        path: &mut LeafPath,
        f: &mut dyn FnMut(&LeafPath, LeafRef<'_>),
    ) {
        T::visit_tangent_leaves(t, path, f);
    }

    fn zip_leaves_mut(
        &mut self,
        t: &Self::Tangent,
        path: &mut LeafPath,
        f: &mut dyn FnMut(&LeafPath, LeafMut<'_>, LeafRef<'_>),
    ) {
        T::zip_leaves_mut(self, t, path, f);
    }
}

/// An optional part of a model (an optional bias): `None` has no leaves and a zero tangent,
/// `Some(x)` is transparent. A tangent `None` means "zero": adding `Some(g)` to it stores `g`,
/// and an optimizer skips a leaf whose gradient is `None`.
///
/// ```
/// use autodiff_runtime::differentiable::Differentiable;
/// let bias: Option<f64> = Some(1.0);
/// let mut g: Option<f64> = None;
/// Option::<f64>::add_tangent(&mut g, Some(0.5));
/// Option::<f64>::add_tangent(&mut g, Some(0.25));
/// assert_eq!(g, Some(0.75));
/// assert_eq!(bias.zero_tangent(), Some(0.0));
/// assert_eq!(None::<f64>.zero_tangent(), None);
/// ```
impl<T: Differentiable> Differentiable for Option<T> {
    type Tangent = Option<T::Tangent>;

    fn zero_tangent(&self) -> Self::Tangent {
        self.as_ref().map(T::zero_tangent)
    }

    fn add_tangent(t: &mut Self::Tangent, other: Self::Tangent) {
        match (t.as_mut(), other) {
            (Some(a), Some(b)) => T::add_tangent(a, b),
            (None, Some(b)) => *t = Some(b),
            (_, None) => {}
        }
    }

    fn scale_tangent(t: &mut Self::Tangent, factor: f64) {
        if let Some(a) = t {
            T::scale_tangent(a, factor);
        }
    }

    fn visit_leaves(&self, path: &mut LeafPath, f: &mut dyn FnMut(&LeafPath, LeafRef<'_>)) {
        if let Some(x) = self {
            x.visit_leaves(path, f);
        }
    }

    fn visit_leaves_mut(&mut self, path: &mut LeafPath, f: &mut dyn FnMut(&LeafPath, LeafMut<'_>)) {
        if let Some(x) = self {
            x.visit_leaves_mut(path, f);
        }
    }

    fn visit_tangent_leaves(
        t: &Self::Tangent,
        path: &mut LeafPath,
        f: &mut dyn FnMut(&LeafPath, LeafRef<'_>),
    ) {
        if let Some(t) = t {
            T::visit_tangent_leaves(t, path, f);
        }
    }

    fn zip_leaves_mut(
        &mut self,
        t: &Self::Tangent,
        path: &mut LeafPath,
        f: &mut dyn FnMut(&LeafPath, LeafMut<'_>, LeafRef<'_>),
    ) {
        if let (Some(x), Some(t)) = (self, t) {
            x.zip_leaves_mut(t, path, f);
        }
    }
}
