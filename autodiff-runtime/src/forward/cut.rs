//! `no_grad(|| ..)` and `detach()` in forward mode: inside `no_grad` every dual number is built
//! with a zero tangent, so its result is a constant, as reverse mode treats it (JAX's
//! `stop_gradient`); `Tensor::detach` of dual numbers drops their tangents. Without this, a
//! generated `NAME_jvp` would carry derivatives through the cuts that `NAME_grad` stops at, and
//! the two would disagree.
//!
//! The generated `NAME_jvp` / `NAME_hvp` and the [`calculus`](crate::calculus) helpers run in
//! [`with_tangents`], so a call from inside someone's `no_grad` (evaluation code, say) still
//! computes its derivatives, as `torch.func.jvp` does under `torch.no_grad()`.
//!
//! ```
//! use autodiff_runtime::forward::{with_tangents, Dual};
//! use autodiff_runtime::no_grad;
//!
//! let x = Dual::variable(3.0f64);
//! assert_eq!(no_grad(|| x * x).tangent, 0.0);
//! assert_eq!(no_grad(|| with_tangents(|| x * x)).tangent, 6.0);
//! ```

use std::cell::Cell;

thread_local! {
    /// How many `no_grad` closures are running on this thread (0 inside `with_tangents`).
    static CUT_DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Are tangents cut here (inside `no_grad`)?
#[inline]
pub(crate) fn tangents_cut() -> bool {
    CUT_DEPTH.with(|d| d.get() > 0)
}

/// Restores the depth when dropped (also when the closure panics).
struct Restore(u32);

impl Drop for Restore {
    fn drop(&mut self) {
        CUT_DEPTH.with(|d| d.set(self.0));
    }
}

/// Runs `f` with tangents cut (what [`no_grad`](crate::no_grad) does).
pub(crate) fn cut_tangents<R>(f: impl FnOnce() -> R) -> R {
    let before = CUT_DEPTH.with(|d| d.replace(d.get() + 1));
    let _restore = Restore(before);
    f()
}

/// Runs `f` with tangents carried, even inside a `no_grad` closure (forward-mode entry points
/// call this).
pub fn with_tangents<R>(f: impl FnOnce() -> R) -> R {
    let before = CUT_DEPTH.with(|d| d.replace(0));
    let _restore = Restore(before);
    f()
}
