//! `num_traits::Float` for [`Dual`]: every method with its derivative. Where a function has a
//! kink or a jump, the slope chosen is the one of the reverse-mode rule in
//! [`vjp::ScalarVjp`](crate::vjp::ScalarVjp) (itself PyTorch's), so that forward and reverse
//! mode agree everywhere.

use super::{scale, Dual};
use num_traits::{Float, NumCast};
use std::num::FpCategory;

#[inline(always)]
fn c<F: Float>(v: f64) -> F {
    <F as NumCast>::from(v).expect("a Float holds every f64 constant")
}

/// `a / b`, or 0 when `b` is 0 (the subgradient of norms at the origin, as the reverse rules).
#[inline(always)]
fn safe_div<F: Float>(a: F, b: F) -> F {
    if b.is_zero() {
        F::zero()
    } else {
        a / b
    }
}

/// A constant (tangent 0).
#[inline(always)]
fn k<F: Float>(v: F) -> Dual<F> {
    Dual::constant(v)
}

impl<F: Float> Float for Dual<F> {
    fn nan() -> Self {
        k(F::nan())
    }
    fn infinity() -> Self {
        k(F::infinity())
    }
    fn neg_infinity() -> Self {
        k(F::neg_infinity())
    }
    fn neg_zero() -> Self {
        k(F::neg_zero())
    }
    fn min_value() -> Self {
        k(F::min_value())
    }
    fn min_positive_value() -> Self {
        k(F::min_positive_value())
    }
    fn epsilon() -> Self {
        k(F::epsilon())
    }
    fn max_value() -> Self {
        k(F::max_value())
    }
    fn is_nan(self) -> bool {
        self.value.is_nan()
    }
    fn is_infinite(self) -> bool {
        self.value.is_infinite()
    }
    fn is_finite(self) -> bool {
        self.value.is_finite()
    }
    fn is_normal(self) -> bool {
        self.value.is_normal()
    }
    fn is_subnormal(self) -> bool {
        self.value.is_subnormal()
    }
    fn classify(self) -> FpCategory {
        self.value.classify()
    }
    /// Piecewise constant: tangent 0.
    fn floor(self) -> Self {
        k(self.value.floor())
    }
    /// Piecewise constant: tangent 0.
    fn ceil(self) -> Self {
        k(self.value.ceil())
    }
    /// Piecewise constant: tangent 0.
    fn round(self) -> Self {
        k(self.value.round())
    }
    /// Piecewise constant: tangent 0.
    fn trunc(self) -> Self {
        k(self.value.trunc())
    }
    /// Slope 1 (away from the integers, where it jumps).
    fn fract(self) -> Self {
        Dual::new(self.value.fract(), self.tangent)
    }
    /// Slope `±1`, 0 at 0 (like PyTorch).
    fn abs(self) -> Self {
        self.chain(self.value.abs(), sign(self.value))
    }
    /// Piecewise constant: tangent 0.
    fn signum(self) -> Self {
        k(self.value.signum())
    }
    fn is_sign_positive(self) -> bool {
        self.value.is_sign_positive()
    }
    fn is_sign_negative(self) -> bool {
        self.value.is_sign_negative()
    }
    fn mul_add(self, a: Self, b: Self) -> Self {
        let t = scale(self.tangent, a.value) + scale(a.tangent, self.value) + b.tangent;
        Dual::new(self.value.mul_add(a.value, b.value), t)
    }
    fn recip(self) -> Self {
        let y = self.value.recip();
        self.chain(y, -(y * y))
    }
    fn powi(self, n: i32) -> Self {
        let d = if n == 0 {
            F::zero()
        } else {
            c::<F>(n as f64) * self.value.powi(n - 1)
        };
        self.chain(self.value.powi(n), d)
    }
    /// `p·x^(p-1)·x' + x^p·ln(x)·p'` (the second term only when `p` varies).
    fn powf(self, p: Self) -> Self {
        let y = self.value.powf(p.value);
        let d_base = if p.value.is_zero() {
            F::zero()
        } else {
            p.value * self.value.powf(p.value - F::one())
        };
        let mut t = scale(self.tangent, d_base);
        if !p.tangent.is_zero() {
            t = t + p.tangent * y * self.value.ln();
        }
        Dual::new(y, t)
    }
    fn sqrt(self) -> Self {
        let y = self.value.sqrt();
        self.chain(y, (y + y).recip())
    }
    fn exp(self) -> Self {
        let y = self.value.exp();
        self.chain(y, y)
    }
    fn exp2(self) -> Self {
        let y = self.value.exp2();
        self.chain(y, y * c(std::f64::consts::LN_2))
    }
    fn ln(self) -> Self {
        self.chain(self.value.ln(), self.value.recip())
    }
    /// `ln(x)/ln(b)`, differentiated in both.
    fn log(self, base: Self) -> Self {
        self.ln() / base.ln()
    }
    fn log2(self) -> Self {
        let d = (self.value * c(std::f64::consts::LN_2)).recip();
        self.chain(self.value.log2(), d)
    }
    fn log10(self) -> Self {
        let d = (self.value * c(std::f64::consts::LN_10)).recip();
        self.chain(self.value.log10(), d)
    }
    fn to_degrees(self) -> Self {
        let d = c::<F>(180.0) / c(std::f64::consts::PI);
        self.chain(self.value.to_degrees(), d)
    }
    fn to_radians(self) -> Self {
        let d = c::<F>(std::f64::consts::PI) / c(180.0);
        self.chain(self.value.to_radians(), d)
    }
    /// The larger one; ties go to `self` (as the reverse rule); a NaN loses, like `f64::max`.
    fn max(self, other: Self) -> Self {
        if other.value.is_nan() || self.value >= other.value {
            self
        } else if self.value.is_nan() || other.value > self.value {
            other
        } else {
            self
        }
    }
    /// The smaller one; ties go to `self` (as the reverse rule); a NaN loses, like `f64::min`.
    fn min(self, other: Self) -> Self {
        if other.value.is_nan() || self.value <= other.value {
            self
        } else if self.value.is_nan() || other.value < self.value {
            other
        } else {
            self
        }
    }
    /// Slope 1 strictly inside, and the bound itself (tangent 0 for constant bounds) outside
    /// and at the bounds, as PyTorch's `clamp`.
    fn clamp(self, lo: Self, hi: Self) -> Self {
        if self.value <= lo.value {
            lo
        } else if self.value >= hi.value {
            hi
        } else {
            self
        }
    }
    /// `max(x - y, 0)`.
    #[allow(deprecated)]
    fn abs_sub(self, other: Self) -> Self {
        if self.value > other.value {
            self - other
        } else {
            k(F::zero())
        }
    }
    fn cbrt(self) -> Self {
        let y = self.value.cbrt();
        self.chain(y, (c::<F>(3.0) * y * y).recip())
    }
    /// `(x·x' + y·y') / hypot(x, y)`, 0 at the origin.
    fn hypot(self, other: Self) -> Self {
        let h = self.value.hypot(other.value);
        let t = scale(self.tangent, safe_div(self.value, h))
            + scale(other.tangent, safe_div(other.value, h));
        Dual::new(h, t)
    }
    fn sin(self) -> Self {
        let (s, co) = self.value.sin_cos();
        self.chain(s, co)
    }
    fn cos(self) -> Self {
        let (s, co) = self.value.sin_cos();
        self.chain(co, -s)
    }
    fn tan(self) -> Self {
        let y = self.value.tan();
        self.chain(y, F::one() + y * y)
    }
    fn asin(self) -> Self {
        let d = (F::one() - self.value * self.value).sqrt().recip();
        self.chain(self.value.asin(), d)
    }
    fn acos(self) -> Self {
        let d = -(F::one() - self.value * self.value).sqrt().recip();
        self.chain(self.value.acos(), d)
    }
    fn atan(self) -> Self {
        let d = (F::one() + self.value * self.value).recip();
        self.chain(self.value.atan(), d)
    }
    /// `atan2(y, x)` with `y = self`: `(x·y' - y·x') / (x² + y²)`, 0 at the origin.
    fn atan2(self, other: Self) -> Self {
        let r2 = self.value * self.value + other.value * other.value;
        let t = scale(self.tangent, safe_div(other.value, r2))
            - scale(other.tangent, safe_div(self.value, r2));
        Dual::new(self.value.atan2(other.value), t)
    }
    fn sin_cos(self) -> (Self, Self) {
        let (s, co) = self.value.sin_cos();
        (self.chain(s, co), self.chain(co, -s))
    }
    fn exp_m1(self) -> Self {
        self.chain(self.value.exp_m1(), self.value.exp())
    }
    fn ln_1p(self) -> Self {
        self.chain(self.value.ln_1p(), (F::one() + self.value).recip())
    }
    fn sinh(self) -> Self {
        self.chain(self.value.sinh(), self.value.cosh())
    }
    fn cosh(self) -> Self {
        self.chain(self.value.cosh(), self.value.sinh())
    }
    fn tanh(self) -> Self {
        let y = self.value.tanh();
        self.chain(y, F::one() - y * y)
    }
    fn asinh(self) -> Self {
        let d = (self.value * self.value + F::one()).sqrt().recip();
        self.chain(self.value.asinh(), d)
    }
    fn acosh(self) -> Self {
        let d = (self.value * self.value - F::one()).sqrt().recip();
        self.chain(self.value.acosh(), d)
    }
    fn atanh(self) -> Self {
        let d = (F::one() - self.value * self.value).recip();
        self.chain(self.value.atanh(), d)
    }
    fn integer_decode(self) -> (u64, i16, i8) {
        self.value.integer_decode()
    }
    /// `±x'`: the product of the signs of `self` and `sign`, 0 at `self = 0` (as the reverse
    /// rule); the result is piecewise constant in `sign`.
    fn copysign(self, s: Self) -> Self {
        let slope = if self.value.is_zero() {
            F::zero()
        } else if self.value.is_sign_negative() == s.value.is_sign_negative() {
            F::one()
        } else {
            -F::one()
        };
        self.chain(self.value.copysign(s.value), slope)
    }
}

/// `1`, `-1` or `0` (at 0 and for NaN).
#[inline(always)]
fn sign<F: Float>(v: F) -> F {
    if v > F::zero() {
        F::one()
    } else if v < F::zero() {
        -F::one()
    } else {
        F::zero()
    }
}
