//! The inputs and outputs of generic scalar functions, seen as flat lists of numbers: a point
//! (`f64`, an array, a tuple or a `Vec` of them) is seeded into dual numbers, and a dual result
//! is split back into values and tangents of the same structure.

use crate::forward::Dual;
use num_traits::Float;

/// The arguments of a generic scalar function (one `f32`/`f64`, or arrays, tuples and `Vec`s
/// of them), which [`calculus`](super) seeds into [`Dual`] numbers.
///
/// ```
/// use autodiff_runtime::calculus::Point;
/// let p = (1.0f64, [2.0f64, 3.0]);
/// assert_eq!(p.len(), 3);
/// assert_eq!(p.to_vec(), vec![1.0, 2.0, 3.0]);
/// let (a, [b, c]) = p.seed(&[0.0, 1.0, 0.0]);
/// assert_eq!((a.tangent, b.tangent, c.tangent), (0.0, 1.0, 0.0));
/// ```
pub trait Point {
    /// The scalar type (`f32` or `f64`).
    type Scalar: Float;
    /// The same structure of dual numbers.
    type Dual;
    /// The number of scalars.
    fn len(&self) -> usize;
    /// `true` for a point of no scalars (an empty `Vec` or array).
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The scalars in order (tuple fields and elements by position).
    fn to_vec(&self) -> Vec<Self::Scalar> {
        let mut out = Vec::with_capacity(self.len());
        self.push_to(&mut out);
        out
    }
    /// Appends the scalars in order.
    fn push_to(&self, out: &mut Vec<Self::Scalar>);
    /// Dual numbers with these values and the tangents read from `tangents` in order.
    fn seed_from(&self, tangents: &mut dyn Iterator<Item = Self::Scalar>) -> Self::Dual;
    /// Dual numbers with these values and the tangents `tangents` (one per scalar).
    ///
    /// # Panics
    /// If `tangents` does not have [`len`](Self::len) elements.
    #[track_caller]
    fn seed(&self, tangents: &[Self::Scalar]) -> Self::Dual {
        if tangents.len() != self.len() {
            panic!(
                "seed: {} tangents for a point of {} scalars",
                tangents.len(),
                self.len()
            );
        }
        self.seed_from(&mut tangents.iter().copied())
    }
}

/// The results of a generic scalar function run on [`Dual`] numbers (a `Dual`, or arrays,
/// tuples and `Vec`s of them: `f_grad::<Dual<f64>>` returns `(Dual, (Dual, Dual))`).
///
/// ```
/// use autodiff_runtime::calculus::DualPoint;
/// use autodiff_runtime::forward::Dual;
/// let r = (Dual::new(1.0f64, 2.0), [Dual::new(3.0, 4.0)]);
/// assert_eq!(r.split(), ((1.0, [3.0]), (2.0, [4.0])));
/// let mut tangents = Vec::new();
/// r.visit(&mut |d| tangents.push(d.tangent));
/// assert_eq!(tangents, [2.0, 4.0]);
/// ```
pub trait DualPoint {
    /// The scalar type of the dual numbers (`Dual<f64>` has `f64`).
    type Scalar: Float;
    /// The same structure of plain numbers.
    type Plain;
    /// The values and the tangents, each in the structure of `self`.
    fn split(&self) -> (Self::Plain, Self::Plain);
    /// Calls `f` with every dual number in order.
    fn visit(&self, f: &mut dyn FnMut(&Dual<Self::Scalar>));
}

macro_rules! scalar_point {
    ($($t:ty)*) => {$(
        impl Point for $t {
            type Scalar = $t;
            type Dual = Dual<$t>;
            fn len(&self) -> usize {
                1
            }
            fn push_to(&self, out: &mut Vec<$t>) {
                out.push(*self);
            }
            fn seed_from(&self, tangents: &mut dyn Iterator<Item = $t>) -> Dual<$t> {
                Dual::new(*self, tangents.next().expect("one tangent per scalar"))
            }
        }
    )*};
}

scalar_point!(f32 f64);

