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
    #[track_caller]
    fn exp_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.exp();
        unary(y, y)
    }
    /// `exp2`
    #[track_caller]
    fn exp2_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.exp2();
        unary(y, y * Self::from(core::f64::consts::LN_2).unwrap())
    }
    /// `exp_m1`
    #[track_caller]
    fn exp_m1_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.exp_m1(), self.exp())
    }
    /// `ln`
    #[track_caller]
    fn ln_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.ln(), self.recip())
    }
    /// `ln_1p`
    #[track_caller]
    fn ln_1p_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.ln_1p(), (Self::one() + self).recip())
    }
    /// `log2`
    #[track_caller]
    fn log2_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let ln2 = Self::from(core::f64::consts::LN_2).unwrap();
        unary(self.log2(), (self * ln2).recip())
    }
    /// `log10`
    #[track_caller]
    fn log10_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let ln10 = Self::from(core::f64::consts::LN_10).unwrap();
        unary(self.log10(), (self * ln10).recip())
    }
    /// `sqrt`
    #[track_caller]
    fn sqrt_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.sqrt();
        unary(y, (y + y).recip())
    }
    /// `cbrt`
    #[track_caller]
    fn cbrt_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.cbrt();
        let three = Self::from(3.0).unwrap();
        unary(y, (three * y * y).recip())
    }
    /// `powi(n)`
    #[track_caller]
    fn powi_vjp(self, n: i32) -> (Self, ScalarUnaryPb<Self>) {
        let d = if n == 0 {
            Self::zero()
        } else {
            Self::from(n).unwrap() * self.powi(n - 1)
        };
        unary(self.powi(n), d)
    }
    /// `powf(p)` differentiated in the base.
    #[track_caller]
    fn powf_vjp_l(self, p: Self) -> (Self, ScalarUnaryPb<Self>) {
        let d = if p == Self::zero() {
            Self::zero()
        } else {
            p * self.powf(p - Self::one())
        };
        unary(self.powf(p), d)
    }
    /// `powf(p)` differentiated in the exponent.
    #[track_caller]
    fn powf_vjp_r(self, p: Self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.powf(p);
        unary(y, y * self.ln())
    }
    /// `powf(p)` differentiated in both.
    #[track_caller]
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
    #[track_caller]
    fn sin_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let (s, c) = self.sin_cos();
        unary(s, c)
    }
    /// `cos`
    #[track_caller]
    fn cos_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let (s, c) = self.sin_cos();
        unary(c, -s)
    }
    /// `tan`
    #[track_caller]
    fn tan_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.tan();
        unary(y, Self::one() + y * y)
    }
    /// `asin`
    #[track_caller]
    fn asin_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.asin(), (Self::one() - self * self).sqrt().recip())
    }
    /// `acos`
    #[track_caller]
    fn acos_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.acos(), -(Self::one() - self * self).sqrt().recip())
    }
    /// `atan`
    #[track_caller]
    fn atan_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.atan(), (Self::one() + self * self).recip())
    }
    /// `sinh`
    #[track_caller]
    fn sinh_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.sinh(), self.cosh())
    }
    /// `cosh`
    #[track_caller]
    fn cosh_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.cosh(), self.sinh())
    }
    /// `tanh`
    #[track_caller]
    fn tanh_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.tanh();
        unary(y, Self::one() - y * y)
    }
    /// `abs` (derivative 0 at 0, like PyTorch)
    #[track_caller]
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
    #[track_caller]
    fn recip_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.recip();
        unary(y, -(y * y))
    }
    /// `clone` (identity)
    #[track_caller]
    fn clone_vjp(&self) -> (Self, ScalarUnaryPb<Self>) {
        unary(*self, Self::one())
    }
    /// `max(other)` differentiated in `self` (ties go to `self`).
    #[track_caller]
    fn max_vjp_l(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let pick = self >= other;
        unary(
            self.max(other),
            if pick { Self::one() } else { Self::zero() },
        )
    }
    /// `max(other)` differentiated in `other`.
    #[track_caller]
    fn max_vjp_r(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let pick = self >= other;
        unary(
            self.max(other),
            if pick { Self::zero() } else { Self::one() },
        )
    }
    /// `max(other)` differentiated in both.
    #[track_caller]
    fn max_vjp_lr(self, other: Self) -> (Self, ScalarBinaryPb<Self>) {
        let (da, db) = if self >= other {
            (Self::one(), Self::zero())
        } else {
            (Self::zero(), Self::one())
        };
        (self.max(other), ScalarBinaryPb { da, db })
    }
    /// `min(other)` differentiated in `self` (ties go to `self`).
    #[track_caller]
    fn min_vjp_l(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let pick = self <= other;
        unary(
            self.min(other),
            if pick { Self::one() } else { Self::zero() },
        )
    }
    /// `min(other)` differentiated in `other`.
    #[track_caller]
    fn min_vjp_r(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let pick = self <= other;
        unary(
            self.min(other),
            if pick { Self::zero() } else { Self::one() },
        )
    }
    /// `min(other)` differentiated in both.
    #[track_caller]
    fn min_vjp_lr(self, other: Self) -> (Self, ScalarBinaryPb<Self>) {
        let (da, db) = if self <= other {
            (Self::one(), Self::zero())
        } else {
            (Self::zero(), Self::one())
        };
        (self.min(other), ScalarBinaryPb { da, db })
    }
    /// `hypot(other)` differentiated in `self`.
    #[track_caller]
    fn hypot_vjp_l(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.hypot(other);
        unary(y, safe_div(self, y))
    }
    /// `hypot(other)` differentiated in `other`.
    #[track_caller]
    fn hypot_vjp_r(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let y = self.hypot(other);
        unary(y, safe_div(other, y))
    }
    /// `hypot(other)` differentiated in both.
    #[track_caller]
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
    #[track_caller]
    fn atan2_vjp_l(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let r2 = self * self + other * other;
        unary(self.atan2(other), safe_div(other, r2))
    }
    /// `atan2(other)` differentiated in `other`.
    #[track_caller]
    fn atan2_vjp_r(self, other: Self) -> (Self, ScalarUnaryPb<Self>) {
        let r2 = self * self + other * other;
        unary(self.atan2(other), -safe_div(self, r2))
    }
    /// `atan2(other)` differentiated in both.
    #[track_caller]
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
    /// `fract` (derivative 1 away from the integers, where it jumps).
    #[track_caller]
    fn fract_vjp(self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.fract(), Self::one())
    }
    /// `rem_euclid(y)` differentiated in `self`: derivative 1 (away from the jumps where
    /// `self / y` is an integer).
    #[track_caller]
    fn rem_euclid_vjp_l(self, y: Self) -> (Self, ScalarUnaryPb<Self>) {
        unary(rem_euclid(self, y), Self::one())
    }
    /// `rem_euclid(y)` differentiated in `y`: `x.rem_euclid(y) = x - y q` with
    /// `q = x.div_euclid(y)` locally constant, so the derivative is `-q` (for either sign of
    /// `y`).
    #[track_caller]
    fn rem_euclid_vjp_r(self, y: Self) -> (Self, ScalarUnaryPb<Self>) {
        let r = rem_euclid(self, y);
        unary(r, -((self - r) / y).round())
    }
    /// `rem_euclid(y)` differentiated in both: `(1, -x.div_euclid(y))`.
    #[track_caller]
    fn rem_euclid_vjp_lr(self, y: Self) -> (Self, ScalarBinaryPb<Self>) {
        let r = rem_euclid(self, y);
        (
            r,
            ScalarBinaryPb::new(Self::one(), -((self - r) / y).round()),
        )
    }
    /// `clamp(lo, hi)` differentiated in `self` (the bounds are constants): derivative 1
    /// strictly inside (`lo < self < hi`) and 0 outside and at the bounds themselves, as
    /// PyTorch's `clamp` (checked against PyTorch 2.15).
    #[track_caller]
    fn clamp_vjp(self, lo: Self, hi: Self) -> (Self, ScalarUnaryPb<Self>) {
        let y = if self < lo {
            lo
        } else if self > hi {
            hi
        } else {
            self
        };
        let inside = self > lo && self < hi;
        unary(y, if inside { Self::one() } else { Self::zero() })
    }
    /// `copysign(sign)` differentiated in `self`: `±1`, the product of the signs of `self` and
    /// `sign` (0 at `self = 0`, where `|self|` has a kink).
    #[track_caller]
    fn copysign_vjp_l(self, sign: Self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.copysign(sign), copysign_slope(self, sign))
    }
    /// `copysign(sign)` differentiated in `sign`: 0 (the result is piecewise constant in it).
    #[track_caller]
    fn copysign_vjp_r(self, sign: Self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.copysign(sign), Self::zero())
    }
    /// `copysign(sign)` differentiated in both: `(±1, 0)`.
    #[track_caller]
    fn copysign_vjp_lr(self, sign: Self) -> (Self, ScalarBinaryPb<Self>) {
        let d = copysign_slope(self, sign);
        (self.copysign(sign), ScalarBinaryPb::new(d, Self::zero()))
    }
    /// `sin_cos()`: returns `((sin, cos), pb)`; the pullback takes the pair of cotangents
    /// `(g_sin, g_cos)` and returns `g_sin cos x - g_cos sin x`.
    ///
    /// ```
    /// use autodiff_runtime::vjp::{Pullback, ScalarVjp};
    /// let ((s, c), pb) = 0.3f64.sin_cos_vjp();
    /// assert_eq!((s, c), 0.3f64.sin_cos());
    /// assert_eq!(pb.pull((1.0, 0.0)), c);
    /// ```
    #[track_caller]
    fn sin_cos_vjp(self) -> ((Self, Self), SinCosPb<Self>) {
        let (s, c) = self.sin_cos();
        ((s, c), SinCosPb { s, c })
    }
    /// `mul_add(a, b) = self * a + b` differentiated in `self` only. The `mul_add` forms are
    /// named by the operands they differentiate, in argument order: `s` (self), `a`, `b`;
    /// a pullback returns the gradients of exactly those operands, in that order.
    #[track_caller]
    fn mul_add_vjp_s(self, a: Self, b: Self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.mul_add(a, b), a)
    }
    /// `mul_add(a, b)` differentiated in `a` only.
    #[track_caller]
    fn mul_add_vjp_a(self, a: Self, b: Self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.mul_add(a, b), self)
    }
    /// `mul_add(a, b)` differentiated in `b` only.
    #[track_caller]
    fn mul_add_vjp_b(self, a: Self, b: Self) -> (Self, ScalarUnaryPb<Self>) {
        unary(self.mul_add(a, b), Self::one())
    }
    /// `mul_add(a, b)` differentiated in `self` and `a`: `(a, self)`.
    #[track_caller]
    fn mul_add_vjp_sa(self, a: Self, b: Self) -> (Self, ScalarBinaryPb<Self>) {
        (self.mul_add(a, b), ScalarBinaryPb::new(a, self))
    }
    /// `mul_add(a, b)` differentiated in `self` and `b`: `(a, 1)`.
    #[track_caller]
    fn mul_add_vjp_sb(self, a: Self, b: Self) -> (Self, ScalarBinaryPb<Self>) {
        (self.mul_add(a, b), ScalarBinaryPb::new(a, Self::one()))
    }
    /// `mul_add(a, b)` differentiated in `a` and `b`: `(self, 1)`.
    #[track_caller]
    fn mul_add_vjp_ab(self, a: Self, b: Self) -> (Self, ScalarBinaryPb<Self>) {
        (self.mul_add(a, b), ScalarBinaryPb::new(self, Self::one()))
    }
    /// `mul_add(a, b)` differentiated in all three: `(a, self, 1)`.
    ///
    /// ```
    /// use autodiff_runtime::vjp::{Pullback, ScalarVjp};
    /// let (y, pb) = 2.0f64.mul_add_vjp_sab(3.0, 1.0);
    /// assert_eq!(y, 7.0);
    /// assert_eq!(pb.pull(1.0), (3.0, 2.0, 1.0));
    /// ```
    #[track_caller]
    fn mul_add_vjp_sab(self, a: Self, b: Self) -> (Self, ScalarTernaryPb<Self>) {
        let pb = ScalarTernaryPb {
            d: (a, self, Self::one()),
        };
        (self.mul_add(a, b), pb)
    }
}

