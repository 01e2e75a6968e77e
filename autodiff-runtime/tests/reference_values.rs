//! Forward values of softmax, log_softmax, cross_entropy, gelu (both forms), layer_norm and
//! batched matmul on fixed inputs, checked two ways:
//!
//! 1. against numbers printed by PyTorch 2.15.0 (CPU, float64) for the same inputs: the
//!    `TORCH_*` constants below, produced by the script quoted in `torch_printed`;
//! 2. against independent, deliberately straightforward f64 reference implementations written
//!    in this file (no shifting, plain loops, erf by numerical integration).

use autodiff_runtime::tensor::cross_entropy;
use autodiff_runtime::Tensor;

fn assert_close(got: &[f64], want: &[f64], rtol: f64) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= rtol * w.abs().max(1.0),
            "{got:?}\nvs\n{want:?}"
        );
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

// The TORCH_* constants are the output of this script (PyTorch 2.15.0, CPU, float64); each
// line prints `NAME = [values]` with Python's shortest round-trip float repr.
//
// import torch, torch.nn.functional as F
// torch.set_printoptions(precision=17)
// def show(name, t):
//     print(name, "=", [float(v) for v in t.flatten().tolist()])
// x = torch.tensor([0.2, -1.3, 2.1, 0.0, 1.5, 1.5, -0.7, 3.2, -2.0, 0.3, 0.9, -0.4], dtype=torch.float64).reshape(3, 4)
// show("SOFTMAX_DIM1", torch.softmax(x, 1))
// show("SOFTMAX_DIM0", torch.softmax(x, 0))
// show("LOG_SOFTMAX_DIM1", torch.log_softmax(x, 1))
// show("CROSS_ENTROPY", F.cross_entropy(x, torch.tensor([2, 0, 3])).reshape(1))
// g = torch.tensor([-3.0, -1.5, -0.5, 0.0, 0.25, 1.0, 2.0, 4.0], dtype=torch.float64)
// show("GELU", F.gelu(g))
// show("GELU_TANH", F.gelu(g, approximate="tanh"))
// w = torch.tensor([1.0, 0.5, -2.0, 1.5], dtype=torch.float64)
// b = torch.tensor([0.0, 0.1, 0.2, -0.3], dtype=torch.float64)
// show("LAYER_NORM", F.layer_norm(x, [4], w, b, 1e-5))
// show("LAYER_NORM_ALL", F.layer_norm(x, [3, 4], None, None, 1e-5))
// a = ((torch.arange(12, dtype=torch.float64) - 5.5) / 3.0).reshape(2, 1, 2, 3)
// bb = (((torch.arange(18) * 7) % 11).to(torch.float64) / 5.0 - 1.0).reshape(3, 3, 2)
// show("MATMUL", torch.matmul(a, bb))
// print("MATMUL_SHAPE", list(torch.matmul(a, bb).shape))
const TORCH_SOFTMAX_DIM1: [f64; 12] = [
    0.11457699709343658,
    0.025565583710784674,
    0.7660497080800557,
    0.09380771111572307,
    0.13184349220136127,
    0.13184349220136127,
    0.014608675345430559,
    0.7217043402518469,
    0.029324343448719266,
    0.29248635192517664,
    0.5329448807004992,
    0.14524442392560497,
];
const TORCH_SOFTMAX_DIM0: [f64; 12] = [
    0.20920065195388532,
    0.044647482949986335,
    0.7342120863311034,
    0.038163787172794804,
    0.7676192550781648,
    0.7342120863311032,
    0.04464748294998634,
    0.936254261252643,
    0.02318009296794985,
    0.22114043071891037,
    0.22114043071891032,
    0.025581951574562153,
];
const TORCH_LOG_SOFTMAX_DIM1: [f64; 12] = [
    -2.166508218292106,
    -3.6665082182921065,
    -0.2665082182921059,
    -2.366508218292106,
    -2.0261397249939805,
    -2.0261397249939805,
    -4.22613972499398,
    -0.32613972499398025,
    -3.5293372734837076,
    -1.2293372734837078,
    -0.6293372734837076,
    -1.9293372734837075,
];
const TORCH_CROSS_ENTROPY: [f64; 1] = [1.4073284055899313];
const TORCH_GELU: [f64; 8] = [
    -0.00404969409489031,
    -0.10021080190328704,
    -0.15426876936299344,
    0.0,
    0.14967658142073093,
    0.841344746068543,
    1.9544997361036416,
    3.9998733150326675,
];
const TORCH_GELU_TANH: [f64; 8] = [
    -0.0036373920817729943,
    -0.10042842301976707,
    -0.15428599017485606,
    0.0,
    0.149675350701685,
    0.8411919906082768,
    1.954597694087775,
    3.9999297540518075,
];
const TORCH_LAYER_NORM: [f64; 12] = [
    -0.04120414225955617,
    -0.5386642050231207,
    -2.849106527207157,
    -0.6090310669466713,
    0.09028424768404575,
    0.14514212384202288,
    3.1974370231103193,
    1.6772250242806022,
    -1.5682963800616867,
    0.37675818471676825,
    -2.014065477734146,
    -0.438379092358384,
];
const TORCH_LAYER_NORM_ALL: [f64; 12] = [
    -0.1705671547325555,
    -1.2292598392794511,
    1.1704435790268457,
    -0.31172617933880825,
    0.7469665052080874,
    0.7469665052080874,
    -0.8057827654606928,
    1.946818214361236,
    -1.723316425401336,
    -0.09998764242942912,
    0.3234894313893292,
    -0.5940442285513138,
];
const TORCH_MATMUL: [f64; 24] = [
    2.2,
    -1.5333333333333332,
    1.0,
    -0.7333333333333333,
    -0.0333333333333333,
    0.2666666666666666,
    -0.2333333333333334,
    -0.1333333333333334,
    -1.5333333333333332,
    -0.5,
    -0.7333333333333333,
    0.10000000000000006,
    -0.20000000000000007,
    0.06666666666666665,
    -1.4000000000000004,
    0.8666666666666667,
    -0.43333333333333335,
    -0.5333333333333333,
    -0.6333333333333333,
    -0.9333333333333331,
    0.06666666666666665,
    0.7000000000000001,
    0.8666666666666667,
    1.3,
];

