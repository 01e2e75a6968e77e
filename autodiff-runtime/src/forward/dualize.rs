//! [`Dualize`]: differentiable values at dual numbers (forward mode through structs and containers).

use super::{dual_constant, dual_tensor, Dual};
use crate::differentiable::Differentiable;
use crate::{Element, Tensor};
use num_traits::Float;

/// A differentiable value at dual numbers, for forward mode through structs and containers.
/// `f64` becomes [`Dual<f64>`], `Tensor<E>` becomes `Tensor<Dual<E>>`, a `Vec`,
/// array, `Box`, `Option` or tuple of such values holds their dual forms, and a struct deriving
/// `Differentiable` gets a hidden twin struct with the same field names whose fields are the dual
/// forms of its own. The generated `NAME_jvp` seeds each argument with its tangent (of the
/// argument's [`Differentiable::Tangent`] type, the type of its gradient), runs the function's
/// copy at dual numbers, and takes the result apart.
///
/// ```
/// use autodiff_runtime::forward::{Dual, Dualize};
/// use autodiff_runtime::Tensor;
///
/// let p = (vec![Tensor::from_vec(vec![1.0f64, 2.0], &[2])], 3.0f64);
/// let v = (vec![Tensor::from_vec(vec![0.5, 0.0], &[2])], 1.0);
/// let d = p.seed(&v);
/// assert_eq!(d.0[0].to_vec(), vec![Dual::new(1.0, 0.5), Dual::new(2.0, 0.0)]);
/// assert_eq!(d.1, Dual::new(3.0, 1.0));
/// let (value, tangent) = <(Vec<Tensor<f64>>, f64)>::split(d);
/// assert_eq!((value.1, tangent.1), (3.0, 1.0));
/// assert_eq!(p.constant().1.tangent, 0.0);
/// ```
///
/// Implemented for `f32`, `f64`, `Tensor<f32>`, `Tensor<f64>`, `Vec<T>`, `[T; N]`, `Box<T>`,
/// `Option<T>` and tuples of up to 8 such types; `#[derive(Differentiable)]` implements it for
/// structs.
///
/// ```
/// use autodiff_runtime::forward::{Dual, Dualize};
/// let x = [1.0f64, 2.0];
/// let d = x.seed(&[1.0, 0.0]);
/// assert_eq!(d, [Dual::new(1.0, 1.0), Dual::new(2.0, 0.0)]);
/// assert_eq!(<[f64; 2]>::split(d), ([1.0, 2.0], [1.0, 0.0]));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no form at dual numbers (forward mode)",
    label = "forward mode cannot carry a tangent through this type",
    note = "`Dualize` is implemented for `f32`, `f64`, tensors, `Vec`, arrays, `Box`, `Option`, tuples, and structs that derive `Differentiable`"
)]
pub trait Dualize: Differentiable + Sized {
    /// The value at dual numbers (same structure, every leaf a dual number or a tensor of
    /// them).
    type Dual: Clone + Differentiable;

    /// The value with tangent `t` (of the same structure).
    ///
    /// # Panics
    /// If `t` does not have the structure of `self` (a `Vec` of another length, a tensor of
    /// another shape), naming both.
    fn seed(&self, t: &Self::Tangent) -> Self::Dual;

    /// The value as a constant (zero tangents).
    fn constant(&self) -> Self::Dual;

    /// Values and tangents of a dual value, taken apart.
    fn split(d: Self::Dual) -> (Self, Self::Tangent);

    /// A gradient at dual numbers (the tangent of [`Self::Dual`], as the reverse-mode code
    /// generated for a function's copy at dual numbers returns it), taken apart into its values
    /// and its tangents, both of the gradient's own type: for `NAME_hvp`, the gradient and the
    /// Hessian-vector product.
    fn split_tangent(t: <Self::Dual as Differentiable>::Tangent) -> (Self::Tangent, Self::Tangent);
}

