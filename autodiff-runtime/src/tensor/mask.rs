//! Boolean masks and the comparisons that make them: `gt`, `lt`, `ge`, `le`, `eq`, `ne` of a
//! tensor against another tensor (with broadcasting) or a scalar, as PyTorch's `x > 0` gives a
//! `bool` tensor. Masks select elements in [`masked_fill`](Tensor::masked_fill) and
//! [`where_cond`](Tensor::where_cond); they carry no gradient.

use super::broadcast::{broadcast_shapes_for, broadcasts_to, Walk};
use super::storage::numel_of;
use super::{Element, Tensor};

/// A boolean tensor (PyTorch's `dtype=torch.bool`): row-major, with a shape.
///
/// ```
/// use autodiff_runtime::Tensor;
/// let x = Tensor::from_vec(vec![-1.0f32, 0.0, 2.0], &[3]);
/// let m = x.gt(0.0);
/// assert_eq!(m.as_slice(), &[false, false, true]);
/// assert_eq!((!&m).count(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mask {
    data: Vec<bool>,
    shape: Vec<usize>,
}

impl Mask {
    /// A mask of shape `shape` holding `data` in row-major order.
    ///
    /// # Panics
    /// If `data.len()` is not the product of `shape`, naming both.
    ///
    /// ```
    /// use autodiff_runtime::tensor::Mask;
    /// let m = Mask::from_vec(vec![true, false], &[2, 1]);
    /// assert_eq!(m.shape(), &[2, 1]);
    /// ```
    #[track_caller]
    pub fn from_vec(data: Vec<bool>, shape: &[usize]) -> Mask {
        if data.len() != numel_of(shape) {
            panic!(
                "Mask::from_vec: data of length {} cannot have shape {shape:?} ({} elements)",
                data.len(),
                numel_of(shape)
            );
        }
        Mask {
            data,
            shape: shape.to_vec(),
        }
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The elements in row-major order.
    pub fn as_slice(&self) -> &[bool] {
        &self.data
    }

    /// The number of `true` elements.
    pub fn count(&self) -> usize {
        self.data.iter().filter(|&&b| b).count()
    }

    /// The mask as `0.0`/`1.0` values (PyTorch's `mask.float()`).
    ///
    /// ```
    /// use autodiff_runtime::tensor::Mask;
    /// let m = Mask::from_vec(vec![true, false], &[2]);
    /// assert_eq!(m.to_tensor::<f32>().to_vec(), vec![1.0, 0.0]);
    /// ```
    pub fn to_tensor<T: Element>(&self) -> Tensor<T> {
        let data = self
            .data
            .iter()
            .map(|&b| if b { T::one() } else { T::zero() })
            .collect();
        Tensor::from_vec(data, &self.shape)
    }

    /// The elements repeated along broadcast dimensions to `shape` (which the mask's shape must
    /// broadcast to; `op` names the caller in the error).
    #[track_caller]
    pub(crate) fn broadcast_data(&self, op: &str, shape: &[usize]) -> Vec<bool> {
        if self.shape == shape {
            return self.data.clone();
        }
        if !broadcasts_to(&self.shape, shape) {
            panic!(
                "{op}: the mask of shape {:?} cannot be broadcast to shape {shape:?}",
                self.shape
            );
        }
        let mut out = Vec::with_capacity(numel_of(shape));
        let walk = Walk::new(shape, [self.shape.as_slice()]);
        walk.for_each(|[i]| {
            if walk.inner[0] == 1 {
                out.extend_from_slice(&self.data[i..i + walk.len]);
            } else {
                out.extend(std::iter::repeat_n(self.data[i], walk.len));
            }
        });
        out
    }

    fn zip(&self, other: &Mask, op: &'static str, f: impl Fn(bool, bool) -> bool) -> Mask {
        let shape = broadcast_shapes_for(op, &self.shape, &other.shape).unwrap_or_else(|e| {
            panic!("{e}");
        });
        let a = self.broadcast_data(op, &shape);
        let b = other.broadcast_data(op, &shape);
        Mask {
            data: a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect(),
            shape,
        }
    }

    /// Element-wise AND, with broadcasting (`m1 & m2` in PyTorch).
    pub fn and(&self, other: &Mask) -> Mask {
        self.zip(other, "and", |a, b| a && b)
    }

    /// Element-wise OR, with broadcasting (`m1 | m2` in PyTorch).
    pub fn or(&self, other: &Mask) -> Mask {
        self.zip(other, "or", |a, b| a || b)
    }
}

impl std::ops::Not for &Mask {
    type Output = Mask;
    /// Element-wise NOT (`~m` in PyTorch).
    fn not(self) -> Mask {
        Mask {
            data: self.data.iter().map(|&b| !b).collect(),
            shape: self.shape.clone(),
        }
    }
}

impl std::ops::Not for Mask {
    type Output = Mask;
    /// Element-wise NOT (`~m` in PyTorch).
    fn not(self) -> Mask {
        !&self
    }
}

/// The right-hand side of a comparison: a scalar, or a tensor that broadcasts with the left one.
pub trait Comparand<T: Element> {
    /// The right-hand side as a tensor (a scalar becomes a 0-d tensor).
    fn as_tensor(&self) -> Tensor<T>;
}

impl<T: Element> Comparand<T> for T {
    fn as_tensor(&self) -> Tensor<T> {
        Tensor::scalar(*self)
    }
}

impl<T: Element> Comparand<T> for Tensor<T> {
    fn as_tensor(&self) -> Tensor<T> {
        self.clone()
    }
}

impl<T: Element> Comparand<T> for &Tensor<T> {
    fn as_tensor(&self) -> Tensor<T> {
        (*self).clone()
    }
}

impl<T: Element> Tensor<T> {
    #[track_caller]
    fn compare(&self, op: &'static str, rhs: &Tensor<T>, f: impl Fn(T, T) -> bool) -> Mask {
        let shape = if self.shape() == rhs.shape() {
            self.shape().to_vec()
        } else {
            broadcast_shapes_for(op, self.shape(), rhs.shape()).unwrap_or_else(|e| panic!("{e}"))
        };
        let a = self.broadcast_to(&shape);
        let b = rhs.broadcast_to(&shape);
        let data = a
            .as_slice()
            .iter()
            .zip(b.as_slice())
            .map(|(&x, &y)| f(x, y))
            .collect();
        Mask { data, shape }
    }

