//! [`Trace`]: the sequence of segment ids a generated forward sweep records (which straight-line
//! runs of operations executed, in order), replayed backwards by the pullback.

/// Segment ids held inline up to [`Trace::INLINE`] entries, so a function whose body runs a
/// few segments (any function without loops, and short loops) records its trace without
/// allocating; longer traces move to a `Vec`.
///
/// It dereferences to the slice of ids in execution order.
///
/// ```
/// use autodiff_runtime::vjp::Trace;
/// let mut t = Trace::<u8>::new();
/// for k in 0..100u8 {
///     t.push(k % 3);
/// }
/// assert_eq!(t.len(), 100);
/// assert_eq!(t.iter().rev().take(3).copied().collect::<Vec<_>>(), vec![0, 2, 1]);
/// ```
#[derive(Clone, Debug)]
pub struct Trace<T: Copy + Default> {
    len: usize,
    inline: [T; 32],
    heap: Vec<T>,
}

impl<T: Copy + Default> Trace<T> {
    /// How many ids fit before the first allocation.
    pub const INLINE: usize = 32;

    /// An empty trace (no allocation).
    #[inline(always)]
    pub fn new() -> Self {
        Trace {
            len: 0,
            inline: [T::default(); 32],
            heap: Vec::new(),
        }
    }

    /// Appends one segment id.
    #[inline(always)]
    pub fn push(&mut self, id: T) {
        if self.len < Self::INLINE {
            self.inline[self.len] = id;
            self.len += 1;
        } else if self.len > Self::INLINE {
            self.heap.push(id); // spilled already: `heap` holds everything
        } else {
            self.spill(id);
        }
    }

    /// Empties the trace, keeping its allocation (a checkpointed loop reuses one trace for all
    /// its blocks).
    #[inline]
    pub fn clear(&mut self) {
        self.len = 0;
        self.heap.clear();
    }

    #[cold]
    #[inline(never)]
    fn spill(&mut self, id: T) {
        self.heap.reserve(4 * Self::INLINE);
        self.heap.extend_from_slice(&self.inline);
        self.heap.push(id);
        self.len = Self::INLINE + 1; // past the inline part: `heap` holds everything
    }
}

impl<T: Copy + Default> Default for Trace<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy + Default> std::ops::Deref for Trace<T> {
    type Target = [T];
    #[inline(always)]
    fn deref(&self) -> &[T] {
        if self.len <= Self::INLINE {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }
}

/// The trace of a body that is one straight-line segment: nothing to remember (whether the
/// segment ran is whether its record was written), so `push` does nothing.
///
/// ```
/// use autodiff_runtime::vjp::NoTrace;
/// let mut t = NoTrace;
/// t.push(0u8);
/// assert_eq!(std::mem::size_of::<NoTrace>(), 0);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTrace;

impl NoTrace {
    /// Does nothing.
    #[inline(always)]
    pub fn push<T>(&mut self, _id: T) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any sequence of ids, shorter or longer than the inline part, comes back in order and
        /// in reverse.
        #[test]
        fn ids_come_back_in_order_and_reverse(ids in proptest::collection::vec(0u8..4, 0..200)) {
            let mut t = Trace::<u8>::new();
            for &k in &ids {
                t.push(k);
            }
            prop_assert_eq!(t.len(), ids.len());
            prop_assert_eq!(t.to_vec(), ids.clone());
            let back: Vec<u8> = t.iter().rev().copied().collect();
            prop_assert_eq!(back, ids.iter().rev().copied().collect::<Vec<_>>());
        }
    }
}
