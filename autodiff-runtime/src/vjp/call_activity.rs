//! Which gradients a call needs: how a `#[differentiable]` caller tells a `#[differentiable]`
//! callee which of its arguments are active at this call, so that the callee's pullback skips
//! the work that only feeds the others.
//!
//! A helper such as `rhs(t, y, k)` is generated once, with every parameter differentiated. A
//! caller that passes `t` as data needs only the gradients of `y` and `k`; the callee's pullback
//! would still compute `t`'s (and everything that only leads there, such as the derivative of
//! `t.sin()`), and the caller would drop it. The caller therefore *requests* an activity mask
//! (bit `i` for argument `i`, the receiver first) just before the call; a generated `NAME_vjp`
//! takes the request as its first step, keeps it for its pullback, and guards each reverse step
//! with the mask of the parameters that step's inputs depend on (computed by the macro). Steps
//! that lead only to parameters inactive at this call are skipped, and a matrix product with
//! one side leading nowhere computes one product, not two ([`Pullback::pull_part`]).
//!
//! The request names its callee by a tag (a hash of the function's name, computed by the macro),
//! so a hand-written `NAME_vjp`, which never takes it, cannot hand it on to another function: a
//! generated `NAME_vjp` that takes requests clears any pending one when it starts, whoever it was
//! meant for, and the caller clears it after the call returns. Nothing but performance depends on the request arriving: without
//! it a pullback computes every gradient, as it always did.
//!
//! [`Pullback::pull_part`]: super::Pullback::pull_part

use core::cell::Cell;

/// Every parameter needed: what a pullback assumes when no caller said otherwise.
pub const ALL_ACTIVE: u64 = u64::MAX;

thread_local! {
    /// The pending request: the callee's tag (0: none) and its activity mask.
    static REQUEST: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// Passes `arg` through after requesting activity `mask` for the callee tagged `tag`.
///
/// The caller wraps the call's last argument in it, so the request is made after every
/// argument has been evaluated and right before the callee starts.
///
/// ```
/// use autodiff_runtime::vjp::{take_call_activity, with_call_activity, ALL_ACTIVE};
/// fn callee(x: f64, y: f64) -> (f64, u64) {
///     (x + y, take_call_activity(7))
/// }
/// let (_, want) = callee(1.0, with_call_activity(7, 0b10, 2.0));
/// assert_eq!(want, 0b10);
/// // taken once: a second call without a request needs everything
/// assert_eq!(callee(1.0, 2.0).1, ALL_ACTIVE);
/// ```
#[inline(always)]
pub fn with_call_activity<T>(tag: u64, mask: u64, arg: T) -> T {
    REQUEST.with(|r| r.set((tag, mask)));
    arg
}

/// The activity mask requested for the function tagged `tag`, or [`ALL_ACTIVE`] when there is
/// none for it. Clears any pending request.
#[inline(always)]
pub fn take_call_activity(tag: u64) -> u64 {
    let (t, mask) = REQUEST.with(|r| r.replace((0, 0)));
    if t == tag && t != 0 {
        mask
    } else {
        ALL_ACTIVE
    }
}

/// Clears a request the callee did not take (a hand-written `NAME_vjp`).
#[inline(always)]
pub fn clear_call_activity() {
    REQUEST.with(|r| r.set((0, 0)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_reaches_only_its_callee_and_only_once() {
        let (mine, other) = (0x5eed, 0xbeef);
        with_call_activity(mine, 0b01, ());
        // another generated function starting first clears it
        assert_eq!(take_call_activity(other), ALL_ACTIVE);
        assert_eq!(take_call_activity(mine), ALL_ACTIVE);
        with_call_activity(mine, 0b01, ());
        assert_eq!(take_call_activity(mine), 0b01);
        assert_eq!(take_call_activity(mine), ALL_ACTIVE);
        with_call_activity(mine, 0b01, ());
        clear_call_activity();
        assert_eq!(take_call_activity(mine), ALL_ACTIVE);
    }
}
