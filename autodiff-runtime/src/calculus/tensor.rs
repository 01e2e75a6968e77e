//! Jacobians and Hessians of tensor functions from their forward-mode derivatives: the
//! `NAME_jvp` / `NAME_hvp` that `#[differentiable(jvp, hvp)]` generates for a function of one
//! tensor, called once per input element with a basis direction. Next to [`jacobian`] (rows,
//! one pullback call per output element), [`jacobian_auto`] picks the cheaper side by shape.

use super::{jacobian, transpose};
use crate::tensor::{Element, Tensor};
use crate::vjp::CallPullback;

/// The basis directions `e_j` of `x`'s shape, one at a time.
fn for_each_basis<E: Element>(x: &Tensor<E>, mut f: impl FnMut(&Tensor<E>)) {
    let n = x.numel();
    let mut e = vec![E::zero(); n];
    for j in 0..n {
        e[j] = E::one();
        f(&Tensor::from_vec(e.clone(), x.shape()));
        e[j] = E::zero();
    }
}

/// The Jacobian of `x ↦ y` by forward mode, one column per input element: `jvp(v)` returns
/// `J(x)·v` (a generated `NAME_jvp` in a closure, e.g. `|v| f_jvp(&x, v).1`). An `m × n` matrix
/// in `f64`, `m` the output's elements and `n` the input's, both row-major.
///
/// # Panics
/// If the tangents `jvp` returns change size between columns.
///
/// ```
/// use autodiff_runtime::calculus::jacobian_columns;
/// use autodiff_runtime::Tensor;
///
/// // y = tanh(W·x): J·v = (1 - y²) ⊙ (W·v)
/// let w = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]);
/// let x = Tensor::from_vec(vec![0.1, -0.2], &[2]);
/// let y = w.mv(&x).tanh();
/// let jvp = |v: &Tensor<f64>| (1.0 - &y * &y) * w.mv(v);
/// let j = jacobian_columns(jvp, &x);
/// assert_eq!(j.shape(), &[3, 2]);
/// assert!((j.get(&[2, 1]) - (1.0 - y.get(&[2]).powi(2)) * 6.0).abs() < 1e-15);
/// ```
#[track_caller]
pub fn jacobian_columns<E: Element>(
    jvp: impl Fn(&Tensor<E>) -> Tensor<E>,
    x: &Tensor<E>,
) -> Tensor<f64> {
    let mut columns: Vec<Vec<f64>> = Vec::with_capacity(x.numel());
    for_each_basis(x, |e| {
        let column: Vec<f64> = jvp(e).to_vec().into_iter().map(E::into_f64).collect();
        if let Some(first) = columns.first() {
            assert!(
                first.len() == column.len(),
                "jacobian_columns: the tangents have {} and {} elements",
                first.len(),
                column.len()
            );
        }
        columns.push(column);
    });
    let m = columns.first().map_or(0, Vec::len);
    transpose(&columns, m, columns.len())
}

/// The Hessian of a scalar function of one tensor, exact: column `j` is `hvp(e_j)`, with `hvp`
/// returning `H(x)·v` (a generated `NAME_hvp` in a closure, e.g. `|v| f_hvp(&x, v).2`). An
/// `n × n` matrix in `f64`, symmetric up to rounding.
///
/// # Panics
/// If `hvp` returns a tensor of another number of elements than `x`.
///
/// ```
/// use autodiff_runtime::calculus::hessian_columns;
/// use autodiff_runtime::Tensor;
///
/// // f(x) = Σ xᵢ³: H = diag(6x)
/// let x = Tensor::from_vec(vec![1.0, -2.0], &[2]);
/// let h = hessian_columns(|v: &Tensor<f64>| &x * 6.0 * v, &x);
/// assert_eq!(h.to_vec(), vec![6.0, 0.0, 0.0, -12.0]);
/// ```
#[track_caller]
pub fn hessian_columns<E: Element>(
    hvp: impl Fn(&Tensor<E>) -> Tensor<E>,
    x: &Tensor<E>,
) -> Tensor<f64> {
    let n = x.numel();
    let h = jacobian_columns(hvp, x);
    assert!(
        h.shape() == [n, n],
        "hessian_columns: H·v has {} elements for an input of {n}",
        h.shape()[0]
    );
    h
}

/// The Jacobian by whichever mode needs fewer passes: rows through one pullback (`vjp`, as in
/// [`jacobian`]) when the output has at most as many elements as the input, columns through
/// `jvp` (as in [`jacobian_columns`]) otherwise. The two give the same matrix up to rounding.
///
/// ```
/// use autodiff_runtime::calculus::jacobian_auto;
/// use autodiff_runtime::vjp::{Pullback, TensorVjp};
/// use autodiff_runtime::Tensor;
///
/// // y = W·x with W 3×2: three outputs, two inputs, so two forward passes
/// let w = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]);
/// let x = Tensor::from_vec(vec![0.1, -0.2], &[2]);
/// let vjp = |x: &Tensor<f64>| {
///     let (y, pb) = w.mv_vjp_r(x);
///     (y, move |g| pb.pull(g))
/// };
/// let j = jacobian_auto(vjp, |v: &Tensor<f64>| w.mv(v), &x);
/// assert_eq!(j.to_vec(), w.to_vec());
/// ```
#[track_caller]
pub fn jacobian_auto<E, P>(
    vjp: impl Fn(&Tensor<E>) -> (Tensor<E>, P),
    jvp: impl Fn(&Tensor<E>) -> Tensor<E>,
    x: &Tensor<E>,
) -> Tensor<f64>
where
    E: Element,
    Tensor<E>: super::Output,
    P: CallPullback<Tensor<E>, Grads = Tensor<E>>,
{
    let outputs = vjp(x).0.numel();
    if outputs <= x.numel() {
        jacobian(vjp, x)
    } else {
        jacobian_columns(jvp, x)
    }
}
