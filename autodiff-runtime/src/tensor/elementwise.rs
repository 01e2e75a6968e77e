//! Element-wise maps over contiguous slices: the generic `map` family that the operators and the
//! VJP rules are built on, and the named functions (`exp`, `tanh`, `relu`, ...).

use super::Element;
use super::Tensor;

impl<T: Element> Tensor<T> {
    /// Applies `f` to every element, allocating only the output.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![1.0f32, -2.0], &[2]);
    /// assert_eq!(x.map(|v| v * v + 1.0).to_vec(), vec![2.0, 5.0]);
    /// ```
    #[inline]
    pub fn map(&self, f: impl Fn(T) -> T) -> Tensor<T> {
        if let [v] = self.as_slice() {
            return self.one_like(f(*v));
        }
        let data = super::pool::collect(self.numel(), self.as_slice().iter().map(|&v| f(v)));
        self.with_same_shape(data)
    }

    /// Applies `f` to every element, consuming `self`: the buffer is reused when no other tensor
    /// shares it (otherwise a new one is allocated). Pullbacks use it to fuse their arithmetic
    /// into the incoming cotangent's buffer.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let g = Tensor::from_vec(vec![1.0f32, 2.0], &[2]);
    /// let doubled = g.map_inplace(|v| 2.0 * v); // reuses g's buffer
    /// assert_eq!(doubled.to_vec(), vec![2.0, 4.0]);
    /// ```
    #[inline]
    pub fn map_inplace(mut self, f: impl Fn(T) -> T) -> Tensor<T> {
        match self.unique_slice_mut() {
            Some(data) => {
                data.iter_mut().for_each(|v| *v = f(*v));
                self
            }
            None => self.map(f),
        }
    }

    /// Combines two tensors of the same shape element by element, allocating only the output.
    ///
    /// # Panics
    /// If the shapes differ, naming both (`zip_map` does not broadcast; the operators do).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f32, 2.0], &[2]);
    /// let b = Tensor::from_vec(vec![3.0f32, 4.0], &[2]);
    /// assert_eq!(a.zip_map(&b, |x, y| x * y + 1.0).to_vec(), vec![4.0, 9.0]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn zip_map(&self, other: &Tensor<T>, f: impl Fn(T, T) -> T) -> Tensor<T> {
        self.expect_same_shape("zip_map", other);
        if let ([a], [b]) = (self.as_slice(), other.as_slice()) {
            return self.one_like(f(*a, *b));
        }
        let it = self.as_slice().iter().zip(other.as_slice());
        let data = super::pool::collect(self.numel(), it.map(|(&a, &b)| f(a, b)));
        self.with_same_shape(data)
    }

    /// Combines three tensors of the same shape element by element, allocating only the output.
    ///
    /// # Panics
    /// If the shapes differ, naming them.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![1.0f32, 2.0], &[2]);
    /// let fma = x.zip3_map(&x, &x.ones_like(), |a, b, c| a * b + c);
    /// assert_eq!(fma.to_vec(), vec![2.0, 5.0]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn zip3_map(&self, b: &Tensor<T>, c: &Tensor<T>, f: impl Fn(T, T, T) -> T) -> Tensor<T> {
        self.expect_same_shape("zip3_map", b);
        self.expect_same_shape("zip3_map", c);
        let it = self.as_slice().iter().zip(b.as_slice()).zip(c.as_slice());
        let data = super::pool::collect(self.numel(), it.map(|((&x, &y), &z)| f(x, y, z)));
        self.with_same_shape(data)
    }

    #[track_caller]
    pub(crate) fn expect_same_shape(&self, op: &str, other: &Tensor<T>) {
        if self.shape() != other.shape() {
            panic!(
                "{op}: shapes must be equal, got {:?} and {:?}",
                self.shape(),
                other.shape()
            );
        }
    }

    /// `eˣ` element-wise.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// assert_eq!(Tensor::<f32>::zeros(&[2]).exp().to_vec(), vec![1.0, 1.0]);
    /// ```
    pub fn exp(&self) -> Tensor<T> {
        self.map(T::exp)
    }

    /// Natural logarithm element-wise (`NaN` below 0, `-inf` at 0, like PyTorch's `log`).
    pub fn ln(&self) -> Tensor<T> {
        self.map(T::ln)
    }

    /// Square root element-wise.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![4.0f32, 9.0], &[2]);
    /// assert_eq!(x.sqrt().to_vec(), vec![2.0, 3.0]);
    /// ```
    pub fn sqrt(&self) -> Tensor<T> {
        self.map(T::sqrt)
    }

    /// Integer power element-wise (`x.pow(n)` with an integer exponent).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// assert_eq!(Tensor::<f32>::arange(3).powi(2).to_vec(), vec![0.0, 1.0, 4.0]);
    /// ```
    pub fn powi(&self, n: i32) -> Tensor<T> {
        // Small exponents as products: `powi` with a run-time exponent is a library call per
        // element, several times slower than the multiplications it stands for.
        match n {
            0 => self.map(|_| T::one()),
            1 => self.map(|v| v),
            2 => self.map(|v| v * v),
            3 => self.map(|v| v * v * v),
            -1 => self.map(|v| v.recip()),
            _ => self.map(move |v| v.powi(n)),
        }
    }

    /// Floating-point power element-wise (`x.pow(p)`).
    pub fn powf(&self, p: T) -> Tensor<T> {
        self.map(move |v| v.powf(p))
    }

    /// Sine element-wise.
    pub fn sin(&self) -> Tensor<T> {
        self.map(T::sin)
    }

    /// Cosine element-wise.
    pub fn cos(&self) -> Tensor<T> {
        self.map(T::cos)
    }

    /// Hyperbolic tangent element-wise.
    ///
    /// For `f32` this is a branch-free implementation within 1 ulp of the correctly rounded
    /// value (several times faster than libm's `tanhf`); for `f64`, the standard library's.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let y = Tensor::from_vec(vec![0.0f32, 0.5, -20.0], &[3]).tanh();
    /// assert_eq!(y.to_vec(), vec![0.0, 0.5f32.tanh(), -1.0]);
    /// ```
    pub fn tanh(&self) -> Tensor<T> {
        self.map(T::tanh_kernel)
    }

    /// Logistic sigmoid `1 / (1 + e⁻ˣ)` element-wise, computed without overflow for large `|x|`.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let s = Tensor::from_vec(vec![0.0f32, -1000.0, 1000.0], &[3]).sigmoid();
    /// assert_eq!(s.to_vec(), vec![0.5, 0.0, 1.0]);
    /// ```
    pub fn sigmoid(&self) -> Tensor<T> {
        self.map(sigmoid)
    }

    /// `max(x, 0)` element-wise (NaN stays NaN, as in PyTorch).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![-1.0f32, 2.0], &[2]);
    /// assert_eq!(x.relu().to_vec(), vec![0.0, 2.0]);
    /// ```
    pub fn relu(&self) -> Tensor<T> {
        self.map(|v| if v < T::zero() { T::zero() } else { v })
    }

    /// Absolute value element-wise.
    pub fn abs(&self) -> Tensor<T> {
        self.map(T::abs)
    }
}

