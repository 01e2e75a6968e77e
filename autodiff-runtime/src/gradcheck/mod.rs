//! PyTorch's `gradcheck` for your own functions and hand-written `NAME_vjp`s: the gradient a
//! function computes is compared, element by element, with central finite differences in
//! `f64` over every element of every input leaf.
//!
//! The function to check is a closure taking the input `&X` (any [`Differentiable`] value: a
//! tensor, a scalar, a tuple of them, a model struct) and returning one of
//!
//! - `(output, pullback)`: a generated or hand-written `NAME_vjp` (the pullback a closure
//!   `Fn(output) -> X::Tangent`), or a VJP form of the runtime (a [`Pullback`]);
//! - `(output, gradient)`: a generated `NAME_grad` (scalar outputs only).
//!
//! Scalar outputs are compared directly. Tensor outputs are reduced by a fixed random
//! cotangent `u` (the gradient of `<u, f(x)>`), or, with [`Gradcheck::each_output`], every
//! output element is checked on its own (the full Jacobian, as PyTorch's slow mode).
//!
//! An element passes when `|analytic - numeric| <= atol + rtol·|numeric|` (PyTorch's rule and
//! defaults: `eps = 1e-6`, `atol = 1e-5`, `rtol = 1e-3`). On failure the error names the worst
//! element: the leaf's path, its flat and multi-index, the two values and the error.
//!
//! Inputs with `f32` leaves are perturbed in `f32` (the step actually taken is measured and
//! used); their rounding makes the default `eps` too small: check in `f64`, or raise `eps` to
//! about `1e-3` and the tolerances to about `1e-2`.
//!
//! ```
//! use autodiff_runtime::gradcheck::{gradcheck, Gradcheck};
//! use autodiff_runtime::vjp::{Pullback, TensorVjp};
//! use autodiff_runtime::Tensor;
//!
//! // a hand-written VJP of y = x·sin(x), right and wrong
//! fn good_vjp(x: &Tensor<f64>) -> (Tensor<f64>, impl Fn(Tensor<f64>) -> Tensor<f64>) {
//!     let (x1, x2) = (x.clone(), x.clone());
//!     (x * &x.sin(), move |g| g * &(x1.sin() + &x1 * &x2.cos()))
//! }
//! fn bad_vjp(x: &Tensor<f64>) -> (Tensor<f64>, impl Fn(Tensor<f64>) -> Tensor<f64>) {
//!     let x1 = x.clone();
//!     (x * &x.sin(), move |g| g * &x1.cos()) // forgot the product rule
//! }
//! let x = Tensor::from_vec(vec![0.3, -1.2, 2.0], &[3]);
//! assert!(gradcheck(good_vjp, &x).is_ok());
//! let err = gradcheck(bad_vjp, &x).unwrap_err();
//! assert!(err.to_string().contains("3 of 3 gradient elements differ"));
//! // every output element on its own, and a runtime VJP form
//! assert!(Gradcheck::new().each_output().check(good_vjp, &x).is_ok());
//! assert!(gradcheck(|x: &Tensor<f64>| x.exp_vjp(), &x).is_ok());
//! ```

mod leaves;
mod report;

pub use report::{Element, GradcheckError, GradcheckReport};

use crate::calculus::Output;
use crate::differentiable::Differentiable;
use crate::tensor::Tensor;
use crate::vjp::Pullback;
use leaves::{flatten_tangent, leaves, set_element, Leaf};

/// What the checked function returns: its output and a way to get the gradient for a
/// cotangent. Implemented for `(output, closure pullback)` ([`ByClosure`]), `(output,
/// Pullback)` ([`ByPullback`]) and `(output, gradient)` ([`ByGradient`]); the marker `M` is
/// inferred.
pub trait Analytic<X: Differentiable + ?Sized, M> {
    /// The output type.
    type Out: Output;
    /// The output.
    fn output(&self) -> &Self::Out;
    /// The gradient for the cotangent with elements `cotangent` (row-major), or why there is
    /// none.
    fn gradient(&self, cotangent: &[f64]) -> Result<X::Tangent, String>;
}

/// Marker of [`Analytic`] for `(output, Fn(output) -> gradient)`: a `NAME_vjp`.
#[derive(Debug)]
pub enum ByClosure {}
/// Marker of [`Analytic`] for `(output, P: Pullback)`: a VJP form of the runtime.
#[derive(Debug)]
pub enum ByPullback {}
/// Marker of [`Analytic`] for `(output, gradient)`: a `NAME_grad` (scalar outputs).
#[derive(Debug)]
pub enum ByGradient {}

impl<X, Y, P> Analytic<X, ByClosure> for (Y, P)
where
    X: Differentiable + ?Sized,
    Y: Output,
    P: crate::vjp::CallPullback<Y, Grads = X::Tangent>,
{
    type Out = Y;
    fn output(&self) -> &Y {
        &self.0
    }
    fn gradient(&self, cotangent: &[f64]) -> Result<X::Tangent, String> {
        Ok(self.1.call_pullback(self.0.cotangent(cotangent)))
    }
}

