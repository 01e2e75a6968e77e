//! Pullbacks of functions narrowed with `wrt(..)`, and the check that calls from other
//! differentiable functions differentiate exactly the arguments the callee differentiates.
//!
//! A caller maps the gradients a callee's pullback returns onto its own arguments by position.
//! When the callee differentiates only some of its parameters (`wrt(x)` of `g(x, y)`), that
//! mapping is right only if the caller's active arguments are those parameters: calling
//! `g(2.0, y)` with `y` active would otherwise hand `x`'s gradient to `y`. So the pullback of a
//! narrowed function carries its parameters' activity in its type ([`Narrowed`]), and the call
//! site checks it at compile time ([`CallProbe`]).

use core::ops::Deref;

/// The pullback of a function narrowed with `wrt(..)`: call it like the closure it holds
/// (`pb(dy)`); `WRT` has bit `i` set when parameter `i` (the receiver first) is differentiated.
///
/// ```
/// use autodiff_runtime::vjp::Narrowed;
/// let pb = Narrowed::<_, 0b01>::new(|g: f64| g * 2.0);
/// assert_eq!(pb(3.0), 6.0);
/// let f = pb.into_inner(); // the plain closure
/// assert_eq!(f(1.0), 2.0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Narrowed<F, const WRT: u64>(F);

impl<F, const WRT: u64> Narrowed<F, WRT> {
    /// Wraps a pullback.
    #[inline(always)]
    pub fn new(f: F) -> Self {
        Narrowed(f)
    }

    /// The pullback closure itself.
    #[inline(always)]
    pub fn into_inner(self) -> F {
        self.0
    }
}

impl<F, const WRT: u64> Deref for Narrowed<F, WRT> {
    type Target = F;
    #[inline(always)]
    fn deref(&self) -> &F {
        &self.0
    }
}

/// A callee's pullback seen from a call that differentiates the arguments in `ACTIVE` (bit `i`
/// for argument `i`). Generated code calls `(&&&CallProbe::<_, ACTIVE>(&pb)).__ad_wrt_check()`:
/// autoref specialisation picks [`ProbeExact`] for a narrowed pullback whose parameters match,
/// [`ProbeNarrowed`] for one that does not, and [`ProbeOther`] for any other pullback.
pub struct CallProbe<'a, P, const ACTIVE: u64>(pub &'a P);

impl<P, const ACTIVE: u64> Clone for CallProbe<'_, P, ACTIVE> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P, const ACTIVE: u64> Copy for CallProbe<'_, P, ACTIVE> {}

/// The call differentiates exactly the callee's parameters, or the callee is not narrowed.
#[derive(Debug)]
pub struct WrtMatches;

/// The call differentiates other arguments than the narrowed callee's `wrt(..)` parameters.
#[derive(Debug)]
pub struct WrtMismatch<const CALLEE: u64, const CALL: u64>;

/// A narrowed pullback whose parameters match the call.
pub trait ProbeExact {
    /// The check's verdict.
    fn __ad_wrt_check(self) -> WrtMatches;
}

impl<F, const A: u64> ProbeExact for &&CallProbe<'_, Narrowed<F, A>, A> {
    #[inline(always)]
    fn __ad_wrt_check(self) -> WrtMatches {
        WrtMatches
    }
}

/// A narrowed pullback whose parameters do not match the call.
pub trait ProbeNarrowed {
    /// The check's verdict.
    type Verdict;
    /// The check's verdict.
    fn __ad_wrt_check(self) -> Self::Verdict;
}

impl<F, const M: u64, const A: u64> ProbeNarrowed for &CallProbe<'_, Narrowed<F, M>, A> {
    type Verdict = WrtMismatch<M, A>;
    #[inline(always)]
    fn __ad_wrt_check(self) -> WrtMismatch<M, A> {
        WrtMismatch
    }
}

/// Any other pullback (a function differentiated in every parameter, a hand-written `_vjp`).
pub trait ProbeOther {
    /// The check's verdict.
    fn __ad_wrt_check(self) -> WrtMatches;
}

impl<P, const A: u64> ProbeOther for CallProbe<'_, P, A> {
    #[inline(always)]
    fn __ad_wrt_check(self) -> WrtMatches {
        WrtMatches
    }
}

/// Accepts the verdict of a call whose activity matches its callee's `wrt(..)`.
#[diagnostic::on_unimplemented(
    message = "this call differentiates other arguments than the ones its callee differentiates (`{Self}`: bit i is argument i, the callee's parameters first, then this call's active arguments)",
    label = "the callee is narrowed with `wrt(..)` to other arguments",
    note = "the gradients would be handed to the wrong arguments or lost: call it with exactly its `wrt(..)` arguments depending on the differentiated inputs (the others may be constants, data or detached values), or widen its `wrt(..)`"
)]
pub trait CallMatchesWrt {}

impl CallMatchesWrt for WrtMatches {}

/// The compile-time check generated code places at each call of a differentiable function.
#[inline(always)]
#[track_caller]
pub fn require_wrt_match<V: CallMatchesWrt>(_verdict: V) {}

/// A pullback that can be called with a cotangent: a closure (a generated or hand-written
/// `NAME_vjp`'s) or a [`Narrowed`] one. Helpers that take pullbacks (`calculus::jacobian`,
/// `gradcheck`) accept both through it.
pub trait CallPullback<C> {
    /// The gradients the pullback returns.
    type Grads;
    /// Applies the pullback.
    fn call_pullback(&self, cotangent: C) -> Self::Grads;
}

impl<C, G, F: Fn(C) -> G> CallPullback<C> for F {
    type Grads = G;
    #[inline(always)]
    fn call_pullback(&self, cotangent: C) -> G {
        self(cotangent)
    }
}

impl<C, G, F: Fn(C) -> G, const WRT: u64> CallPullback<C> for Narrowed<F, WRT> {
    type Grads = G;
    #[inline(always)]
    fn call_pullback(&self, cotangent: C) -> G {
        (self.0)(cotangent)
    }
}
