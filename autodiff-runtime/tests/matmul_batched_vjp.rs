//! `matmul_vjp_l/r/lr` (the forms `#[differentiable]` calls for `a.matmul(&b)`) on operands
//! with batch dimensions: 3-D and 4-D tensors, batch dimensions broadcast by PyTorch's rules
//! (a missing or size-1 dimension against any size), and 1-D or 2-D operands against batched
//! ones. Checked against central finite differences in f64 at random shapes (proptest), the
//! f32 forms against the f64 ones, and against the dedicated `matmul_batched_vjp_*` forms.
//!
//! `<v, a·b>` is linear in each operand, so central differences are exact up to rounding: the
//! tolerances are the rounding error of the sums involved, scaled to the magnitude summed
//! (`Σ|v|·|a|·|b|`), never a bare epsilon.

use autodiff_runtime::vjp::{BatchedVjp, Pullback, TensorVjp};
use autodiff_runtime::Tensor;
use proptest::prelude::*;

const H: f64 = 1e-6;

fn abs(t: &Tensor<f64>) -> Tensor<f64> {
    t.map(f64::abs)
}

fn dot(a: &Tensor<f64>, b: &Tensor<f64>) -> f64 {
    assert_eq!(a.shape(), b.shape());
    a.as_slice()
        .iter()
        .zip(b.as_slice())
        .map(|(x, y)| x * y)
        .sum()
}

/// Central-difference gradient of `x -> <v, f(x)>`.
fn fd_vjp(f: &dyn Fn(&Tensor<f64>) -> Tensor<f64>, x: &Tensor<f64>, v: &Tensor<f64>) -> Vec<f64> {
    let base = x.to_vec();
    (0..base.len())
        .map(|i| {
            let at = |d: f64| {
                let mut p = base.clone();
                p[i] += d;
                dot(v, &f(&Tensor::from_vec(p, x.shape())))
            };
            (at(H) - at(-H)) / (2.0 * H)
        })
        .collect()
}

/// `|got - want| <= tol·(1 + mag)` element-wise, naming the worst element.
#[track_caller]
fn close(what: &str, got: &[f64], want: &[f64], mag: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, ((g, w), m)) in got.iter().zip(want).zip(mag).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + m),
            "{what}: element {i}: {g} vs {w} (magnitude {m})"
        );
    }
}

fn to_f32(t: &Tensor<f64>) -> Tensor<f32> {
    Tensor::from_vec(t.as_slice().iter().map(|&v| v as f32).collect(), t.shape())
}

fn widen(t: &Tensor<f32>) -> Vec<f64> {
    t.as_slice().iter().map(|&v| v as f64).collect()
}

/// Checks the three forms at `(a, b)` with the cotangent drawn from `seed`.
fn check_forms(a: &Tensor<f64>, b: &Tensor<f64>, seed: u64) {
    let shapes = format!("{:?} x {:?}", a.shape(), b.shape());
    let (y, pb_lr) = a.matmul_vjp_lr(b);
    assert_eq!(y, a.matmul(b), "{shapes}: primal");
    let v = Tensor::<f64>::randn(y.shape(), seed);
    let (ga, gb) = pb_lr.pull(v.clone());
    assert_eq!(ga.shape(), a.shape(), "{shapes}: gradient of a");
    assert_eq!(gb.shape(), b.shape(), "{shapes}: gradient of b");
    // the magnitude summed into each gradient element: the same pullback on |v|, |a|, |b|
    let (mag_a, mag_b) = abs(a).matmul_vjp_lr(&abs(b)).1.pull(abs(&v));
    let total = dot(&abs(&v), &abs(a).matmul(&abs(b)));
    let fd_tol = 1e-8 * (1.0 + total);
    let fd_a = fd_vjp(&|t| t.matmul(b), a, &v);
    let fd_b = fd_vjp(&|t| a.matmul(t), b, &v);
    close(
        &format!("{shapes}: gA vs FD"),
        &ga.to_vec(),
        &fd_a,
        &mag_a.to_vec(),
        fd_tol,
    );
    close(
        &format!("{shapes}: gB vs FD"),
        &gb.to_vec(),
        &fd_b,
        &mag_b.to_vec(),
        fd_tol,
    );
    // single-operand forms compute the same numbers, and so do the dedicated batched forms
    assert_eq!(a.matmul_vjp_l(b).1.pull(v.clone()), ga, "{shapes}: _l");
    assert_eq!(a.matmul_vjp_r(b).1.pull(v.clone()), gb, "{shapes}: _r");
    let (ba, bb) = a.matmul_batched_vjp_lr(b).1.pull(v.clone());
    close(
        &format!("{shapes}: gA vs batched"),
        &ba.to_vec(),
        &ga.to_vec(),
        &mag_a.to_vec(),
        1e-13,
    );
    close(
        &format!("{shapes}: gB vs batched"),
        &bb.to_vec(),
        &gb.to_vec(),
        &mag_b.to_vec(),
        1e-13,
    );
    // f32 against f64: rounding of the inputs and of each sum, relative to the magnitude
    let (ga32, gb32) = to_f32(a).matmul_vjp_lr(&to_f32(b)).1.pull(to_f32(&v));
    close(
        &format!("{shapes}: f32 gA"),
        &widen(&ga32),
        &ga.to_vec(),
        &mag_a.to_vec(),
        1e-5,
    );
    close(
        &format!("{shapes}: f32 gB"),
        &widen(&gb32),
        &gb.to_vec(),
        &mag_b.to_vec(),
        1e-5,
    );
}