#[test]
fn torch_printed() {
    let x = logits();
    assert_close(&x.softmax(1).to_vec(), &TORCH_SOFTMAX_DIM1, 1e-15);
    assert_close(&x.softmax(0).to_vec(), &TORCH_SOFTMAX_DIM0, 1e-15);
    assert_close(&x.log_softmax(1).to_vec(), &TORCH_LOG_SOFTMAX_DIM1, 1e-15);
    let ce = cross_entropy(&x, &[2, 0, 3]).item();
    assert_close(&[ce], &TORCH_CROSS_ENTROPY, 1e-15);
    let g = Tensor::from_vec(vec![-3.0, -1.5, -0.5, 0.0, 0.25, 1.0, 2.0, 4.0], &[8]);
    assert_close(&g.gelu().to_vec(), &TORCH_GELU, 1e-15);
    assert_close(&g.gelu_tanh().to_vec(), &TORCH_GELU_TANH, 1e-15);
    let w = Tensor::from_vec(vec![1.0, 0.5, -2.0, 1.5], &[4]);
    let b = Tensor::from_vec(vec![0.0, 0.1, 0.2, -0.3], &[4]);
    let ln = x.layer_norm(&[4], Some(&w), Some(&b), 1e-5);
    assert_close(&ln.to_vec(), &TORCH_LAYER_NORM, 1e-14);
    let ln_all = x.layer_norm(&[3, 4], None, None, 1e-5);
    assert_close(&ln_all.to_vec(), &TORCH_LAYER_NORM_ALL, 1e-14);
    let (a, bb) = matmul_inputs();
    let y = a.matmul(&bb);
    assert_eq!(y.shape(), &[2, 3, 2, 2]);
    assert_close(&y.to_vec(), &TORCH_MATMUL, 1e-15);
    // f32 agrees with PyTorch's float64 numbers to f32 precision
    let x32 = Tensor::from_vec(x.as_slice().iter().map(|&v| v as f32).collect(), &[3, 4]);
    let p32: Vec<f64> = x32
        .softmax(1)
        .as_slice()
        .iter()
        .map(|&v| v as f64)
        .collect();
    assert_close(&p32, &TORCH_SOFTMAX_DIM1, 1e-6);
    let g32 = Tensor::from_vec(g.as_slice().iter().map(|&v| v as f32).collect(), &[8]);
    let gelu32: Vec<f64> = g32.gelu().as_slice().iter().map(|&v| v as f64).collect();
    assert_close(&gelu32, &TORCH_GELU, 1e-6);
}

/// `[2, 1, 2, 3]` and `[3, 3, 2]` inputs for the batched product (same formulas as the script).
fn matmul_inputs() -> (Tensor<f64>, Tensor<f64>) {
    let a = Tensor::from_vec(
        (0..12).map(|i| (i as f64 - 5.5) / 3.0).collect(),
        &[2, 1, 2, 3],
    );
    let b = (0..18).map(|i| ((i * 7) % 11) as f64 / 5.0 - 1.0).collect();
    (a, Tensor::from_vec(b, &[3, 3, 2]))
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
    let p32: Vec<f64> = x32
        .softmax(1)
        .as_slice()
        .iter()
        .map(|&v| v as f64)
        .collect();
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
    let want: Vec<f64> = x
        .as_slice()
        .iter()
        .map(|v| (v - mean) / (var + eps).sqrt())
        .collect();
    assert_close(&all, &want, 1e-14);
}

#[test]
fn batched_matmul_matches_the_reference() {
    // [2, 1, 2, 3] x [3, 3, 2] -> [2, 3, 2, 2], the batch dimensions broadcast
    let a = Tensor::from_vec(
        (0..12).map(|i| (i as f64 - 5.5) / 3.0).collect(),
        &[2, 1, 2, 3],
    );
    let b = Tensor::from_vec(
        (0..18).map(|i| ((i * 7) % 11) as f64 / 5.0 - 1.0).collect(),
        &[3, 3, 2],
    );
    let got = a.matmul(&b);
    assert_eq!(got.shape(), &[2, 3, 2, 2]);
    let mut want = Vec::new();
    for p in 0..2 {
        for q in 0..3 {
            for i in 0..2 {
                for j in 0..2 {
                    let s: f64 = (0..3)
                        .map(|k| a.get(&[p, 0, i, k]) * b.get(&[q, k, j]))
                        .sum();
                    want.push(s);
                }
            }
        }
    }
    assert_close(&got.to_vec(), &want, 1e-14);
}
