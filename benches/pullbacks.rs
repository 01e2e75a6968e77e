//! Criterion groups, one per runtime optimisation, each with its "before" (the general path
//! the optimisation replaces, forced by giving it inputs it cannot take the shortcut on) and its
//! "after", measured in the same run:
//!
//! - `uniform_mm`: the pullback of a 512x512 matrix product with a uniform cotangent (what
//!   `sum`/`mean` produce): two products before, row/column sums after;
//! - `self_mul`: `&x * &x` (10^6 elements), value and gradient: two gradient tensors summed
//!   before, one doubled in place after (`mul_lr` on one buffer), and the fused `square_vjp`;
//! - `self_dot`: `x.dot(&x)` (10^6 elements) likewise, and the fused `dot_self_vjp`;
//! - `batched_weight_grad`: the weight gradient of `x.matmul(&w)` with `x` `[32, 64, 128]` and
//!   `w` `[128, 64]` shared by the batch: one kernel call per batch before (`bmm` against `w`
//!   broadcast, without even the sum over the batch the general path adds), one call on the
//!   stacked rows after (`matmul_vjp_r`).
//!
//! ```text
//! cargo bench --bench pullbacks
//! ```

use autodiff::__rt::{acc, mul_lr, BatchedVjp, DotSelfVjp, Pullback, SquareVjp, TensorVjp};
use autodiff::Tensor;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;

/// Both gradients of an `_lr` pullback summed into one adjoint, as the generated code does.
fn summed(ga: Tensor, gb: Tensor) -> Tensor {
    let mut slot = None;
    acc(&mut slot, ga);
    acc(&mut slot, gb);
    slot.expect("two gradients")
}

fn uniform_mm(c: &mut Criterion) {
    let n = 512;
    let a = Tensor::<f32>::randn(&[n, n], 1);
    let b = Tensor::<f32>::randn(&[n, n], 2);
    let uniform = Tensor::full(&[n, n], 1.0f32);
    let mut almost = uniform.clone();
    almost.as_mut_slice()[n * n - 1] = 1.0 + f32::EPSILON; // not uniform: the general path
    let (_, pb) = a.mm_vjp_lr(&b);
    let mut g = c.benchmark_group("uniform_mm");
    g.sample_size(10).measurement_time(Duration::from_secs(2));
    g.bench_function("before (two products)", |bench| {
        bench.iter(|| black_box(pb.pull(almost.clone())))
    });
    g.bench_function("after (row/column sums)", |bench| {
        bench.iter(|| black_box(pb.pull(uniform.clone())))
    });
    g.finish();
}

fn self_products(c: &mut Criterion) {
    let x = Tensor::<f32>::randn(&[1_000_000], 3);
    let copy = x.map(|v| v); // same values, another buffer: no shortcut
    let one = Tensor::ones(&[1_000_000]);
    let mut g = c.benchmark_group("self_mul");
    g.sample_size(20).measurement_time(Duration::from_secs(2));
    g.bench_function("before (two gradients summed)", |bench| {
        bench.iter(|| {
            let (y, pb) = mul_lr(&x, &copy);
            let (ga, gb) = pb.pull(one.clone());
            black_box((y, summed(ga, gb)))
        })
    });
    g.bench_function("after (one buffer, doubled in place)", |bench| {
        bench.iter(|| {
            let (y, pb) = mul_lr(&x, &x);
            let (ga, gb) = pb.pull(one.clone());
            black_box((y, summed(ga, gb)))
        })
    });
    g.bench_function("fused square_vjp", |bench| {
        bench.iter(|| {
            let (y, pb) = (&x).square_vjp();
            black_box((y, pb.pull(one.clone())))
        })
    });
    g.finish();

    let s = Tensor::scalar(1.0f32);
    let mut g = c.benchmark_group("self_dot");
    g.sample_size(20).measurement_time(Duration::from_secs(2));
    g.bench_function("before (two gradients summed)", |bench| {
        bench.iter(|| {
            let (y, pb) = x.dot_vjp_lr(&copy);
            let (ga, gb) = pb.pull(s.clone());
            black_box((y, summed(ga, gb)))
        })
    });
    g.bench_function("after (one buffer, doubled in place)", |bench| {
        bench.iter(|| {
            let (y, pb) = x.dot_vjp_lr(&x);
            let (ga, gb) = pb.pull(s.clone());
            black_box((y, summed(ga, gb)))
        })
    });
    g.bench_function("fused dot_self_vjp", |bench| {
        bench.iter(|| {
            let (y, pb) = x.dot_self_vjp();
            black_box((y, pb.pull(s.clone())))
        })
    });
    g.finish();
}

fn batched_weight_grad(c: &mut Criterion) {
    let (b, m, k, n) = (32, 64, 128, 64);
    let x = Tensor::<f32>::randn(&[b, m, k], 1);
    let w = Tensor::<f32>::randn(&[k, n], 2);
    let w_batch = w.unsqueeze(0).broadcast_to(&[b, k, n]);
    let g_out = Tensor::<f32>::randn(&[b, m, n], 3);
    let (_, per_batch) = x.bmm_vjp_r(&w_batch);
    let (_, stacked) = x.matmul_vjp_r(&w);
    let mut g = c.benchmark_group("batched_weight_grad");
    g.sample_size(20).measurement_time(Duration::from_secs(2));
    g.bench_function("before (one product per batch)", |bench| {
        bench.iter(|| black_box(per_batch.pull(g_out.clone())))
    });
    g.bench_function("after (one product on the stacked rows)", |bench| {
        bench.iter(|| black_box(stacked.pull(g_out.clone())))
    });
    g.finish();
}

criterion_group!(benches, uniform_mm, self_products, batched_weight_grad);
criterion_main!(benches);
