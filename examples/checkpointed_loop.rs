//! A very long loop differentiated in little memory: W4 (explicit Euler steps of
//! `x' = p sin x - q x²`, `benches/WORKLOADS.md`) at 10^7 steps, with and without
//! `#[checkpoint(every = 1000)]`. Prints each run's time and peak resident memory, and checks that
//! the two gradients are the same bit for bit.
//!
//! ```text
//! cargo run --release --example checkpointed_loop [-- --steps 10000000 --every 1000]
//! ```
//!
//! Peak memory is read from `/proc/self/status` (`VmHWM`, reset between the runs through
//! `/proc/self/clear_refs`), so it is printed on Linux only.

use autodiff::prelude::*;
use std::time::Instant;

/// W4 as the benchmark writes it: every iteration's record is kept for the pullback.
#[differentiable]
fn euler(x0: f32, p: f32, q: f32, steps: usize) -> f32 {
    let h = 0.001f32;
    let mut x = x0;
    for _ in 0..steps {
        x += h * (p * x.sin() - q * x * x);
    }
    x
}

/// The same loop, checkpointed: the state `x` is stored every `every` steps, and the pullback
/// runs each block of steps again before reversing it.
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

/// Value and gradient of W4 at `steps` steps: checkpointed every `every` steps, then recorded
/// at every step.
pub type Result3 = (f32, (f32, f32, f32));

/// Both runs of W4, checkpointed first (see [`main`] for the memory each takes).
pub fn both(steps: usize, every: usize) -> (Result3, Result3) {
    (
        euler_checkpointed_grad(0.5, 1.3, 0.7, steps, every),
        euler_grad(0.5, 1.3, 0.7, steps),
    )
}

fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("a positive integer"))
        .unwrap_or(default)
}

fn report(label: &str, seconds: f64, can_reset: bool) {
    let rss = match (peak_rss_mb(), can_reset) {
        (Some(mb), true) => format!("peak RSS {mb:.1} MB"),
        (Some(mb), false) => format!("peak RSS so far {mb:.1} MB (could not reset VmHWM)"),
        (None, _) => "peak RSS unavailable".to_string(),
    };
    println!("{label:<28} {:>8.1} ms   {rss}", seconds * 1e3);
}

#[allow(dead_code)] // also compiled into tests/examples.rs, which calls `both` only
fn main() {
    let steps = arg("--steps", 10_000_000);
    let every = arg("--every", 1000);
    println!("W4, {steps} Euler steps, x0 = 0.5, p = 1.3, q = 0.7");

    // the checkpointed run first: the high-water mark only grows
    let can_reset = reset_peak_rss();
    let t = Instant::now();
    let (y_ck, g_ck) = euler_checkpointed_grad(0.5, 1.3, 0.7, steps, every);
    report(
        &format!("checkpoint(every = {every})"),
        t.elapsed().as_secs_f64(),
        can_reset,
    );

    let can_reset = reset_peak_rss();
    let t = Instant::now();
    let (y, g) = euler_grad(0.5, 1.3, 0.7, steps);
    report("every step recorded", t.elapsed().as_secs_f64(), can_reset);

    println!("value {y_ck}, gradient (x0, p, q) = {g_ck:?}");
    assert_eq!((y, g), (y_ck, g_ck), "the checkpointed gradient differs");
    println!("the two gradients are identical bit for bit");
}
