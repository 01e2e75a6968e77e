//! Accurate and vectorisable reductions over contiguous slices.
//!
//! Blocks of `BLOCK` elements are reduced into `LANES` independent accumulators (which the
//! compiler turns into SIMD registers, since the lanes never need reassociating), and blocks are
//! combined pairwise, as NumPy does. The rounding error then grows like `log2(n / BLOCK)` instead
//! of `n`, which keeps an f32 sum of a million elements within about 1e-7 of the exact value.

use num_traits::Float;

const LANES: usize = 8;
const BLOCK: usize = 1024;

/// Pairwise combination of `block(range)` over `0..len`.
#[inline]
fn pairwise<T: Float>(start: usize, len: usize, block: &impl Fn(usize, usize) -> T) -> T {
    if len <= BLOCK {
        block(start, len)
    } else {
        // Split on a block boundary so every leaf but the last is a full block.
        let half = (len / 2).next_multiple_of(BLOCK).min(len - 1);
        pairwise(start, half, block) + pairwise(start + half, len - half, block)
    }
}

/// Sums `f(x)` over a short slice with independent lanes.
#[inline(always)]
fn lanes_map_sum<T: Float>(x: &[T], f: impl Fn(T) -> T) -> T {
    if x.len() < LANES {
        // The same result as below, bit for bit: the lanes would stay `+0.0`, and adding `+0.0`
        // changes nothing in a sum that starts at `+0.0` (it is never `-0.0`).
        return x.iter().fold(T::zero(), |s, &v| s + f(v));
    }
    let mut acc = [T::zero(); LANES];
    let chunks = x.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (a, &v) in acc.iter_mut().zip(chunk) {
            *a = *a + f(v);
        }
    }
    let mut total = rest.iter().fold(T::zero(), |s, &v| s + f(v));
    for a in acc {
        total = total + a;
    }
    total
}

/// `Σ` over `0..len` of `block(start, n)`, the sum of the block `start..start + n` (at most
/// `BLOCK` elements), combined exactly as [`sum`] combines its blocks: a caller that produces
/// its values block by block and sums each with [`block_sum`] gets [`sum`]'s result, bit for bit.
pub(crate) fn sum_of_blocks<T: Float>(len: usize, block: &impl Fn(usize, usize) -> T) -> T {
    pairwise(0, len, block)
}

/// The sum of one block (at most `BLOCK` elements) as [`sum`] takes it.
#[inline(always)]
pub(crate) fn block_sum<T: Float>(x: &[T]) -> T {
    lanes_map_sum(x, |v| v)
}

/// The block size of [`sum_of_blocks`].
pub(crate) const SUM_BLOCK: usize = BLOCK;

/// `Σ x[i]`.
pub(crate) fn sum<T: Float>(x: &[T]) -> T {
    pairwise(0, x.len(), &|s, n| lanes_map_sum(&x[s..s + n], |v| v))
}

/// `Σ x[i]²`.
pub(crate) fn sum_squares<T: Float>(x: &[T]) -> T {
    pairwise(0, x.len(), &|s, n| lanes_map_sum(&x[s..s + n], |v| v * v))
}

/// `Σ x[i]·y[i]`; the slices must have the same length.
#[cfg_attr(feature = "blas", allow(dead_code))]
pub(crate) fn dot<T: Float>(x: &[T], y: &[T]) -> T {
    debug_assert_eq!(x.len(), y.len());
    pairwise(0, x.len(), &|s, n| {
        let (x, y) = (&x[s..s + n], &y[s..s + n]);
        let mut acc = [T::zero(); LANES];
        let (xc, yc) = (x.chunks_exact(LANES), y.chunks_exact(LANES));
        let (xr, yr) = (xc.remainder(), yc.remainder());
        for (a, b) in xc.zip(yc) {
            for ((s, &u), &v) in acc.iter_mut().zip(a).zip(b) {
                *s = *s + u * v;
            }
        }
        let mut total = xr.iter().zip(yr).fold(T::zero(), |s, (&u, &v)| s + u * v);
        for a in acc {
            total = total + a;
        }
        total
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_match_f64_reference_on_a_million_elements() {
        let n = 1_000_000usize;
        let x: Vec<f32> = (0..n)
            .map(|i| ((i * 7919) % 1000) as f32 * 1e-3 + 0.1)
            .collect();
        let exact: f64 = x.iter().map(|&v| v as f64).sum();
        let got = sum(&x) as f64;
        assert!(((got - exact) / exact).abs() < 1e-6, "{got} vs {exact}");
        let exact_sq: f64 = x.iter().map(|&v| v as f64 * v as f64).sum();
        let got_sq = sum_squares(&x) as f64;
        assert!(((got_sq - exact_sq) / exact_sq).abs() < 1e-6);
        let got_dot = dot(&x, &x) as f64;
        assert!(((got_dot - exact_sq) / exact_sq).abs() < 1e-6);
    }

    #[test]
    fn short_and_empty_slices() {
        assert_eq!(sum::<f32>(&[]), 0.0);
        assert_eq!(sum(&[1.0f64, 2.0, 3.0]), 6.0);
        assert_eq!(dot(&[1.0f64, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
        let x: Vec<f64> = (0..5000).map(|i| i as f64).collect();
        assert_eq!(sum(&x), 4999.0 * 5000.0 / 2.0);
        assert_eq!(sum_squares(&x[..3]), 5.0);
    }
}
