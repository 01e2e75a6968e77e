//! Hand-written value-and-gradient functions for the six workloads: what an expert writes in
//! plain Rust for each function, the floor `vs_hand` is measured against.
//!
//! Rules they follow: element-wise work in one fused pass over memory (blocks of 1024 elements
//! stay in L1 between the sub-loops of a block), the fewest matrix products, no buffer beyond
//! the returned gradients and the intermediates the derivative needs, and the same kernels as
//! the tensors (`autodiff::kernels::gemm`, `Element::tanh_kernel`). Sums use 8 independent f32
//! lanes per block and add blocks in f64, which is both vectorised and accurate.
//!
//! Every function here is checked against the reference values by the runner and by
//! `tests/bench_workloads.rs`, exactly like the `#[differentiable]` versions.
#![allow(dead_code)] // each includer uses a different subset

use autodiff::kernels::gemm;
use autodiff::Element;

const BLOCK: usize = 1024;
const LANES: usize = 8;

/// `Σ term(v)` over a block, in `LANES` independent f32 accumulators.
#[inline(always)]
fn block_sum(block: &[f32], term: impl Fn(f32) -> f32) -> f64 {
    let mut acc = [0.0f32; LANES];
    let chunks = block.chunks_exact(LANES);
    let rest: f32 = chunks.remainder().iter().map(|&v| term(v)).sum();
    for chunk in chunks {
        for (a, &v) in acc.iter_mut().zip(chunk) {
            *a += term(v);
        }
    }
    acc.iter().map(|&a| a as f64).sum::<f64>() + rest as f64
}

/// One pass over `x`: the gradient `grad(v)` of every element and `Σ term(v)`.
#[inline(always)]
fn map_and_sum(
    x: &[f32],
    grad: impl Fn(f32) -> f32,
    term: impl Fn(f32) -> f32 + Copy,
) -> (Vec<f32>, f64) {
    let mut g = Vec::with_capacity(x.len());
    let mut total = 0.0f64;
    for block in x.chunks(BLOCK) {
        g.extend(block.iter().map(|&v| grad(v)));
        total += block_sum(block, term);
    }
    (g, total)
}

/// W1 `2·dot(x, x)`: value `2Σx²` and gradient `4x` in one pass.
pub fn w1(x: &[f32]) -> (f32, Vec<f32>) {
    let (g, sum_sq) = map_and_sum(x, |v| 4.0 * v, |v| v * v);
    ((2.0 * sum_sq) as f32, g)
}

/// W2 `mean(3(x+2)²)`: value `Σ3(x+2)²/n` and gradient `6(x+2)/n` in one pass.
pub fn w2(x: &[f32]) -> (f32, Vec<f32>) {
    let inv_n = 1.0 / x.len() as f32;
    let (g, total) = map_and_sum(
        x,
        |v| 6.0 * inv_n * (v + 2.0),
        |v| 3.0 * (v + 2.0) * (v + 2.0),
    );
    ((total / x.len() as f64) as f32, g)
}

/// W3: doubling `b` scales it by a power of two, which is exact in floating point, so the loop
/// only needs `‖a‖` once: `b = s·a` with `s = 2^k` the first power (from 2) with `s‖a‖ ≥ 1000`,
/// `c = s·a` or `100s·a` by the sign of `Σa`, value `Σc`, gradient the constant `dc/da`. One
/// pass for `Σa` and `Σa²`, one to write the gradient.
pub fn w3(a: &[f32]) -> (f32, Vec<f32>) {
    let (mut sum, mut sum_sq) = (0.0f64, 0.0f64);
    for block in a.chunks(BLOCK) {
        sum += block_sum(block, |v| v);
        sum_sq += block_sum(block, |v| v * v);
    }
    let norm = (sum_sq as f32).sqrt();
    let mut scale = 2.0f32;
    // Bounded like the original loop is by its exit condition; a zero input would never exit
    // there either, so stop at the f32 range instead of spinning.
    while scale * norm < 1000.0 && scale < f32::MAX / 2.0 {
        scale *= 2.0;
    }
    let factor = if scale * sum as f32 > 0.0 {
        scale
    } else {
        100.0 * scale
    };
    ((factor as f64 * sum) as f32, vec![factor; a.len()])
}