macro_rules! scalar_dualize {
    ($($t:ty),*) => {$(
        /// A number: `Dual` with the tangent beside the value.
        impl Dualize for $t {
            type Dual = Dual<$t>;
            #[inline]
            fn seed(&self, t: &$t) -> Dual<$t> {
                Dual::new(*self, *t)
            }
            #[inline]
            fn constant(&self) -> Dual<$t> {
                Dual::constant(*self)
            }
            #[inline]
            fn split(d: Dual<$t>) -> ($t, $t) {
                (d.value, d.tangent)
            }
            #[inline]
            fn split_tangent(d: Dual<$t>) -> ($t, $t) {
                (d.value, d.tangent)
            }
        }
    )*};
}

scalar_dualize!(f32, f64);

/// A tensor: a tensor of dual numbers of the same shape.
impl<E> Dualize for Tensor<E>
where
    E: Float + Element,
    Dual<E>: Element,
{
    type Dual = Tensor<Dual<E>>;
    #[track_caller]
    fn seed(&self, t: &Tensor<E>) -> Tensor<Dual<E>> {
        dual_tensor(self, t)
    }
    fn constant(&self) -> Tensor<Dual<E>> {
        dual_constant(self)
    }
    fn split(d: Tensor<Dual<E>>) -> (Tensor<E>, Tensor<E>) {
        super::SplitDual::split_dual(d)
    }
    fn split_tangent(d: Tensor<Dual<E>>) -> (Tensor<E>, Tensor<E>) {
        super::SplitDual::split_dual(d)
    }
}

/// Element by element.
impl<T: Dualize> Dualize for Vec<T> {
    type Dual = Vec<T::Dual>;
    #[track_caller]
    fn seed(&self, t: &Vec<T::Tangent>) -> Vec<T::Dual> {
        if self.len() != t.len() {
            crate::differentiable::structure_mismatch(
                "forward mode (seeding a Vec)",
                "Vec lengths",
                self.len(),
                t.len(),
            );
        }
        self.iter().zip(t).map(|(x, t)| x.seed(t)).collect()
    }
    fn constant(&self) -> Vec<T::Dual> {
        self.iter().map(T::constant).collect()
    }
    fn split(d: Vec<T::Dual>) -> (Vec<T>, Vec<T::Tangent>) {
        d.into_iter().map(T::split).unzip()
    }
    fn split_tangent(
        t: Vec<<T::Dual as Differentiable>::Tangent>,
    ) -> (Vec<T::Tangent>, Vec<T::Tangent>) {
        t.into_iter().map(T::split_tangent).unzip()
    }
}

/// Element by element.
impl<T: Dualize, const N: usize> Dualize for [T; N] {
    type Dual = [T::Dual; N];
    fn seed(&self, t: &[T::Tangent; N]) -> [T::Dual; N] {
        std::array::from_fn(|i| self[i].seed(&t[i]))
    }
    fn constant(&self) -> [T::Dual; N] {
        std::array::from_fn(|i| self[i].constant())
    }
    fn split(d: [T::Dual; N]) -> ([T; N], [T::Tangent; N]) {
        let (values, tangents): (Vec<T>, Vec<T::Tangent>) = d.into_iter().map(T::split).unzip();
        match (values.try_into(), tangents.try_into()) {
            (Ok(v), Ok(t)) => (v, t),
            _ => unreachable!("an array of N elements splits into two of N"),
        }
    }
    fn split_tangent(
        t: [<T::Dual as Differentiable>::Tangent; N],
    ) -> ([T::Tangent; N], [T::Tangent; N]) {
        let (values, tangents): (Vec<T::Tangent>, Vec<T::Tangent>) =
            t.into_iter().map(T::split_tangent).unzip();
        match (values.try_into(), tangents.try_into()) {
            (Ok(v), Ok(t)) => (v, t),
            _ => unreachable!("an array of N elements splits into two of N"),
        }
    }
}

/// The boxed value's dual form, boxed.
impl<T: Dualize> Dualize for Box<T> {
    type Dual = Box<T::Dual>;
    #[track_caller]
    fn seed(&self, t: &Box<T::Tangent>) -> Box<T::Dual> {
        Box::new((**self).seed(t))
    }
    fn constant(&self) -> Box<T::Dual> {
        Box::new((**self).constant())
    }
    fn split(d: Box<T::Dual>) -> (Box<T>, Box<T::Tangent>) {
        let (v, t) = T::split(*d);
        (Box::new(v), Box::new(t))
    }
    fn split_tangent(
        t: Box<<T::Dual as Differentiable>::Tangent>,
    ) -> (Box<T::Tangent>, Box<T::Tangent>) {
        let (v, t) = T::split_tangent(*t);
        (Box::new(v), Box::new(t))
    }
}

