//! Shape operations: `reshape`/`view` (sharing the buffer), `flatten`, `unsqueeze`, `squeeze`,
//! and the copying ones, `t()` and `broadcast_to`.

use super::broadcast::{broadcasts_to, Walk};
use super::storage::{numel_of, Dims};
use super::{Element, ShapeError, Tensor};

mod sealed {
    pub trait Sealed {}
}

/// A dimension size in a [`reshape`](Tensor::reshape) target: `usize`, or a signed integer
/// where `-1` means "inferred" (integer literals default to `i32`, so `&[2, -1]` works).
pub trait ReshapeDim: Copy + sealed::Sealed {
    /// The size, or `None` for `-1`; other negative values are rejected.
    #[doc(hidden)]
    fn dim(self) -> Result<Option<usize>, i64>;
}

impl sealed::Sealed for usize {}
impl ReshapeDim for usize {
    fn dim(self) -> Result<Option<usize>, i64> {
        Ok(Some(self))
    }
}

macro_rules! signed_dim {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl ReshapeDim for $t {
            fn dim(self) -> Result<Option<usize>, i64> {
                match self {
                    -1 => Ok(None),
                    d if d >= 0 => Ok(Some(d as usize)),
                    d => Err(d as i64),
                }
            }
        }
    )*};
}
signed_dim!(isize, i32, i64);

/// The argument of [`reshape`](Tensor::reshape) and [`view`](Tensor::view): a list of sizes
/// where at most one may be `-1` (inferred from the number of elements).
///
/// Implemented for borrowed slices and arrays and for vectors (owned or borrowed) of `usize` (so
/// `x.reshape(y.shape())` works) and of `isize`/`i32`/`i64` (so `x.reshape(&[2, -1])` works).
pub trait ReshapeDims {
    /// The concrete shape for a tensor of `numel` elements with shape `from`.
    fn resolve(&self, numel: usize, from: &[usize]) -> Result<Vec<usize>, ShapeError>;
}

fn resolve_dims<D: ReshapeDim>(
    dims: &[D],
    numel: usize,
    from: &[usize],
) -> Result<Vec<usize>, ShapeError> {
    let shown: Vec<i64> = dims
        .iter()
        .map(|d| match d.dim() {
            Ok(Some(n)) => n as i64,
            Ok(None) => -1,
            Err(n) => n,
        })
        .collect();
    let err = |msg: String| ShapeError::new("reshape", from, &[], msg);
    let mut out = Vec::with_capacity(dims.len());
    let mut inferred = None;
    for (i, d) in dims.iter().enumerate() {
        match d.dim() {
            Ok(Some(n)) => out.push(n),
            Ok(None) if inferred.is_none() => {
                inferred = Some(i);
                out.push(1);
            }
            Ok(None) => {
                return Err(err(format!(
                    "only one dimension can be inferred in {shown:?}"
                )))
            }
            Err(n) => return Err(err(format!("invalid shape dimension {n} in {shown:?}"))),
        }
    }
    let known = numel_of(&out);
    if let Some(i) = inferred {
        if known == 0 {
            return Err(err(format!(
                "cannot reshape a tensor of {numel} elements into shape {shown:?} because the \
                 unspecified dimension size -1 can be any value and is ambiguous"
            )));
        }
        if numel % known == 0 {
            out[i] = numel / known;
        }
    }
    if numel_of(&out) != numel {
        return Err(err(format!(
            "shape {shown:?} is invalid for input of shape {from:?} ({numel} elements)"
        )));
    }
    Ok(out)
}

// Only borrowed forms (and an owned `Vec`): with an impl for arrays by value, clippy's
// `needless_borrows_for_generic_args` would flag every `x.reshape(&[2, 3])` in user code.
impl<D: ReshapeDim> ReshapeDims for &[D] {
    fn resolve(&self, numel: usize, from: &[usize]) -> Result<Vec<usize>, ShapeError> {
        resolve_dims(self, numel, from)
    }
}

