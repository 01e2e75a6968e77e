//! The kernels' thread count: `AUTODIFF_NUM_THREADS` at first use, [`set_num_threads`] after.

use std::sync::atomic::{AtomicUsize, Ordering};

/// 0 until the count has been resolved (from the environment or by `set_num_threads`).
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Sets how many threads matrix products may use (at least 1), effective from the next call,
/// for either backend.
///
/// With the default backend, products of at least about four million multiply-adds are split
/// by rows across this many scoped threads; with feature `blas` the count is passed to
/// OpenBLAS (`openblas_set_num_threads`). Element-wise operations and reductions always run on
/// the calling thread.
///
/// ```
/// use autodiff_runtime::kernels;
///
/// let before = kernels::num_threads();
/// kernels::set_num_threads(1);
/// assert_eq!(kernels::num_threads(), 1);
/// kernels::set_num_threads(before);
/// ```
pub fn set_num_threads(n: usize) {
    let n = n.max(1);
    THREADS.store(n, Ordering::Relaxed);
    super::backend::apply_num_threads(n);
}

/// The number of threads matrix products may use.
///
/// Until [`set_num_threads`] is called this is the value of the environment variable
/// `AUTODIFF_NUM_THREADS` (read once, at the first call), or, when it is unset or not a positive
/// integer, [`std::thread::available_parallelism`].
pub fn num_threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => initialise(),
        n => n,
    }
}

#[cold]
fn initialise() -> usize {
    let from_env = std::env::var("AUTODIFF_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    let n = from_env.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    match THREADS.compare_exchange(0, n, Ordering::Relaxed, Ordering::Relaxed) {
        Ok(_) => {
            super::backend::apply_num_threads(n);
            n
        }
        // Another thread (or set_num_threads) got there first.
        Err(current) => current,
    }
}
