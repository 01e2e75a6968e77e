//! The benchmark runner: measures the workloads of `benches/WORKLOADS.md` and prints one
//! JSON object per (workload, size, threads) line on stdout, then checks every result against
//! the float64 reference values and exits non-zero, naming the workload, if any disagree beyond
//! float32 rounding.
//!
//! ```text
//! cargo run --release --example bench                          # everything, 1 and 2 threads
//! cargo run --release --example bench -- --threads 1 --only W4,W6
//! cargo run --release --example bench -- --only W4 --steps 1000000   # W4 memory per step
//! ```
//!
//! Options (all optional):
//! - `--threads LIST`: kernel thread counts, comma-separated (default `1,2`);
//! - `--only LIST`: workloads to run, by id (`W1`..`W6`, `BLAS` for the sgemm ceiling line) or
//!   full name; without it every workload and the ceiling line run;
//! - `--steps N`: Euler steps for W4 (default 10000, the defined size; other sizes are not
//!   checked, there is no reference for them);
//! - `--reference PATH`: the reference file (default `benches/reference-values.jsonl` of this
//!   repository; the runner fails if it cannot be read);
//! - `--verbose`: also print, per line, how close each result came to its tolerance;
//!
//! Every line also times the hand-written value and gradient of `hand.rs` (`hand_us`) and reports
//! `vs_hand = grad_us / hand_us`; the hand-written results are checked like the others.
//!
//! Timing (WORKLOADS.md "Measuring"): after a warm-up (at least 2 calls and 0.1 s) the calls
//! are grouped in blocks of about 50 ms; blocks run until at least 0.5 s and at least 7 blocks
//! have passed, and the reported time is the median over blocks of the per-call time.
//!
//! `peak_rss_kb` is the process's resident-set high-water mark (`VmHWM`) while that line was
//! measured: the runner resets it (`/proc/self/clear_refs`) before each line, so it includes the
//! line's inputs, its forward and gradient temporaries, the program itself and whatever memory
//! the allocator kept from earlier lines. If the reset is not permitted, it is the peak since
//! the process started (run one workload with `--only` to isolate it).
//!
//! Notes for a human (the kernel-time comparison of W5/W6, W4's memory per step, check
//! results) go to stderr; stdout holds only the JSON lines.

#[path = "reference.rs"]
mod reference;
#[path = "workloads.rs"]
mod workloads;

use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const WARMUP_TIME: Duration = Duration::from_millis(100);
const WARMUP_CALLS: usize = 2;
const MIN_TIME: Duration = Duration::from_millis(500);
const MIN_BLOCKS: usize = 7;
const BLOCK_TIME: Duration = Duration::from_millis(50);

struct Args {
    threads: Vec<usize>,
    only: Option<Vec<String>>,
    steps: usize,
    reference: PathBuf,
    verbose: bool,
}

const USAGE: &str = "usage: bench [--threads 1,2] [--only W1,..,W6,BLAS] [--steps N] \
                     [--reference PATH] [--verbose]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        threads: vec![1, 2],
        only: None,
        steps: workloads::W4_STEPS,
        reference: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/reference-values.jsonl"),
        verbose: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--threads" => {
                args.threads = value("--threads")?
                    .split(',')
                    .map(|t| match t.trim().parse::<usize>() {
                        Ok(n) if n > 0 => Ok(n),
                        _ => Err(format!("--threads: `{t}` is not a positive integer")),
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--only" => {
                let list = value("--only")?;
                args.only = Some(
                    list.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect(),
                );
            }
            "--steps" => {
                let v = value("--steps")?;
                args.steps = v
                    .parse()
                    .map_err(|_| format!("--steps: `{v}` is not a count"))?;
            }
            "--reference" => args.reference = PathBuf::from(value("--reference")?),
            "--verbose" | "-v" => args.verbose = true,
            "--help" | "-h" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(args)
}

/// Whether `--only` selects a workload with this id (`W4`) and name (`W4-scalar-loop`).
fn selected(only: &Option<Vec<String>>, id: &str, name: &str) -> bool {
    only.as_ref().is_none_or(|list| {
        list.iter()
            .any(|s| s.eq_ignore_ascii_case(id) || s.eq_ignore_ascii_case(name))
    })
}

