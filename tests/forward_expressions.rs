//! Issue 12's ordinary Rust forms (UFCS and trait-path calls, closures with annotated
//! parameters, iterator chains, `&f64` operands, annotations and turbofish naming `f64`,
//! conversions, ranges, control flow as expressions, recursion, checkpointed loops, local
//! containers) in `NAME_jvp` and `NAME_hvp`: per form, the jvp against central differences,
//! `<u, J v>` against the vjp to 1e-12, and the hvp against central differences of the gradient.
// the forms are written as users write them (`acc = acc + x * w` is issue 12's example)
#![allow(
    clippy::assign_op_pattern,
    clippy::ptr_arg,
    clippy::useless_conversion,
    clippy::unnecessary_cast,
    clippy::useless_vec
)]

mod common;
use autodiff::prelude::*;
use common::assert_close;
use proptest::prelude::*;

const WS: [f64; 4] = [0.5, -1.25, 2.0, 0.75];

// ---- UFCS and trait paths ----

#[differentiable(jvp, hvp)]
fn ufcs(x: f64, y: f64) -> f64 {
    f64::max(x, y) + f64::sin(x) * f64::powf(y, 2.0) + f64::hypot(x, y) + f64::min(2.0, x)
}

#[differentiable(jvp, hvp)]
fn trait_paths(x: f64, y: f64) -> f64 {
    Float::sin(x) + <f64 as Float>::exp(y) * x + f64::powi(x, 3) * f64::atan2(y, x)
}

/// A parameter that is not differentiated as an operand of `f64::NAME`.
#[differentiable(wrt(x), jvp, hvp)]
fn ufcs_plain(x: f64, p: f64) -> f64 {
    f64::max(x, p) * f64::powf(x, p) + f64::min(p, x)
}

/// Conversions and casts to the function's own element type, integer casts.
#[differentiable(jvp, hvp)]
fn own_casts(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        s += (i as f64) * x * (n as f64);
    }
    s + f64::from(x) * (x as f64) + f64::from(2.0f32) * x
}

#[test]
fn ufcs_and_trait_paths() {
    for x in [0.5, 2.0] {
        check_x!(ufcs_plain, ufcs_plain_jvp, ufcs_plain_vjp, ufcs_plain_grad, ufcs_plain_hvp;
            (1.5); x);
    }
    check_x!(own_casts, own_casts_jvp, own_casts_vjp, own_casts_grad, own_casts_hvp; (4); 0.7);
    check_xy!(ufcs, ufcs_jvp, ufcs_vjp, ufcs_grad, ufcs_hvp; (); 0.4, 1.3);
    check_xy!(ufcs, ufcs_jvp, ufcs_vjp, ufcs_grad, ufcs_hvp; (); 1.1, -0.6);
    check_xy!(trait_paths, trait_paths_jvp, trait_paths_vjp, trait_paths_grad, trait_paths_hvp;
        (); 0.4, 1.3);
}

// ---- closures ----

#[differentiable(jvp, hvp)]
fn closures(x: f64, y: f64) -> f64 {
    let sq = |v: f64| v * v;
    let scaled = |v: f64| -> f64 { v * y + x };
    sq(x) + sq(y) * x + scaled(x * x) + sq(2.0)
}

/// Annotated closures passed to adapters of dual items, and `fold`'s accumulator.
#[differentiable(jvp, hvp)]
fn inline_closures(x: f64, y: f64, ws: &[f64]) -> f64 {
    let a = [x, y, x * y];
    let s: f64 = a.iter().map(|v: &f64| v * v).sum();
    let t = ws.iter().fold(0.0, |acc: f64, w: &f64| acc + w * x);
    let u = a
        .iter()
        .copied()
        .map(|v: f64| -> f64 { v.sin() })
        .sum::<f64>();
    let z = ws.iter().map(|w: &f64| w * 2.0).sum::<f64>();
    s + t + u + z * y
}

#[test]
fn closures_with_annotated_parameters() {
    check_xy!(closures, closures_jvp, closures_vjp, closures_grad, closures_hvp; (); 0.4, 1.3);
    check_xy!(inline_closures, inline_closures_jvp, inline_closures_vjp, inline_closures_grad,
        inline_closures_hvp; (&WS); 0.4, 1.3);
}

// ---- iterator chains ----

#[differentiable(jvp, hvp)]
fn chains(x: f64, y: f64, ws: &[f64]) -> f64 {
    let a = ws.iter().map(|&w| w * x).sum::<f64>();
    let b: f64 = ws
        .iter()
        .zip(ws.iter().skip(1))
        .map(|(p, q)| p * q * y)
        .sum();
    let c = ws
        .iter()
        .enumerate()
        .fold(0.0, |acc, (i, &w)| acc + w * x * y * i as f64);
    let d = ws.iter().map(|w| (w * x).sin()).product::<f64>();
    a * y + b + c + d
}

