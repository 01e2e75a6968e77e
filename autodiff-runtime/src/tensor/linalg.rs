//! Linear algebra front-end: `dot`, `mm`, `mm_with` (transposes as kernel flags), `mv` and
//! `matmul`, all calling [`kernels`](crate::kernels).

use super::storage::Dims;
use super::{Element, Tensor};
use crate::kernels;

impl<T: Element> Tensor<T> {
    /// Dot product of two 1-D tensors of the same length, as a 0-d tensor.
    ///
    /// # Panics
    /// Unless both are 1-D with the same length, naming both shapes.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f32>::arange(4);
    /// assert_eq!(x.dot(&x).item(), 14.0);
    /// ```
    #[track_caller]
    pub fn dot(&self, other: &Tensor<T>) -> Tensor<T> {
        match (self.shape(), other.shape()) {
            ([a], [b]) if a == b => {}
            (a, b) => panic!("dot: expected two 1-D tensors of the same size, got {a:?} and {b:?}"),
        }
        Tensor::scalar(kernels::dot(self.as_slice(), other.as_slice()))
    }

    /// Matrix product of two 2-D tensors, `[m, k] x [k, n] -> [m, n]`.
    ///
    /// # Panics
    /// Unless both are 2-D with matching inner sizes: `"mm: cannot multiply [2, 3] by [4, 5]"`.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]);
    /// assert_eq!(a.mm(&Tensor::eye(2)), a);
    /// assert_eq!(a.mm(&a).to_vec(), vec![7.0, 10.0, 15.0, 22.0]);
    /// ```
    #[track_caller]
    pub fn mm(&self, other: &Tensor<T>) -> Tensor<T> {
        self.mm_with(false, other, false)
    }

    /// Matrix product `op(self) · op(other)` where `op` transposes its operand when the flag is
    /// set: the transpose is passed to the kernel, never materialised. This is what the
    /// pullback of `mm` calls (`g · Bᵀ` and `Aᵀ · g`).
    ///
    /// # Panics
    /// Unless both are 2-D and `op(self)`'s column count equals `op(other)`'s row count; the
    /// message names the transposed shapes, as `mm` would see them.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let a = Tensor::<f32>::arange(6).reshape(&[2, 3]);
    /// let b = Tensor::<f32>::arange(6).reshape(&[2, 3]);
    /// // aᵀ · b without copying a transposed matrix
    /// assert_eq!(a.mm_with(true, &b, false), a.t().mm(&b));
    /// assert_eq!(a.mm_with(false, &b, true).shape(), &[2, 2]);
    /// ```
    #[track_caller]
    pub fn mm_with(&self, trans_self: bool, other: &Tensor<T>, trans_other: bool) -> Tensor<T> {
        let ([r1, c1], [r2, c2]) = (self.shape(), other.shape()) else {
            panic!(
                "mm: expected 2-D tensors, got shapes {:?} and {:?}",
                self.shape(),
                other.shape()
            );
        };
        let (m, k) = if trans_self { (*c1, *r1) } else { (*r1, *c1) };
        let (k2, n) = if trans_other { (*c2, *r2) } else { (*r2, *c2) };
        if k != k2 {
            let note = if trans_self || trans_other {
                format!(
                    " (after transposition; the operands have shapes {:?} and {:?})",
                    self.shape(),
                    other.shape()
                )
            } else {
                String::new()
            };
            panic!("mm: cannot multiply {:?} by {:?}{note}", [m, k], [k2, n]);
        }
        let mut out = super::pool::filled(m * n, T::zero());
        kernels::gemm(
            trans_self,
            trans_other,
            m,
            n,
            k,
            T::one(),
            self.as_slice(),
            *c1,
            other.as_slice(),
            *c2,
            T::zero(),
            &mut out,
            n,
        );
        Tensor::from_parts(out, Dims::new(&[m, n]))
    }

    /// Matrix-vector product, `[m, k] x [k] -> [m]`.
    ///
    /// # Panics
    /// Unless `self` is 2-D and `vec` 1-D with matching sizes, naming both shapes.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let a = Tensor::<f32>::arange(6).reshape(&[2, 3]);
    /// let v = Tensor::<f32>::ones(&[3]);
    /// assert_eq!(a.mv(&v).to_vec(), vec![3.0, 12.0]);
    /// ```
    #[track_caller]
    pub fn mv(&self, vec: &Tensor<T>) -> Tensor<T> {
        let ([m, k], [k2]) = (self.shape(), vec.shape()) else {
            panic!(
                "mv: expected a 2-D matrix and a 1-D vector, got shapes {:?} and {:?}",
                self.shape(),
                vec.shape()
            );
        };
        if k != k2 {
            panic!(
                "mv: cannot multiply {:?} by {:?}",
                self.shape(),
                vec.shape()
            );
        }
        let v = vec.as_slice();
        let out: Vec<T> = if *k == 0 {
            vec![T::zero(); *m]
        } else {
            self.as_slice()
                .chunks_exact(*k)
                .map(|row| kernels::dot(row, v))
                .collect()
        };
        Tensor::from_parts(out, Dims::new(&[*m]))
    }

