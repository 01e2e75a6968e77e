//! Recycling of element buffers: large ones, and tiny ones.
//!
//! A gradient computation keeps its forward values alive until the pullback has run and then
//! frees them all at once; glibc answers by returning that memory to the kernel, and the next
//! call pays a page fault for every 4 KiB it touches again (measured: ~2/3 of the time of
//! `mean(3(x+2)^2)`'s value+gradient at 10^6 elements). Like PyTorch's caching allocator, this
//! pool keeps a few recently freed large buffers per thread and hands them to the next tensor of
//! a similar size.
//!
//! Tiny buffers (at most [`TINY`] elements: the gradients and intermediates of small vectors and
//! matrices) are kept in a short per-thread list as well: taking one from it costs a few
//! instructions where `malloc` and `free` cost about a hundred, which is most of the time of an
//! operation on a tensor of four elements. (One-element tensors need no buffer at all.) Buffers
//! in between go straight to the allocator.

use std::any::Any;
use std::cell::RefCell;

/// Buffers smaller than this many bytes are not pooled.
const MIN_POOLED_BYTES: usize = 128 << 10;
/// At most this many bytes are kept per thread.
const MAX_CACHED_BYTES: usize = 512 << 20;
/// At most this many buffers are kept per thread and element type.
const MAX_BUFFERS: usize = 32;

/// Requests for at most this many elements get a buffer of exactly this capacity, kept in the
/// per-thread list of tiny buffers when it is freed.
const TINY: usize = 8;
/// At most this many tiny buffers are kept per thread and element type.
const MAX_TINY: usize = 64;

/// Buffers kept for reuse, one list per element type.
struct Lists {
    f32: Vec<Vec<f32>>,
    f64: Vec<Vec<f64>>,
}

impl Lists {
    const EMPTY: Self = Lists {
        f32: Vec::new(),
        f64: Vec::new(),
    };

    /// The list of `T`'s buffers (`None` for an element type that is not pooled).
    fn of<T: 'static>(&mut self) -> Option<&mut Vec<Vec<T>>> {
        let any: &mut dyn Any = &mut self.f32;
        if let Some(list) = any.downcast_mut::<Vec<Vec<T>>>() {
            return Some(list);
        }
        let any: &mut dyn Any = &mut self.f64;
        any.downcast_mut::<Vec<Vec<T>>>()
    }
}

/// The large buffers and their total size in bytes.
struct Pools {
    lists: Lists,
    bytes: usize,
}

thread_local! {
    static POOLS: RefCell<Pools> = const {
        RefCell::new(Pools {
            lists: Lists::EMPTY,
            bytes: 0,
        })
    };
    static TINY_BUFFERS: RefCell<Lists> = const { RefCell::new(Lists::EMPTY) };
}

/// A tiny buffer (capacity [`TINY`]) from the per-thread list, or a new one.
fn tiny<T: 'static>() -> Vec<T> {
    TINY_BUFFERS
        .try_with(|t| t.borrow_mut().of::<T>()?.pop())
        .ok()
        .flatten()
        .unwrap_or_else(|| Vec::with_capacity(TINY))
}

/// Keeps a tiny buffer for reuse (or frees it, if the list is full).
fn recycle_tiny<T: 'static>(mut v: Vec<T>) {
    v.clear();
    let _ = TINY_BUFFERS.try_with(|t| {
        if let Some(list) = t.borrow_mut().of::<T>() {
            if list.len() < MAX_TINY {
                list.push(v);
            }
        }
    });
}

fn pooled<T>(len: usize) -> bool {
    len.saturating_mul(std::mem::size_of::<T>()) >= MIN_POOLED_BYTES
}

/// An empty `Vec` with room for `len` elements, reusing a recycled buffer when one fits.
pub(crate) fn with_capacity<T: 'static>(len: usize) -> Vec<T> {
    if (1..=TINY).contains(&len) {
        return tiny();
    }
    if pooled::<T>(len) {
        let reused = POOLS
            .try_with(|p| {
                let mut p = p.borrow_mut();
                let size = std::mem::size_of::<T>();
                let found = p.lists.of::<T>().and_then(|list| {
                    // the best fit among buffers at most twice as large
                    let i = list
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| v.capacity() >= len && v.capacity() <= 2 * len)
                        .min_by_key(|(_, v)| v.capacity())
                        .map(|(i, _)| i)?;
                    Some(list.swap_remove(i))
                });
                if let Some(v) = &found {
                    p.bytes -= v.capacity() * size;
                }
                found
            })
            .ok()
            .flatten();
        if let Some(v) = reused {
            return v;
        }
    }
    Vec::with_capacity(len)
}

