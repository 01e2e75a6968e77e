//! What can go wrong when saving or loading a checkpoint, each case naming the tensor.

use std::fmt;

/// A checkpoint could not be written or read into the value.
///
/// ```
/// use autodiff_runtime::checkpoint::{load_from_bytes, save_to_bytes, CheckpointError};
///
/// let bytes = save_to_bytes(&vec![1.0f32, 2.0]).unwrap();
/// let mut longer = vec![0.0f32; 3];
/// let err = load_from_bytes(&mut longer, &bytes).unwrap_err();
/// assert!(matches!(err, CheckpointError::Missing { .. }));
/// assert_eq!(err.to_string(), "checkpoint has no tensor `2` (the value has a float32 leaf of shape [] there)");
/// ```
#[derive(Debug)]
pub enum CheckpointError {
    /// Reading or writing the file failed.
    Io(std::io::Error),
    /// The bytes are not a valid safetensors file.
    Format(String),
    /// The value has a leaf at `name` that the checkpoint lacks.
    Missing {
        /// The leaf's path (`layers.0.w`).
        name: String,
        /// The value's dtype there.
        dtype: &'static str,
        /// The value's shape there.
        shape: Vec<usize>,
    },
    /// The checkpoint's tensor `name` has another shape than the value's leaf.
    Shape {
        /// The tensor's name.
        name: String,
        /// The value's shape.
        expected: Vec<usize>,
        /// The checkpoint's shape.
        found: Vec<usize>,
    },
    /// The checkpoint's tensor `name` has another dtype than the value's leaf.
    Dtype {
        /// The tensor's name.
        name: String,
        /// The value's dtype (`float32` or `float64`).
        expected: &'static str,
        /// The checkpoint's dtype, as safetensors names it (`F16`, `I64`, ...).
        found: String,
    },
    /// The checkpoint holds tensors that the value has no leaf for.
    Unexpected {
        /// Their names, sorted.
        names: Vec<String>,
    },
    /// Two leaves of the saved value have the same path.
    DuplicateName(String),
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckpointError::Io(e) => write!(f, "checkpoint I/O error: {e}"),
            CheckpointError::Format(e) => write!(f, "not a valid safetensors checkpoint: {e}"),
            CheckpointError::Missing { name, dtype, shape } => write!(
                f,
                "checkpoint has no tensor `{name}` (the value has a {dtype} leaf of shape {shape:?} there)"
            ),
            CheckpointError::Shape { name, expected, found } => write!(
                f,
                "size mismatch for `{name}`: the checkpoint has shape {found:?}, the value has shape {expected:?}"
            ),
            CheckpointError::Dtype { name, expected, found } => write!(
                f,
                "dtype mismatch for `{name}`: the checkpoint has {found}, the value holds {expected}"
            ),
            CheckpointError::Unexpected { names } => write!(
                f,
                "unexpected tensor(s) in checkpoint: {}",
                names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            ),
            CheckpointError::DuplicateName(name) => {
                write!(f, "two leaves of the value are both named `{name}`")
            }
        }
    }
}

impl std::error::Error for CheckpointError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CheckpointError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for CheckpointError {
    fn from(e: std::io::Error) -> Self {
        CheckpointError::Io(e)
    }
}