impl<X, Y, P> Analytic<X, ByPullback> for (Y, P)
where
    X: Differentiable + ?Sized,
    Y: Output,
    P: Pullback<Cot = Y, Grads = X::Tangent>,
{
    type Out = Y;
    fn output(&self) -> &Y {
        &self.0
    }
    fn gradient(&self, cotangent: &[f64]) -> Result<X::Tangent, String> {
        Ok(self.1.pull(self.0.cotangent(cotangent)))
    }
}

impl<X, Y> Analytic<X, ByGradient> for (Y, X::Tangent)
where
    X: Differentiable + ?Sized,
    Y: Output,
{
    type Out = Y;
    fn output(&self) -> &Y {
        &self.0
    }
    fn gradient(&self, cotangent: &[f64]) -> Result<X::Tangent, String> {
        match cotangent {
            [1.0] => Ok(self.1.clone()),
            [u] => {
                let mut g = self.1.clone();
                X::scale_tangent(&mut g, *u);
                Ok(g)
            }
            _ => Err(format!(
                "a gradient without a pullback needs a scalar output, got {} elements; check \
                 NAME_vjp instead",
                cotangent.len()
            )),
        }
    }
}

/// How tensor outputs are reduced.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// One random cotangent drawn from this seed (scalar outputs: the cotangent 1).
    Random(u64),
    /// Every output element on its own.
    EachOutput,
}

/// The options of a gradient check (PyTorch's defaults), then [`check`](Self::check).
///
/// ```
/// use autodiff_runtime::gradcheck::Gradcheck;
/// use autodiff_runtime::vjp::ScalarVjp;
///
/// let report = Gradcheck::new()
///     .eps(1e-5)
///     .atol(1e-7)
///     .rtol(1e-6)
///     .check(|x: &f64| x.tanh_vjp(), &0.4)
///     .unwrap();
/// assert_eq!(report.checked, 1);
/// assert!(report.worst_ratio < 1.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gradcheck {
    eps: f64,
    atol: f64,
    rtol: f64,
    mode: Mode,
}

impl Default for Gradcheck {
    fn default() -> Self {
        Gradcheck {
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
            mode: Mode::Random(0x5eed),
        }
    }
}

