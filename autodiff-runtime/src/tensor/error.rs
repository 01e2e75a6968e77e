//! The error of a shape mistake: names the operation and both shapes, as PyTorch does.

use std::fmt;

/// A shape mistake: an operation got operands (or data and a shape) that do not fit together.
///
/// The message names the operation and both shapes. Most operations panic with this message
/// (like PyTorch raising); the `try_` constructors and [`broadcast_shapes`](super::broadcast_shapes)
/// return it instead.
///
/// ```
/// use autodiff_runtime::Tensor;
///
/// let err = Tensor::try_from_vec(vec![1.0f32, 2.0, 3.0], &[2, 2]).unwrap_err();
/// assert_eq!(err.op(), "from_vec");
/// assert_eq!(err.to_string(), "from_vec: data of length 3 cannot have shape [2, 2] (4 elements)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeError {
    op: &'static str,
    lhs: Vec<usize>,
    rhs: Vec<usize>,
    message: String,
}

impl ShapeError {
    /// A new error for operation `op` on shapes `lhs` and `rhs`; `message` says what is wrong and
    /// should mention both shapes (it is displayed after `"{op}: "`).
    pub fn new(op: &'static str, lhs: &[usize], rhs: &[usize], message: impl Into<String>) -> Self {
        ShapeError {
            op,
            lhs: lhs.to_vec(),
            rhs: rhs.to_vec(),
            message: message.into(),
        }
    }

    /// The operation that failed (`"add"`, `"mm"`, `"from_vec"`, ...).
    pub fn op(&self) -> &'static str {
        self.op
    }

    /// The first shape involved (the left operand, or the data length for `from_vec`).
    pub fn lhs(&self) -> &[usize] {
        &self.lhs
    }

    /// The second shape involved (the right operand, or the requested shape).
    pub fn rhs(&self) -> &[usize] {
        &self.rhs
    }
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.op, self.message)
    }
}

impl std::error::Error for ShapeError {}