/// Batch shapes of the two operands that broadcast against each other: each of up to two
/// leading dimensions is absent, 1, or the common size on either side.
fn arb_batches() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    (
        0usize..=2,
        0usize..=2,
        proptest::collection::vec((1usize..=3, 0u8..3), 2),
    )
        .prop_map(|(na, nb, dims)| {
            let pick = |n: usize, side: u8| -> Vec<usize> {
                dims[2 - n..]
                    .iter()
                    .map(|&(s, which)| if which == side { 1 } else { s })
                    .collect()
            };
            (pick(na, 0), pick(nb, 1))
        })
}

fn arb_pair() -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>, u64)> {
    (
        arb_batches(),
        1usize..=4,
        1usize..=4,
        1usize..=4,
        0u8..4,
        any::<u64>(),
    )
        .prop_map(|((ba, bb), m, k, n, vector, seed)| {
            // a 1-D operand on one side (only when the other has batch dimensions, so that the
            // case is a batched one), else matrices with their batch dimensions
            let (mut sa, mut sb) = (ba, bb);
            match vector {
                0 if !sb.is_empty() => {
                    sa = vec![k];
                    sb.extend([k, n]);
                }
                1 if !sa.is_empty() => {
                    sa.extend([m, k]);
                    sb = vec![k];
                }
                _ => {
                    sa.extend([m, k]);
                    sb.extend([k, n]);
                }
            }
            let a = Tensor::<f64>::randn(&sa, seed);
            let b = Tensor::<f64>::randn(&sb, seed.wrapping_add(1));
            (a, b, seed.wrapping_add(2))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn batched_matmul_vjp_matches_finite_differences((a, b, seed) in arb_pair()) {
        check_forms(&a, &b, seed);
    }
}

#[test]
fn named_batched_cases() {
    let cases: [(&[usize], &[usize]); 8] = [
        (&[2, 3, 4], &[2, 4, 5]),    // bmm-like
        (&[2, 3, 4], &[4, 5]),       // one weight matrix for the batch
        (&[3, 4], &[2, 4, 5]),       // one left matrix for the batch
        (&[2, 1, 3, 4], &[3, 4, 2]), // broadcast [2, 1] against [3]
        (&[1, 3, 4], &[2, 4, 5]),    // size-1 batch against 2
        (&[4], &[2, 4, 5]),          // 1-D left against batched
        (&[2, 3, 4], &[4]),          // batched against 1-D right
        (&[2, 2, 3, 4], &[2, 1, 4, 3]),
    ];
    for (i, (sa, sb)) in cases.into_iter().enumerate() {
        let a = Tensor::<f64>::randn(sa, 10 + i as u64);
        let b = Tensor::<f64>::randn(sb, 20 + i as u64);
        check_forms(&a, &b, 30 + i as u64);
    }
}

#[test]
fn weight_gradient_sums_over_the_batch() {
    // y = x·W with x [2, 3, 4]: gW = Σ_batch xᵀ·G, here with G = 1 every entry is the sum of
    // the column of x over the batch and the rows
    let x = Tensor::from_vec((0..24).map(f64::from).collect(), &[2, 3, 4]);
    let w = Tensor::<f64>::ones(&[4, 2]);
    let gw = x.matmul_vjp_r(&w).1.pull(Tensor::ones(&[2, 3, 2]));
    let col: Vec<f64> = (0..4)
        .map(|j| (0..6).map(|r| f64::from(r * 4 + j)).sum())
        .collect();
    let want: Vec<f64> = col.iter().flat_map(|&c| [c, c]).collect();
    assert_eq!(gw.to_vec(), want);
}

#[test]
#[should_panic(expected = "matmul: batch dimensions [2] and [3] cannot be broadcast")]
fn batched_vjp_names_the_shapes() {
    let _ = Tensor::<f64>::zeros(&[2, 3, 4]).matmul_vjp_lr(&Tensor::zeros(&[3, 4, 5]));
}