impl Gradcheck {
    /// PyTorch's defaults: `eps = 1e-6`, `atol = 1e-5`, `rtol = 1e-3`, one random cotangent.
    pub fn new() -> Self {
        Self::default()
    }
    /// The finite-difference step (absolute, as PyTorch's).
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }
    /// The absolute tolerance.
    pub fn atol(mut self, atol: f64) -> Self {
        self.atol = atol;
        self
    }
    /// The tolerance relative to the finite difference.
    pub fn rtol(mut self, rtol: f64) -> Self {
        self.rtol = rtol;
        self
    }
    /// The seed of the random cotangent that reduces tensor outputs.
    pub fn seed(mut self, seed: u64) -> Self {
        self.mode = Mode::Random(seed);
        self
    }
    /// Checks the gradient of every output element on its own (the full Jacobian; one pullback
    /// call per output element).
    pub fn each_output(mut self) -> Self {
        self.mode = Mode::EachOutput;
        self
    }

    /// Compares the gradient `f` computes at `x` with central finite differences of its
    /// output (see the [module documentation](self)).
    ///
    /// # Errors
    /// [`GradcheckError::Mismatch`] naming the worst element when some element is outside the
    /// tolerance; [`GradcheckError::Structure`] when the gradient does not have the elements
    /// of `x`.
    pub fn check<X, R, M>(
        &self,
        f: impl Fn(&X) -> R,
        x: &X,
    ) -> Result<GradcheckReport, GradcheckError>
    where
        X: Differentiable + Clone,
        R: Analytic<X, M>,
    {
        let leaves = leaves(x);
        let cotangents = {
            let r = f(x);
            self.cotangents(r.output().numel())
        };
        let analytic = self.analytic(&f, x, &leaves, &cotangents)?;
        let numeric = self.numeric(&f, x, &leaves, &cotangents);
        self.compare(&leaves, &cotangents, &analytic, &numeric)
    }

    /// The cotangents to pull back, with the output element each one isolates.
    fn cotangents(&self, m: usize) -> Vec<(Option<usize>, Vec<f64>)> {
        match self.mode {
            Mode::EachOutput => (0..m)
                .map(|j| {
                    let mut e = vec![0.0; m];
                    e[j] = 1.0;
                    (Some(j), e)
                })
                .collect(),
            Mode::Random(_) if m == 1 => vec![(None, vec![1.0])],
            Mode::Random(seed) => vec![(None, Tensor::<f64>::randn(&[m], seed).to_vec())],
        }
    }

    /// The flattened gradient for each cotangent.
    fn analytic<X, R, M>(
        &self,
        f: &impl Fn(&X) -> R,
        x: &X,
        leaves: &[Leaf],
        cotangents: &[(Option<usize>, Vec<f64>)],
    ) -> Result<Vec<Vec<f64>>, GradcheckError>
    where
        X: Differentiable + Clone,
        R: Analytic<X, M>,
    {
        let n: usize = leaves.iter().map(|l| l.values.len()).sum();
        let r = f(x);
        let mut out = Vec::with_capacity(cotangents.len());
        for (_, u) in cotangents {
            let g = r.gradient(u).map_err(GradcheckError::Structure)?;
            let flat = flatten_tangent::<X>(&g);
            if flat.len() != n {
                let paths: Vec<&str> = leaves.iter().map(|l| l.path.as_str()).collect();
                return Err(GradcheckError::Structure(format!(
                    "the gradient has {} elements, the input has {n} (leaves {paths:?})",
                    flat.len()
                )));
            }
            out.push(flat);
        }
        Ok(out)
    }

    /// The central difference of `<u, f(x)>` for each cotangent `u` (outer) and each input
    /// element (inner), with the step actually stored in the leaf.
    fn numeric<X, R, M>(
        &self,
        f: &impl Fn(&X) -> R,
        x: &X,
        leaves: &[Leaf],
        cotangents: &[(Option<usize>, Vec<f64>)],
    ) -> Vec<Vec<f64>>
    where
        X: Differentiable + Clone,
        R: Analytic<X, M>,
    {
        let mut out = vec![Vec::new(); cotangents.len()];
        let mut xp = x.clone();
        for (l, leaf) in leaves.iter().enumerate() {
            for (k, &v) in leaf.values.iter().enumerate() {
                let hi = set_element(&mut xp, l, k, v + self.eps);
                let y_hi = f(&xp).output().to_f64_vec();
                let lo = set_element(&mut xp, l, k, v - self.eps);
                let y_lo = f(&xp).output().to_f64_vec();
                set_element(&mut xp, l, k, v);
                for ((_, u), col) in cotangents.iter().zip(out.iter_mut()) {
                    let dot = |y: &[f64]| -> f64 { u.iter().zip(y).map(|(a, b)| a * b).sum() };
                    col.push((dot(&y_hi) - dot(&y_lo)) / (hi - lo));
                }
            }
        }
        out
    }

    fn compare(
        &self,
        leaves: &[Leaf],
        cotangents: &[(Option<usize>, Vec<f64>)],
        analytic: &[Vec<f64>],
        numeric: &[Vec<f64>],
    ) -> Result<GradcheckReport, GradcheckError> {
        let (mut failed, mut checked) = (0, 0);
        let mut worst: Option<(f64, f64, Element)> = None;
        for (((output, _), a), nu) in cotangents.iter().zip(analytic).zip(numeric) {
            let mut flat = 0;
            for leaf in leaves {
                for index in 0..leaf.values.len() {
                    let (av, nv) = (a[flat], nu[flat]);
                    flat += 1;
                    checked += 1;
                    let allowed = self.atol + self.rtol * nv.abs();
                    let err = (av - nv).abs();
                    // a NaN on either side (not both) fails with an infinite ratio
                    let ratio = if av.is_nan() && nv.is_nan() {
                        0.0
                    } else if err.is_nan() || err.is_infinite() {
                        f64::INFINITY
                    } else {
                        err / allowed
                    };
                    if ratio > 1.0 {
                        failed += 1;
                    }
                    if worst.as_ref().is_none_or(|w| ratio > w.0) {
                        let element = Element {
                            path: leaf.path.clone(),
                            shape: leaf.shape.clone(),
                            index,
                            output: *output,
                            analytic: av,
                            numeric: nv,
                        };
                        worst = Some((ratio, allowed, element));
                    }
                }
            }
        }
        match worst {
            Some((_, allowed, worst)) if failed > 0 => Err(GradcheckError::Mismatch {
                worst: Box::new(worst),
                allowed,
                failed,
                checked,
                tolerances: (self.eps, self.atol, self.rtol),
            }),
            worst => Ok(GradcheckReport {
                checked,
                worst_ratio: worst.as_ref().map_or(0.0, |w| w.0),
                worst: worst.map(|w| w.2),
            }),
        }
    }
}

/// [`Gradcheck::check`] with PyTorch's defaults (`eps = 1e-6`, `atol = 1e-5`, `rtol = 1e-3`,
/// one random cotangent for tensor outputs).
///
/// ```
/// use autodiff_runtime::gradcheck::gradcheck;
/// use autodiff_runtime::vjp;
/// use autodiff_runtime::Tensor;
///
/// // both operands of a runtime VJP form: the input is the pair
/// let ab = (Tensor::from_vec(vec![1.0, 2.0], &[2]), Tensor::from_vec(vec![3.0, -1.0], &[2]));
/// assert!(gradcheck(|(a, b): &(Tensor<f64>, Tensor<f64>)| vjp::mul_lr(a, b), &ab).is_ok());
/// ```
///
/// # Errors
/// As [`Gradcheck::check`].
pub fn gradcheck<X, R, M>(f: impl Fn(&X) -> R, x: &X) -> Result<GradcheckReport, GradcheckError>
where
    X: Differentiable + Clone,
    R: Analytic<X, M>,
{
    Gradcheck::default().check(f, x)
}