/// Median per-call time of `f`, in microseconds (see the module documentation).
fn measure(f: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    let mut calls = 0usize;
    while calls < WARMUP_CALLS || start.elapsed() < WARMUP_TIME {
        f();
        calls += 1;
    }
    let per_call = start.elapsed().as_secs_f64() / calls as f64;
    let block = ((BLOCK_TIME.as_secs_f64() / per_call) as usize).max(1);
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < MIN_BLOCKS || start.elapsed() < MIN_TIME {
        let t = Instant::now();
        for _ in 0..block {
            f();
        }
        samples.push(t.elapsed().as_secs_f64() / block as f64);
    }
    median(&mut samples) * 1e6
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Resets the resident-set high-water mark; false if the kernel does not allow it.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// `VmHWM` of this process, in kB (0 if unavailable).
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// A JSON number (`null` for NaN and infinities, which JSON cannot spell).
fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        "null".to_string()
    }
}

/// A JSON number rounded to 3 decimals (times and ratios).
fn num3(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.3}")
    } else {
        "null".to_string()
    }
}

/// One raw `m x n x k` f32 product through the kernels the tensors use.
fn raw_gemm(m: usize, n: usize, k: usize) -> impl FnMut() {
    let a = autodiff::Tensor::<f32>::randn(&[m, k], 7).into_vec();
    let b = autodiff::Tensor::<f32>::randn(&[k, n], 8).into_vec();
    let mut c = vec![0.0f32; m * n];
    move || {
        autodiff::kernels::gemm(
            false,
            false,
            m,
            n,
            k,
            1.0,
            black_box(&a),
            k,
            &b,
            n,
            0.0,
            &mut c,
            n,
        );
        black_box(&mut c);
    }
}

/// The raw matrix products of a workload's forward pass, `(m, n, k)` each.
fn forward_products(id: &str, size: &str) -> Option<Vec<(usize, usize, usize)>> {
    match (id, size) {
        ("W5", "64x784x256x10") => Some(vec![(64, 256, 784), (64, 10, 256)]),
        ("W6", "1024") => Some(vec![(1024, 1024, 1024), (1024, 1024, 1024)]),
        _ => None,
    }
}

/// Checks one evaluation (value, forward value and gradients) against its reference line;
/// prints what disagrees and returns false on a failure.
fn check(
    r: &reference::Reference,
    inst: &workloads::Instance,
    eval: &workloads::Evaluation,
    label: &str,
    verbose: bool,
) -> bool {
    let grads: Vec<(&str, &[usize], &[f32])> = eval
        .grads
        .iter()
        .map(|g| (g.name, g.shape.as_slice(), g.data.as_slice()))
        .collect();
    let mut cmp = reference::compare(r, inst.numel, inst.steps, eval.value, &grads);
    let fwd_cmp = reference::compare(r, inst.numel, inst.steps, eval.fwd_value, &grads);
    cmp.failures.extend(
        fwd_cmp
            .failures
            .into_iter()
            .filter(|f| f.starts_with("value"))
            .map(|f| format!("forward {f}")),
    );
    if verbose {
        eprintln!(
            "check: {label}: worst error {:.4} of tolerance (rtol {:.1e})",
            cmp.worst,
            reference::rtol(inst.numel, inst.steps)
        );
    }
    if !cmp.failures.is_empty() {
        eprintln!("FAILED: {label} disagrees with the reference values:");
        for f in &cmp.failures {
            eprintln!("    {f}");
        }
    }
    cmp.failures.is_empty()
}

/// Prints the load average; warns at the start when other processes compete for the cores.
fn report_load(when: &str) {
    let Ok(load) = std::fs::read_to_string("/proc/loadavg") else {
        return;
    };
    eprintln!("load average at {when}: {}", load.trim());
    let one_minute: f64 = load
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    if when == "start" && one_minute > 0.5 {
        eprintln!(
            "warning: load average {one_minute:.2}: other processes compete for the cores, \
             so times (the 2-thread ones above all) are inflated"
        );
    }
}

/// The raw-kernel ceiling: one 1024^3 f32 product per thread count.
fn ceiling_lines(thread_counts: &[usize]) {
    for &threads in thread_counts {
        autodiff::kernels::set_num_threads(threads);
        reset_peak_rss();
        let us = measure(&mut raw_gemm(1024, 1024, 1024));
        let gflops = 2.0 * 1024f64.powi(3) / (us * 1e-6) / 1e9;
        println!(
            "{{\"framework\": \"autodiff\", \"workload\": \"BLAS-ceiling-sgemm\", \
             \"size\": \"1024\", \"threads\": {threads}, \"fwd_us\": {}, \"gflops\": {}, \
             \"peak_rss_kb\": {}}}",
            num3(us),
            num3(gflops),
            peak_rss_kb()
        );
    }
}

/// Compares a W5/W6 forward with the raw kernel time of its matrix products.
fn kernel_note(label: &str, products: &[(usize, usize, usize)], fwd_us: f64, grad_us: f64) {
    let raw: f64 = products
        .iter()
        .map(|&(m, n, k)| measure(&mut raw_gemm(m, n, k)))
        .sum();
    eprintln!(
        "note: {label}: forward {fwd_us:.1} us = {:.3}x its raw matrix products \
         ({raw:.1} us); gradient = {:.2}x forward",
        fwd_us / raw,
        grad_us / fwd_us
    );
}

