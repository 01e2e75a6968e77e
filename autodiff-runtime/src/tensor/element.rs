//! The element types a [`Tensor`](super::Tensor) can hold.

use crate::kernels::Kernel;
use num_traits::Float;
use std::fmt::{Debug, Display};
use std::iter::Sum;

/// A tensor element: `f32` or `f64` (the trait is sealed through [`Kernel`]).
///
/// Besides [`num_traits::Float`] arithmetic it knows its PyTorch dtype name and how to route
/// matrix products to the right kernel ([`Kernel`]).
///
/// ```
/// use autodiff_runtime::Element;
///
/// fn halve<T: Element>(x: T) -> T {
///     x / (T::one() + T::one())
/// }
/// assert_eq!(halve(3.0f64), 1.5);
/// assert_eq!(<f32 as Element>::NAME, "float32");
/// ```
pub trait Element:
    Float + Default + Send + Sync + Debug + Display + Sum + 'static + Kernel + crate::vjp::Tangent
{
    /// The dtype name without the `torch.` prefix: `"float32"` or `"float64"`.
    const NAME: &'static str;

    /// Converts from `f64`, rounding to nearest for `f32` (`v as f32`).
    fn of_f64(v: f64) -> Self;

    /// Converts to `f64` exactly.
    fn into_f64(self) -> f64;

    /// The hyperbolic tangent used by [`Tensor::tanh`](super::Tensor::tanh): for `f32` a
    /// branch-free version that vectorises (within 1 ulp), for `f64` the standard library's.
    fn tanh_kernel(self) -> Self;

    /// Elements that carry a derivative along (dual numbers).
    const HAS_TANGENT: bool = false;

    /// The element without its derivative ([`Tensor::detach`](super::Tensor::detach)).
    #[inline(always)]
    fn detach_element(self) -> Self {
        self
    }

    /// The error function used by [`Tensor::erf`](super::Tensor::erf) and
    /// [`Tensor::gelu`](super::Tensor::gelu) (`num_traits::Float` has none): evaluated in `f64`
    /// for plain numbers; a dual number carries its tangent through, `2/√π e^{-x²}` times the
    /// argument's.
    ///
    /// ```
    /// use autodiff_runtime::forward::Dual;
    /// use autodiff_runtime::Element;
    ///
    /// assert!((0.5f64.erf_kernel() - 0.5204998778130465).abs() < 1e-15);
    /// let y = Dual::new(0.5f64, 1.0).erf_kernel();
    /// let slope = std::f64::consts::FRAC_2_SQRT_PI * (-0.25f64).exp();
    /// assert!((y.tangent - slope).abs() < 1e-15);
    /// ```
    fn erf_kernel(self) -> Self;
}

impl Element for f32 {
    const NAME: &'static str = "float32";

    #[inline(always)]
    fn of_f64(v: f64) -> Self {
        v as f32
    }

    #[inline(always)]
    fn into_f64(self) -> f64 {
        self as f64
    }

    #[inline(always)]
    fn tanh_kernel(self) -> Self {
        super::fastmath::tanh_f32(self)
    }

    #[inline]
    fn erf_kernel(self) -> Self {
        super::special::erf_f64(self as f64) as f32
    }
}

impl Element for f64 {
    const NAME: &'static str = "float64";

    #[inline(always)]
    fn of_f64(v: f64) -> Self {
        v
    }

    #[inline(always)]
    fn into_f64(self) -> f64 {
        self
    }

    #[inline(always)]
    fn tanh_kernel(self) -> Self {
        self.tanh()
    }

    #[inline]
    fn erf_kernel(self) -> Self {
        super::special::erf_f64(self)
    }
}

/// Dual numbers as tensor elements: `Tensor<Dual<f64>>` carries a tangent beside every value, so
/// the whole tensor API runs in forward mode (what `#[differentiable(jvp)]` on a tensor function
/// instantiates).
///
/// ```
/// use autodiff_runtime::forward::Dual;
/// use autodiff_runtime::Tensor;
///
/// // d/dt tanh((x + t v)·w) at t = 0, all in one pass
/// let x = Tensor::from_vec(vec![Dual::new(0.5, 1.0), Dual::new(-0.25, 0.0)], &[1, 2]);
/// let w = Tensor::from_vec(vec![Dual::constant(2.0), Dual::constant(4.0)], &[2, 1]);
/// let y = x.mm(&w).tanh().item();
/// assert!((y.value - 0.0f64.tanh()).abs() < 1e-15);
/// assert!((y.tangent - 2.0).abs() < 1e-15); // (1 - tanh(0)^2) * 2 * 1
/// ```
macro_rules! dual_element {
    ($f:ty, $name:literal) => {
        impl Element for crate::forward::Dual<$f> {
            const NAME: &'static str = $name;

            #[inline(always)]
            fn of_f64(v: f64) -> Self {
                crate::forward::Dual::constant(<$f as Element>::of_f64(v))
            }

            #[inline(always)]
            fn into_f64(self) -> f64 {
                self.value.into_f64()
            }

            #[inline(always)]
            fn tanh_kernel(self) -> Self {
                Float::tanh(self)
            }

            const HAS_TANGENT: bool = true;

            #[inline(always)]
            fn detach_element(self) -> Self {
                crate::forward::Dual::constant(self.value)
            }

            #[inline]
            fn erf_kernel(self) -> Self {
                let v = self.value;
                let slope =
                    <$f as Element>::of_f64(super::special::TWO_OVER_SQRT_PI) * (-v * v).exp();
                self.chain(v.erf_kernel(), slope)
            }
        }
    };
}

dual_element!(f32, "dual_float32");
dual_element!(f64, "dual_float64");