/// `None` stays `None`; `Some(x)` with a tangent `None` (a zero) is a constant.
impl<T: Dualize> Dualize for Option<T> {
    type Dual = Option<T::Dual>;
    #[track_caller]
    fn seed(&self, t: &Option<T::Tangent>) -> Option<T::Dual> {
        match (self, t) {
            (Some(x), Some(t)) => Some(x.seed(t)),
            (Some(x), None) => Some(x.constant()),
            (None, _) => None,
        }
    }
    fn constant(&self) -> Option<T::Dual> {
        self.as_ref().map(T::constant)
    }
    fn split(d: Option<T::Dual>) -> (Option<T>, Option<T::Tangent>) {
        match d.map(T::split) {
            Some((v, t)) => (Some(v), Some(t)),
            None => (None, None),
        }
    }
    fn split_tangent(
        t: Option<<T::Dual as Differentiable>::Tangent>,
    ) -> (Option<T::Tangent>, Option<T::Tangent>) {
        match t.map(T::split_tangent) {
            Some((v, t)) => (Some(v), Some(t)),
            None => (None, None),
        }
    }
}

macro_rules! tuple_dualize {
    ($(($($i:tt $T:ident),*))*) => {$(
        /// Element by element.
        impl<$($T: Dualize),*> Dualize for ($($T,)*) {
            type Dual = ($($T::Dual,)*);
            #[track_caller]
            fn seed(&self, t: &Self::Tangent) -> Self::Dual {
                ($(self.$i.seed(&t.$i),)*)
            }
            fn constant(&self) -> Self::Dual {
                ($(self.$i.constant(),)*)
            }
            fn split(d: Self::Dual) -> (Self, Self::Tangent) {
                let parts = ($($T::split(d.$i),)*);
                (($(parts.$i.0,)*), ($(parts.$i.1,)*))
            }
            fn split_tangent(
                t: <Self::Dual as Differentiable>::Tangent,
            ) -> (Self::Tangent, Self::Tangent) {
                let parts = ($($T::split_tangent(t.$i),)*);
                (($(parts.$i.0,)*), ($(parts.$i.1,)*))
            }
        }
    )*};
}

tuple_dualize! {
    (0 A)
    (0 A, 1 B)
    (0 A, 1 B, 2 C)
    (0 A, 1 B, 2 C, 3 D)
    (0 A, 1 B, 2 C, 3 D, 4 G)
    (0 A, 1 B, 2 C, 3 D, 4 G, 5 H)
    (0 A, 1 B, 2 C, 3 D, 4 G, 5 H, 6 I)
    (0 A, 1 B, 2 C, 3 D, 4 G, 5 H, 6 I, 7 J)
}

/// A `Dualize` value as a constant (a function for generated code).
///
/// ```
/// use autodiff_runtime::forward::dualize_constant;
/// assert_eq!(dualize_constant(&vec![2.0f64])[0].tangent, 0.0);
/// ```
#[inline]
pub fn dualize_constant<T: Dualize>(x: &T) -> T::Dual {
    x.constant()
}

/// A `Dualize` value with its tangent (a function for generated code).
///
/// ```
/// use autodiff_runtime::forward::dualize_seed;
/// assert_eq!(dualize_seed(&vec![2.0f64], &vec![1.5])[0].tangent, 1.5);
/// ```
#[inline]
#[track_caller]
pub fn dualize_seed<T: Dualize>(x: &T, t: &T::Tangent) -> T::Dual {
    x.seed(t)
}