/// `x.rem_euclid(y)` for any `Float` (as `f64::rem_euclid`: the result is in `[0, |y|)`).
#[inline(always)]
fn rem_euclid<T: Float>(x: T, y: T) -> T {
    let r = x % y;
    if r < T::zero() {
        r + y.abs()
    } else {
        r
    }
}

/// The derivative of `x.copysign(s)` in `x`.
#[inline(always)]
fn copysign_slope<T: Float>(x: T, s: T) -> T {
    if x == T::zero() {
        T::zero()
    } else if x.is_sign_negative() == s.is_sign_negative() {
        T::one()
    } else {
        -T::one()
    }
}

/// Pullback of [`ScalarVjp::sin_cos_vjp`]: takes `(g_sin, g_cos)`.
#[derive(Clone, Copy, Debug)]
pub struct SinCosPb<T> {
    s: T,
    c: T,
}

impl<T: Float> Pullback for SinCosPb<T> {
    type Cot = (T, T);
    type Grads = T;
    #[inline(always)]
    fn pull(&self, (gs, gc): (T, T)) -> T {
        gs * self.c - gc * self.s
    }
}

/// Pullback of a scalar function of three variables with all three differentiated.
#[derive(Clone, Copy, Debug)]
pub struct ScalarTernaryPb<T> {
    d: (T, T, T),
}

impl<T: Float> Pullback for ScalarTernaryPb<T> {
    type Cot = T;
    type Grads = (T, T, T);
    #[inline(always)]
    fn pull(&self, g: T) -> (T, T, T) {
        (g * self.d.0, g * self.d.1, g * self.d.2)
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
