//! More element-wise functions: `clamp`, `maximum`/`minimum`, `sign`, `ln_1p`, `exp_m1`,
//! `log2`, `log10`, `tan`, `erf`, and the activations `softplus`, `gelu` (erf and tanh forms),
//! `silu`, `leaky_relu` and `elu`, with PyTorch's definitions and defaults.

use super::arith::binary;
use super::elementwise::sigmoid;
use super::special::erf;
use super::{Element, Tensor};

/// `√(2/π)`, the constant of the tanh form of GELU.
pub(crate) const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;
/// The cubic coefficient of the tanh form of GELU.
pub(crate) const GELU_CUBIC: f64 = 0.044715;
/// Above this input `softplus` returns its input (PyTorch's default `threshold=20`).
pub(crate) const SOFTPLUS_THRESHOLD: f64 = 20.0;

/// `ln(1 + eˣ)`, linear above the threshold like PyTorch.
#[inline]
pub(crate) fn softplus<T: Element>(x: T) -> T {
    if x > T::of_f64(SOFTPLUS_THRESHOLD) {
        x
    } else {
        // ln(1 + eˣ) = max(x, 0) + ln(1 + e^{-|x|}): no overflow, no loss for very negative x.
        x.max(T::zero()) + (-x.abs()).exp().ln_1p()
    }
}

/// `x Φ(x)` with the exact normal CDF `Φ(x) = (1 + erf(x/√2))/2`.
#[inline]
pub(crate) fn gelu<T: Element>(x: T) -> T {
    let half = T::of_f64(0.5);
    half * x * (T::one() + erf(x * T::of_f64(std::f64::consts::FRAC_1_SQRT_2)))
}

/// `x/2 (1 + tanh(√(2/π)(x + 0.044715 x³)))`.
#[inline]
pub(crate) fn gelu_tanh<T: Element>(x: T) -> T {
    let inner = T::of_f64(SQRT_2_OVER_PI) * (x + T::of_f64(GELU_CUBIC) * x * x * x);
    T::of_f64(0.5) * x * (T::one() + inner.tanh())
}

impl<T: Element> Tensor<T> {
    /// Limits every element to `[min, max]` (PyTorch's `clamp(min, max)`; NaN stays NaN).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![-2.0f32, 0.5, 3.0], &[3]);
    /// assert_eq!(x.clamp(-1.0, 1.0).to_vec(), vec![-1.0, 0.5, 1.0]);
    /// ```
    pub fn clamp(&self, min: T, max: T) -> Tensor<T> {
        self.map(move |v| {
            if v < min {
                min
            } else if v > max {
                max
            } else {
                v
            }
        })
    }

    /// Element-wise maximum with broadcasting (PyTorch's `maximum`; NaN propagates).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f32, 4.0], &[2]);
    /// let b = Tensor::from_vec(vec![3.0f32], &[1]);
    /// assert_eq!(a.maximum(&b).to_vec(), vec![3.0, 4.0]);
    /// assert_eq!(a.minimum(&b).to_vec(), vec![1.0, 3.0]);
    /// ```
    #[track_caller]
    pub fn maximum(&self, other: &Tensor<T>) -> Tensor<T> {
        binary("maximum", self, other, |a, b| {
            if a.is_nan() || a > b {
                a
            } else {
                b
            }
        })
    }

    /// Element-wise minimum with broadcasting (PyTorch's `minimum`; NaN propagates).
    #[track_caller]
    pub fn minimum(&self, other: &Tensor<T>) -> Tensor<T> {
        binary("minimum", self, other, |a, b| {
            if a.is_nan() || a < b {
                a
            } else {
                b
            }
        })
    }

    /// `-1`, `0` or `1` by the sign of each element (PyTorch's `sign`; `0` at ±0).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![-2.0f32, 0.0, 3.0], &[3]);
    /// assert_eq!(x.sign().to_vec(), vec![-1.0, 0.0, 1.0]);
    /// ```
    pub fn sign(&self) -> Tensor<T> {
        self.map(|v| {
            if v > T::zero() {
                T::one()
            } else if v < T::zero() {
                -T::one()
            } else {
                v
            }
        })
    }

    /// `ln(1 + x)`, accurate near 0 (PyTorch's `log1p`).
    pub fn ln_1p(&self) -> Tensor<T> {
        self.map(T::ln_1p)
    }

    /// `eˣ - 1`, accurate near 0 (PyTorch's `expm1`).
    pub fn exp_m1(&self) -> Tensor<T> {
        self.map(T::exp_m1)
    }

    /// Base-2 logarithm.
    pub fn log2(&self) -> Tensor<T> {
        self.map(T::log2)
    }

    /// Base-10 logarithm.
    pub fn log10(&self) -> Tensor<T> {
        self.map(T::log10)
    }

    /// Tangent.
    pub fn tan(&self) -> Tensor<T> {
        self.map(T::tan)
    }

    /// The error function (PyTorch's `erf`).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let y = Tensor::from_vec(vec![0.0f64, 1.0], &[2]).erf();
    /// assert!((y.to_vec()[1] - 0.8427007929497149).abs() < 1e-15);
    /// ```
    pub fn erf(&self) -> Tensor<T> {
        self.map(erf)
    }

    /// `ln(1 + eˣ)`, returning `x` above 20 (PyTorch's `softplus` with `beta=1, threshold=20`).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let y = Tensor::from_vec(vec![0.0f64, 30.0], &[2]).softplus();
    /// assert_eq!(y.to_vec(), vec![2f64.ln(), 30.0]);
    /// ```
    pub fn softplus(&self) -> Tensor<T> {
        self.map(softplus)
    }

    /// GELU with the exact normal CDF, `x Φ(x)` (PyTorch's `gelu`, `approximate='none'`).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![-1.0f64, 0.0, 1.0], &[3]);
    /// let y = x.gelu().to_vec();
    /// assert!((y[2] - 0.8413447460685429).abs() < 1e-15);
    /// assert!((x.gelu_tanh().to_vec()[2] - 0.8411919906082768).abs() < 1e-15);
    /// ```
    pub fn gelu(&self) -> Tensor<T> {
        self.map(gelu)
    }

    /// GELU's tanh approximation (PyTorch's `gelu(approximate='tanh')`).
    pub fn gelu_tanh(&self) -> Tensor<T> {
        self.map(gelu_tanh)
    }

    /// `x σ(x)` (PyTorch's `silu`, also called swish).
    pub fn silu(&self) -> Tensor<T> {
        self.map(|v| v * sigmoid(v))
    }

    /// `x` for `x > 0`, `slope · x` otherwise (PyTorch's `leaky_relu(negative_slope)`; its
    /// default slope is `0.01`).
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![-2.0f32, 3.0], &[2]);
    /// assert_eq!(x.leaky_relu(0.1).to_vec(), vec![-0.2, 3.0]);
    /// ```
    pub fn leaky_relu(&self, slope: T) -> Tensor<T> {
        self.map(move |v| if v > T::zero() { v } else { v * slope })
    }

    /// `x` for `x > 0`, `alpha (eˣ - 1)` otherwise (PyTorch's `elu(alpha)`; its default alpha
    /// is `1.0`).
    pub fn elu(&self, alpha: T) -> Tensor<T> {
        self.map(move |v| if v > T::zero() { v } else { alpha * v.exp_m1() })
    }
}
