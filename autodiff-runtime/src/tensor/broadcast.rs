//! PyTorch (NumPy) broadcasting: the result shape of two operands, and a walk over a broadcast
//! iteration space that hands out contiguous runs, so the inner loops run over slices.

use super::error::ShapeError;
use super::storage::{contiguous_strides, numel_of};

/// The shape two operands broadcast to, under PyTorch's rules: shapes are aligned at their last
/// dimension, and each pair of sizes must be equal or contain a 1.
///
/// ```
/// use autodiff_runtime::tensor::broadcast_shapes;
///
/// assert_eq!(broadcast_shapes(&[2, 1, 4], &[3, 1]).unwrap(), vec![2, 3, 4]);
/// let err = broadcast_shapes(&[2, 3], &[4]).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "broadcast_shapes: the size of tensor a (3) must match the size of tensor b (4) at \
///      non-singleton dimension 1; shapes are [2, 3] and [4]"
/// );
/// ```
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Vec<usize>, ShapeError> {
    broadcast_shapes_for("broadcast_shapes", a, b)
}

/// [`broadcast_shapes`] with the failing operation's name in the error.
pub(crate) fn broadcast_shapes_for(
    op: &'static str,
    a: &[usize],
    b: &[usize],
) -> Result<Vec<usize>, ShapeError> {
    if a == b {
        return Ok(a.to_vec());
    }
    let ndim = a.len().max(b.len());
    let mut out = vec![0; ndim];
    // Like PyTorch's infer_size: walk from the last dimension and report the first conflict
    // found there, numbered as a dimension of the result.
    for i in (0..ndim).rev() {
        let offset = ndim - 1 - i;
        let size_a = if offset < a.len() {
            a[a.len() - 1 - offset]
        } else {
            1
        };
        let size_b = if offset < b.len() {
            b[b.len() - 1 - offset]
        } else {
            1
        };
        out[i] = if size_a == size_b || size_b == 1 {
            size_a
        } else if size_a == 1 {
            size_b
        } else {
            return Err(ShapeError::new(
                op,
                a,
                b,
                format!(
                    "the size of tensor a ({size_a}) must match the size of tensor b ({size_b}) \
                     at non-singleton dimension {i}; shapes are {a:?} and {b:?}"
                ),
            ));
        };
    }
    Ok(out)
}

/// Whether `from` broadcasts to exactly `to` (the condition of `broadcast_to` and `sum_to`).
pub(crate) fn broadcasts_to(from: &[usize], to: &[usize]) -> bool {
    from.len() <= to.len()
        && from
            .iter()
            .rev()
            .zip(to.iter().rev())
            .all(|(&f, &t)| f == t || f == 1)
}

/// Element strides of an operand of shape `shape` read in the broadcast shape `full`: its own
/// row-major strides, left-padded, and 0 along every dimension it is broadcast over.
fn broadcast_strides(shape: &[usize], full: &[usize]) -> Vec<usize> {
    debug_assert!(
        broadcasts_to(shape, full),
        "{shape:?} does not broadcast to {full:?}"
    );
    let own = contiguous_strides(shape);
    let pad = full.len() - shape.len();
    (0..full.len())
        .map(|d| {
            if d < pad || shape[d - pad] == 1 {
                0
            } else {
                own[d - pad]
            }
        })
        .collect()
}

/// An iteration over the broadcast shape `full` for `N` operands at once.
///
/// Size-1 dimensions are dropped and neighbouring dimensions that are contiguous for every
/// operand are merged, so the innermost run is as long as possible. [`Walk::for_each`] calls
/// its closure once per run with each operand's starting offset; inside a run operand `i` moves
/// by `inner[i]` elements per step, which is always 1 (contiguous) or 0 (broadcast scalar).
pub(crate) struct Walk<const N: usize> {
    /// Outer dimensions, outermost first: size and each operand's stride.
    outer: Vec<(usize, [usize; N])>,
    /// Length of each run.
    pub(crate) len: usize,
    /// Each operand's stride inside a run: 0 or 1.
    pub(crate) inner: [usize; N],
    empty: bool,
}