#[test]
fn iterator_chains() {
    check_xy!(chains, chains_jvp, chains_vjp, chains_grad, chains_hvp; (&WS); 0.4, 1.3);
}

// ---- `&f64` and `&Dual` operands ----

#[differentiable(jvp, hvp)]
fn ref_operands(x: f64, y: f64, ws: &[f64]) -> f64 {
    let mut acc = 0.0;
    for w in ws.iter() {
        acc = acc + x * w;
        acc += w * y;
    }
    let a = [x, y, x * y];
    for v in a.iter() {
        acc = acc + v * v;
    }
    let r = &x;
    acc * *r + a.iter().sum::<f64>()
}

#[test]
fn reference_operands() {
    check_xy!(ref_operands, ref_operands_jvp, ref_operands_vjp, ref_operands_grad,
        ref_operands_hvp; (&WS); 0.4, 1.3);
}

// ---- annotations, ranges, black_box, identity ----

#[differentiable(jvp, hvp)]
fn annotated(x: f64, y: f64) -> f64 {
    let a: f64 = x * y;
    let mut b: f64 = 1.0;
    for _ in 0..3 {
        b = b * a + x;
    }
    std::hint::black_box(a) * std::convert::identity(b)
}

#[differentiable(jvp, hvp)]
fn ranges(x: f64, y: f64) -> f64 {
    let z = x * y;
    match z {
        v if (0.0..1.0).contains(&v) => v * 3.0 + x,
        v if v >= 1.0 => v * v,
        _ => -z * y,
    }
}

#[test]
fn annotations_ranges_and_identities() {
    check_xy!(annotated, annotated_jvp, annotated_vjp, annotated_grad, annotated_hvp; ();
        0.4, 1.3);
    for (x, y) in [(0.4, 1.3), (1.5, 1.2), (-0.5, 0.8)] {
        check_xy!(ranges, ranges_jvp, ranges_vjp, ranges_grad, ranges_hvp; (); x, y);
    }
}

// ---- control flow as expressions ----

#[differentiable(jvp, hvp)]
fn if_expr(x: f64, y: f64, c: bool) -> f64 {
    x + if c { x * y } else { 2.0 * y }
}

#[differentiable(jvp, hvp)]
fn options(x: f64, y: f64, o: Option<f64>) -> f64 {
    let a = if let Some(k) = o { k * x } else { x * y };
    let Some(k) = o else { return a * x };
    a + k * y
}

#[differentiable(jvp, hvp)]
fn loops(x: f64, y: f64) -> f64 {
    let mut v = x;
    let r = loop {
        v = v * 1.5 + y;
        if v > 10.0 {
            break v * 2.0;
        }
    };
    let mut w = y;
    while w < 100.0 {
        w = w * w + x;
    }
    r + w
}

#[test]
fn control_flow_as_expressions() {
    for c in [true, false] {
        check_xy!(if_expr, if_expr_jvp, if_expr_vjp, if_expr_grad, if_expr_hvp; (c); 0.4, 1.3);
    }
    for o in [Some(0.5), None] {
        check_xy!(options, options_jvp, options_vjp, options_grad, options_hvp; (o); 0.4, 1.3);
    }
    check_xy!(loops, loops_jvp, loops_vjp, loops_grad, loops_hvp; (); 1.4, 1.3);
}

// ---- matching active values, adapters on inactive predicates, mutual recursion ----

#[differentiable(jvp, hvp)]
fn match_lit(x: f64, y: f64) -> f64 {
    match x * y {
        0.0..=1.0 => x * 3.0,
        2.5 => y,
        v => v * x,
    }
}

#[differentiable(jvp, hvp)]
fn adapters(x: f64, y: f64, ws: &[f64]) -> f64 {
    let mut acc = 0.0;
    ws.iter().for_each(|&w| acc = acc + w * x);
    let a: f64 = ws.iter().filter(|&&w| w > 0.0).map(|w: &f64| w * y).sum();
    let b = ws
        .iter()
        .take_while(|w| **w < 1.5)
        .map(|&w| w * x * y)
        .sum::<f64>();
    let c = ws.iter().map(|w| w * w).sum::<f64>();
    acc + a + b + c * x
}

#[differentiable(jvp, hvp)]
fn opt(x: f64, y: f64) -> f64 {
    let o = if x > 0.0 { Some(x * y) } else { None };
    let a = if let Some(v) = o { v * v } else { y };
    let Some(k) = o else { return a };
    a + k
}