    /// Matrix product with PyTorch's `matmul` rules for 1-D and 2-D operands: vector·vector is
    /// [`dot`](Self::dot) (0-d), matrix·matrix is [`mm`](Self::mm), matrix·vector is
    /// [`mv`](Self::mv), and vector·matrix treats the vector as a row (`[k] x [k, n] -> [n]`).
    ///
    /// With more than two dimensions the leading dimensions are batch dimensions that
    /// broadcast, as in PyTorch (see [`bmm`](Self::bmm)); each product of the batch is one
    /// kernel call.
    ///
    /// # Panics
    /// On mismatched sizes, naming both shapes.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let v = Tensor::<f32>::ones(&[2]);
    /// let m = Tensor::<f32>::arange(6).reshape(&[2, 3]);
    /// assert_eq!(v.matmul(&m).to_vec(), vec![3.0, 5.0, 7.0]);
    /// assert_eq!(v.matmul(&v).item(), 2.0);
    /// assert_eq!(m.t().matmul(&v).shape(), &[3]);
    /// ```
    #[track_caller]
    pub fn matmul(&self, other: &Tensor<T>) -> Tensor<T> {
        let (a, b) = (self.shape(), other.shape());
        if a.len() > 2 || b.len() > 2 {
            return super::batched::matmul_nd(self, other);
        }
        let inner_ok = match (a, b) {
            ([k1], [k2]) | ([_, k1], [k2]) | ([k1], [k2, _]) | ([_, k1], [k2, _]) => k1 == k2,
            _ => panic!(
                "matmul: both arguments need at least 1 dimension, got shapes {a:?} and {b:?}"
            ),
        };
        if !inner_ok {
            panic!("matmul: cannot multiply {a:?} by {b:?}");
        }
        match (a.len(), b.len()) {
            (1, 1) => self.dot(other),
            (2, 1) => self.mv(other),
            (1, 2) => {
                // The vector as a one-row matrix; reshapes share the buffer.
                let row = self.reshape(&[1, a[0]]);
                let out = row.mm(other);
                Tensor {
                    data: out.data,
                    dims: Dims::new(&[b[1]]),
                }
            }
            _ => self.mm(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_mm(a: &Tensor<f64>, b: &Tensor<f64>) -> Vec<f64> {
        let (m, k, n) = (a.shape()[0], a.shape()[1], b.shape()[1]);
        let (x, y) = (a.as_slice(), b.as_slice());
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| x[i * k + p] * y[p * n + j]).sum();
            }
        }
        c
    }

    #[test]
    fn mm_with_matches_explicit_transposes() {
        let a = Tensor::<f64>::randn(&[37, 19], 1);
        let b = Tensor::<f64>::randn(&[19, 23], 2);
        let close = |x: &Tensor<f64>, y: &[f64]| {
            x.as_slice()
                .iter()
                .zip(y)
                .all(|(p, q)| (p - q).abs() < 1e-12)
        };
        assert!(close(&a.mm(&b), &naive_mm(&a, &b)));
        let at = a.t();
        let bt = b.t();
        assert!(close(&at.mm_with(true, &b, false), &naive_mm(&a, &b)));
        assert!(close(&a.mm_with(false, &bt, true), &naive_mm(&a, &b)));
        assert!(close(&at.mm_with(true, &bt, true), &naive_mm(&a, &b)));
        let a32 = Tensor::<f32>::randn(&[5, 4], 3);
        assert_eq!(a32.mm_with(true, &a32, false).shape(), &[4, 4]);
    }

    #[test]
    fn matmul_follows_pytorch_rules() {
        let m = Tensor::<f32>::arange(6).reshape(&[2, 3]);
        let v3 = Tensor::<f32>::arange(3);
        let v2 = Tensor::<f32>::arange(2);
        assert_eq!(m.matmul(&v3).to_vec(), vec![5.0, 14.0]);
        assert_eq!(m.matmul(&v3), m.mv(&v3));
        assert_eq!(v2.matmul(&m).to_vec(), vec![3.0, 4.0, 5.0]);
        assert_eq!(v3.matmul(&v3).shape(), &[] as &[usize]);
        assert_eq!(m.matmul(&m.t()).to_vec(), vec![5.0, 14.0, 14.0, 50.0]);
        let empty = Tensor::<f32>::zeros(&[2, 0]);
        assert_eq!(empty.mm(&Tensor::zeros(&[0, 3])).to_vec(), vec![0.0; 6]);
        assert_eq!(empty.mv(&Tensor::zeros(&[0])).to_vec(), vec![0.0; 2]);
    }

    #[test]
    #[should_panic(expected = "mm: cannot multiply [2, 3] by [4, 5]")]
    fn mm_names_both_shapes() {
        Tensor::<f32>::zeros(&[2, 3]).mm(&Tensor::zeros(&[4, 5]));
    }

    #[test]
    #[should_panic(
        expected = "mm: cannot multiply [3, 2] by [4, 5] (after transposition; the \
                               operands have shapes [2, 3] and [4, 5])"
    )]
    fn mm_with_names_transposed_shapes() {
        Tensor::<f32>::zeros(&[2, 3]).mm_with(true, &Tensor::zeros(&[4, 5]), false);
    }

    #[test]
    #[should_panic(expected = "matmul: cannot multiply [3] by [2, 3]")]
    fn matmul_names_both_shapes() {
        Tensor::<f32>::zeros(&[3]).matmul(&Tensor::zeros(&[2, 3]));
    }

    #[test]
    #[should_panic(expected = "dot: expected two 1-D tensors of the same size, got [3] and [4]")]
    fn dot_names_both_shapes() {
        Tensor::<f32>::zeros(&[3]).dot(&Tensor::zeros(&[4]));
    }

    #[test]
    #[should_panic(expected = "mv: cannot multiply [2, 3] by [2]")]
    fn mv_names_both_shapes() {
        Tensor::<f32>::zeros(&[2, 3]).mv(&Tensor::zeros(&[2]));
    }
}
