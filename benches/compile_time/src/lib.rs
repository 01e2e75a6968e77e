//! Twenty functions of the kinds users differentiate: ten scalar functions with control flow
//! and ten small tensor models. Built with `--cfg with_ad` every one carries
//! `#[differentiable]`; without it they are the same plain functions (see `../run.sh`).
#![allow(clippy::all)]

use autodiff::prelude::*;

#[cfg_attr(with_ad, differentiable)]
pub fn s01_newton_sqrt(a: f64) -> f64 {
    let mut x = a;
    let mut i = 0;
    while i < 20 {
        x = 0.5 * (x + a / x);
        i += 1;
    }
    x
}

#[cfg_attr(with_ad, differentiable)]
pub fn s02_piecewise(x: f64, y: f64) -> f64 {
    if x > y {
        x * x - y
    } else if x < -y {
        (x + y).sin() * 3.0
    } else {
        x.exp() / (1.0 + y * y)
    }
}

#[cfg_attr(with_ad, differentiable)]
pub fn s03_euler(x0: f64, p: f64, q: f64, steps: usize) -> f64 {
    let h = 0.001;
    let mut x = x0;
    for _ in 0..steps {
        x += h * (p * x.sin() - q * x * x);
    }
    x
}

#[cfg_attr(with_ad, differentiable)]
pub fn s04_power(x: f64, n: u32) -> f64 {
    let mut result = 1.0;
    let mut base = x;
    let mut k = n;
    while k > 0 {
        if k % 2 == 1 {
            result = result * base;
        }
        base = base * base;
        k /= 2;
    }
    result
}

#[cfg_attr(with_ad, differentiable)]
pub fn s05_series(x: f64, terms: usize) -> f64 {
    let mut sum = 0.0;
    let mut term = 1.0;
    for k in 1..terms {
        sum += term;
        term = term * x / k as f64;
        if term.abs() < 1e-12 {
            break;
        }
    }
    sum
}

#[cfg_attr(with_ad, differentiable)]
pub fn s06_bisection_like(a: f64, b: f64) -> f64 {
    let mut lo = a;
    let mut hi = b;
    for _ in 0..30 {
        let mid = 0.5 * (lo + hi);
        if mid * mid > 2.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    lo * hi
}

#[cfg_attr(with_ad, differentiable)]
pub fn s07_early_return(x: f64, y: f64) -> f64 {
    if x < 0.0 {
        return -x * y;
    }
    let z = x.ln_1p() * y.cos();
    if z > 1.0 {
        return z.sqrt();
    }
    z * z + x.atan2(y)
}

#[cfg_attr(with_ad, differentiable)]
pub fn s08_loop_break(x: f64) -> f64 {
    let mut v = x;
    let mut n = 0;
    loop {
        v = v.tanh() + 0.5 * v;
        n += 1;
        if v > 10.0 || n > 50 {
            break;
        }
    }
    v
}

#[cfg_attr(with_ad, differentiable)]
pub fn s09_match_mode(x: f64, y: f64, mode: u8) -> f64 {
    let r = match mode {
        0 => x + y,
        1 => x * y,
        2 => x.hypot(y),
        _ => x.max(y),
    };
    r * r.exp()
}

#[cfg_attr(with_ad, differentiable)]
pub fn s10_nested(x: f64, y: f64) -> f64 {
    let mut acc = 0.0;
    for i in 0..5 {
        let mut t = x;
        for j in 0..i {
            if j % 2 == 0 {
                t = t * y;
            } else {
                continue;
            }
        }
        acc += t;
    }
    acc
}

#[cfg_attr(with_ad, differentiable)]
pub fn t01_linear_mse(x: &Tensor, w: &Tensor, y: &Tensor) -> Tensor {
    (x.mm(w) - y).powi(2).mean()
}

#[cfg_attr(with_ad, differentiable(wrt(w1, w2)))]
pub fn t02_mlp(x: &Tensor, w1: &Tensor, w2: &Tensor, y: &Tensor) -> Tensor {
    (x.mm(w1).tanh().mm(w2) - y).powi(2).mean()
}

#[cfg_attr(with_ad, differentiable(wrt(w1, b1, w2)))]
pub fn t03_mlp_bias(x: &Tensor, w1: &Tensor, b1: &Tensor, w2: &Tensor) -> Tensor {
    (x.mm(w1) + b1).relu().mm(w2).sum()
}

#[cfg_attr(with_ad, differentiable)]
pub fn t04_logistic(w: &Tensor, x: &Tensor) -> Tensor {
    let p = x.mv(w).sigmoid();
    -(p.ln().sum())
}

#[cfg_attr(with_ad, differentiable)]
pub fn t05_big_mm(a: &Tensor, b: &Tensor, c: &Tensor) -> Tensor {
    a.mm(b).tanh().mm(c).sum()
}

#[cfg_attr(with_ad, differentiable)]
pub fn t06_seed_mean(x: &Tensor) -> Tensor {
    ((x + 2.0).powi(2) * 3.0).mean()
}

#[cfg_attr(with_ad, differentiable)]
pub fn t07_control(a: &Tensor) -> Tensor {
    let mut b = a * 2.0;
    while b.norm().item() < 1000.0 {
        b = &b * 2.0;
    }
    let c = if b.sum().item() > 0.0 { b } else { &b * 100.0 };
    c.sum()
}

#[cfg_attr(with_ad, differentiable(wrt(w)))]
pub fn t08_rnn(w: &Tensor, h0: &Tensor, steps: usize) -> Tensor {
    let mut h = h0.clone();
    for _ in 0..steps {
        h = w.mv(&h).tanh();
    }
    h.sum()
}

#[cfg_attr(with_ad, differentiable)]
pub fn t09_softplus_norm(x: &Tensor) -> Tensor {
    let y = (x.exp() + 1.0).ln();
    y.norm() + y.mean_axis(0, false).sum()
}

#[cfg_attr(with_ad, differentiable)]
pub fn t10_two_layer_sum(x: &Tensor, w: &Tensor) -> Tensor {
    let h = x.mm(w).sin();
    let z = h.mm(&w.t()).abs();
    z.mean() * 0.5 + h.sum()
}
