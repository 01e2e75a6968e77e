//! The float64 reference values of `benches/reference-values.jsonl` and the float32
//! tolerance the benchmark results are checked with.
//!
//! # Tolerance
//! Every quantity is compared as `|got - want| <= rtol * scale`, where
//!
//! - `rtol = max(1e-4, 1e-6 * sqrt(n), steps * eps32)`, where `n` is the element count of the
//!   largest input and `steps` the number of sequential steps a loop carries a value through
//!   (W4's Euler steps; 1 elsewhere), `eps32 = 2^-23`: `1e-4` (about 840 f32 ulps) for small
//!   inputs, growing like the random-walk error of a float32 reduction beyond 10^4 elements (to
//!   `1e-3` at 10^6), and like the worst-case error of a chain of `steps` roundings for a long
//!   scalar loop (`1.2e-3` at 10^4 steps: once W4's state has converged every step multiplies
//!   the derivative by the same rounded factor, so those errors add up instead of averaging out,
//!   and `d x_T / d x0` comes out 2.5e-4 high in float32);
//! - `scale` is what the error is proportional to: `|want|` for the value; for a gradient sum the
//!   larger of `|sum|` and the sum of absolute values (a signed sum of 10^6 entries may cancel to
//!   much less than its terms, whose rounding errors it still carries); for a head entry the
//!   larger of `|entry|` and the mean absolute entry of that gradient.
//!
//! The measured errors are far inside this (see the runner's `--verbose` output): it is loose
//! enough for any summation order or blocking of a float32 kernel, and tight enough that a wrong
//! derivative rule, a missed branch or a lost term fails by orders of magnitude.
#![allow(dead_code)] // each includer uses a different subset

use std::path::Path;

/// One input's gradient in the reference file.
#[derive(Debug, Clone)]
pub struct RefGrad {
    pub name: String,
    pub shape: Vec<usize>,
    pub sum: f64,
    pub abs_sum: f64,
    pub head: Vec<f64>,
}

/// One line of the reference file.
#[derive(Debug, Clone)]
pub struct Reference {
    pub workload: String,
    pub size: String,
    pub value: f64,
    pub grad_checksum: f64,
    pub grad_abs_checksum: f64,
    pub grads: Vec<RefGrad>,
}

/// Parses the JSON-lines reference file.
pub fn load(path: &Path) -> Result<Vec<Reference>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| parse_line(line).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1)))
        .collect()
}

fn parse_line(line: &str) -> Result<Reference, String> {
    use serde_json::Value;
    let v: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let str_field = |key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or(format!("no string `{key}`"))
    };
    let num = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_f64)
            .ok_or(format!("no number `{key}`"))
    };
    let mut grads = Vec::new();
    if let Some(obj) = v.get("grads").and_then(Value::as_object) {
        // serde_json's map is sorted by key; the order does not matter, gradients are matched
        // by name.
        for (name, g) in obj {
            let shape = g
                .get("shape")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_u64)
                        .map(|d| d as usize)
                        .collect()
                })
                .unwrap_or_default();
            let head = g
                .get("head")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default();
            grads.push(RefGrad {
                name: name.clone(),
                shape,
                sum: num(g, "sum")?,
                abs_sum: num(g, "abs_sum")?,
                head,
            });
        }
    }
    Ok(Reference {
        workload: str_field("workload")?,
        size: str_field("size")?,
        value: num(&v, "value")?,
        grad_checksum: num(&v, "grad_checksum")?,
        grad_abs_checksum: num(&v, "grad_abs_checksum")?,
        grads,
    })
}

/// The relative tolerance for a workload whose largest input has `n` elements and whose values
/// go through `steps` sequential loop steps (see the module documentation).
pub fn rtol(n: usize, steps: usize) -> f64 {
    let eps32 = f32::EPSILON as f64;
    1e-4f64
        .max(1e-6 * (n as f64).sqrt())
        .max(steps as f64 * eps32)
}

/// The outcome of comparing one result with its reference.
pub struct Comparison {
    /// Human-readable disagreements (empty when everything is within tolerance).
    pub failures: Vec<String>,
    /// The largest `|got - want| / (rtol * scale)` seen (below 1 passes).
    pub worst: f64,
    rtol: f64,
}

impl Comparison {
    fn check(&mut self, what: String, got: f64, want: f64, scale: f64) {
        let tol = self.rtol * scale.abs().max(f64::MIN_POSITIVE);
        let err = (got - want).abs();
        let ratio = if err.is_nan() {
            f64::INFINITY
        } else {
            err / tol
        };
        self.worst = self.worst.max(ratio);
        if ratio > 1.0 {
            self.failures.push(format!(
                "{what}: got {got:.9e}, reference {want:.9e} (|diff| {err:.3e} > tolerance {tol:.3e})"
            ));
        }
    }
}

/// Compares a value and its gradients (name, shape, entries) with the reference.
pub fn compare(
    reference: &Reference,
    n: usize,
    steps: usize,
    value: f64,
    grads: &[(&str, &[usize], &[f32])],
) -> Comparison {
    let mut cmp = Comparison {
        failures: Vec::new(),
        worst: 0.0,
        rtol: rtol(n, steps),
    };
    cmp.check("value".into(), value, reference.value, reference.value);
    let mut total = 0.0f64;
    let mut total_abs = 0.0f64;
    for (name, shape, data) in grads {
        let sum: f64 = data.iter().map(|&v| v as f64).sum();
        let abs_sum: f64 = data.iter().map(|&v| (v as f64).abs()).sum();
        total += sum;
        total_abs += abs_sum;
        let Some(r) = reference.grads.iter().find(|g| g.name == *name) else {
            cmp.failures
                .push(format!("gradient `{name}`: not in the reference file"));
            continue;
        };
        if r.shape != *shape {
            cmp.failures.push(format!(
                "gradient `{name}`: shape {shape:?}, reference shape {:?}",
                r.shape
            ));
            continue;
        }
        cmp.check(
            format!("gradient `{name}` sum"),
            sum,
            r.sum,
            r.sum.abs().max(r.abs_sum),
        );
        cmp.check(
            format!("gradient `{name}` abs_sum"),
            abs_sum,
            r.abs_sum,
            r.abs_sum,
        );
        let mean_abs = r.abs_sum / data.len().max(1) as f64;
        for (i, (&got, &want)) in data.iter().zip(&r.head).enumerate() {
            cmp.check(
                format!("gradient `{name}`[{i}]"),
                got as f64,
                want,
                want.abs().max(mean_abs),
            );
        }
    }
    for r in &reference.grads {
        if !grads.iter().any(|(name, _, _)| *name == r.name) {
            cmp.failures.push(format!(
                "gradient `{}`: in the reference file but not computed",
                r.name
            ));
        }
    }
    cmp.check(
        "grad_checksum".into(),
        total,
        reference.grad_checksum,
        reference
            .grad_checksum
            .abs()
            .max(reference.grad_abs_checksum),
    );
    cmp.check(
        "grad_abs_checksum".into(),
        total_abs,
        reference.grad_abs_checksum,
        reference.grad_abs_checksum,
    );
    cmp
}
