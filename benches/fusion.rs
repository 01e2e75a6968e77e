//! Criterion groups for the compile-time fusion of element-wise chains (`#[differentiable]`
//! emits `fused_map` / `fused_sum` / `fused_mean` / `fused_map_n`) and for the generated code's
//! fixed costs, each with its "before" (the code the macro emitted until then, written out
//! with the same runtime forms) and its "after" (what it emits now), measured in the same run:
//!
//! - `fused_mean`: W2 `mean(3·(x+2)²)` over 10^6 elements, value and gradient: one VJP form
//!   per operation (four forward passes, three backward) before, one pass forward and none
//!   backward (seed 1) after;
//! - `fused_scalar_chain`: W4, 10,000 Euler steps `x += h·(p·sin x − q·x²)` with the gradient
//!   in `x0`, `p`, `q`: seven scalar pullbacks recorded per step before, the step's three
//!   partial derivatives (one `fused_map_n` record, plus `mul_r`/`add_lr` for `h·` and `x +`)
//!   after, and the whole update `x += h·(..)` one `fused_map_n` (`h` a constant of the chain);
//! - `trace`: the segment-id trace of a straight-line body (one id; the generated code now keeps
//!   no trace at all there) and of a loop of 10,000 turns: a `Vec` with capacity 64 before, the
//!   run-length-encoded inline [`Trace`](autodiff::__rt::Trace) after; and a tensor's shape
//!   remembered by a pullback, as a `Vec` before and a `Shape` after.
//!
//! ```text
//! cargo bench --bench fusion
//! ```

use autodiff::__rt::{
    add_l, add_lr, fuse_const, fused_map_n, fused_mean, mul_l, mul_lr, mul_r, sub_lr, Pullback,
    ScalarVjp, TensorVjp, Trace,
};
use autodiff::Tensor;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;

fn fused_mean_group(c: &mut Criterion) {
    let x = Tensor::<f32>::randn(&[1000, 1000], 2);
    let seed = Tensor::scalar(1.0f32);
    let mut g = c.benchmark_group("fused_mean");
    g.sample_size(20).measurement_time(Duration::from_secs(2));
    g.bench_function("before (one VJP form per operation)", |b| {
        b.iter(|| {
            let (t1, pb1) = add_l(black_box(&x), 2.0);
            let (t2, pb2) = t1.powi_vjp(2);
            let (t3, pb3) = mul_l(t2, 3.0);
            let (y, pb4) = t3.mean_vjp();
            let g = pb1.pull(pb2.pull(pb3.pull(pb4.pull(seed.clone()))));
            black_box((y, g))
        })
    });
    g.bench_function("after (fused_mean)", |b| {
        b.iter(|| {
            let (y, pb) = fused_mean(black_box(&x), |v| (v + 2.0).powi(2) * 3.0);
            black_box((y, pb.pull(seed.clone())))
        })
    });
    g.finish();
}

const H: f32 = 0.001;

/// W4 as the macro lowered it before fusion: seven VJP forms per step.
fn w4_unfused(x0: f32, p: f32, q: f32, steps: usize) -> (f32, [f32; 3]) {
    let mut x = x0;
    let mut recs = Vec::with_capacity(16);
    for _ in 0..steps {
        let (t1, pb1) = x.sin_vjp();
        let (t2, pb2) = mul_lr(p, t1);
        let (t3, pb3) = mul_lr(q, x);
        let (t4, pb4) = mul_lr(t3, x);
        let (t5, pb5) = sub_lr(t2, t4);
        let (t6, pb6) = mul_r(H, t5);
        let (t7, pb7) = add_lr(x, t6);
        x = t7;
        recs.push((pb1, pb2, pb3, pb4, pb5, pb6, pb7));
    }
    let (mut dx, mut dp, mut dq) = (1.0f32, 0.0f32, 0.0f32);
    for (pb1, pb2, pb3, pb4, pb5, pb6, pb7) in recs.iter().rev() {
        let (dx7, dt6) = pb7.pull(dx);
        let (dt2, dt4) = pb5.pull(pb6.pull(dt6));
        let (dt3, dx4) = pb4.pull(dt4);
        let (dq3, dx3) = pb3.pull(dt3);
        let (dp2, dt1) = pb2.pull(dt2);
        dx = dx7 + dx4 + dx3 + pb1.pull(dt1);
        dp += dp2;
        dq += dq3;
    }
    (x, [dx, dp, dq])
}