/// W4: forward-mode tangents for the three inputs carried along the Euler steps (three inputs,
/// one output: no record at all). Per step, with `J = ∂x'/∂x = 1 + h(p·cos x − 2qx)`:
/// `ẋ₀ ← J·ẋ₀`, `ṗ ← J·ṗ + h·sin x`, `q̇ ← J·q̇ − h·x²`, then the step itself.
pub fn w4(x0: f32, p: f32, q: f32, steps: usize) -> (f32, [f32; 3]) {
    let h = 0.001f32;
    let mut x = x0;
    let (mut dx0, mut dp, mut dq) = (1.0f32, 0.0f32, 0.0f32);
    for _ in 0..steps {
        let (s, c) = x.sin_cos();
        let jac = 1.0 + h * (p * c - 2.0 * q * x);
        dx0 *= jac;
        dp = jac * dp + h * s;
        dq = jac * dq - h * x * x;
        x += h * (p * s - q * x * x);
    }
    (x, [dx0, dp, dq])
}

/// W5 `mean((tanh(X·W1)·W2 − Y)²)` for `X: b×i`, `W1: i×h`, `W2: h×o`: five matrix products
/// (two forward, three backward), the residual, the value and its cotangent in one pass, and
/// `tanh`'s derivative applied in place.
pub fn w5(
    x: &[f32],
    w1: &[f32],
    w2: &[f32],
    y: &[f32],
    (b, i, h, o): (usize, usize, usize, usize),
) -> (f32, Vec<f32>, Vec<f32>) {
    let mut hid = vec![0.0f32; b * h];
    gemm(false, false, b, h, i, 1.0, x, i, w1, h, 0.0, &mut hid, h);
    hid.iter_mut().for_each(|v| *v = v.tanh_kernel());
    let mut res = vec![0.0f32; b * o];
    gemm(false, false, b, o, h, 1.0, &hid, h, w2, o, 0.0, &mut res, o);
    // res <- d loss / d out = 2(out - y)/n, accumulating the loss on the way.
    let scale = 2.0 / (b * o) as f32;
    let mut loss = 0.0f64;
    for (r, &t) in res.iter_mut().zip(y) {
        let d = *r - t;
        loss += (d * d) as f64;
        *r = scale * d;
    }
    let mut dw2 = vec![0.0f32; h * o];
    gemm(
        true, false, h, o, b, 1.0, &hid, h, &res, o, 0.0, &mut dw2, o,
    );
    let mut dhid = vec![0.0f32; b * h];
    gemm(false, true, b, h, o, 1.0, &res, o, w2, o, 0.0, &mut dhid, h);
    for (d, &t) in dhid.iter_mut().zip(&hid) {
        *d *= 1.0 - t * t;
    }
    let mut dw1 = vec![0.0f32; i * h];
    gemm(true, false, i, h, b, 1.0, x, i, &dhid, h, 0.0, &mut dw1, h);
    ((loss / (b * o) as f64) as f32, dw1, dw2)
}

/// W6 `sum(tanh(A·B)·C)`, all `n×n`. With `T = tanh(A·B)` and `u = column sums of T`,
/// `v = row sums of C`: the value is `u·v`, `dC[k][j] = u[k]`, `dT[r][k] = v[k]`, and
/// `dP = dT ⊙ (1 − T²)`, `dA = dP·Bᵀ`, `dB = Aᵀ·dP`. Three matrix products; `T·C` is never
/// formed.
pub fn w6(a: &[f32], b: &[f32], c: &[f32], n: usize) -> (f32, Vec<f32>, Vec<f32>, Vec<f32>) {
    let mut t = vec![0.0f32; n * n];
    gemm(false, false, n, n, n, 1.0, a, n, b, n, 0.0, &mut t, n);
    let v: Vec<f32> = c.chunks_exact(n).map(|row| row.iter().sum()).collect();
    let mut u = vec![0.0f32; n];
    // tanh, its column sums and dP = v ⊙ (1 − T²) in one pass (dP overwrites T).
    for row in t.chunks_exact_mut(n) {
        for ((e, uk), &vk) in row.iter_mut().zip(&mut u).zip(&v) {
            let th = e.tanh_kernel();
            *uk += th;
            *e = vk * (1.0 - th * th);
        }
    }
    let value: f64 = u.iter().zip(&v).map(|(&x, &y)| x as f64 * y as f64).sum();
    let dc: Vec<f32> = u
        .iter()
        .flat_map(|&uk| std::iter::repeat_n(uk, n))
        .collect();
    let mut da = vec![0.0f32; n * n];
    gemm(false, true, n, n, n, 1.0, &t, n, b, n, 0.0, &mut da, n);
    let mut db = vec![0.0f32; n * n];
    gemm(true, false, n, n, n, 1.0, a, n, &t, n, 0.0, &mut db, n);
    (value as f32, da, db, dc)
}
