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
//! The request names its callee by its identity ([`Callee`]: the type of the function item
//! called, or the receiver's type and the method's name), never by its name alone: a
//! hand-written `NAME_vjp` never takes a request, and the generated functions it calls (even one
//! of the same name, whose parameters may be in another order) do not match it. Every generated
//! `NAME_vjp` takes or clears any pending request when it starts, whoever it was meant for, and
//! the caller clears it after the call returns. Nothing but performance depends on the request
//! arriving: without it a pullback computes every gradient, as it always did.
//!
//! [`Pullback::pull_part`]: super::Pullback::pull_part

use core::any::type_name;
use core::cell::Cell;

/// Every parameter needed: what a pullback assumes when no caller said otherwise.
pub const ALL_ACTIVE: u64 = u64::MAX;

/// Who a request is for: the type of a function item (a free or associated function, or a method
/// named by its path), or a method's name and its receiver's type.
///
/// ```
/// use autodiff_runtime::vjp::Callee;
/// struct Layer;
/// impl Layer {
///     fn forward(&self) {}
/// }
/// fn f(x: f64) -> f64 { x }
/// fn g(x: f64) -> f64 { x }
/// assert_eq!(Callee::function(&f), Callee::function(&f));
/// assert_ne!(Callee::function(&f), Callee::function(&g));
/// let layer = Layer;
/// assert_eq!(Callee::method(&&layer, "forward"), Callee::method_of::<Layer>("forward"));
/// assert_ne!(Callee::method(&layer, "forward"), Callee::method_of::<Layer>("backward"));
/// ```
#[derive(Clone, Copy, Debug, Eq)]
pub struct Callee {
    ty: &'static str,
    method: &'static str,
}

/// The same text, usually the same constant (compared by address first).
#[inline(always)]
fn same(a: &'static str, b: &'static str) -> bool {
    (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
}

impl PartialEq for Callee {
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        same(self.ty, other.ty) && same(self.method, other.method)
    }
}

impl Callee {
    /// The function item `f` (`f`, `Type::f`, `Self::f`, with its type arguments).
    #[inline(always)]
    pub fn function<F>(f: &F) -> Self {
        let _ = f;
        Callee {
            ty: type_name::<F>(),
            method: "",
        }
    }

    /// The method `method` called on `receiver` (references to it count as it).
    #[inline(always)]
    pub fn method<R: ?Sized>(receiver: &R, method: &'static str) -> Self {
        let _ = receiver;
        let mut ty = type_name::<R>();
        while let Some(rest) = ty.strip_prefix('&') {
            ty = rest.strip_prefix("mut ").unwrap_or(rest);
        }
        Callee { ty, method }
    }

    /// The method `method` of the type `S` (how a method names itself).
    #[inline(always)]
    pub fn method_of<S: ?Sized>(method: &'static str) -> Self {
        Callee {
            ty: type_name::<S>(),
            method,
        }
    }
}

thread_local! {
    /// The pending request: its callee and its activity mask.
    static REQUEST: Cell<Option<(Callee, u64)>> = const { Cell::new(None) };
}

/// Passes `arg` through after requesting activity `mask` for `callee`.
///
/// The caller wraps the call's last argument in it, so the request is made after every
/// argument has been evaluated and right before the callee starts.
///
/// ```
/// use autodiff_runtime::vjp::{take_call_activity, with_call_activity, Callee, ALL_ACTIVE};
/// fn callee(x: f64, y: f64) -> (f64, u64) {
///     (x + y, take_call_activity(&[Callee::function(&callee)]))
/// }
/// let (_, want) = callee(1.0, with_call_activity(Callee::function(&callee), 0b10, 2.0));
/// assert_eq!(want, 0b10);
/// // taken once: a second call without a request needs everything
/// assert_eq!(callee(1.0, 2.0).1, ALL_ACTIVE);
/// ```
#[inline(always)]
pub fn with_call_activity<T>(callee: Callee, mask: u64, arg: T) -> T {
    REQUEST.with(|r| r.set(Some((callee, mask))));
    arg
}

/// The activity mask requested for the function that is any of `me`, or [`ALL_ACTIVE`] when
/// there is none for it. Clears any pending request.
#[inline(always)]
pub fn take_call_activity(me: &[Callee]) -> u64 {
    match REQUEST.with(|r| r.take()) {
        Some((callee, mask)) if me.contains(&callee) => mask,
        _ => ALL_ACTIVE,
    }
}

/// Clears a request the callee did not take (a hand-written `NAME_vjp`).
#[inline(always)]
pub fn clear_call_activity() {
    REQUEST.with(|r| r.set(None));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_reaches_only_its_callee_and_only_once() {
        struct S;
        let (mine, other) = (Callee::method_of::<S>("f"), Callee::method_of::<S>("g"));
        with_call_activity(mine, 0b01, ());
        // another generated function starting first clears it
        assert_eq!(take_call_activity(&[other]), ALL_ACTIVE);
        assert_eq!(take_call_activity(&[mine]), ALL_ACTIVE);
        with_call_activity(mine, 0b01, ());
        assert_eq!(take_call_activity(&[other, mine]), 0b01);
        assert_eq!(take_call_activity(&[mine]), ALL_ACTIVE);
        with_call_activity(mine, 0b01, ());
        clear_call_activity();
        assert_eq!(take_call_activity(&[mine]), ALL_ACTIVE);
    }
}
