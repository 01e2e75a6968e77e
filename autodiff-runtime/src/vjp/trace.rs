//! [`Trace`]: the sequence of segment ids a generated forward sweep records (which straight-line
//! runs of operations executed, in order), replayed backwards by the pullback.

/// Segment ids, run-length encoded: a loop whose body is one segment records one run however
/// many turns it makes, so `push` in such a loop is a comparison and an increment (no memory
/// written per turn). Up to [`Trace::INLINE_RUNS`] runs are held inline, so a function whose
/// body runs a few segments records its trace without allocating; more runs move to a `Vec`.
///
/// [`iter`](Trace::iter) yields the ids in execution order (reverse it for the pullback).
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
pub struct Trace<T: Copy + Default + PartialEq> {
    /// The last run: its id and how many times in a row it was pushed. An empty trace holds
    /// `(T::default(), 0)`, which pushing `T::default()` extends like any run.
    cur: (T, usize),
    /// Finished runs held inline (`nruns <= INLINE_RUNS`), or `INLINE_RUNS + 1` once `heap`
    /// holds them all.
    nruns: usize,
    inline: [(T, usize); 16],
    heap: Vec<(T, usize)>,
}

impl<T: Copy + Default + PartialEq> Trace<T> {
    /// How many runs fit before the first allocation.
    pub const INLINE_RUNS: usize = 16;

    /// An empty trace (no allocation).
    #[inline(always)]
    pub fn new() -> Self {
        Trace {
            cur: (T::default(), 0),
            nruns: 0,
            inline: [(T::default(), 0); 16],
            heap: Vec::new(),
        }
    }

    /// Appends one segment id.
    #[inline(always)]
    pub fn push(&mut self, id: T) {
        if id == self.cur.0 {
            self.cur.1 += 1;
        } else {
            self.start_run(id);
        }
    }

    /// Ends the current run (if it is not empty) and starts one of `id`.
    #[inline]
    fn start_run(&mut self, id: T) {
        if self.cur.1 > 0 {
            if self.nruns < Self::INLINE_RUNS {
                self.inline[self.nruns] = self.cur;
                self.nruns += 1;
            } else if self.nruns > Self::INLINE_RUNS {
                self.heap.push(self.cur); // spilled already: `heap` holds every run
            } else {
                self.spill();
            }
        }
        self.cur = (id, 1);
    }

    /// Empties the trace, keeping its allocation (a checkpointed loop reuses one trace for all
    /// its blocks).
    ///
    /// ```
    /// use autodiff_runtime::vjp::Trace;
    /// let mut t = Trace::<u8>::new();
    /// (0..40u8).for_each(|k| t.push(k));
    /// t.clear();
    /// t.push(3);
    /// assert_eq!(t.to_vec(), vec![3]);
    /// ```
    #[inline]
    pub fn clear(&mut self) {
        self.cur = (T::default(), 0);
        self.nruns = 0;
        self.heap.clear();
    }

    #[cold]
    #[inline(never)]
    fn spill(&mut self) {
        self.heap.reserve(4 * Self::INLINE_RUNS);
        self.heap.extend_from_slice(&self.inline);
        self.heap.push(self.cur);
        self.nruns = Self::INLINE_RUNS + 1;
    }

    /// The finished runs, in order.
    #[inline(always)]
    fn runs(&self) -> &[(T, usize)] {
        if self.nruns <= Self::INLINE_RUNS {
            &self.inline[..self.nruns]
        } else {
            &self.heap
        }
    }

    /// The ids in execution order.
    #[inline(always)]
    pub fn iter(&self) -> TraceIter<'_, T> {
        let runs = self.runs();
        TraceIter {
            runs,
            last: &self.cur,
            remaining: self.len(),
            front: 0,
            front_id: &self.cur.0,
            front_left: 0,
            back: runs.len() + 1,
            back_id: &self.cur.0,
            back_left: 0,
        }
    }

    /// How many ids were pushed.
    pub fn len(&self) -> usize {
        self.runs().iter().map(|r| r.1).sum::<usize>() + self.cur.1
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ids in execution order, as a `Vec`.
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().copied().collect()
    }
}

