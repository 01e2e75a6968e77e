//! Criterion benchmarks of the WORKLOADS.md workloads (forward, and value+gradient), for
//! development. The numbers to publish come from the runner (`cargo run --release --example
//! bench`), which also checks the results; these give criterion's statistics and change
//! detection between runs.
//!
//! ```text
//! cargo bench --bench workloads                 # everything (a few minutes)
//! cargo bench --bench workloads -- W4           # one workload (criterion's substring filter)
//! AUTODIFF_NUM_THREADS=1 cargo bench --bench workloads
//! ```
//!
//! Measurement times are kept short (0.5 s warm-up, 2 s measurement, 10 samples) so a full run
//! takes a few minutes; the slow W6 uses flat sampling so its 10 samples fit.

#[path = "../examples/bench/workloads.rs"]
mod workloads;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use std::time::Duration;

fn bench_workloads(c: &mut Criterion) {
    for spec in workloads::specs(workloads::W4_STEPS) {
        let mut group = c.benchmark_group(format!("{}/{}", spec.workload, spec.size));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        if spec.id() == "W6" {
            group.sampling_mode(SamplingMode::Flat);
        }
        let mut inst = (spec.build)();
        group.bench_function("fwd", |b| b.iter(&mut inst.fwd));
        group.bench_function("grad", |b| b.iter(&mut inst.grad));
        group.finish();
    }
}

criterion_group!(benches, bench_workloads);
criterion_main!(benches);