    /// `self > rhs` element-wise (PyTorch's `gt`), with broadcasting.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f32, 3.0], &[2]);
    /// let b = Tensor::from_vec(vec![2.0f32, 2.0], &[2]);
    /// assert_eq!(a.gt(&b).as_slice(), &[false, true]);
    /// assert_eq!(a.gt(0.0).as_slice(), &[true, true]);
    /// ```
    #[track_caller]
    pub fn gt(&self, rhs: impl Comparand<T>) -> Mask {
        self.compare("gt", &rhs.as_tensor(), |a, b| a > b)
    }

    /// `self < rhs` element-wise (PyTorch's `lt`), with broadcasting.
    #[track_caller]
    pub fn lt(&self, rhs: impl Comparand<T>) -> Mask {
        self.compare("lt", &rhs.as_tensor(), |a, b| a < b)
    }

    /// `self >= rhs` element-wise (PyTorch's `ge`), with broadcasting.
    #[track_caller]
    pub fn ge(&self, rhs: impl Comparand<T>) -> Mask {
        self.compare("ge", &rhs.as_tensor(), |a, b| a >= b)
    }

    /// `self <= rhs` element-wise (PyTorch's `le`), with broadcasting.
    #[track_caller]
    pub fn le(&self, rhs: impl Comparand<T>) -> Mask {
        self.compare("le", &rhs.as_tensor(), |a, b| a <= b)
    }

    /// `self == rhs` element-wise (PyTorch's `eq`), with broadcasting. `==` on two tensors is
    /// still whole-tensor equality (`PartialEq`).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f32, 2.0], &[2]);
    /// assert_eq!(a.eq(2.0).as_slice(), &[false, true]);
    /// assert!(a == a.clone());
    /// ```
    #[track_caller]
    pub fn eq(&self, rhs: impl Comparand<T>) -> Mask {
        self.compare("eq", &rhs.as_tensor(), |a, b| a == b)
    }

    /// `self != rhs` element-wise (PyTorch's `ne`), with broadcasting.
    #[track_caller]
    pub fn ne(&self, rhs: impl Comparand<T>) -> Mask {
        self.compare("ne", &rhs.as_tensor(), |a, b| a != b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_broadcast() {
        let a = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], &[2, 2]);
        let col = Tensor::from_vec(vec![1.5f64, 3.5], &[2, 1]);
        assert_eq!(a.gt(&col).as_slice(), &[false, true, false, true]);
        assert_eq!(a.le(2.0).as_slice(), &[true, true, false, false]);
        assert_eq!(a.ge(&a).count(), 4);
        assert_eq!(a.lt(&a).count(), 0);
        assert_eq!(a.ne(1.0).count(), 3);
        let m = a.gt(2.0).or(&a.lt(1.5));
        assert_eq!(m.as_slice(), &[true, false, true, true]);
        assert_eq!(m.and(&a.eq(4.0)).count(), 1);
        let row = Mask::from_vec(vec![true, false], &[2]);
        assert_eq!(
            row.broadcast_data("t", &[2, 2]),
            vec![true, false, true, false]
        );
    }

    #[test]
    #[should_panic(expected = "gt: the size of tensor a (3) must match the size of tensor b (2)")]
    fn comparison_names_the_shapes() {
        Tensor::<f32>::zeros(&[3]).gt(Tensor::zeros(&[2]));
    }
}