/// W4 as the macro lowers it now: the step's chain is one `fused_map_n` of three inputs.
fn w4_fused(x0: f32, p: f32, q: f32, steps: usize) -> (f32, [f32; 3]) {
    let mut x = x0;
    let mut recs = Vec::with_capacity(16);
    for _ in 0..steps {
        let (t1, pb1) = fused_map_n((&p, &x, &q), |[p, x, q]| p * x.sin() - q * x * x);
        let (t2, pb2) = mul_r(H, t1);
        let (t3, pb3) = add_lr(x, t2);
        x = t3;
        recs.push((pb1, pb2, pb3));
    }
    let (mut dx, mut dp, mut dq) = (1.0f32, 0.0f32, 0.0f32);
    for (pb1, pb2, pb3) in recs.iter().rev() {
        let (dx3, dt2) = pb3.pull(dx);
        let (dp1, dx1, dq1) = pb1.pull(pb2.pull(dt2));
        dx = dx3 + dx1;
        dp += dp1;
        dq += dq1;
    }
    (x, [dx, dp, dq])
}

/// W4 with the whole update `x += h·(..)` one `fused_map_n` (the constant `h` inside the
/// chain): one record of three partials per step.
fn w4_fused_update(x0: f32, p: f32, q: f32, steps: usize) -> (f32, [f32; 3]) {
    let h = H;
    let mut x = x0;
    let mut recs = Vec::with_capacity(16);
    for _ in 0..steps {
        let (t1, pb1) = fused_map_n((&x, &p, &q), {
            let h = fuse_const(h, &x);
            move |[x, p, q]| x + h * (p * x.sin() - q * x * x)
        });
        x = t1;
        recs.push((pb1,));
    }
    let (mut dx, mut dp, mut dq) = (1.0f32, 0.0f32, 0.0f32);
    for (pb1,) in recs.iter().rev() {
        let (dx1, dp1, dq1) = pb1.pull(dx);
        dx = dx1;
        dp += dp1;
        dq += dq1;
    }
    (x, [dx, dp, dq])
}

fn fused_scalar_group(c: &mut Criterion) {
    let (x0, p, q, steps) = (0.5f32, 1.3f32, 0.7f32, 10_000);
    let mut g = c.benchmark_group("fused_scalar_chain");
    g.sample_size(30).measurement_time(Duration::from_secs(2));
    g.bench_function("before (seven pullbacks per step)", |b| {
        b.iter(|| black_box(w4_unfused(black_box(x0), p, q, steps)))
    });
    g.bench_function("after (three partials per step)", |b| {
        b.iter(|| black_box(w4_fused(black_box(x0), p, q, steps)))
    });
    g.bench_function("after (the whole update one fused_map_n)", |b| {
        b.iter(|| black_box(w4_fused_update(black_box(x0), p, q, steps)))
    });
    g.finish();
}

fn trace_group(c: &mut Criterion) {
    let mut g = c.benchmark_group("trace");
    g.sample_size(30).measurement_time(Duration::from_secs(1));
    // a straight-line body (one id) and a loop whose body is one segment (10,000 turns,
    // W4's shape: the entry segment, the body's, the exit's)
    for turns in [0u32, 10_000] {
        let ids = move |k: u32| -> u8 {
            match k {
                0 => 0,
                k if k <= turns => 1,
                _ => 2,
            }
        };
        let n = if turns == 0 { 1 } else { turns + 2 };
        g.bench_function(format!("before (Vec, {n} ids)"), |b| {
            b.iter(|| {
                let mut t: Vec<u8> = Vec::with_capacity(64);
                for k in 0..black_box(n) {
                    t.push(ids(k));
                }
                black_box(t.iter().rev().map(|&k| k as u32).sum::<u32>())
            })
        });
        g.bench_function(format!("after (Trace, {n} ids)"), |b| {
            b.iter(|| {
                let mut t = Trace::<u8>::new();
                for k in 0..black_box(n) {
                    t.push(ids(k));
                }
                black_box(t.iter().rev().map(|&k| k as u32).sum::<u32>())
            })
        });
    }
    let x = Tensor::<f32>::zeros(&[2, 2]);
    g.bench_function("before (shape as Vec)", |b| {
        b.iter(|| black_box(black_box(&x).shape().to_vec()))
    });
    g.bench_function("after (shape as Shape)", |b| {
        b.iter(|| black_box(black_box(&x).shape_owned()))
    });
    g.finish();
}

criterion_group!(benches, fused_mean_group, fused_scalar_group, trace_group);
criterion_main!(benches);
