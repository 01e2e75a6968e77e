//! `len()`, `shape()`, `ndim()` and `numel()` of a differentiable value are read as sizes: no
//! derivative flows through them (the macro's table of methods). That is right for the sizes of
//! tensors and containers, which are integers, and silently wrong for a user's own method of
//! that name that computes a number from the value (`fn len(&self) -> f64`, the length of a
//! curve). Generated code passes such reads through [`size_value`], which only accepts the
//! types sizes have: a user's float-valued `len` is then a compile error at the call instead of
//! a lost derivative.

/// Types a size read may have: integers, `bool` (`is_empty`) and shapes.
#[diagnostic::on_unimplemented(
    message = "this `{Self}` is read by a method named like a size (`len`, `shape`, `ndim`, `numel`), which a `#[differentiable]` function takes as a size, with no derivative",
    label = "not a size",
    note = "sizes are integers or shapes: this looks like a method of your own that computes a number from a differentiated value, whose derivative would be lost",
    note = "call it by its type's path (`Curve::len(&c)`), which is differentiated like any method (it needs `#[differentiable]` or a hand-written `len_vjp`), or give it another name"
)]
pub trait SizeValue {}

macro_rules! sizes {
    ($($t:ty),*) => { $(#[diagnostic::do_not_recommend] impl SizeValue for $t {})* };
}
sizes!(usize, u8, u16, u32, u64, u128, isize, i8, i16, i32, i64, i128, bool);
#[diagnostic::do_not_recommend]
impl SizeValue for &[usize] {}
#[diagnostic::do_not_recommend]
impl SizeValue for Vec<usize> {}
#[diagnostic::do_not_recommend]
impl<const N: usize> SizeValue for [usize; N] {}
#[diagnostic::do_not_recommend]
impl<const N: usize> SizeValue for &[usize; N] {}
#[diagnostic::do_not_recommend]
impl SizeValue for &Vec<usize> {}
#[diagnostic::do_not_recommend]
impl SizeValue for crate::Shape {}
#[diagnostic::do_not_recommend]
impl SizeValue for &crate::Shape {}

/// A size read as it is, after checking at compile time that it is one (see [`SizeValue`]).
///
/// ```
/// use autodiff_runtime::vjp::size_value;
/// assert_eq!(size_value(vec![1.0, 2.0].len()), 2);
/// ```
#[inline(always)]
pub fn size_value<T: SizeValue>(v: T) -> T {
    v
}
