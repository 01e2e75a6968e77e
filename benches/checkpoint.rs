//! What `#[checkpoint(every = K)]` costs in time: W4 (explicit Euler steps, f32) at 10^5 steps,
//! value and gradient, with every step recorded against checkpointed every 100 and 1000 steps
//! (the pullback runs each block forward again before reversing it).
//! `cargo bench --bench checkpoint`; the memory side is `examples/checkpointed_loop.rs`.

use autodiff::prelude::*;
use criterion::{black_box, criterion_group, criterion_main, Criterion};

#[differentiable]
fn euler(x0: f32, p: f32, q: f32, steps: usize) -> f32 {
    let h = 0.001f32;
    let mut x = x0;
    for _ in 0..steps {
        x += h * (p * x.sin() - q * x * x);
    }
    x
}

#[differentiable]
fn euler_checkpointed(x0: f32, p: f32, q: f32, steps: usize, every: usize) -> f32 {
    let h = 0.001f32;
    let mut x = x0;
    #[checkpoint(every = every)]
    for _ in 0..steps {
        x += h * (p * x.sin() - q * x * x);
    }
    x
}

fn checkpoint(c: &mut Criterion) {
    const STEPS: usize = 100_000;
    let mut g = c.benchmark_group("w4_checkpoint");
    g.bench_function("recorded", |b| {
        b.iter(|| euler_grad(black_box(0.5), 1.3, 0.7, STEPS))
    });
    for every in [100, 1000] {
        g.bench_function(format!("every_{every}"), |b| {
            b.iter(|| euler_checkpointed_grad(black_box(0.5), 1.3, 0.7, STEPS, every))
        });
    }
    g.finish();
}

criterion_group!(benches, checkpoint);
criterion_main!(benches);
