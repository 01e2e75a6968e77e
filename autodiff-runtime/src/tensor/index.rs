//! Index tensors: integer tensors of positions, as PyTorch's `int64` tensors, that `gather`
//! reads and `argmax_axis`/`argmin_axis` return. They carry no gradient.

use super::storage::numel_of;

/// A row-major tensor of indices (PyTorch's `dtype=torch.int64`, non-negative here).
///
/// ```
/// use autodiff_runtime::tensor::IndexTensor;
/// let idx = IndexTensor::from_vec(vec![0, 2, 1, 0], &[2, 2]);
/// assert_eq!(idx.shape(), &[2, 2]);
/// assert_eq!(idx.as_slice()[1], 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexTensor {
    data: Vec<usize>,
    shape: Vec<usize>,
}

impl IndexTensor {
    /// An index tensor of shape `shape` holding `data` in row-major order.
    ///
    /// # Panics
    /// If `data.len()` is not the product of `shape`, naming both.
    #[track_caller]
    pub fn from_vec(data: Vec<usize>, shape: &[usize]) -> IndexTensor {
        if data.len() != numel_of(shape) {
            panic!(
                "IndexTensor::from_vec: data of length {} cannot have shape {shape:?} ({} \
                 elements)",
                data.len(),
                numel_of(shape)
            );
        }
        IndexTensor {
            data,
            shape: shape.to_vec(),
        }
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The indices in row-major order.
    pub fn as_slice(&self) -> &[usize] {
        &self.data
    }

    /// The indices as a `Vec`.
    pub fn to_vec(&self) -> Vec<usize> {
        self.data.clone()
    }
}

impl From<Vec<usize>> for IndexTensor {
    /// A 1-D index tensor.
    fn from(data: Vec<usize>) -> Self {
        let n = data.len();
        IndexTensor {
            data,
            shape: vec![n],
        }
    }
}