/// A gradient at dual numbers taken apart into its values and tangents (a function for
/// generated code: `NAME_hvp`'s gradient and Hessian-vector product).
///
/// ```
/// use autodiff_runtime::forward::{split_dual_gradient, Dual};
/// let (g, hv) = split_dual_gradient::<Vec<f64>>(vec![Dual::new(2.0, 0.5)]);
/// assert_eq!((g, hv), (vec![2.0], vec![0.5]));
/// ```
#[inline]
pub fn split_dual_gradient<T: Dualize>(
    t: <T::Dual as Differentiable>::Tangent,
) -> (T::Tangent, T::Tangent) {
    T::split_tangent(t)
}

/// `Self`'s form at dual numbers is `D`: what `NAME_jvp` / `NAME_hvp` of a function generic over
/// its element `T` require of a struct, container or tuple argument holding `T`
/// (`Params<T>: DualizeAs<Params<Dual<T>>>`), which the function runs on at `T = Dual<T>`. True
/// of numbers, tensors, containers and tuples of them, and structs generic over their element
/// (one type parameter bounded by `Float` or `Element`) whose differentiated fields all hold it (`#[derive(Differentiable)]` gives those
/// `Dualize<Dual = Params<Dual<T>>>` and this trait); other structs (a twin at dual numbers)
/// are refused with this trait's message.
///
/// ```
/// use autodiff_runtime::forward::{Dual, DualizeAs};
/// fn same<P: DualizeAs<D>, D>() {}
/// same::<Vec<f64>, Vec<Dual<f64>>>();
/// same::<(f64, [f32; 2]), (Dual<f64>, [Dual<f32>; 2])>();
/// ```
#[diagnostic::on_unimplemented(
    message = "forward mode cannot rebuild `{Self}` at dual numbers as `{D}`",
    label = "an argument or result of a function generic over its element, whose `jvp`/`hvp` runs it at `T = Dual<T>`",
    note = "a generic function's struct arguments and results are rebuilt at `Dual<T>` (`Params<T>` as `Params<Dual<T>>`): that takes a struct deriving `Differentiable` with one type parameter bounded by `Float` or `Element` (the element), held by every differentiated field",
    note = "mark the fields of other types `#[differentiable(skip)]`, or write the function for `f64`"
)]
pub trait DualizeAs<D>: Dualize<Dual = D> {}

impl DualizeAs<Dual<f32>> for f32 {}
impl DualizeAs<Dual<f64>> for f64 {}
impl<E> DualizeAs<Tensor<Dual<E>>> for Tensor<E>
where
    E: Float + Element,
    Dual<E>: Element,
{
}
impl<T: DualizeAs<D>, D: Clone + Differentiable> DualizeAs<Vec<D>> for Vec<T> {}
impl<T: DualizeAs<D>, D: Clone + Differentiable, const N: usize> DualizeAs<[D; N]> for [T; N] {}
impl<T: DualizeAs<D>, D: Clone + Differentiable> DualizeAs<Box<D>> for Box<T> {}
impl<T: DualizeAs<D>, D: Clone + Differentiable> DualizeAs<Option<D>> for Option<T> {}

macro_rules! tuple_dualize_as {
    ($(($($T:ident $D:ident),*))*) => {$(
        impl<$($T: DualizeAs<$D>, $D: Clone + Differentiable),*> DualizeAs<($($D,)*)> for ($($T,)*) {}
    )*};
}

tuple_dualize_as! {
    (A DA)
    (A DA, B DB)
    (A DA, B DB, C DC)
    (A DA, B DB, C DC, E DE)
    (A DA, B DB, C DC, E DE, G DG)
    (A DA, B DB, C DC, E DE, G DG, H DH)
    (A DA, B DB, C DC, E DE, G DG, H DH, I DI)
    (A DA, B DB, C DC, E DE, G DG, H DH, I DI, J DJ)
}

/// Never implemented: the bound of the stand-in `__ad_NAME_dual` that `#[differentiable]`
/// writes for a function without `jvp`, so that a function with `jvp` calling it at dual
/// numbers is refused at the call, naming the function (`F` is a marker type named after it).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{F}` has no forward mode: add `#[differentiable(jvp)]` to `{F}`",
    label = "called here with dual numbers, from the forward mode of a function with `jvp`",
    note = "a function called with differentiated values inside a function with `jvp` needs `jvp` itself (generic functions `fn f<T: Float>` need only `#[differentiable]`)"
)]
pub trait NeedsJvp<F> {}