impl<F: Float> DualPoint for Dual<F> {
    type Scalar = F;
    type Plain = F;
    fn split(&self) -> (F, F) {
        (self.value, self.tangent)
    }
    fn visit(&self, f: &mut dyn FnMut(&Dual<F>)) {
        f(self)
    }
}

impl<P: Point, const N: usize> Point for [P; N] {
    type Scalar = P::Scalar;
    type Dual = [P::Dual; N];
    fn len(&self) -> usize {
        self.iter().map(P::len).sum()
    }
    fn push_to(&self, out: &mut Vec<P::Scalar>) {
        self.iter().for_each(|p| p.push_to(out));
    }
    fn seed_from(&self, tangents: &mut dyn Iterator<Item = P::Scalar>) -> Self::Dual {
        std::array::from_fn(|i| self[i].seed_from(tangents))
    }
}

impl<D: DualPoint, const N: usize> DualPoint for [D; N] {
    type Scalar = D::Scalar;
    type Plain = [D::Plain; N];
    fn split(&self) -> (Self::Plain, Self::Plain) {
        let (values, tangents): (Vec<_>, Vec<_>) = self.iter().map(D::split).unzip();
        (into_array(values), into_array(tangents))
    }
    fn visit(&self, f: &mut dyn FnMut(&Dual<D::Scalar>)) {
        self.iter().for_each(|d| d.visit(f));
    }
}

fn into_array<T, const N: usize>(v: Vec<T>) -> [T; N] {
    v.try_into()
        .ok()
        .expect("one element per element of the array")
}

impl<P: Point> Point for Vec<P> {
    type Scalar = P::Scalar;
    type Dual = Vec<P::Dual>;
    fn len(&self) -> usize {
        self.iter().map(P::len).sum()
    }
    fn push_to(&self, out: &mut Vec<P::Scalar>) {
        self.iter().for_each(|p| p.push_to(out));
    }
    fn seed_from(&self, tangents: &mut dyn Iterator<Item = P::Scalar>) -> Self::Dual {
        self.iter().map(|p| p.seed_from(tangents)).collect()
    }
}

impl<D: DualPoint> DualPoint for Vec<D> {
    type Scalar = D::Scalar;
    type Plain = Vec<D::Plain>;
    fn split(&self) -> (Self::Plain, Self::Plain) {
        self.iter().map(D::split).unzip()
    }
    fn visit(&self, f: &mut dyn FnMut(&Dual<D::Scalar>)) {
        self.iter().for_each(|d| d.visit(f));
    }
}

macro_rules! tuple_points {
    ($(($($t:ident $i:tt),+);)*) => {$(
        impl<F: Float, $($t: Point<Scalar = F>),+> Point for ($($t,)+) {
            type Scalar = F;
            type Dual = ($($t::Dual,)+);
            fn len(&self) -> usize {
                0 $(+ self.$i.len())+
            }
            fn push_to(&self, out: &mut Vec<F>) {
                $(self.$i.push_to(out);)+
            }
            fn seed_from(&self, tangents: &mut dyn Iterator<Item = F>) -> Self::Dual {
                ($(self.$i.seed_from(tangents),)+)
            }
        }

        impl<F: Float, $($t: DualPoint<Scalar = F>),+> DualPoint for ($($t,)+) {
            type Scalar = F;
            type Plain = ($($t::Plain,)+);
            fn split(&self) -> (Self::Plain, Self::Plain) {
                let parts = ($(self.$i.split(),)+);
                (($(parts.$i.0,)+), ($(parts.$i.1,)+))
            }
            fn visit(&self, f: &mut dyn FnMut(&Dual<F>)) {
                $(self.$i.visit(f);)+
            }
        }
    )*};
}

tuple_points! {
    (A 0);
    (A 0, B 1);
    (A 0, B 1, C 2);
    (A 0, B 1, C 2, D 3);
    (A 0, B 1, C 2, D 3, G 4);
    (A 0, B 1, C 2, D 3, G 4, H 5);
    (A 0, B 1, C 2, D 3, G 4, H 5, I 6);
    (A 0, B 1, C 2, D 3, G 4, H 5, I 6, J 7);
}