/// A `Vec` of `len` copies of `value`.
pub(crate) fn filled<T: Copy + 'static>(len: usize, value: T) -> Vec<T> {
    let mut v = with_capacity(len);
    v.resize(len, value);
    v
}

/// Collects an exact-size iterator into a (possibly recycled) buffer.
pub(crate) fn collect<T: 'static>(len: usize, it: impl Iterator<Item = T>) -> Vec<T> {
    let mut v = with_capacity(len);
    v.extend(it);
    v
}

/// Takes a buffer back for reuse (or frees it, if it is small or the pool is full).
pub(crate) fn recycle<T: 'static>(mut v: Vec<T>) {
    if v.capacity() == TINY {
        return recycle_tiny(v);
    }
    if !pooled::<T>(v.capacity()) {
        return;
    }
    v.clear();
    let _ = POOLS.try_with(|p| {
        let mut p = p.borrow_mut();
        let bytes = v.capacity() * std::mem::size_of::<T>();
        if p.bytes + bytes > MAX_CACHED_BYTES {
            return;
        }
        let kept = p.lists.of::<T>().map(|list| {
            if list.len() >= MAX_BUFFERS {
                false
            } else {
                list.push(std::mem::take(&mut v));
                true
            }
        });
        if kept == Some(true) {
            p.bytes += bytes;
        }
    });
}

/// The storage of a tensor: a `Vec` that goes back to the pool when the last tensor sharing it
/// is dropped.
#[derive(Debug)]
pub(crate) struct Buffer<T: 'static>(pub(crate) Vec<T>);

impl<T: 'static> Drop for Buffer<T> {
    fn drop(&mut self) {
        recycle(std::mem::take(&mut self.0));
    }
}

impl<T: Copy + 'static> Clone for Buffer<T> {
    fn clone(&self) -> Self {
        let mut v = with_capacity(self.0.len());
        v.extend_from_slice(&self.0);
        Buffer(v)
    }
}

impl<T: 'static> std::ops::Deref for Buffer<T> {
    type Target = Vec<T>;
    #[inline]
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T: 'static> std::ops::DerefMut for Buffer<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_buffers_are_reused_small_ones_are_not() {
        let v: Vec<f32> = filled(1 << 20, 1.0);
        let ptr = v.as_ptr();
        recycle(v);
        let w: Vec<f32> = with_capacity(1 << 20);
        assert_eq!(w.as_ptr(), ptr);
        assert!(w.is_empty());
        // a request much smaller than the cached buffer does not take it
        recycle(w);
        let small: Vec<f32> = with_capacity(1 << 16);
        assert_ne!(small.as_ptr(), ptr);
        // element types have separate pools
        let d: Vec<f64> = with_capacity(1 << 19);
        assert_ne!(d.as_ptr() as *const f32, ptr);
    }

    #[test]
    fn tiny_buffers_are_reused() {
        let v: Vec<f64> = collect(3, [1.0, 2.0, 3.0].into_iter());
        assert_eq!(v.capacity(), TINY);
        let ptr = v.as_ptr();
        recycle(v);
        let w: Vec<f64> = with_capacity(TINY);
        assert_eq!((w.as_ptr(), w.len()), (ptr, 0));
        // through tensors: the gradient of a tiny tensor reuses the buffer of the last one freed
        let t = crate::Tensor::<f32>::ones(&[2, 2]);
        let ptr = t.as_slice().as_ptr();
        drop(t);
        let u = crate::Tensor::<f32>::full(&[4], 2.5);
        assert_eq!((u.as_slice().as_ptr(), u.to_vec()), (ptr, vec![2.5; 4]));
    }

    #[test]
    fn dropping_a_tensor_recycles_its_buffer() {
        let t = crate::Tensor::<f32>::zeros(&[1 << 20]);
        let ptr = t.as_slice().as_ptr();
        drop(t);
        let u = crate::Tensor::<f32>::ones(&[1 << 20]);
        assert_eq!(u.as_slice().as_ptr(), ptr);
        assert_eq!(u.sum().item(), (1 << 20) as f32);
    }
}