/// Never implemented: as [`NeedsJvp`], for methods (`O` is the type whose method is called).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "this method of `{O}` has no forward mode: add `#[differentiable(jvp)]` to it",
    label = "called here with dual numbers, from the forward mode of a function with `jvp`",
    note = "a method called with differentiated values inside a function with `jvp` needs `jvp` itself"
)]
pub trait MethodNeedsJvp<O: ?Sized> {}

/// Never implemented: the bound of the stand-in `__ad_NAME_hvp_dual_vjp` that
/// `#[differentiable]` writes for a non-generic function without `hvp`, so that a function with
/// `hvp` calling it is refused at the call, naming the function (`F` is a marker type named
/// after it).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{F}` has no Hessian-vector product: add `hvp` to the `#[differentiable(..)]` of `{F}`",
    label = "called here with differentiated values, from the `hvp` of another function",
    note = "`hvp` differentiates the functions it calls at dual numbers, in reverse mode: a non-generic function called with differentiated values inside a function with `hvp` needs `hvp` itself (generic functions `fn f<T: Float>` need only `#[differentiable]`)"
)]
pub trait NeedsHvp<F> {}

/// Never implemented: as [`NeedsHvp`], for methods (`O` is the type whose method is called).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "this method of `{O}` has no Hessian-vector product: add `hvp` to its `#[differentiable(..)]`",
    label = "called here with differentiated values, from the `hvp` of another function",
    note = "`hvp` differentiates the methods it calls at dual numbers, in reverse mode: a method called with differentiated values inside a function with `hvp` needs `hvp` itself"
)]
pub trait MethodNeedsHvp<O: ?Sized> {}

/// Never implemented: the bound of the stand-in `NAME_hvp` of a function with `hvp` and a struct
/// or tuple result, for which `#[differentiable(hvp)]` makes only the copy at dual numbers that
/// other functions' `hvp` differentiate through, so that a call of `NAME_hvp` is refused there
/// (`F` is a marker type named after the function).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{F}` has no `hvp` of its own: it returns a struct or a tuple, and a Hessian-vector product is that of a scalar function",
    label = "the `hvp` of a function with a struct or tuple result",
    note = "`hvp` on a function with a struct or tuple result lets the `hvp` of other functions differentiate through it (forward over reverse), and generates no `NAME_hvp` of its own",
    note = "call the `hvp` of a scalar function (a loss) that uses it, or `jvp` for the directional derivative of the struct"
)]
pub trait HvpNeedsScalarResult<F> {}

/// Never implemented: as [`HvpNeedsScalarResult`], for a method (`O` is the type whose method
/// is called).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "this method of `{O}` has no `hvp` of its own: it returns a struct or a tuple, and a Hessian-vector product is that of a scalar function",
    label = "the `hvp` of a method with a struct or tuple result",
    note = "`hvp` on a method with a struct or tuple result lets the `hvp` of other functions differentiate through it (forward over reverse), and generates no `NAME_hvp` of its own",
    note = "call the `hvp` of a scalar function (a loss) that uses it, or `jvp` for the directional derivative of the struct"
)]
pub trait MethodHvpNeedsScalarResult<O: ?Sized> {}

/// Never implemented: the bound of the stand-in `__ad_NAME_hvp_dual_vjp` of a generic method
/// of a non-generic type (whose `self` at dual numbers is the type's twin, which the method does
/// not take), so that a function with `hvp` calling it is refused at the call (`O` is the type
/// whose method is called).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`hvp` cannot differentiate through this method of `{O}`: it is generic, and `{O}` is not",
    label = "called here with differentiated values, from the `hvp` of another function",
    note = "`hvp` differentiates the methods it calls at dual numbers, in reverse mode: a generic method runs there as written, on `self` at dual numbers, which only a struct generic over its element has (`Params<Dual<T>>`, for methods of `impl<T: Float> Params<T>`)",
    note = "write the method without type parameters (with `hvp` itself), as an associated function, or as a free generic function (`fn f<T: Float>`): generic functions need only `#[differentiable]`"
)]
pub trait NoHvpThroughGenericMethod<O: ?Sized> {}
