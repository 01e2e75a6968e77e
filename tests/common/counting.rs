//! A function with a hand-written derivative whose pullback counts its calls: the call-activity
//! tests check with it that a callee skips the work of arguments inactive at the call.

use std::cell::Cell;

thread_local! {
    /// How many times `costly`'s pullback ran on this thread.
    static PULLS: Cell<usize> = const { Cell::new(0) };
}

/// How many times `costly`'s pullback has run on this thread.
pub fn pulls() -> usize {
    PULLS.with(Cell::get)
}

/// Counts one run of a counting pullback (`costly_vjp`'s, or a test's own).
pub fn count_pull() {
    PULLS.with(|c| c.set(c.get() + 1));
}

/// `t·sin t`, differentiated through the counting `costly_vjp`.
pub fn costly(t: f64) -> f64 {
    t.sin() * t
}

/// `costly` with a pullback that counts its calls.
pub fn costly_vjp(t: f64) -> (f64, impl Fn(f64) -> f64) {
    (costly(t), move |g| {
        count_pull();
        g * (t.cos() * t + t.sin())
    })
}

/// Checks the value and gradient of a one-argument caller against central differences (the
/// gradient to 1e-7).
#[track_caller]
pub fn check(f: impl Fn(f64) -> f64, grad: impl Fn(f64) -> (f64, f64), x: f64) {
    let (v, g) = grad(x);
    super::assert_close(v, f(x), 1e-12);
    super::assert_close(g, super::fd(&f, x), 1e-7);
}