/// The logistic function, evaluated on the side where the exponential cannot overflow.
#[inline]
pub(crate) fn sigmoid<T: Element>(x: T) -> T {
    if x >= T::zero() {
        T::one() / (T::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (T::one() + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_functions() {
        let x = Tensor::from_vec(vec![-1.0f64, 0.5, 2.0], &[3]);
        let close = |a: &Tensor<f64>, b: Vec<f64>| {
            a.as_slice()
                .iter()
                .zip(&b)
                .all(|(x, y)| (x - y).abs() < 1e-12)
        };
        assert!(close(
            &x.exp(),
            vec![(-1f64).exp(), 0.5f64.exp(), 2f64.exp()]
        ));
        assert!(close(&x.abs().ln(), vec![0.0, 0.5f64.ln(), 2f64.ln()]));
        assert!(close(
            &x.abs().sqrt(),
            vec![1.0, 0.5f64.sqrt(), 2f64.sqrt()]
        ));
        assert!(close(&x.powi(3), vec![-1.0, 0.125, 8.0]));
        assert!(close(
            &x.abs().powf(0.5),
            vec![1.0, 0.5f64.sqrt(), 2f64.sqrt()]
        ));
        assert!(close(
            &x.sin(),
            vec![(-1f64).sin(), 0.5f64.sin(), 2f64.sin()]
        ));
        assert!(close(
            &x.cos(),
            vec![(-1f64).cos(), 0.5f64.cos(), 2f64.cos()]
        ));
        assert!(close(
            &x.tanh(),
            vec![(-1f64).tanh(), 0.5f64.tanh(), 2f64.tanh()]
        ));
        let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
        assert!(close(&x.sigmoid(), vec![sig(-1.0), sig(0.5), sig(2.0)]));
        assert_eq!(x.relu().to_vec(), vec![0.0, 0.5, 2.0]);
        assert!(Tensor::scalar(f32::NAN).relu().item().is_nan());
        assert_eq!(x.abs().to_vec(), vec![1.0, 0.5, 2.0]);
        assert_eq!(x.exp().shape(), &[3]);
    }

    #[test]
    fn map_inplace_reuses_a_unique_buffer_and_copies_a_shared_one() {
        let x = Tensor::from_vec(vec![1.0f32, 2.0], &[2]);
        let ptr = x.as_slice().as_ptr();
        let y = x.map_inplace(|v| v + 1.0);
        assert_eq!(y.as_slice().as_ptr(), ptr);
        let keep = y.clone();
        let z = y.map_inplace(|v| v * 10.0);
        assert_eq!(keep.to_vec(), vec![2.0, 3.0]);
        assert_eq!(z.to_vec(), vec![20.0, 30.0]);
    }

    #[test]
    #[should_panic(expected = "zip_map: shapes must be equal, got [2] and [2, 1]")]
    fn zip_map_names_both_shapes() {
        let a = Tensor::<f32>::zeros(&[2]);
        a.zip_map(&Tensor::zeros(&[2, 1]), |x, y| x + y);
    }
}
