//! Helpers shared by the integration tests: central finite differences in f64, and comparisons
//! of results computed in different orders with tolerances scaled to the magnitude of what was
//! summed.
#![allow(dead_code)]

pub mod check_fns;
pub mod counting;
pub mod model_modes;

use autodiff::{Element, Tensor};

/// Step for central differences in f64: balances truncation (h^2) and rounding (eps/h).
pub const H: f64 = 1e-6;

/// Central difference of a scalar function.
pub fn fd(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    (f(x + H) - f(x - H)) / (2.0 * H)
}

/// Central-difference gradient of `f` with respect to every entry of `x`.
pub fn fd_tensor(f: impl Fn(&Tensor<f64>) -> f64, x: &Tensor<f64>) -> Tensor<f64> {
    let base = x.to_vec();
    let grads = (0..base.len())
        .map(|i| {
            let mut plus = base.clone();
            plus[i] += H;
            let mut minus = base.clone();
            minus[i] -= H;
            let fp = f(&Tensor::from_vec(plus, x.shape()));
            let fm = f(&Tensor::from_vec(minus, x.shape()));
            (fp - fm) / (2.0 * H)
        })
        .collect();
    Tensor::from_vec(grads, x.shape())
}

/// `|a - b| <= tol * max(1, |a|, |b|)`, with a message naming both: for a derivative against
/// central differences in f64, whose error (truncation `H²·f'''` and rounding `ε·|f|/H`) is
/// what `tol` covers; summation-order differences in f64 are orders of magnitude smaller. For
/// results summed in different orders use [`assert_sums_close`].
#[track_caller]
pub fn assert_close(a: f64, b: f64, tol: f64) {
    let scale = 1f64.max(a.abs()).max(b.abs());
    assert!(
        (a - b).abs() <= tol * scale,
        "{a} vs {b} (difference {}, tolerance {})",
        (a - b).abs(),
        tol * scale
    );
}

/// Element-wise [`assert_close`] of two tensors of the same shape.
#[track_caller]
pub fn assert_tensor_close(a: &Tensor<f64>, b: &Tensor<f64>, tol: f64) {
    assert_eq!(a.shape(), b.shape(), "shapes differ");
    for (x, y) in a.to_vec().into_iter().zip(b.to_vec()) {
        assert_close(x, y, tol);
    }
}

/// A seeded f64 tensor with entries in roughly [-1, 1] (away from kinks of abs/relu).
pub fn rand(shape: &[usize], seed: u64) -> Tensor<f64> {
    Tensor::<f64>::randn(shape, seed)
}

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

/// The leaves of any differentiable value (or tangent) flattened to `f64`, in traversal order.
pub fn flat_tangent<M: autodiff::Differentiable + ?Sized>(t: &M::Tangent) -> Vec<f64> {
    let mut out = Vec::new();
    M::visit_tangent_leaves(t, &mut autodiff::LeafPath::new(), &mut |_, leaf| {
        out.extend(leaf.to_f64_vec())
    });
    out
}

/// Central differences of `f` over every element of every leaf of `m` (f64 leaves only), in
/// the traversal order of `flat_tangent`.
pub fn fd_flat<M: autodiff::Differentiable + Clone>(f: impl Fn(&M) -> f64, m: &M) -> Vec<f64> {
    use autodiff::LeafMut;
    let sizes: Vec<usize> = {
        let mut s = Vec::new();
        m.visit_leaves(&mut autodiff::LeafPath::new(), &mut |_, l| {
            s.push(l.numel())
        });
        s
    };
    let h = 1e-6;
    let shifted = |leaf: usize, elem: usize, delta: f64| {
        let mut c = m.clone();
        let mut k = 0;
        c.visit_leaves_mut(&mut autodiff::LeafPath::new(), &mut |_, l| {
            if k == leaf {
                match l {
                    LeafMut::F64(v) => *v += delta,
                    LeafMut::TensorF64(t) => {
                        let mut data = t.to_vec();
                        data[elem] += delta;
                        *t = Tensor::from_vec(data, t.shape());
                    }
                    _ => panic!("fd_flat: f64 leaves only"),
                }
            }
            k += 1;
        });
        f(&c)
    };
    let mut out = Vec::new();
    for (leaf, &n) in sizes.iter().enumerate() {
        for elem in 0..n {
            out.push((shifted(leaf, elem, h) - shifted(leaf, elem, -h)) / (2.0 * h));
        }
    }
    out
}

/// Element-wise closeness of two flat gradients, relative to their magnitude.
pub fn assert_flat_close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len(), "gradient lengths differ");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let scale = 1.0 + x.abs().max(y.abs());
        assert!((x - y).abs() <= tol * scale, "element {i}: {x} vs {y}");
    }
}

/// The dot product of two flat vectors (flat gradients and directions).
pub fn flat_dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `m` moved by `h` along the flat direction `v` (f64 leaves, in the traversal order of
/// `flat_tangent`).
pub fn shifted_along<M: autodiff::Differentiable + Clone>(m: &M, v: &[f64], h: f64) -> M {
    use autodiff::LeafMut;
    let mut c = m.clone();
    let mut k = 0;
    c.visit_leaves_mut(&mut autodiff::LeafPath::new(), &mut |_, leaf| match leaf {
        LeafMut::F64(x) => {
            *x += h * v[k];
            k += 1;
        }
        LeafMut::TensorF64(t) => {
            let data: Vec<f64> = t
                .to_vec()
                .iter()
                .enumerate()
                .map(|(i, x)| x + h * v[k + i])
                .collect();
            let n = data.len();
            *t = Tensor::from_vec(data, t.shape());
            k += n;
        }
        _ => panic!("shifted_along: f64 leaves only"),
    });
    c
}

/// Central differences, along the flat direction `v`, of the flat gradient `grad` at `m`: the
/// Hessian-vector product `H·v`, to compare with `NAME_hvp`'s.
pub fn fd_hvp<M: autodiff::Differentiable + Clone>(
    grad: impl Fn(&M) -> Vec<f64>,
    m: &M,
    v: &[f64],
) -> Vec<f64> {
    let h = 1e-5;
    let (gp, gm) = (
        grad(&shifted_along(m, v, h)),
        grad(&shifted_along(m, v, -h)),
    );
    gp.iter()
        .zip(&gm)
        .map(|(a, b)| (a - b) / (2.0 * h))
        .collect()
}
