//! What [`gradcheck`](super::gradcheck) returns: a summary when every element agrees, and an
//! error naming the worst element when some do not.

use std::fmt;

/// One compared gradient element: where it is and the two values.
#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    /// The leaf's path in the input (`"0"`, `"layers.1.w"`; empty for a bare tensor or scalar).
    pub path: String,
    /// The leaf's shape (`[]` for a scalar).
    pub shape: Vec<usize>,
    /// The flat (row-major) index of the element in its leaf.
    pub index: usize,
    /// The output element whose gradient this is, when every output element is checked
    /// ([`Gradcheck::each_output`](super::Gradcheck::each_output)); `None` when the output is
    /// reduced by a cotangent.
    pub output: Option<usize>,
    /// The gradient computed by the function being checked.
    pub analytic: f64,
    /// The central finite difference.
    pub numeric: f64,
}

impl Element {
    /// `|analytic - numeric|`.
    pub fn abs_error(&self) -> f64 {
        (self.analytic - self.numeric).abs()
    }

    /// The multi-index of the element in its leaf's shape.
    pub fn multi_index(&self) -> Vec<usize> {
        let mut rest = self.index;
        let mut at = vec![0; self.shape.len()];
        for (d, &size) in self.shape.iter().enumerate().rev() {
            at[d] = rest % size.max(1);
            rest /= size.max(1);
        }
        at
    }
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "the input".to_string()
        } else {
            format!("input `{}`", self.path)
        };
        write!(f, "{path} (shape {:?})", self.shape)?;
        if !self.shape.is_empty() {
            write!(f, " element {} {:?}", self.index, self.multi_index())?;
        }
        if let Some(o) = self.output {
            write!(f, ", output element {o}")?;
        }
        write!(
            f,
            ": analytic {:e}, numeric {:e}, |error| {:e}",
            self.analytic,
            self.numeric,
            self.abs_error()
        )
    }
}

/// A passed check: how much was compared and the element closest to failing.
#[derive(Clone, Debug, PartialEq)]
pub struct GradcheckReport {
    /// The number of gradient elements compared (input elements × output elements checked).
    pub checked: usize,
    /// The largest `|analytic - numeric| / (atol + rtol·|numeric|)` (at most 1 for a pass).
    pub worst_ratio: f64,
    /// The element with that ratio (`None` when the input has no elements).
    pub worst: Option<Element>,
}

/// A failed check.
#[derive(Clone, Debug, PartialEq)]
pub enum GradcheckError {
    /// Some gradient elements differ from the finite differences by more than the tolerance
    /// (or are not finite while the finite difference is, or the reverse).
    Mismatch {
        /// The element with the largest error relative to its tolerance.
        worst: Box<Element>,
        /// `atol + rtol·|numeric|` for that element.
        allowed: f64,
        /// How many elements failed.
        failed: usize,
        /// How many elements were compared.
        checked: usize,
        /// The options used: `(eps, atol, rtol)`.
        tolerances: (f64, f64, f64),
    },
    /// The gradient returned does not have the elements of the input (a hand-written `_vjp`
    /// returning a gradient of the wrong shape), or the output is not a scalar for a gradient
    /// given without a pullback.
    Structure(String),
}

impl fmt::Display for GradcheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GradcheckError::Mismatch {
                worst,
                allowed,
                failed,
                checked,
                tolerances: (eps, atol, rtol),
            } => write!(
                f,
                "gradcheck: {failed} of {checked} gradient elements differ from central finite \
                 differences (eps {eps:e}, atol {atol:e}, rtol {rtol:e}); worst: {worst} > \
                 allowed {allowed:e}"
            ),
            GradcheckError::Structure(msg) => write!(f, "gradcheck: {msg}"),
        }
    }
}

impl std::error::Error for GradcheckError {}
