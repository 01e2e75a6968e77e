//! Jacobians, Hessians, Hessian-vector products and forward-mode derivatives, built from the
//! pieces the crate already has:
//!
//! - [`jacobian`]: **rows** by reverse mode, one forward pass and one call of the *same*
//!   pullback per output element, for any `Fn(&X) -> (out, pullback)` (a generated `NAME_vjp`
//!   or a hand-written one), with `X` any [`Differentiable`] value and `out` a scalar or a tensor;
//! - [`jacobian_fwd`] and [`jvp`]: **columns** / directional derivatives by forward mode, for
//!   generic scalar functions (`fn f<T: Float>`) run on [`Dual`] numbers;
//! - [`hvp`] and [`hessian`]: exact second derivatives of generic scalar functions, forward over
//!   reverse: the generated `NAME_grad` run on [`Dual`] numbers returns the gradient in the
//!   values and `H·v` in the tangents;
//! - for tensor functions, from the `NAME_jvp` / `NAME_hvp` that `#[differentiable(jvp, hvp)]`
//!   generates: [`jacobian_columns`], [`hessian_columns`], and [`jacobian_auto`] (rows or
//!   columns, whichever takes fewer passes).
//!
//! Generic scalar functions take their arguments as a [`Point`]: one `f64`, or a tuple, array
//! or `Vec` of them, passed to a closure that calls the function with the corresponding dual
//! numbers: `|(x, y)| rosenbrock_grad(x, y)`.
//!
//! ```
//! use autodiff_runtime::calculus;
//! use autodiff_runtime::vjp::{Pullback, ScalarVjp};
//! use num_traits::Float;
//!
//! // f(x, y) = x²·sin(y) and its gradient by reverse mode, as `#[differentiable]` writes it
//! fn f_grad<T: Float>(x: T, y: T) -> (T, (T, T)) {
//!     let (s, pb) = y.sin_vjp();
//!     (x * x * s, (x * s + x * s, pb.pull(x * x)))
//! }
//! let (x, y) = (1.5f64, 0.3f64);
//! // the closure gets dual numbers and calls `f_grad::<Dual<f64>>`
//! let h = calculus::hessian(|(x, y)| f_grad(x, y), &(x, y));
//! let want = [2.0 * y.sin(), 2.0 * x * y.cos(), 2.0 * x * y.cos(), -x * x * y.sin()];
//! for (got, want) in h.to_vec().iter().zip(want) {
//!     assert!((got - want).abs() < 1e-14);
//! }
//! ```

mod output;
mod point;
mod tensor;

pub use output::Output;
pub use point::{DualPoint, Point};
pub use tensor::{hessian_columns, jacobian_auto, jacobian_columns};

use crate::differentiable::{Differentiable, LeafPath};
use crate::forward::{with_tangents, Dual};
use crate::tensor::{Element, Tensor};
use crate::vjp::CallPullback;
use num_traits::{One, Zero};

