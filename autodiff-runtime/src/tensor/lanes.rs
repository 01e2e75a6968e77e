//! Bookkeeping shared by the operations that work along one dimension (selection, joining,
//! reductions along an axis, softmax): checking the dimension and viewing a contiguous tensor
//! as `outer x size x inner`, where the elements of one *lane* (fixed outer and inner index) are
//! `inner` apart.

/// A contiguous shape seen along one dimension: `outer` lanes blocks, each with `size` positions
/// along the dimension and `inner` lanes side by side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Lanes {
    /// Product of the sizes before the dimension.
    pub(crate) outer: usize,
    /// Size of the dimension.
    pub(crate) size: usize,
    /// Product of the sizes after the dimension (the stride of the dimension).
    pub(crate) inner: usize,
}

impl Lanes {
    /// `shape` seen along `dim`, panicking like PyTorch when `dim` is out of range.
    #[track_caller]
    pub(crate) fn along(op: &str, shape: &[usize], dim: usize) -> Lanes {
        check_dim(op, shape, dim);
        Lanes {
            outer: shape[..dim].iter().product(),
            size: shape[dim],
            inner: shape[dim + 1..].iter().product(),
        }
    }

    /// All `numel` elements as one lane (the whole-tensor reductions).
    pub(crate) fn whole(numel: usize) -> Lanes {
        Lanes {
            outer: 1,
            size: numel,
            inner: 1,
        }
    }

    /// The number of lanes.
    pub(crate) fn count(&self) -> usize {
        self.outer * self.inner
    }

    /// Calls `f(lane, base)` for every lane, in row-major order of the reduced shape: position
    /// `k` of the lane is element `base + k * self.inner`.
    #[inline]
    pub(crate) fn for_each(&self, mut f: impl FnMut(usize, usize)) {
        for o in 0..self.outer {
            for i in 0..self.inner {
                f(o * self.inner + i, o * self.size * self.inner + i);
            }
        }
    }
}

/// Panics like PyTorch unless `dim < shape.len()`.
#[track_caller]
pub(crate) fn check_dim(op: &str, shape: &[usize], dim: usize) {
    if dim >= shape.len() {
        panic!(
            "{op}: dimension out of range (expected to be in range of [0, {}], but got {dim}) \
             for a tensor of shape {shape:?}",
            shape.len().saturating_sub(1)
        );
    }
}

/// `shape` with dimension `dim` reduced: removed, or kept with size 1 when `keepdim`.
pub(crate) fn reduced_shape(shape: &[usize], dim: usize, keepdim: bool) -> Vec<usize> {
    let mut out = shape.to_vec();
    if keepdim {
        out[dim] = 1;
    } else {
        out.remove(dim);
    }
    out
}

/// Row-major odometer over `shape`: calls `f(index)` for every multi-index in order.
pub(crate) fn for_each_index(shape: &[usize], mut f: impl FnMut(&[usize])) {
    if shape.contains(&0) {
        return;
    }
    let mut index = vec![0usize; shape.len()];
    loop {
        f(&index);
        let mut d = shape.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            index[d] += 1;
            if index[d] < shape[d] {
                break;
            }
            index[d] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_visit_every_element_once() {
        let l = Lanes::along("t", &[2, 3, 4], 1);
        assert_eq!((l.outer, l.size, l.inner, l.count()), (2, 3, 4, 8));
        let mut seen = [0; 24];
        l.for_each(|_, base| (0..l.size).for_each(|k| seen[base + k * l.inner] += 1));
        assert!(seen.iter().all(|&c| c == 1));
        assert_eq!(reduced_shape(&[2, 3, 4], 1, true), vec![2, 1, 4]);
        assert_eq!(reduced_shape(&[2, 3, 4], 1, false), vec![2, 4]);
        let mut n = 0;
        for_each_index(&[2, 3], |_| n += 1);
        assert_eq!(n, 6);
        for_each_index(&[], |i| assert!(i.is_empty()));
    }

    #[test]
    #[should_panic(
        expected = "op: dimension out of range (expected to be in range of [0, 1], \
                               but got 2) for a tensor of shape [2, 3]"
    )]
    fn out_of_range_dimension_names_the_shape() {
        Lanes::along("op", &[2, 3], 2);
    }
}
