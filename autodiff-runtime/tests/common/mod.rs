//! Helpers shared by the runtime's integration tests: comparisons of floating-point results
//! computed in different orders, with tolerances scaled to the magnitude of what was summed.
#![allow(dead_code)]

use autodiff_runtime::{Element, Tensor};

// ---- comparisons of results summed in different orders -------------------------------------------
//
// Two evaluations of the same sum of `n` terms in different orders (threads, BLAS blocking,
// SIMD lanes, FMA or not) each differ from the exact sum by at most γ_n·Σ|terms|, with
// γ_n = n·u / (1 − n·u) and u the unit roundoff (Higham, "Accuracy and Stability of Numerical
// Algorithms", §3.1). So they differ from each other by at most 2·γ_n·Σ|terms|: a bound that
// holds on every machine and for every thread count, yet is far below the size of a real bug
// (which is of the order of Σ|terms| itself). The tolerance is never a bare absolute epsilon.

/// The unit roundoff of `T`: half the machine epsilon (2^-24 for `f32`, 2^-53 for `f64`).
pub fn unit_roundoff<T: Element>() -> f64 {
    T::epsilon().into_f64() / 2.0
}

/// The largest difference between two evaluations, in any order, of a sum of `terms` rounded
/// products or values whose absolute values add up to `magnitude`: `2·γ_terms·magnitude`.
pub fn order_tolerance<T: Element>(terms: usize, magnitude: f64) -> f64 {
    let nu = terms as f64 * unit_roundoff::<T>();
    assert!(nu < 0.5, "too many terms for a meaningful bound");
    2.0 * nu / (1.0 - nu) * magnitude
}

/// The magnitude of the summands of each entry of the matrix product `a·b`, in f64:
/// `(|a||b|)_ij = Σ_k |a_ik|·|b_kj|`, row-major like the product.
pub fn abs_mm<T: Element>(a: &Tensor<T>, b: &Tensor<T>) -> Vec<f64> {
    let (&[m, k], &[k2, n]) = (a.shape(), b.shape()) else {
        panic!(
            "abs_mm: expected matrices, got {:?} and {:?}",
            a.shape(),
            b.shape()
        );
    };
    assert_eq!(k, k2, "abs_mm: inner dimensions differ");
    let (a, b) = (a.as_slice(), b.as_slice());
    let mut out = vec![0.0; m * n];
    for i in 0..m {
        for p in 0..k {
            let aip = a[i * k + p].into_f64().abs();
            for j in 0..n {
                out[i * n + j] += aip * b[p * n + j].into_f64().abs();
            }
        }
    }
    out
}

/// Asserts that every entry of `actual` is within [`order_tolerance`]`(terms, magnitude[i])` of
/// `expected`, naming the worst entry otherwise. `actual` and `expected` are the same sums of
/// `terms` terms (at most) evaluated in different orders; `magnitude[i]` is the sum of the
/// absolute values of entry `i`'s terms.
#[track_caller]
pub fn assert_sums_close<T: Element>(
    actual: &Tensor<T>,
    expected: &Tensor<T>,
    magnitude: &[f64],
    terms: usize,
) {
    assert_eq!(actual.shape(), expected.shape(), "shapes differ");
    assert_eq!(actual.numel(), magnitude.len(), "one magnitude per entry");
    let worst = (0..magnitude.len())
        .map(|i| {
            let diff = (actual.as_slice()[i].into_f64() - expected.as_slice()[i].into_f64()).abs();
            (
                diff / order_tolerance::<T>(terms, magnitude[i]).max(f64::MIN_POSITIVE),
                i,
            )
        })
        .fold((0.0, 0), |w, c| if c.0 > w.0 { c } else { w });
    let i = worst.1;
    assert!(
        worst.0 <= 1.0,
        "entry {i}: {} vs {} differ by {}, more than 2·γ_{terms}·Σ|terms| = {} (Σ|terms| = {})",
        actual.as_slice()[i],
        expected.as_slice()[i],
        (actual.as_slice()[i].into_f64() - expected.as_slice()[i].into_f64()).abs(),
        order_tolerance::<T>(terms, magnitude[i]),
        magnitude[i]
    );
}