#[differentiable(jvp, hvp)]
fn even(x: f64, n: u32) -> f64 {
    if n == 0 {
        x
    } else {
        x.sin() + odd(x, n - 1)
    }
}

#[differentiable(jvp, hvp)]
fn odd(x: f64, n: u32) -> f64 {
    if n == 0 {
        x * x
    } else {
        x * even(x, n - 1)
    }
}

#[differentiable(jvp, hvp)]
fn refs(x: f64, ws: &[f64]) -> f64 {
    let mut acc = x;
    for w in ws.iter() {
        let r = &w;
        acc = acc * *r + x * **r;
    }
    let p = &acc;
    acc + *p * x - x * p
}

#[test]
fn matches_adapters_and_mutual_recursion() {
    // the range arm and the binding arm
    for (x, y) in [(0.4, 1.3), (1.5, 1.2)] {
        check_xy!(match_lit, match_lit_jvp, match_lit_vjp, match_lit_grad, match_lit_hvp; ();
            x, y);
    }
    // x·y = 2.5 exactly (a single point: no differences), the arm `y`
    assert_eq!(match_lit_jvp(1.0, 2.5, 0.7, -0.4), (2.5, -0.4));
    assert_eq!(match_lit_vjp(1.0, 2.5).1(1.0), (0.0, 1.0));
    assert_eq!(match_lit_hvp(1.0, 2.5, 0.7, -0.4).2, (0.0, 0.0));
    check_xy!(adapters, adapters_jvp, adapters_vjp, adapters_grad, adapters_hvp; (&WS);
        0.4, 1.3);
    for (x, y) in [(0.4, 1.3), (-0.4, 1.3)] {
        check_xy!(opt, opt_jvp, opt_vjp, opt_grad, opt_hvp; (); x, y);
    }
    check_x!(even, even_jvp, even_vjp, even_grad, even_hvp; (5); 0.6);
    check_x!(refs, refs_jvp, refs_vjp, refs_grad, refs_hvp; (&WS); 0.6);
}

// ---- windows, labelled breaks, while let, nested closures, vec!, float constants ----

#[differentiable(jvp, hvp)]
fn windows(x: f64, ws: &[f64]) -> f64 {
    let mut s = 0.0;
    for w in ws.windows(2) {
        s += (w[0] - w[1]) * x;
    }
    for (i, w) in ws.iter().enumerate().rev() {
        if i == 0 {
            break;
        }
        s = s + *w * x * x;
    }
    s
}

#[differentiable(jvp, hvp)]
fn labels(x: f64, n: usize) -> f64 {
    let mut v = x;
    'outer: for i in 0..n {
        for j in 0..n {
            if i * j > 4 {
                break 'outer;
            }
            v = v * 1.1 + x;
        }
    }
    let mut k = 0;
    while let Some(t) = if k < 3 { Some(k) } else { None } {
        v = v + x * t as f64;
        k += 1;
    }
    v
}

#[differentiable(jvp, hvp)]
fn nested_closures(x: f64, y: f64) -> f64 {
    let f = |a: f64| a * y;
    let g = |b: f64| f(b) + b * x;
    g(x) + g(2.0)
}

#[differentiable(jvp, hvp)]
fn vec_ops(x: f64, y: f64) -> f64 {
    let v = vec![x, y, x * y];
    let m = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = v.iter().map(|a| a * 2.0).collect();
    m + w[2] + v.len() as f64 * x
}

#[differentiable(jvp, hvp)]
fn consts(x: f64) -> f64 {
    x * std::f64::consts::PI + f64::EPSILON + x.powi(2) * std::f64::consts::E
}

#[test]
fn more_loops_closures_and_constants() {
    check_x!(windows, windows_jvp, windows_vjp, windows_grad, windows_hvp; (&WS); 0.6);
    check_x!(labels, labels_jvp, labels_vjp, labels_grad, labels_hvp; (4); 0.6);
    check_xy!(nested_closures, nested_closures_jvp, nested_closures_vjp, nested_closures_grad,
        nested_closures_hvp; (); 0.4, 1.3);
    check_xy!(vec_ops, vec_ops_jvp, vec_ops_vjp, vec_ops_grad, vec_ops_hvp; (); 0.4, 1.3);
    check_xy!(vec_ops, vec_ops_jvp, vec_ops_vjp, vec_ops_grad, vec_ops_hvp; (); 2.0, 0.3);
    check_x!(consts, consts_jvp, consts_vjp, consts_grad, consts_hvp; (); 0.6);
}