impl<const N: usize> Walk<N> {
    /// A walk over `full` where operand `i` has shape `shapes[i]`, which must broadcast to `full`.
    pub(crate) fn new(full: &[usize], shapes: [&[usize]; N]) -> Self {
        let strides = shapes.map(|s| broadcast_strides(s, full));
        let mut dims: Vec<(usize, [usize; N])> = Vec::with_capacity(full.len());
        for (d, &size) in full.iter().enumerate() {
            if size == 1 {
                continue;
            }
            let st: [usize; N] = std::array::from_fn(|i| strides[i][d]);
            if let Some(prev) = dims.last_mut() {
                if (0..N).all(|i| prev.1[i] == st[i] * size) {
                    prev.0 *= size;
                    prev.1 = st;
                    continue;
                }
            }
            dims.push((size, st));
        }
        let (len, inner) = dims.pop().unwrap_or((1, [0; N]));
        debug_assert!(inner.iter().all(|&s| s <= 1));
        Walk {
            outer: dims,
            len,
            inner,
            empty: numel_of(full) == 0,
        }
    }

    /// Calls `run(offsets)` once per contiguous run, in row-major order of `full`.
    #[inline]
    pub(crate) fn for_each(&self, mut run: impl FnMut([usize; N])) {
        if self.empty {
            return;
        }
        let mut index = vec![0usize; self.outer.len()];
        let mut offsets = [0usize; N];
        loop {
            run(offsets);
            // Odometer increment over the outer dimensions.
            let mut d = self.outer.len();
            loop {
                if d == 0 {
                    return;
                }
                d -= 1;
                let (size, st) = &self.outer[d];
                index[d] += 1;
                if index[d] < *size {
                    for i in 0..N {
                        offsets[i] += st[i];
                    }
                    break;
                }
                index[d] = 0;
                for i in 0..N {
                    offsets[i] -= st[i] * (size - 1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_broadcast_like_pytorch() {
        assert_eq!(broadcast_shapes(&[], &[3]).unwrap(), vec![3]);
        assert_eq!(
            broadcast_shapes(&[5, 1, 3], &[4, 1]).unwrap(),
            vec![5, 4, 3]
        );
        assert_eq!(broadcast_shapes(&[0], &[1]).unwrap(), vec![0]);
        let err = broadcast_shapes_for("add", &[3], &[4]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "add: the size of tensor a (3) must match the size of tensor b (4) at non-singleton \
             dimension 0; shapes are [3] and [4]"
        );
        assert_eq!((err.lhs(), err.rhs()), (&[3][..], &[4][..]));
        assert!(broadcasts_to(&[3, 1], &[2, 3, 4]));
        assert!(!broadcasts_to(&[2, 3, 4], &[3, 4]));
    }

    #[test]
    fn walk_merges_contiguous_dimensions() {
        let w = Walk::new(&[2, 3, 4], [&[2, 3, 4], &[2, 3, 4]]);
        assert_eq!((w.len, w.inner, w.outer.len()), (24, [1, 1], 0));
        let w = Walk::new(&[2, 3, 4], [&[2, 3, 4], &[4]]);
        assert_eq!((w.len, w.inner), (4, [1, 1]));
        let mut runs = vec![];
        w.for_each(|o| runs.push(o));
        assert_eq!(
            runs,
            vec![[0, 0], [4, 0], [8, 0], [12, 0], [16, 0], [20, 0]]
        );
        let w = Walk::new(&[2, 3], [&[2, 3], &[2, 1]]);
        assert_eq!((w.len, w.inner), (3, [1, 0]));
        let mut runs = vec![];
        w.for_each(|o| runs.push(o));
        assert_eq!(runs, vec![[0, 0], [3, 1]]);
        let w = Walk::new(&[], [&[], &[]]);
        assert_eq!((w.len, w.inner), (1, [0, 0]));
        let w = Walk::new(&[2, 0], [&[2, 0]]);
        w.for_each(|_| panic!("empty walk must not run"));
    }
}
