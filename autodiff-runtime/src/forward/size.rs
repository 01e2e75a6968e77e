//! Users' methods named like size methods (`len`, `size`, `shape`, `numel`, `ndim`, `dims`,
//! `is_empty`) on a struct's form at dual numbers, in the copy `NAME_jvp` runs. The caller's
//! macro cannot tell `k.p.len()` on a user's struct (whose copy it must call) from
//! `self.c.len()` on a `Vec`, which stays as written: the copy brings [`UserSizeMethods`] into
//! scope, implemented only for the structs' forms at dual numbers ([`DualTwin`], which
//! `#[derive(Differentiable)]` implements for them), whose `len` calls the user's method's copy
//! through [`DualMethod`]. A `Vec`, a slice or a tensor keeps its own method.

use super::method::{DualMethod, DualMethodCall, MethodId};

/// A struct's form at dual numbers (implemented by `#[derive(Differentiable)]`).
#[doc(hidden)]
pub trait DualTwin {}

/// The key of a method's name, as the macro computes it (64-bit FNV-1a).
const fn key(name: &str) -> u64 {
    let b = name.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < b.len() {
        h ^= b[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

macro_rules! size_methods {
    ($($m:ident),*) => {
        /// The size-named methods of users' structs at dual numbers (see the module
        /// documentation).
        ///
        /// ```
        /// use autodiff_runtime::forward::UserSizeMethods as _;
        /// assert_eq!(vec![1.0f64].len(), 1); // a `Vec` keeps its own `len`
        /// ```
        pub trait UserSizeMethods: DualTwin {
            $(
                #[doc = concat!("The copy of the user's `", stringify!($m), "` method.")]
                #[inline(always)]
                fn $m<O>(&self) -> O
                where
                    Self: DualMethod<MethodId<{ key(stringify!($m)) }>, (), O>,
                {
                    DualMethodCall::<MethodId<{ key(stringify!($m)) }>>::jvp(self, ())
                }
            )*
        }
    };
}

size_methods!(len, size, shape, numel, ndim, dims, is_empty);

impl<T: DualTwin + ?Sized> UserSizeMethods for T {}

/// Never implemented: a user's size-named method called by method syntax on a struct at dual
/// numbers in the copy `hvp` differentiates, refused with this message.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`hvp` cannot call a user's method named `len`, `size`, `shape`, `numel`, `ndim`, `dims` or `is_empty` by method syntax on a field, element or local",
    label = "reverse mode reads this name as a size, not as the user's method",
    note = "call it by its type's path (`Poly::len(&k.p)`), or rename the method; `jvp` takes the method syntax"
)]
pub trait NoHvpThroughSizeMethod {}

macro_rules! size_methods_hvp {
    ($($m:ident),*) => {
        /// The size-named methods of users' structs at dual numbers in the copy `hvp`
        /// differentiates: refused ([`NoHvpThroughSizeMethod`]).
        ///
        /// ```
        /// use autodiff_runtime::forward::UserSizeMethodsHvp as _;
        /// assert_eq!([1.0f64, 2.0].len(), 2); // an array keeps its own `len`
        /// ```
        pub trait UserSizeMethodsHvp: DualTwin {
            $(
                #[doc = concat!("Refuses the user's `", stringify!($m), "` method.")]
                fn $m<O>(&self) -> O
                where
                    Self: NoHvpThroughSizeMethod,
                {
                    unreachable!()
                }
            )*
        }
    };
}

size_methods_hvp!(len, size, shape, numel, ndim, dims, is_empty);

impl<T: DualTwin + ?Sized> UserSizeMethodsHvp for T {}