// ---- recursion, checkpointed loops, tuples, arrays, local Vecs ----

#[differentiable(jvp, hvp)]
fn recursive(x: f64, n: u32) -> f64 {
    if n == 0 {
        x
    } else {
        x * recursive(x, n - 1) + x.sin()
    }
}

#[differentiable(jvp, hvp)]
fn checkpointed(x: f64, y: f64) -> f64 {
    let mut v = x;
    #[checkpoint(every = 4)]
    for _ in 0..20 {
        v = v.sin() + 0.5 * v * y;
    }
    v
}

#[differentiable(jvp, hvp)]
fn containers(x: f64, y: f64) -> f64 {
    let (a, b) = (x * y, x + y);
    let arr = [x, 2.0 * y, x * x];
    let mut v = Vec::new();
    for i in 0..3 {
        v.push(x * i as f64 + y);
    }
    a / b + arr.iter().sum::<f64>() + arr[1] * v[2] + v.iter().sum::<f64>()
}

#[test]
fn recursion_checkpoints_and_containers() {
    check_x!(recursive, recursive_jvp, recursive_vjp, recursive_grad, recursive_hvp; (3); 0.6);
    check_xy!(checkpointed, checkpointed_jvp, checkpointed_vjp, checkpointed_grad,
        checkpointed_hvp; (); 0.4, 1.3);
    check_xy!(containers, containers_jvp, containers_vjp, containers_grad, containers_hvp; ();
        0.4, 1.3);
}

// ---- conversions between f32 and f64 (jvp: functions of both element types) ----

#[differentiable(jvp)]
fn conversions(x: f32) -> f64 {
    let a = f64::from(x);
    let b: f64 = x.into();
    let c = x as f64;
    a * b + c.sin() + f64::from(x * x)
}

#[test]
fn conversions_between_f32_and_f64() {
    let (x, vx) = (0.6f32, 0.5f32);
    let (val, jv) = conversions_jvp(x, vx);
    assert_eq!(val, conversions(x));
    let xd = f64::from(x);
    let exact = (2.0 * xd + xd.cos() + 2.0 * xd) * f64::from(vx);
    assert_close(jv, exact, 1e-6);
    let (_, pb) = conversions_vjp(x);
    let g = pb(1.0);
    assert_close(jv, f64::from(g * vx), 1e-6);
}

// ---- generic `T: Float` functions (run at `T = Dual<T>` as written) ----

#[differentiable(jvp, hvp)]
fn generic_forms<T: Float>(x: T, y: T) -> T {
    let sq = |v: T| v * v;
    let a: T = Float::sin(x) + <T as Float>::exp(y) + T::max(x, y);
    let arr = [x, y, x * y];
    let s = arr.iter().fold(T::zero(), |acc, &v| acc + v * x);
    sq(x) * T::from(2.0).unwrap() + a + s
}

/// Data of the element type (`&[T]`, `Vec<T>`, `[T; N]`, `&Vec<T>`) enters as constants.
#[differentiable(wrt(x), jvp, hvp)]
fn generic_data<T: Float>(x: T, ws: &[T], v: Vec<T>, a: [T; 2], r: &Vec<T>) -> T {
    let s = ws.iter().map(|&w| w * x).fold(a[0] * r[0], |a, b| a + b);
    s * x + v.iter().fold(T::zero(), |acc, &w| acc + (w * x).sin())
}

#[test]
fn generic_functions() {
    check_xy!(generic_forms, generic_forms_jvp, generic_forms_vjp, generic_forms_grad,
        generic_forms_hvp; (); 0.4, 1.3);
    let v = vec![0.3, -0.8];
    let r = vec![1.5];
    check_x!(generic_data, generic_data_jvp, generic_data_vjp, generic_data_grad,
        generic_data_hvp; (&WS, v.clone(), [0.5, 2.0], &r); 0.6);
}

// ---- random inputs for closures and iterator chains ----

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn closures_and_chains_at_random_inputs(
        x in -2.0f64..2.0, y in -2.0f64..2.0,
        ws in proptest::collection::vec(-2.0f64..2.0, 1..6),
    ) {
        check_xy!(closures, closures_jvp, closures_vjp, closures_grad, closures_hvp; (); x, y);
        check_xy!(inline_closures, inline_closures_jvp, inline_closures_vjp,
            inline_closures_grad, inline_closures_hvp; (&ws); x, y);
        check_xy!(chains, chains_jvp, chains_vjp, chains_grad, chains_hvp; (&ws); x, y);
        check_xy!(ref_operands, ref_operands_jvp, ref_operands_vjp, ref_operands_grad,
            ref_operands_hvp; (&ws); x, y);
    }
}
