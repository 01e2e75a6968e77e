//! Methods of plain `f32`/`f64` (any `T: Float`) in VJP form.
//!
//! Scalar code with long loops is where a compile-time transform pays most, so these pullbacks
//! are tiny `Copy` structs holding one precomputed local derivative: a 10,000-step loop records
//! 10,000 of them in one `Vec`, with no allocation per operation.

use super::Pullback;
use num_traits::Float;

/// Pullback of a scalar function of one variable: `g * d` with `d` the local derivative.
#[derive(Clone, Copy, Debug)]
pub struct ScalarUnaryPb<T> {
    d: T,
}

impl<T> ScalarUnaryPb<T> {
    /// A pullback multiplying by the local derivative `d`.
    #[inline(always)]
    pub fn new(d: T) -> Self {
        ScalarUnaryPb { d }
    }
}

impl<T> ScalarBinaryPb<T> {
    /// A pullback multiplying by the partial derivatives `da` and `db`.
    #[inline(always)]
    pub fn new(da: T, db: T) -> Self {
        ScalarBinaryPb { da, db }
    }
}

impl<T: Float> Pullback for ScalarUnaryPb<T> {
    type Cot = T;
    type Grads = T;
    #[inline(always)]
    fn pull(&self, g: T) -> T {
        g * self.d
    }
}

/// Pullback of a scalar function of two variables with both differentiated.
#[derive(Clone, Copy, Debug)]
pub struct ScalarBinaryPb<T> {
    da: T,
    db: T,
}

impl<T: Float> Pullback for ScalarBinaryPb<T> {
    type Cot = T;
    type Grads = (T, T);
    #[inline(always)]
    fn pull(&self, g: T) -> (T, T) {
        (g * self.da, g * self.db)
    }
}

#[inline(always)]
fn unary<T>(value: T, d: T) -> (T, ScalarUnaryPb<T>) {
    (value, ScalarUnaryPb { d })
}