/// W4's memory recorded per Euler step, from the two peak-RSS readings.
fn w4_memory_note(label: &str, fwd_peak: u64, grad_peak: u64, steps: usize) {
    let per_step = (grad_peak as f64 - fwd_peak as f64) * 1024.0 / steps as f64;
    let hint = if steps < 1_000_000 {
        " (too few steps to be above the noise; try --only W4 --steps 1000000)"
    } else {
        ""
    };
    eprintln!(
        "note: {label}: peak RSS forward {fwd_peak} kB, value+gradient {grad_peak} kB: \
         ~{per_step:.1} bytes recorded per step{hint}"
    );
}

/// Final verdict on stderr and the exit code: failure if any line disagreed with its reference.
fn summary(failed: &[String]) -> ExitCode {
    if failed.is_empty() {
        eprintln!("all results agree with the reference values");
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "FAILED: {} line(s) disagree with the reference values:",
            failed.len()
        );
        for f in failed {
            eprintln!("    {f}");
        }
        ExitCode::FAILURE
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: built without optimisations; use `cargo run --release --example bench`"
        );
    }
    eprintln!(
        "autodiff bench: kernel backend {}, threads {:?}",
        autodiff::kernels::BACKEND,
        args.threads
    );

    report_load("start");

    let references = match reference::load(&args.reference) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot read the reference values: {e}");
            return ExitCode::from(2);
        }
    };
    let can_reset_rss = reset_peak_rss();
    if !can_reset_rss {
        eprintln!("warning: cannot reset VmHWM; peak_rss_kb is the process-wide peak so far");
    }

    let mut failed: Vec<String> = Vec::new();
    for spec in workloads::specs(args.steps) {
        if !selected(&args.only, spec.id(), spec.workload) {
            continue;
        }
        let mut inst = (spec.build)();
        let reference = references
            .iter()
            .find(|r| r.workload == spec.workload && r.size == spec.size);
        if reference.is_none() {
            eprintln!(
                "note: no reference for {} {}; not checked",
                spec.workload, spec.size
            );
        }
        for &threads in &args.threads {
            autodiff::kernels::set_num_threads(threads);
            let label = format!("{} {} threads={threads}", spec.workload, spec.size);

            reset_peak_rss();
            let fwd_us = measure(&mut inst.fwd);
            let fwd_peak = peak_rss_kb();
            reset_peak_rss();
            let grad_us = measure(&mut inst.grad);
            let grad_peak = peak_rss_kb();
            let peak = fwd_peak.max(grad_peak);
            let hand_us = measure(&mut inst.hand);
            let eval = (inst.evaluate)();
            let hand_eval = (inst.hand_evaluate)();

            println!(
                "{{\"framework\": \"autodiff\", \"workload\": \"{}\", \"size\": \"{}\", \
                 \"threads\": {threads}, \"fwd_us\": {}, \"grad_us\": {}, \"ratio\": {}, \
                 \"hand_us\": {}, \"vs_hand\": {}, \
                 \"value\": {}, \"grad_checksum\": {}, \"grad_abs_checksum\": {}, \
                 \"peak_rss_kb\": {peak}}}",
                spec.workload,
                spec.size,
                num3(fwd_us),
                num3(grad_us),
                num3(grad_us / fwd_us),
                num3(hand_us),
                num3(grad_us / hand_us),
                num(eval.value),
                num(eval.grad_checksum()),
                num(eval.grad_abs_checksum()),
            );

            // Diagnostics for a human.
            if spec.id() == "W4" && can_reset_rss {
                w4_memory_note(&label, fwd_peak, grad_peak, args.steps);
            }
            if let Some(products) = forward_products(spec.id(), &spec.size) {
                kernel_note(&label, &products, fwd_us, grad_us);
            }

            if eval.fwd_value.to_bits() != eval.value.to_bits() {
                eprintln!(
                    "note: {label}: the plain function gives {} and `_grad` gives {}",
                    eval.fwd_value, eval.value
                );
            }
            if let Some(r) = reference {
                for (what, ev) in [("", &eval), (" (hand-written)", &hand_eval)] {
                    let label = format!("{label}{what}");
                    if !check(r, &inst, ev, &label, args.verbose) {
                        failed.push(label);
                    }
                }
            }
        }
    }

    if selected(&args.only, "BLAS", "BLAS-ceiling-sgemm") {
        ceiling_lines(&args.threads);
    }

    report_load("end");
    summary(&failed)
}
