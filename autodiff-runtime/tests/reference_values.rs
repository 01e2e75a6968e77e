//! Forward values of softmax, log_softmax, cross_entropy, gelu (both forms), layer_norm and
//! batched matmul on fixed inputs, against independent, deliberately straightforward f64
//! reference implementations written below (no shifting, plain loops, erf by numerical
//! integration).
//!
//! These expected values are NOT PyTorch printouts: they come from the references in this
//! file, which follow PyTorch's documented definitions (mean reduction for cross_entropy,
//! biased variance and eps inside the square root for layer_norm, broadcast batch dimensions
//! for matmul).

use autodiff_runtime::tensor::cross_entropy;
use autodiff_runtime::Tensor;

fn assert_close(got: &[f64], want: &[f64], rtol: f64) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= rtol * w.abs().max(1.0), "{got:?}\nvs\n{want:?}");
    }
}

fn logits() -> Tensor<f64> {
    Tensor::from_vec(
        vec![
            0.2, -1.3, 2.1, 0.0, //
            1.5, 1.5, -0.7, 3.2, //
            -2.0, 0.3, 0.9, -0.4,
        ],
        &[3, 4],
    )
}

fn ref_softmax_rows(x: &[f64], cols: usize) -> Vec<f64> {
    let mut out = Vec::new();
    for row in x.chunks(cols) {
        let total: f64 = row.iter().map(|v| v.exp()).sum();
        out.extend(row.iter().map(|v| v.exp() / total));
    }
    out
}

#[test]
fn softmax_and_log_softmax_match_the_reference() {
    let x = logits();
    let want = ref_softmax_rows(x.as_slice(), 4);
    assert_close(&x.softmax(1).to_vec(), &want, 1e-14);
    let logs: Vec<f64> = want.iter().map(|p| p.ln()).collect();
    assert_close(&x.log_softmax(1).to_vec(), &logs, 1e-14);
    // along dimension 0: the columns, via the transpose
    let cols = ref_softmax_rows(x.t().as_slice(), 3);
    assert_close(&x.softmax(0).t().to_vec(), &cols, 1e-14);
    // f32 agrees
    let x32 = Tensor::from_vec(x.as_slice().iter().map(|&v| v as f32).collect(), &[3, 4]);
    let p32: Vec<f64> = x32.softmax(1).as_slice().iter().map(|&v| v as f64).collect();
    assert_close(&p32, &want, 1e-6);
}

#[test]
fn cross_entropy_matches_the_reference() {
    let x = logits();
    let targets = [2, 0, 3];
    let p = ref_softmax_rows(x.as_slice(), 4);
    let want = -(0..3).map(|r| p[r * 4 + targets[r]].ln()).sum::<f64>() / 3.0;
    assert_close(&[cross_entropy(&x, &targets).item()], &[want], 1e-14);
}

/// erf by composite Simpson integration of `2/√π e^{-t²}` over `[0, x]`.
fn ref_erf(x: f64) -> f64 {
    let n = 20_000;
    let h = x / n as f64;
    let f = |t: f64| (-t * t).exp();
    let mut s = f(0.0) + f(x);
    for i in 1..n {
        s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0 * 2.0 / std::f64::consts::PI.sqrt()
}

#[test]
fn gelu_matches_the_reference_in_both_forms() {
    let xs = vec![-3.0, -1.5, -0.5, 0.0, 0.25, 1.0, 2.0, 4.0];
    let x = Tensor::from_vec(xs.clone(), &[8]);
    let exact: Vec<f64> = xs
        .iter()
        .map(|&v| 0.5 * v * (1.0 + ref_erf(v / 2f64.sqrt())))
        .collect();
    assert_close(&x.gelu().to_vec(), &exact, 1e-13);
    let tanh: Vec<f64> = xs
        .iter()
        .map(|&v| {
            let k = (2.0 / std::f64::consts::PI).sqrt();
            0.5 * v * (1.0 + (k * (v + 0.044715 * v.powi(3))).tanh())
        })
        .collect();
    assert_close(&x.gelu_tanh().to_vec(), &tanh, 1e-15);
}

#[test]
fn layer_norm_matches_the_reference() {
    let x = logits();
    let w = Tensor::from_vec(vec![1.0, 0.5, -2.0, 1.5], &[4]);
    let b = Tensor::from_vec(vec![0.0, 0.1, 0.2, -0.3], &[4]);
    let eps = 1e-5;
    let mut want = Vec::new();
    for row in x.as_slice().chunks(4) {
        let mean = row.iter().sum::<f64>() / 4.0;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 4.0;
        for (j, v) in row.iter().enumerate() {
            want.push((v - mean) / (var + eps).sqrt() * w.as_slice()[j] + b.as_slice()[j]);
        }
    }
    let got = x.layer_norm(&[4], Some(&w), Some(&b), eps);
    assert_close(&got.to_vec(), &want, 1e-14);
    // normalising over both dimensions
    let all = x.layer_norm(&[3, 4], None, None, eps).to_vec();
    let mean = x.as_slice().iter().sum::<f64>() / 12.0;
    let var = x.as_slice().iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 12.0;
    let want: Vec<f64> = x.as_slice().iter().map(|v| (v - mean) / (var + eps).sqrt()).collect();
    assert_close(&all, &want, 1e-14);
}

#[test]
fn batched_matmul_matches_the_reference() {
    // [2, 1, 2, 3] x [3, 3, 2] -> [2, 3, 2, 2], the batch dimensions broadcast
    let a = Tensor::from_vec((0..12).map(|i| (i as f64 - 5.5) / 3.0).collect(), &[2, 1, 2, 3]);
    let b = Tensor::from_vec((0..18).map(|i| ((i * 7) % 11) as f64 / 5.0 - 1.0).collect(), &[3, 3, 2]);
    let got = a.matmul(&b);
    assert_eq!(got.shape(), &[2, 3, 2, 2]);
    let mut want = Vec::new();
    for p in 0..2 {
        for q in 0..3 {
            for i in 0..2 {
                for j in 0..2 {
                    let s: f64 = (0..3).map(|k| a.get(&[p, 0, i, k]) * b.get(&[q, k, j])).sum();
                    want.push(s);
                }
            }
        }
    }
    assert_close(&got.to_vec(), &want, 1e-14);
}