/// The Jacobian of `x ↦ y` by reverse mode, one row per output element: `f` runs once, and
/// its pullback is called with each basis cotangent `e_i` (pullbacks take `&self` and can be
/// called any number of times).
///
/// `f` is a generated `NAME_vjp` (wrapped in a closure taking `&X`) or a hand-written one;
/// `X` is any [`Differentiable`] value (a tensor, a scalar, a tuple of tensors, a model
/// struct). The result is an `m × n` matrix in `f64`: `m` output elements in row-major order,
/// `n` input elements in the order of [`Differentiable::visit_leaves`] (leaves in order, each
/// row-major), whatever the element types.
///
/// # Panics
/// If a gradient returned by the pullback does not have the elements of `x`.
///
/// ```
/// use autodiff_runtime::calculus::jacobian;
/// use autodiff_runtime::vjp::{Pullback, TensorVjp};
/// use autodiff_runtime::Tensor;
///
/// // y = tanh(W·x) with W fixed: J = diag(1 - y²)·W
/// let w = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]);
/// let x = Tensor::from_vec(vec![0.1, -0.2], &[2]);
/// let j = jacobian(
///     |x: &Tensor<f64>| {
///         let (z, pz) = w.mv_vjp_r(x);
///         let (y, py) = z.tanh_vjp();
///         (y, move |g| pz.pull(py.pull(g)))
///     },
///     &x,
/// );
/// assert_eq!(j.shape(), &[3, 2]);
/// let y = w.mv(&x).tanh();
/// assert!((j.get(&[2, 1]) - (1.0 - y.get(&[2]).powi(2)) * 6.0).abs() < 1e-15);
/// ```
#[track_caller]
pub fn jacobian<X, Y, P>(f: impl Fn(&X) -> (Y, P), x: &X) -> Tensor<f64>
where
    X: Differentiable + ?Sized,
    Y: Output,
    P: CallPullback<Y, Grads = X::Tangent>,
{
    let (y, pullback) = f(x);
    let (m, n) = (y.numel(), x.num_elements());
    let mut data = Vec::with_capacity(m * n);
    let mut basis = vec![0.0; m];
    for i in 0..m {
        basis[i] = 1.0;
        let g = pullback.call_pullback(y.cotangent(&basis));
        basis[i] = 0.0;
        let before = data.len();
        X::visit_tangent_leaves(&g, &mut LeafPath::new(), &mut |_, leaf| {
            data.extend(leaf.to_f64_vec())
        });
        if data.len() - before != n {
            panic!(
                "jacobian: the pullback returned a gradient of {} elements for an input of {n}",
                data.len() - before
            );
        }
    }
    Tensor::from_vec(data, &[m, n])
}

/// Forward mode: `f(x)` and the directional derivative `J(x)·v`, each in the structure of
/// `f`'s result. `f` calls a generic scalar function (`fn f<T: Float>`) with the dual numbers
/// it is given; `x` and `v` have the same structure (a [`Point`]).
///
/// ```
/// use autodiff_runtime::calculus::jvp;
/// use num_traits::Float;
///
/// fn polar<T: Float>(r: T, t: T) -> (T, T) {
///     (r * t.cos(), r * t.sin())
/// }
/// // d/dt at (r, t) = (2, 0): (-r sin t, r cos t) = (0, 2)
/// let (xy, d) = jvp(|(r, t)| polar(r, t), &(2.0, 0.0), &(0.0, 1.0));
/// assert_eq!(xy, (2.0, 0.0));
/// assert_eq!(d, (0.0, 2.0));
/// ```
#[track_caller]
pub fn jvp<X, Y>(f: impl Fn(X::Dual) -> Y, x: &X, v: &X) -> (Y::Plain, Y::Plain)
where
    X: Point,
    Y: DualPoint<Scalar = X::Scalar>,
{
    with_tangents(|| f(x.seed(&v.to_vec())).split())
}

/// The Jacobian of a generic scalar function by forward mode, one column per input scalar
/// (one run of `f` on dual numbers each): an `m × n` matrix, `m` the scalars of `f`'s result
/// and `n` those of `x`, both in the order of [`Point`] and [`DualPoint`]. Cheaper than
/// [`jacobian`] when there are fewer inputs than outputs.
///
/// ```
/// use autodiff_runtime::calculus::jacobian_fwd;
/// use num_traits::Float;
///
/// fn polar<T: Float>(r: T, t: T) -> [T; 2] {
///     [r * t.cos(), r * t.sin()]
/// }
/// let j = jacobian_fwd(|(r, t)| polar(r, t), &(2.0, 0.0));
/// assert_eq!(j.shape(), &[2, 2]);
/// assert_eq!(j.to_vec(), vec![1.0, 0.0, 0.0, 2.0]);
/// ```
pub fn jacobian_fwd<X, Y>(f: impl Fn(X::Dual) -> Y, x: &X) -> Tensor<X::Scalar>
where
    X: Point,
    X::Scalar: Element,
    Y: DualPoint<Scalar = X::Scalar>,
{
    let n = x.len();
    let mut columns = Vec::with_capacity(n);
    let mut basis = vec![X::Scalar::zero(); n];
    for j in 0..n {
        basis[j] = X::Scalar::one();
        columns.push(with_tangents(|| tangents(&f(x.seed(&basis)))));
        basis[j] = X::Scalar::zero();
    }
    let m = if n == 0 {
        tangents(&f(x.seed(&basis))).len()
    } else {
        columns[0].len()
    };
    transpose(&columns, m, n)
}