impl<D: ReshapeDim, const N: usize> ReshapeDims for &[D; N] {
    fn resolve(&self, numel: usize, from: &[usize]) -> Result<Vec<usize>, ShapeError> {
        resolve_dims(*self, numel, from)
    }
}

impl<D: ReshapeDim> ReshapeDims for Vec<D> {
    fn resolve(&self, numel: usize, from: &[usize]) -> Result<Vec<usize>, ShapeError> {
        resolve_dims(self, numel, from)
    }
}

impl<D: ReshapeDim> ReshapeDims for &Vec<D> {
    fn resolve(&self, numel: usize, from: &[usize]) -> Result<Vec<usize>, ShapeError> {
        resolve_dims(self, numel, from)
    }
}

impl<T: Element> Tensor<T> {
    /// The same elements with a new shape, sharing the buffer (O(1); the layout is always
    /// contiguous so every reshape is a view).
    ///
    /// The shape is a slice, array or `Vec` of `usize` (`x.reshape(y.shape())`) or of signed
    /// integers where one entry may be `-1`, inferred from the number of elements
    /// (`x.reshape(&[2, -1])`), as in PyTorch. See [`try_reshape`](Self::try_reshape) for a
    /// `Result`.
    ///
    /// # Panics
    /// If the sizes do not multiply to `numel()`, naming both shapes.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::arange(6);
    /// assert_eq!(x.reshape(&[2, 3]).shape(), &[2, 3]);
    /// assert_eq!(x.reshape(&[-1, 2]).shape(), &[3, 2]);
    /// let y = Tensor::<f32>::zeros(&[3, 2]);
    /// assert_eq!(x.reshape(y.shape()).shape(), &[3, 2]);
    /// ```
    #[track_caller]
    pub fn reshape(&self, shape: impl ReshapeDims) -> Tensor<T> {
        match self.try_reshape(shape) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        }
    }

    /// Like [`reshape`](Self::reshape), returning an error instead of panicking.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let err = Tensor::<f32>::zeros(&[2, 3]).try_reshape(&[4, -1]).unwrap_err();
    /// assert_eq!(err.to_string(), "reshape: shape [4, -1] is invalid for input of shape [2, 3] (6 elements)");
    /// ```
    pub fn try_reshape(&self, shape: impl ReshapeDims) -> Result<Tensor<T>, ShapeError> {
        let shape = shape.resolve(self.numel(), self.shape())?;
        Ok(Tensor {
            data: self.data.clone(),
            dims: Dims::new(&shape),
        })
    }

    /// An alias of [`reshape`](Self::reshape) (PyTorch's `view`; every tensor here is contiguous,
    /// so the two always agree).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// assert_eq!(Tensor::<f32>::zeros(&[4]).view(&[2, -1]).shape(), &[2, 2]);
    /// ```
    #[track_caller]
    pub fn view(&self, shape: impl ReshapeDims) -> Tensor<T> {
        self.reshape(shape)
    }

    /// The elements as a 1-D tensor (a 0-d tensor becomes shape `[1]`), sharing the buffer.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// assert_eq!(Tensor::<f32>::zeros(&[2, 3]).flatten().shape(), &[6]);
    /// ```
    pub fn flatten(&self) -> Tensor<T> {
        Tensor {
            data: self.data.clone(),
            dims: Dims::new(&[self.numel()]),
        }
    }

    /// Inserts a dimension of size 1 at position `dim` (`0..=ndim()`), sharing the buffer.
    ///
    /// # Panics
    /// If `dim > ndim()`.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::zeros(&[3]);
    /// assert_eq!(x.unsqueeze(0).shape(), &[1, 3]);
    /// assert_eq!(x.unsqueeze(1).shape(), &[3, 1]);
    /// ```
    #[track_caller]
    pub fn unsqueeze(&self, dim: usize) -> Tensor<T> {
        if dim > self.ndim() {
            panic!(
                "unsqueeze: dimension out of range (expected to be in range of [0, {}], but got \
                 {dim}) for a tensor of shape {:?}",
                self.ndim(),
                self.shape()
            );
        }
        let mut shape = self.shape().to_vec();
        shape.insert(dim, 1);
        Tensor {
            data: self.data.clone(),
            dims: Dims::new(&shape),
        }
    }

    /// Removes dimension `dim` if its size is 1; otherwise returns the tensor unchanged (as
    /// PyTorch's `squeeze(dim)` does). Shares the buffer.
    ///
    /// # Panics
    /// If `dim >= ndim()`.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::zeros(&[3, 1]);
    /// assert_eq!(x.squeeze(1).shape(), &[3]);
    /// assert_eq!(x.squeeze(0).shape(), &[3, 1]);
    /// ```
    #[track_caller]
    pub fn squeeze(&self, dim: usize) -> Tensor<T> {
        if dim >= self.ndim() {
            panic!(
                "squeeze: dimension out of range (expected to be in range of [0, {}], but got \
                 {dim}) for a tensor of shape {:?}",
                self.ndim().saturating_sub(1),
                self.shape()
            );
        }
        if self.shape()[dim] != 1 {
            return self.clone();
        }
        let mut shape = self.shape().to_vec();
        shape.remove(dim);
        Tensor {
            data: self.data.clone(),
            dims: Dims::new(&shape),
        }
    }

    /// The transpose of a matrix, as a new contiguous tensor; 0-d and 1-D tensors are returned
    /// as they are (PyTorch's `t()`).
    ///
    /// Matrix products never need this: [`mm_with`](Self::mm_with) reads operands transposed
    /// without copying.
    ///
    /// # Panics
    /// If the tensor has more than 2 dimensions.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::arange(6).reshape(&[2, 3]);
    /// assert_eq!(x.t().shape(), &[3, 2]);
    /// assert_eq!(x.t().to_vec(), vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
    /// ```
    #[track_caller]
    pub fn t(&self) -> Tensor<T> {
        let (rows, cols) = match *self.shape() {
            [] | [_] => return self.clone(),
            [r, c] => (r, c),
            _ => panic!(
                "t: expects a tensor with <= 2 dimensions, but got shape {:?}",
                self.shape()
            ),
        };
        let src = self.as_slice();
        let mut out = vec![T::zero(); rows * cols];
        // Blocked so that both the reads and the writes stay within a few cache lines.
        const B: usize = 32;
        for r0 in (0..rows).step_by(B) {
            for c0 in (0..cols).step_by(B) {
                for r in r0..(r0 + B).min(rows) {
                    let row = &src[r * cols..(r + 1) * cols];
                    for c in c0..(c0 + B).min(cols) {
                        out[c * rows + r] = row[c];
                    }
                }
            }
        }
        Tensor::from_parts(out, Dims::new(&[cols, rows]))
    }

    /// Repeats the tensor along broadcast dimensions to `shape` (a new contiguous tensor), as
    /// PyTorch's `expand(shape).contiguous()`.
    ///
    /// # Panics
    /// If `self.shape()` does not broadcast to `shape`, naming both.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let row = Tensor::from_vec(vec![1.0f32, 2.0], &[2]);
    /// let m = row.broadcast_to(&[2, 2]);
    /// assert_eq!(m.to_vec(), vec![1.0, 2.0, 1.0, 2.0]);
    /// ```
    #[track_caller]
    pub fn broadcast_to(&self, shape: &[usize]) -> Tensor<T> {
        if shape == self.shape() {
            return self.clone();
        }
        if !broadcasts_to(self.shape(), shape) {
            panic!(
                "broadcast_to: a tensor of shape {:?} cannot be broadcast to shape {shape:?}",
                self.shape()
            );
        }
        let src = self.as_slice();
        let mut out = Vec::with_capacity(numel_of(shape));
        let walk = Walk::new(shape, [self.shape()]);
        let n = walk.len;
        walk.for_each(|[i]| {
            if walk.inner[0] == 1 {
                out.extend_from_slice(&src[i..i + n]);
            } else {
                out.extend(std::iter::repeat_n(src[i], n));
            }
        });
        Tensor::from_parts(out, Dims::new(shape))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reshape_accepts_every_spelling() {
        let x = Tensor::<f32>::arange(12);
        assert_eq!(x.reshape(&[3, 4]).shape(), &[3, 4]);
        assert_eq!(x.reshape(&[3, -1]).shape(), &[3, 4]);
        assert_eq!(x.reshape(vec![2usize, 6]).shape(), &[2, 6]);
        assert_eq!(x.reshape(vec![-1isize]).shape(), &[12]);
        assert_eq!(x.reshape(&[2i64, -1, 3]).shape(), &[2, 2, 3]);
        let dims: &[usize] = &[4, 3];
        assert_eq!(x.reshape(dims).shape(), &[4, 3]);
        assert!(x.reshape(&[12]).shares_storage_with(&x));
        assert_eq!(Tensor::<f32>::scalar(1.0).reshape(&[1, 1]).shape(), &[1, 1]);
        assert_eq!(
            Tensor::<f32>::zeros(&[1, 1])
                .reshape(&[] as &[usize])
                .ndim(),
            0
        );
        assert_eq!(
            Tensor::<f32>::zeros(&[0, 3]).reshape(&[3, -1]).shape(),
            &[3, 0]
        );
    }

    #[test]
    fn reshape_errors_name_the_shapes() {
        let x = Tensor::<f32>::zeros(&[2, 3]);
        let msg = |r: Result<Tensor, ShapeError>| r.unwrap_err().to_string();
        assert_eq!(
            msg(x.try_reshape(&[4, 2])),
            "reshape: shape [4, 2] is invalid for input of shape [2, 3] (6 elements)"
        );
        assert_eq!(
            msg(x.try_reshape(&[-1, -1])),
            "reshape: only one dimension can be inferred in [-1, -1]"
        );
        assert_eq!(
            msg(x.try_reshape(&[-2, 3])),
            "reshape: invalid shape dimension -2 in [-2, 3]"
        );
        let empty = Tensor::<f32>::zeros(&[0]);
        assert!(msg(empty.try_reshape(&[0, -1])).contains("ambiguous"));
    }

    #[test]
    fn shape_operations() {
        let x = Tensor::<f32>::arange(6).reshape(&[2, 3]);
        assert_eq!(x.t().t(), x);
        assert_eq!(Tensor::<f32>::arange(3).t().shape(), &[3]);
        let big = Tensor::<f64>::randn(&[70, 45], 1);
        let bt = big.t();
        assert_eq!(bt.shape(), &[45, 70]);
        assert_eq!(bt.as_slice()[3 * 70 + 5], big.as_slice()[5 * 45 + 3]);
        assert_eq!(Tensor::<f32>::scalar(2.0).flatten().shape(), &[1]);
        assert_eq!(x.unsqueeze(2).shape(), &[2, 3, 1]);
        assert_eq!(x.unsqueeze(2).squeeze(2).shape(), &[2, 3]);
        let col = Tensor::from_vec(vec![1.0f32, 2.0], &[2, 1]);
        assert_eq!(
            col.broadcast_to(&[2, 3]).to_vec(),
            vec![1., 1., 1., 2., 2., 2.]
        );
        assert_eq!(col.broadcast_to(&[2, 2, 1]).shape(), &[2, 2, 1]);
        assert_eq!(
            Tensor::scalar(5.0f32).broadcast_to(&[2]).to_vec(),
            vec![5.0, 5.0]
        );
    }

    #[test]
    #[should_panic(
        expected = "broadcast_to: a tensor of shape [2] cannot be broadcast to shape [3]"
    )]
    fn broadcast_to_rejects_incompatible_shapes() {
        Tensor::<f32>::zeros(&[2]).broadcast_to(&[3]);
    }

    #[test]
    #[should_panic(expected = "t: expects a tensor with <= 2 dimensions, but got shape [1, 2, 3]")]
    fn t_rejects_3d() {
        Tensor::<f32>::zeros(&[1, 2, 3]).t();
    }
}