/// VJP forms of the differentiable methods of `f32`, `f64` and any `T: Float`.
///
/// ```
/// use autodiff_runtime::vjp::{Pullback, ScalarVjp};
/// let (y, pb) = 0.5f64.sin_vjp();
/// assert_eq!(y, 0.5f64.sin());
/// assert_eq!(pb.pull(1.0), 0.5f64.cos());
/// ```
pub trait ScalarVjp: Float {
    /// `exp`
    fn exp_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.exp();
        unary(y, y)
    }
    /// `exp2`
    fn exp2_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.exp2();
        unary(y, y * Self::from(core::f64::consts::LN_2).unwrap())
    }
    /// `exp_m1`
    fn exp_m1_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.exp_m1(), self.exp())
    }
    /// `ln`
    fn ln_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.ln(), self.recip())
    }
    /// `ln_1p`
    fn ln_1p_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.ln_1p(), (Self::one() + self).recip())
    }
    /// `log2`
    fn log2_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let ln2 = Self::from(core::f64::consts::LN_2).unwrap();
        unary(self.log2(), (self * ln2).recip())
    }
    /// `log10`
    fn log10_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let ln10 = Self::from(core::f64::consts::LN_10).unwrap();
        unary(self.log10(), (self * ln10).recip())
    }
    /// `sqrt`
    fn sqrt_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.sqrt();
        unary(y, (y + y).recip())
    }
    /// `cbrt`
    fn cbrt_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.cbrt();
        let three = Self::from(3.0).unwrap();
        unary(y, (three * y * y).recip())
    }
    /// `powi(n)`
    fn powi_vjp(self, n: i32) -> (Self, ScalarUnaryPb<Self>) {
        let d = if n == 0 {
            Self::zero()
        } else {
            Self::from(n).unwrap() * self.powi(n - 1)
        };
        unary(self.powi(n), d)
    }
    /// `powf(p)` differentiated in the base.
    fn powf_vjp_l(self, p: Self) -> (Self, ScalarUnaryPb<Self>) {
        let d = if p == Self::zero() {
            Self::zero()
        } else {
            p * self.powf(p - Self::one())
        };
        unary(self.powf(p), d)
    }
    /// `powf(p)` differentiated in the exponent.
    fn powf_vjp_r(self, p: Self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.powf(p);
        unary(y, y * self.ln())
    }
    /// `powf(p)` differentiated in both.
    fn powf_vjp_lr(self, p: Self) -> (Self, ScalarBinaryPb<Self>) {
        let y = self.powf(p);
        let da = if p == Self::zero() {
            Self::zero()
        } else {
            p * self.powf(p - Self::one())
        };
        (
            y,
            ScalarBinaryPb {
                da,
                db: y * self.ln(),
            },
        )
    }
    /// `sin`
    fn sin_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let (s, c) = self.sin_cos();
        unary(s, c)
    }
    /// `cos`
    fn cos_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let (s, c) = self.sin_cos();
        unary(c, -s)
    }
    /// `tan`
    fn tan_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.tan();
        unary(y, Self::one() + y * y)
    }
    /// `asin`
    fn asin_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.asin(), (Self::one() - self * self).sqrt().recip())
    }
    /// `acos`
    fn acos_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.acos(), -(Self::one() - self * self).sqrt().recip())
    }
    /// `atan`
    fn atan_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.atan(), (Self::one() + self * self).recip())
    }
    /// `sinh`
    fn sinh_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.sinh(), self.cosh())
    }
    /// `cosh`
    fn cosh_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.cosh(), self.sinh())
    }
    /// `tanh`
    fn tanh_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.tanh();
        unary(y, Self::one() - y * y)
    }
    /// `abs` (derivative 0 at 0, like PyTorch)
    fn abs_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let d = if self > Self::zero() {
            Self::one()
        } else if self < Self::zero() {
            -Self::one()
        } else {
            Self::zero()
        };
        unary(self.abs(), d)
    }
    /// `recip`
    fn recip_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.recip();
        unary(y, -(y * y))
    }
    /// `clone` (identity)
    fn clone_vjp(&self) -> (Self, ScalarUnaryPb<Self>) {
        unary(*self, Self::one())
    }
    /// `max(other)` differentiated in `self` (ties go to `self`).
    fn max_vjp_l(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let pick = self >= other;
        unary(
            self.max(other),
            if pick { Self::one() } else { Self::zero() },
        )
    }
    /// `max(other)` differentiated in `other`.
    fn max_vjp_r(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let pick = self >= other;
        unary(
            self.max(other),
            if pick { Self::zero() } else { Self::one() },
        )
    }
    /// `max(other)` differentiated in both.
    fn max_vjp_lr(self, other: Self) -> (Self, ScalarBinaryPb<Self>) {
        let (da, db) = if self >= other {
            (Self::one(), Self::zero())
        } else {
            (Self::zero(), Self::one())
        };
        (self.max(other), ScalarBinaryPb { da, db })
    }
    /// `min(other)` differentiated in `self` (ties go to `self`).
    fn min_vjp_l(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let pick = self <= other;
        unary(
            self.min(other),
            if pick { Self::one() } else { Self::zero() },
        )
    }
    /// `min(other)` differentiated in `other`.
    fn min_vjp_r(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let pick = self <= other;
        unary(
            self.min(other),
            if pick { Self::zero() } else { Self::one() },
        )
    }
    /// `min(other)` differentiated in both.
    fn min_vjp_lr(self, other: Self) -> (Self, ScalarBinaryPb<Self>) {
        let (da, db) = if self <= other {
            (Self::one(), Self::zero())
        } else {
            (Self::zero(), Self::one())
        };
        (self.min(other), ScalarBinaryPb { da, db })
    }
    /// `hypot(other)` differentiated in `self`.
    fn hypot_vjp_l(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.hypot(other);
        unary(y, safe_div(self, y))
    }
    /// `hypot(other)` differentiated in `other`.
    fn hypot_vjp_r(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.hypot(other);
        unary(y, safe_div(other, y))
    }
    /// `hypot(other)` differentiated in both.
    fn hypot_vjp_lr(self, other: Self) -> (Self, ScalarBinaryPb<Self>) {
        let y = self.hypot(other);
        (
            y,
            ScalarBinaryPb {
                da: safe_div(self, y),
                db: safe_div(other, y),
            },
        )
    }
    /// `atan2(other)` (= atan(self/other)) differentiated in `self`.
    fn atan2_vjp_l(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let r2 = self * self + other * other;
        unary(self.atan2(other), safe_div(other, r2))
    }
    /// `atan2(other)` differentiated in `other`.
    fn atan2_vjp_r(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let r2 = self * self + other * other;
        unary(self.atan2(other), -safe_div(self, r2))
    }
    /// `atan2(other)` differentiated in both.
    fn atan2_vjp_lr(self, other: Self) -> (Self, ScalarBinaryPb<Self>) {
        let r2 = self * self + other * other;
        (
            self.atan2(other),
            ScalarBinaryPb {
                da: safe_div(other, r2),
                db: -safe_div(self, r2),
            },
        )
    }
}

/// `a / b`, or 0 when `b` is 0 (the subgradient PyTorch picks for norms at the origin).
#[inline(always)]
fn safe_div<T: Float>(a: T, b: T) -> T {
    if b == T::zero() {
        T::zero()
    } else {
        a / b
    }
}

impl<T: Float> ScalarVjp for T {}