/// The ids of a [`Trace`] in execution order, run by run (reversed, what the pullback walks):
/// within a run, taking an id is a decrement.
///
/// ```
/// use autodiff_runtime::vjp::Trace;
/// let mut t = Trace::<u8>::new();
/// t.push(0);
/// for _ in 0..1000 {
///     t.push(1); // one run, however many turns
/// }
/// t.push(2);
/// let mut ids = t.iter();
/// assert_eq!(ids.len(), 1002);
/// assert_eq!((ids.next(), ids.next_back(), ids.next_back()), (Some(&0), Some(&2), Some(&1)));
/// assert_eq!(ids.len(), 999);
/// ```
#[derive(Clone, Debug)]
pub struct TraceIter<'a, T> {
    /// The finished runs; `last` is run number `runs.len()`.
    runs: &'a [(T, usize)],
    last: &'a (T, usize),
    /// Ids not yet taken from either end (all ids of a run are the same id, so counting them
    /// is all it takes for the two ends to meet).
    remaining: usize,
    /// The run the front is in (`front - 1`), its id and how many are left on that side.
    front: usize,
    front_id: &'a T,
    front_left: usize,
    /// The run the back is in (`back`), its id and how many are left on that side.
    back: usize,
    back_id: &'a T,
    back_left: usize,
}

impl<'a, T> TraceIter<'a, T> {
    #[inline(always)]
    fn run(&self, i: usize) -> &'a (T, usize) {
        self.runs.get(i).unwrap_or(self.last)
    }
}

impl<'a, T> Iterator for TraceIter<'a, T> {
    type Item = &'a T;
    #[inline]
    fn next(&mut self) -> Option<&'a T> {
        if self.remaining == 0 {
            return None;
        }
        while self.front_left == 0 {
            let run = self.run(self.front);
            (self.front_id, self.front_left) = (&run.0, run.1);
            self.front += 1;
        }
        self.front_left -= 1;
        self.remaining -= 1;
        Some(self.front_id)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<T> DoubleEndedIterator for TraceIter<'_, T> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        while self.back_left == 0 {
            self.back -= 1;
            let run = self.run(self.back);
            (self.back_id, self.back_left) = (&run.0, run.1);
        }
        self.back_left -= 1;
        self.remaining -= 1;
        Some(self.back_id)
    }
}

impl<T> ExactSizeIterator for TraceIter<'_, T> {}

impl<T: Copy + Default + PartialEq> Default for Trace<T> {
    fn default() -> Self {
        Self::new()
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
        fn ids_come_back_in_order_and_reverse(ids in proptest::collection::vec(0u8..4, 0..200).prop_flat_map(|v| {
            // runs of every length: each id repeated 1 to 40 times
            let n = v.len();
            (Just(v), proptest::collection::vec(1usize..40, n))
        }).prop_map(|(v, reps)| v.iter().zip(&reps).flat_map(|(&k, &r)| std::iter::repeat_n(k, r)).collect::<Vec<u8>>())) {
            let mut t = Trace::<u8>::new();
            for &k in &ids {
                t.push(k);
            }
            prop_assert_eq!(t.len(), ids.len());
            prop_assert_eq!(t.is_empty(), ids.is_empty());
            prop_assert_eq!(t.to_vec(), ids.clone());
            let back: Vec<u8> = t.iter().rev().copied().collect();
            prop_assert_eq!(back, ids.iter().rev().copied().collect::<Vec<_>>());
            // from both ends at once, alternating, meeting anywhere
            let mut it = t.iter();
            let (mut front, mut back) = (Vec::new(), Vec::new());
            for turn in 0.. {
                let next = if turn % 3 == 0 { it.next_back() } else { it.next() };
                match (next, turn % 3 == 0) {
                    (None, _) => break,
                    (Some(&k), true) => back.push(k),
                    (Some(&k), false) => front.push(k),
                }
            }
            prop_assert!(it.next().is_none() && it.next_back().is_none());
            front.extend(back.iter().rev());
            prop_assert_eq!(front, ids);
        }
    }
}