/// The Hessian-vector product of a scalar function, exact (forward over reverse): `grad` is the
/// function's generated `NAME_grad` (generic over `T: Float`) called with the dual numbers it
/// is given; run on `x + v·ε` it returns `f(x)`, the gradient `∇f(x)` in the values and
/// `H(x)·v` in the tangents. Returns `(f(x), ∇f(x), H(x)·v)`, the last two in the structure of
/// the gradient.
///
/// ```
/// use autodiff_runtime::calculus::hvp;
/// use num_traits::Float;
///
/// // f(x, y) = x²y, gradient (2xy, x²), Hessian [[2y, 2x], [2x, 0]]
/// fn f_grad<T: Float>(x: T, y: T) -> (T, (T, T)) {
///     (x * x * y, (x * y + x * y, x * x))
/// }
/// let (f, g, hv) = hvp(|(x, y)| f_grad(x, y), &(3.0, 2.0), &(1.0, 0.0));
/// assert_eq!((f, g, hv), (18.0, (12.0, 9.0), (4.0, 6.0)));
/// ```
#[track_caller]
pub fn hvp<X, G>(
    grad: impl Fn(X::Dual) -> (Dual<X::Scalar>, G),
    x: &X,
    v: &X,
) -> (X::Scalar, G::Plain, G::Plain)
where
    X: Point,
    G: DualPoint<Scalar = X::Scalar>,
{
    let (y, g) = with_tangents(|| grad(x.seed(&v.to_vec())));
    let (g, hv) = g.split();
    (y.value, g, hv)
}

/// The Hessian of a scalar function, exact: one [`hvp`] per input scalar (`grad` as in
/// [`hvp`]). An `n × n` matrix, symmetric up to rounding, whose column `j` is `H·e_j`.
///
/// # Panics
/// If the gradient `grad` returns does not have one scalar per input scalar.
///
/// ```
/// use autodiff_runtime::calculus::hessian;
/// use num_traits::Float;
///
/// fn f_grad<T: Float>(x: [T; 2]) -> (T, [T; 2]) {
///     let [a, b] = x;
///     (a * a * b, [a * b + a * b, a * a])
/// }
/// let h = hessian(|x| f_grad(x), &[3.0, 2.0]);
/// assert_eq!(h.to_vec(), vec![4.0, 6.0, 6.0, 0.0]);
/// ```
#[track_caller]
pub fn hessian<X, G>(grad: impl Fn(X::Dual) -> (Dual<X::Scalar>, G), x: &X) -> Tensor<X::Scalar>
where
    X: Point,
    X::Scalar: Element,
    G: DualPoint<Scalar = X::Scalar>,
{
    let n = x.len();
    let mut columns = Vec::with_capacity(n);
    let mut basis = vec![X::Scalar::zero(); n];
    for j in 0..n {
        basis[j] = X::Scalar::one();
        let column = with_tangents(|| tangents(&grad(x.seed(&basis)).1));
        basis[j] = X::Scalar::zero();
        if column.len() != n {
            panic!(
                "hessian: the gradient has {} scalars for an input of {n}",
                column.len()
            );
        }
        columns.push(column);
    }
    transpose(&columns, n, n)
}

/// The tangents of a dual result, in order.
fn tangents<D: DualPoint>(d: &D) -> Vec<D::Scalar> {
    let mut out = Vec::new();
    d.visit(&mut |x| out.push(x.tangent));
    out
}

/// The `m × n` matrix whose columns are `columns`.
fn transpose<F: Element>(columns: &[Vec<F>], m: usize, n: usize) -> Tensor<F> {
    let mut data = vec![F::zero(); m * n];
    for (j, column) in columns.iter().enumerate() {
        for (i, &v) in column.iter().enumerate() {
            data[i * n + j] = v;
        }
    }
    Tensor::from_vec(data, &[m, n])
}
