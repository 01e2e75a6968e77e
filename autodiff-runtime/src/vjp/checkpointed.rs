//! What a `#[checkpoint(every = K)]` loop keeps between the forward sweep and the pullback.
//!
//! The forward sweep runs such a loop without recording anything. Every `K` iterations it stores
//! the loop's state (the variables the body can change, and the iterator of a `for` loop); once,
//! before the loop, it stores the values the body only reads. The pullback takes the blocks of
//! `K` iterations from the last to the first: it restores the block's state, runs the block again
//! with recording, and reverses it. Memory is `O(T/K)` stored states plus one block's records.
//!
//! The pullback outlives the borrows of the forward sweep, so what is stored is owned: a value
//! is cloned into a [`Stored`], and a reference `&U` is stored as a clone of `U` in a
//! [`StoredRef`], which lends it out again as a `&U`. The generated code chooses between the two
//! by autoref on [`StoreProbe`]:
//!
//! ```
//! use autodiff_runtime::vjp::{StoreByRef, StoreByValue, StoreProbe};
//! use autodiff_runtime::Tensor;
//!
//! let x = 1.5f64;
//! let a = Tensor::from_vec(vec![1.0f32, 2.0], &[2]);
//! let (r, data) = (&a, &[3.0f32, 4.0][..]);
//! let stored_x = (&StoreProbe(&x)).store(); // Stored<f64>
//! let stored_r = (&StoreProbe(&r)).store(); // StoredRef<Tensor>
//! let stored_data = (&StoreProbe(&data)).store(); // StoredRef<[f32]>, holding a Vec
//! drop(a);
//! let x_again: f64 = stored_x.get();
//! let r_again: &Tensor = stored_r.get();
//! let data_again: &[f32] = stored_data.get();
//! assert_eq!((x_again, r_again.to_vec()), (1.5, vec![1.0, 2.0]));
//! assert_eq!(data_again, &[3.0, 4.0]);
//! ```

/// An owned copy of a value a checkpointed loop uses; [`Stored::get`] clones it back out.
#[derive(Clone, Debug)]
pub struct Stored<T>(T);

impl<T: Clone> Stored<T> {
    /// A copy of the stored value.
    #[inline]
    pub fn get(&self) -> T {
        self.0.clone()
    }
}

/// An owned copy (`ToOwned`: a `Vec` for a slice) of the value behind a reference a
/// checkpointed loop uses; [`StoredRef::get`] lends it out as a reference again.
pub struct StoredRef<T: ?Sized + ToOwned>(T::Owned);

impl<T: ?Sized + ToOwned> StoredRef<T> {
    /// The stored value, by reference (the code that runs the loop again expects a `&T`).
    #[inline]
    pub fn get(&self) -> &T {
        std::borrow::Borrow::borrow(&self.0)
    }
}

/// The probe of the autoref choice: `(&StoreProbe(&v)).store()` stores a reference `v: &U` as a
/// [`StoredRef<U>`] and any other value as a [`Stored`].
pub struct StoreProbe<'a, T>(pub &'a T);

/// The choice for references (found first, by value).
pub trait StoreByRef {
    /// [`StoredRef`] of the referenced type.
    type Out;
    /// Clones the referenced value.
    fn store(&self) -> Self::Out;
}

impl<U: ?Sized + ToOwned> StoreByRef for StoreProbe<'_, &U> {
    type Out = StoredRef<U>;
    #[inline]
    fn store(&self) -> StoredRef<U> {
        StoredRef((**self.0).to_owned())
    }
}

/// The choice for every other value (found after autoref).
pub trait StoreByValue {
    /// [`Stored`] of the value's type.
    type Out;
    /// Clones the value.
    fn store(&self) -> Self::Out;
}

impl<T: Clone> StoreByValue for &StoreProbe<'_, T> {
    type Out = Stored<T>;
    #[inline]
    fn store(&self) -> Stored<T> {
        Stored(self.0.clone())
    }
}

/// The block length of `#[checkpoint(every = K)]`, checked once before the loop runs.
///
/// ```
/// assert_eq!(autodiff_runtime::vjp::checkpoint_every(1000), 1000);
/// ```
///
/// # Panics
/// When `k` is 0 (a block must hold at least one iteration).
#[track_caller]
#[inline]
pub fn checkpoint_every(k: usize) -> usize {
    assert!(
        k > 0,
        "#[checkpoint(every = K)]: K must be at least 1 (it is the number of loop iterations \
         between two stored states)"
    );
    k
}

/// The number of blocks of `every` iterations in `iterations` (the last may be shorter), and the
/// length of block `b`.
///
/// ```
/// use autodiff_runtime::vjp::checkpoint_blocks;
/// assert_eq!(checkpoint_blocks(10, 4), 3);
/// assert_eq!(checkpoint_blocks(0, 4), 0);
/// ```
#[inline]
pub fn checkpoint_blocks(iterations: usize, every: usize) -> usize {
    iterations.div_ceil(every)
}

/// The number of iterations in block `b` (`every`, or fewer for the last block).
///
/// ```
/// use autodiff_runtime::vjp::checkpoint_block_len;
/// assert_eq!(checkpoint_block_len(10, 4, 2), 2);
/// assert_eq!(checkpoint_block_len(10, 4, 0), 4);
/// ```
#[inline]
pub fn checkpoint_block_len(iterations: usize, every: usize, b: usize) -> usize {
    every.min(iterations - b * every)
}
