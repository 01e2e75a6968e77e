//! Comparison: exact equality and `allclose`.

use super::{Element, Tensor};

impl<T: Element> PartialEq for Tensor<T> {
    /// Exact: equal shapes and element-wise `==` (so a tensor containing NaN is not equal to
    /// itself, as for floats).
    fn eq(&self, other: &Self) -> bool {
        self.shape() == other.shape() && self.as_slice() == other.as_slice()
    }
}

impl<T: Element> Tensor<T> {
    /// Whether the shapes are equal and every pair of elements satisfies
    /// `|a - b| <= atol + rtol * |b|` (PyTorch's `allclose` with `equal_nan=False`).
    ///
    /// Unlike PyTorch this does not broadcast: tensors of different shapes are never close, so
    /// a `[3, 1]` result is not mistaken for a `[3]` one in a test.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f32, 2.0], &[2]);
    /// let b = Tensor::from_vec(vec![1.0f32, 2.000001], &[2]);
    /// assert!(a.allclose(&b, 1e-5, 1e-8));
    /// assert!(!a.allclose(&a.reshape(&[2, 1]), 1e-5, 1e-8));
    /// ```
    pub fn allclose(&self, other: &Tensor<T>, rtol: T, atol: T) -> bool {
        self.shape() == other.shape()
            && self
                .as_slice()
                .iter()
                .zip(other.as_slice())
                .all(|(&a, &b)| (a - b).abs() <= atol + rtol * b.abs())
    }
}

#[cfg(feature = "approx")]
mod approx_impls {
    use super::{Element, Tensor};
    use approx::{AbsDiffEq, RelativeEq, UlpsEq};

    /// Shapes must be equal and every element pair within `epsilon`.
    impl<T: Element + AbsDiffEq<Epsilon = T>> AbsDiffEq for Tensor<T> {
        type Epsilon = T;
        fn default_epsilon() -> T {
            T::default_epsilon()
        }
        fn abs_diff_eq(&self, other: &Self, epsilon: T) -> bool {
            self.shape() == other.shape()
                && self
                    .as_slice()
                    .iter()
                    .zip(other.as_slice())
                    .all(|(a, b)| a.abs_diff_eq(b, epsilon))
        }
    }

    /// Shapes must be equal and every element pair relatively equal.
    impl<T: Element + RelativeEq<Epsilon = T>> RelativeEq for Tensor<T> {
        fn default_max_relative() -> T {
            T::default_max_relative()
        }
        fn relative_eq(&self, other: &Self, epsilon: T, max_relative: T) -> bool {
            self.shape() == other.shape()
                && self
                    .as_slice()
                    .iter()
                    .zip(other.as_slice())
                    .all(|(a, b)| a.relative_eq(b, epsilon, max_relative))
        }
    }

    /// Shapes must be equal and every element pair within `max_ulps`.
    impl<T: Element + UlpsEq<Epsilon = T>> UlpsEq for Tensor<T> {
        fn default_max_ulps() -> u32 {
            T::default_max_ulps()
        }
        fn ulps_eq(&self, other: &Self, epsilon: T, max_ulps: u32) -> bool {
            self.shape() == other.shape()
                && self
                    .as_slice()
                    .iter()
                    .zip(other.as_slice())
                    .all(|(a, b)| a.ulps_eq(b, epsilon, max_ulps))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_is_exact_and_shape_aware() {
        let a = Tensor::from_vec(vec![1.0f32, 2.0], &[2]);
        assert_eq!(a, a.clone());
        assert_ne!(a, a.reshape(&[1, 2]));
        assert_ne!(a, &a + 1e-7);
        let nan = Tensor::scalar(f64::NAN);
        assert_ne!(nan, nan.clone());
        assert!(!nan.allclose(&nan, 1.0, 1.0));
        assert!(a.allclose(&(&a + 1e-9), 0.0, 1e-6));
        assert!(!a.allclose(&(&a + 1e-3), 1e-5, 1e-6));
    }

    #[cfg(feature = "approx")]
    #[test]
    fn approx_traits_compare_element_wise() {
        use approx::{assert_abs_diff_eq, assert_relative_eq, assert_relative_ne, assert_ulps_eq};
        let a = Tensor::from_vec(vec![1.0f64, 2.0], &[2]);
        let b = &a + 1e-12;
        assert_abs_diff_eq!(a, b, epsilon = 1e-9);
        assert_relative_eq!(a, b, max_relative = 1e-9);
        assert_ulps_eq!(a, a.clone());
        assert_relative_ne!(a, a.reshape(&[1, 2]));
    }
}
