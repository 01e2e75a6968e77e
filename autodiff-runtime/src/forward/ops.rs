//! Arithmetic, comparisons and the `num_traits` number traits of [`Dual`] (everything
//! `Float` requires besides its own methods, which are in `float.rs`).

use super::{scale, Dual};
use num_traits::{Float, FloatConst, Num, NumCast, One, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::iter::{Product, Sum};
use std::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};

impl<F: Float> Add for Dual<F> {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Dual::new(self.value + o.value, self.tangent + o.tangent)
    }
}

impl<F: Float> Sub for Dual<F> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        Dual::new(self.value - o.value, self.tangent - o.tangent)
    }
}

impl<F: Float> Mul for Dual<F> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        let t = scale(self.tangent, o.value) + scale(o.tangent, self.value);
        Dual::new(self.value * o.value, t)
    }
}

impl<F: Float> Div for Dual<F> {
    type Output = Self;
    /// `(a/b)' = (a' - (a/b)·b') / b`.
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        let q = self.value / o.value;
        let num = self.tangent - scale(o.tangent, q);
        let t = if num.is_zero() {
            F::zero()
        } else {
            num / o.value
        };
        Dual::new(q, t)
    }
}

impl<F: Float> Rem for Dual<F> {
    type Output = Self;
    /// `a % b = a - b·trunc(a/b)`, with `trunc(a/b)` locally constant.
    #[inline(always)]
    fn rem(self, o: Self) -> Self {
        let q = (self.value / o.value).trunc();
        Dual::new(self.value % o.value, self.tangent - scale(o.tangent, q))
    }
}

impl<F: Float> Neg for Dual<F> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Dual::new(-self.value, -self.tangent)
    }
}

macro_rules! assign_ops {
    ($($tr:ident $m:ident $op:tt;)*) => {$(
        impl<F: Float> $tr for Dual<F> {
            #[inline(always)]
            fn $m(&mut self, o: Self) {
                *self = *self $op o;
            }
        }
        impl<F: Float> $tr<F> for Dual<F> {
            #[inline(always)]
            fn $m(&mut self, o: F) {
                *self = *self $op Dual::constant(o);
            }
        }
    )*};
}

assign_ops! {
    AddAssign add_assign +;
    SubAssign sub_assign -;
    MulAssign mul_assign *;
    DivAssign div_assign /;
    RemAssign rem_assign %;
}

/// A dual number and a plain number of its element type, on either side (`x * 2.0`,
/// `2.0 * x`): the plain number is a constant.
macro_rules! mixed_ops {
    ($($tr:ident $m:ident;)*) => {$(
        impl<F: Float> $tr<F> for Dual<F> {
            type Output = Self;
            #[inline(always)]
            fn $m(self, o: F) -> Self {
                $tr::$m(self, Dual::constant(o))
            }
        }
        impl $tr<Dual<f64>> for f64 {
            type Output = Dual<f64>;
            #[inline(always)]
            fn $m(self, o: Dual<f64>) -> Dual<f64> {
                $tr::$m(Dual::constant(self), o)
            }
        }
        impl $tr<Dual<f32>> for f32 {
            type Output = Dual<f32>;
            #[inline(always)]
            fn $m(self, o: Dual<f32>) -> Dual<f32> {
                $tr::$m(Dual::constant(self), o)
            }
        }
    )*};
}

mixed_ops! {
    Add add;
    Sub sub;
    Mul mul;
    Div div;
    Rem rem;
}

impl<F: Float> PartialEq for Dual<F> {
    /// Compares the values only (branches follow the primal computation).
    #[inline(always)]
    fn eq(&self, o: &Self) -> bool {
        self.value == o.value
    }
}

impl<F: Float> PartialOrd for Dual<F> {
    /// Orders by value only.
    #[inline(always)]
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        self.value.partial_cmp(&o.value)
    }
}

impl<F: Float> Zero for Dual<F> {
    #[inline(always)]
    fn zero() -> Self {
        Dual::constant(F::zero())
    }
    /// Value and tangent both zero (a structural test, unlike `==`).
    #[inline(always)]
    fn is_zero(&self) -> bool {
        self.value.is_zero() && self.tangent.is_zero()
    }
}

impl<F: Float> One for Dual<F> {
    #[inline(always)]
    fn one() -> Self {
        Dual::constant(F::one())
    }
}

impl<F: Float> Num for Dual<F> {
    type FromStrRadixErr = F::FromStrRadixErr;
    /// Parses a constant.
    fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
        F::from_str_radix(s, radix).map(Dual::constant)
    }
}

impl<F: Float> ToPrimitive for Dual<F> {
    fn to_i64(&self) -> Option<i64> {
        self.value.to_i64()
    }
    fn to_u64(&self) -> Option<u64> {
        self.value.to_u64()
    }
    fn to_i128(&self) -> Option<i128> {
        self.value.to_i128()
    }
    fn to_u128(&self) -> Option<u128> {
        self.value.to_u128()
    }
    fn to_f32(&self) -> Option<f32> {
        self.value.to_f32()
    }
    fn to_f64(&self) -> Option<f64> {
        self.value.to_f64()
    }
}

impl<F: Float> NumCast for Dual<F> {
    /// A constant (`T::from(2.0).unwrap()` in generic code has tangent 0).
    fn from<N: ToPrimitive>(n: N) -> Option<Self> {
        <F as NumCast>::from(n).map(Dual::constant)
    }
}

impl<F: Float> Sum for Dual<F> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::zero(), |a, b| a + b)
    }
}

impl<'a, F: Float> Sum<&'a Dual<F>> for Dual<F> {
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(Self::zero(), |a, b| a + *b)
    }
}

impl<F: Float> Product for Dual<F> {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::one(), |a, b| a * b)
    }
}

impl<'a, F: Float> Product<&'a Dual<F>> for Dual<F> {
    fn product<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(Self::one(), |a, b| a * *b)
    }
}

macro_rules! consts {
    ($($c:ident)*) => {
        /// The constants of `F`, with tangent 0.
        impl<F: Float + FloatConst> FloatConst for Dual<F> {
            $(
                #[inline(always)]
                fn $c() -> Self {
                    Dual::constant(F::$c())
                }
            )*
        }
    };
}

consts! {
    E FRAC_1_PI FRAC_1_SQRT_2 FRAC_2_PI FRAC_2_SQRT_PI FRAC_PI_2 FRAC_PI_3 FRAC_PI_4 FRAC_PI_6
    FRAC_PI_8 LN_10 LN_2 LOG10_E LOG2_E PI SQRT_2 TAU LOG10_2 LOG2_10
}
