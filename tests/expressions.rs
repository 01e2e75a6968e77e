//! Ordinary Rust expressions inside `#[differentiable]` functions: control flow nested in an
//! expression, `dbg!`, UFCS calls and identity functions (checked by central differences).

mod common;
use autodiff::prelude::*;
use common::{assert_close, assert_tensor_close, fd, fd_tensor};

#[differentiable]
fn if_in_expression(x: f64, c: f64) -> f64 {
    let a = x * c;
    a + if c > 0.0 { x } else { 2.0 * x }
}

#[differentiable]
fn match_and_block_in_expression(x: f64, k: f64) -> f64 {
    let n = k as i32;
    x * match n {
        0 => x.sin(),
        1 => {
            let y = x * x;
            y + 1.0
        }
        _ => 3.0,
    } + { x.exp() * 2.0 }
}

#[differentiable]
fn loop_value_in_expression(x: f64) -> f64 {
    let mut i = 0;
    x + loop {
        i += 1;
        if i == 3 {
            break x * x * i as f64;
        }
    }
}

#[differentiable]
fn tensor_if_in_expression(x: &Tensor<f64>, flag: f64) -> Tensor<f64> {
    (x * 2.0 + if flag > 0.0 { x.exp() } else { x.sin() }).sum()
}

#[test]
fn control_flow_nested_in_expressions() {
    for (x, c) in [(0.7, 1.5), (0.7, -0.5), (-1.2, 2.0)] {
        let (_, (dx, dc)) = if_in_expression_grad(x, c);
        assert_close(dx, fd(|x| if_in_expression(x, c), x), 1e-7);
        assert_close(dc, fd(|c| if_in_expression(x, c), c), 1e-7);
    }
    for k in [0.0, 1.0, 2.0] {
        let (_, (dx, dk)) = match_and_block_in_expression_grad(0.4, k);
        assert_close(dx, fd(|x| match_and_block_in_expression(x, k), 0.4), 1e-7);
        assert_eq!(dk, 0.0); // `k as i32` is piecewise constant
    }
    let (v, g) = loop_value_in_expression_grad(1.5);
    assert_close(v, 1.5 + 3.0 * 2.25, 1e-12);
    assert_close(g, fd(loop_value_in_expression, 1.5), 1e-7);
    let x = Tensor::from_vec(vec![0.1, -0.4, 0.9], &[3]);
    for flag in [1.0, -1.0] {
        let (_, (g, _)) = tensor_if_in_expression_grad(&x, flag);
        let f = |x: &Tensor<f64>| tensor_if_in_expression(x, flag).item();
        assert_tensor_close(&g, &fd_tensor(f, &x), 1e-7);
    }
}

#[test]
#[should_panic(expected = "output of `tensor_id` has shape [3]")]
fn grad_of_a_non_scalar_output_names_the_function() {
    #[differentiable]
    fn tensor_id(x: &Tensor<f64>) -> Tensor<f64> {
        x * 1.0
    }
    let _ = tensor_id_grad(&Tensor::from_vec(vec![1.0, 2.0, 3.0], &[3]));
}

#[differentiable]
fn by_path(x: f64, y: f64) -> f64 {
    f64::max(x, y) * f64::sin(x) + <f64 as Float>::exp(y) + Float::sqrt(x * x + 1.0)
}

#[differentiable]
fn generic_by_path<T: Float>(x: T) -> T {
    T::sin(x) * T::cos(x)
}

#[differentiable]
fn more_by_path(x: f64, y: f64) -> f64 {
    f64::powi(x, 2)
        + f64::powf(x * x + 1.0, y)
        + Float::atan2(y, x)
        + <f64 as Float>::ln(x * x + 1.0)
        + f64::hypot(x, y)
        + f64::tanh(x)
        + Float::abs(y)
        + f64::min(x, y)
}

/// `mul_add` by method and by path, with every mix of active operands.
#[differentiable]
fn mul_adds(x: f64, y: f64) -> f64 {
    x.mul_add(y, x)
        + f64::mul_add(x, 2.0, 1.0)
        + 2.0f64.mul_add(x, 1.0)
        + 2.0f64.mul_add(3.0, y)
        + x.mul_add(y, 1.0)
        + x.mul_add(2.0, y)
        + Float::mul_add(2.0, x, y)
}

#[differentiable]
fn tensor_by_path(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    Tensor::exp(a).sum() + Tensor::matmul(a, b).sum() + Tensor::sum(&Tensor::<f64>::sin(b))
}

#[differentiable]
fn identities(x: f64) -> f64 {
    let y = std::hint::black_box(x * 2.0);
    std::convert::identity(y) * x + f64::from(x as f32)
}

#[test]
fn methods_called_by_path_and_identity_functions() {
    for (x, y) in [(0.3, 0.8), (1.1, -0.2)] {
        let (_, (dx, dy)) = by_path_grad(x, y);
        assert_close(dx, fd(|x| by_path(x, y), x), 1e-7);
        assert_close(dy, fd(|y| by_path(x, y), y), 1e-7);
    }
    let (_, g) = generic_by_path_grad(0.4f64);
    assert_close(g, fd(generic_by_path, 0.4), 1e-7);
    for (x, y) in [(0.3, 0.8), (1.1, -0.2)] {
        let (_, (dx, dy)) = more_by_path_grad(x, y);
        assert_close(dx, fd(|x| more_by_path(x, y), x), 1e-6);
        assert_close(dy, fd(|y| more_by_path(x, y), y), 1e-6);
        let (_, (dx, dy)) = mul_adds_grad(x, y);
        assert_close(dx, fd(|x| mul_adds(x, y), x), 1e-7);
        assert_close(dy, fd(|y| mul_adds(x, y), y), 1e-7);
    }
    let a = Tensor::from_vec(vec![0.1, -0.4, 0.9, 0.3], &[2, 2]);
    let b = Tensor::from_vec(vec![0.5, 0.2, -0.7, 1.1], &[2, 2]);
    let (_, (ga, gb)) = tensor_by_path_grad(&a, &b);
    assert_tensor_close(&ga, &fd_tensor(|a| tensor_by_path(a, &b).item(), &a), 1e-7);
    assert_tensor_close(&gb, &fd_tensor(|b| tensor_by_path(&a, b).item(), &b), 1e-7);
    let (_, g) = identities_grad(0.75);
    // d/dx (2x * x + x) = 4x + 1 (x as f32 round trip is exact at 0.75)
    assert_close(g, 4.0, 1e-12);
}

#[differentiable]
fn weighted(x: f64, ws: &[f64]) -> f64 {
    let mut acc = 0.0;
    for w in ws.iter() {
        acc += x * w;
        acc = acc * 0.5 + w * x;
    }
    acc
}

#[test]
fn scalar_operands_behind_references() {
    let ws = [0.5, -1.25, 2.0];
    let (_, g) = weighted_grad(0.9, &ws);
    assert_close(g, fd(|x| weighted(x, &ws), 0.9), 1e-7);
}

#[differentiable]
fn local_references(x: f64) -> f64 {
    let r = &x;
    let rr = &r;
    let y = x * 3.0;
    let s = &y;
    *r * x + **rr + r * x + x * r + r.sin() + rr.exp() + f64::max(*r, 0.1) + Float::cos(**rr)
        - s / 3.0
        + (s - 1.0) * *s
}

#[differentiable]
fn generic_local_references<T: Float>(x: T) -> T {
    let r = &x;
    let rr = &r;
    *r * x + **rr + r.sin()
}

#[differentiable]
fn compound_with_references(x: f64) -> f64 {
    let mut acc = 0.0;
    let r = &x;
    acc += r;
    acc += *r * 2.0;
    let rr = &r;
    acc -= **rr;
    acc * x
}

#[test]
fn references_to_differentiable_locals() {
    for x in [0.7, -0.4, 1.3] {
        let (_, g) = local_references_grad(x);
        assert_close(g, fd(local_references, x), 1e-7);
        let (_, g) = generic_local_references_grad(x);
        assert_close(g, fd(generic_local_references::<f64>, x), 1e-7);
        let (_, g) = compound_with_references_grad(x);
        assert_close(g, fd(compound_with_references, x), 1e-7);
    }
}

/// `w: &f64` is differentiated like `w: f64` (by default, and in every operand position).
#[differentiable]
fn by_reference(v: f64, w: &f64) -> f64 {
    v * w + *w * *w + w.sin() + w.max(v) - w / v
}

#[differentiable]
fn calls_by_reference(x: f64) -> f64 {
    let y = x * 2.0;
    by_reference(x, &y) + by_reference(2.0, &y) + by_reference(x, &3.0)
}

#[differentiable]
fn generic_by_reference<T: Float>(v: T, w: &T) -> T {
    v * *w + w.exp() + *w
}

#[differentiable]
fn tensor_and_reference(t: &Tensor<f64>, w: &f64, k: f64) -> Tensor<f64> {
    let a = k * w;
    (t * *w).sum() + a + w * k + (t * a).sum()
}

#[test]
fn parameters_behind_references() {
    for (v, w) in [(0.3, 0.9), (1.4, -0.6)] {
        let (_, (gv, gw)) = by_reference_grad(v, &w);
        assert_close(gv, fd(|v| by_reference(v, &w), v), 1e-7);
        assert_close(gw, fd(|w| by_reference(v, &w), w), 1e-7);
        let (_, (gv, gw)) = generic_by_reference_grad(v, &w);
        assert_close(gv, fd(|v| generic_by_reference(v, &w), v), 1e-7);
        assert_close(gw, fd(|w| generic_by_reference(v, &w), w), 1e-7);
    }
    let (_, g) = calls_by_reference_grad(0.7);
    assert_close(g, fd(calls_by_reference, 0.7), 1e-7);
    let t = Tensor::from_vec(vec![0.1, -0.4, 0.9], &[3]);
    let (_, (gt, gw, gk)) = tensor_and_reference_grad(&t, &0.6, 1.3);
    assert_eq!(gt.shape(), &[3]);
    assert_close(
        gw,
        fd(|w| tensor_and_reference(&t, &w, 1.3).item(), 0.6),
        1e-7,
    );
    assert_close(
        gk,
        fd(|k| tensor_and_reference(&t, &0.6, k).item(), 1.3),
        1e-7,
    );
}

/// Loops and iterator chains over a local `Vec` (or array) of active values: the elements are
/// `&f64` parts of it, whose gradients flow back through the container to what filled it.
#[differentiable]
#[allow(clippy::useless_vec)]
fn local_container_loops(x: f64, n: usize) -> f64 {
    let ws = vec![x, x * x, 3.0];
    let mut acc = 0.0;
    for w in ws.iter() {
        acc += x * w;
    }
    let mut hs = Vec::new();
    let mut h = x;
    for _ in 0..n {
        h = (h * 1.5).sin();
        hs.push(h);
    }
    for (i, v) in hs.iter().enumerate() {
        acc += v * v * (i as f64 + 1.0);
    }
    let arr = [x, acc * 0.1, 2.0];
    for v in &arr {
        acc += v * x;
    }
    for v in arr {
        acc -= v * v;
    }
    acc
}

#[differentiable]
#[allow(clippy::useless_vec)]
fn local_container_chains(x: f64) -> f64 {
    let xs = vec![x, -x, x * 3.0];
    let a = xs
        .iter()
        .filter(|v| **v > 0.0)
        .fold(0.0, |acc, v| acc + *v * x);
    let b = xs
        .iter()
        .filter(|&&v| v > 0.0)
        .fold(1.0, |acc, &v| acc * v + x);
    let c: f64 = xs.iter().map(|v| v * x).sum();
    let d: f64 = xs.iter().copied().map(|v| v.sin()).sum();
    let e: f64 = xs.iter().enumerate().map(|(i, v)| v * i as f64).sum();
    let f: f64 = xs.iter().zip(xs.iter()).map(|(p, q)| p * q).sum();
    a + b + c + d + e + f
}

#[differentiable]
#[allow(clippy::useless_vec)]
fn nested_walks_of_a_local_container(x: f64) -> f64 {
    let xs = vec![x, x * x, 0.5];
    let mut acc = 0.0;
    for a in xs.iter() {
        for b in &xs {
            acc += a * b;
        }
    }
    let s: f64 = xs
        .iter()
        .map(|a| xs.iter().map(|b| a * b).sum::<f64>())
        .sum::<f64>();
    acc + s
}

#[differentiable]
#[allow(clippy::useless_vec)]
fn tuples_in_a_local_vec(x: f64) -> f64 {
    let ps = vec![(x, 1.0), (x * x, 2.0)];
    let mut acc = 0.0;
    for p in ps.iter() {
        acc += p.0 * p.1 + p.0;
    }
    for (a, b) in ps.iter().zip(ps.iter()) {
        acc += a.0 * b.0;
    }
    acc
}

#[differentiable(wrt(ws))]
fn squares_of(ws: &[f64], k: f64) -> f64 {
    let mut acc = 0.0;
    for w in ws.iter() {
        acc += w * w * k;
    }
    acc
}

/// A local container passed to a helper, and `&f64` arguments of a closure.
#[differentiable]
#[allow(clippy::useless_vec)]
fn references_passed_on(x: f64) -> f64 {
    let xs = vec![x, x * 2.0];
    let f = |w: &f64| w * x;
    let y = x + 1.0;
    squares_of(&xs, 3.0) + f(&y) + f(&xs[1])
}

#[differentiable(wrt(x, ws))]
fn container_fold(x: f64, ws: &[f64]) -> f64 {
    let mut acc = ws.iter().filter(|w| **w > 0.0).fold(0.0, |a, &w| a + w * x);
    acc += ws.iter().fold(0.0, |a, w| a + w * w);
    for w in ws {
        acc = acc - w / x + *w;
    }
    acc
}

/// `rev()` over a differentiated or local container, alone, enumerated, zipped, in chains.
#[differentiable(wrt(x, ws))]
#[allow(clippy::useless_vec)]
fn reversed_walks(x: f64, ws: &[f64]) -> f64 {
    let a: f64 = ws.iter().rev().map(|w| w * x).sum();
    let xs = vec![x, x * x, 2.0];
    let b: f64 = xs
        .iter()
        .rev()
        .enumerate()
        .map(|(i, w)| w * x * (i as f64 + 1.0))
        .sum();
    let mut d = 0.0;
    for (w, v) in ws.iter().rev().zip(xs.iter()) {
        d += w * v * d + w;
    }
    let e = xs.iter().rev().fold(1.0, |acc, w| acc * w + x);
    a + b + d + e
}

#[test]
fn element_references_of_local_containers() {
    for x in [0.7, -0.4, 1.1] {
        let (_, g) = local_container_loops_grad(x, 4);
        assert_close(g, fd(|x| local_container_loops(x, 4), x), 1e-7);
        let (_, g) = local_container_chains_grad(x);
        assert_close(g, fd(local_container_chains, x), 1e-7);
        let (_, g) = tuples_in_a_local_vec_grad(x);
        assert_close(g, fd(tuples_in_a_local_vec, x), 1e-7);
        let (_, g) = references_passed_on_grad(x);
        assert_close(g, fd(references_passed_on, x), 1e-7);
        let (_, g) = nested_walks_of_a_local_container_grad(x);
        assert_close(g, fd(nested_walks_of_a_local_container, x), 1e-7);
    }
    // the shared zero of a local container keeps the pullback `Send`
    fn assert_send<T: Send>(_: &T) {}
    assert_send(&local_container_chains_vjp(0.3).1);
    let ws = [0.5, -1.25, 2.0];
    for x in [0.7, -0.4] {
        let (_, (gx, gws)) = reversed_walks_grad(x, &ws);
        assert_close(gx, fd(|x| reversed_walks(x, &ws), x), 1e-7);
        for i in 0..3 {
            let f = |v: f64| {
                let mut w = ws;
                w[i] = v;
                reversed_walks(x, &w)
            };
            assert_close(gws[i], fd(f, ws[i]), 1e-7);
        }
    }
    let (_, (gx, gws)) = container_fold_grad(0.9, &ws);
    assert_close(gx, fd(|x| container_fold(x, &ws), 0.9), 1e-7);
    for i in 0..3 {
        let f = |v: f64| {
            let mut w = ws;
            w[i] = v;
            container_fold(0.9, &w)
        };
        assert_close(gws[i], fd(f, ws[i]), 1e-7);
    }
}

#[differentiable]
fn match_active(x: f64) -> f64 {
    match x * 2.0 {
        v if v > 1.0 => v * x,
        0.0 => 0.0,
        v => -v,
    }
}

#[test]
fn match_on_a_differentiable_value() {
    for x in [0.9, 0.2, -0.4] {
        let (_, g) = match_active_grad(x);
        assert_close(g, fd(match_active, x), 1e-7);
    }
}

#[differentiable]
#[allow(clippy::too_many_arguments)]
fn twelve(
    a: f64,
    b: f64,
    c: f64,
    d: f64,
    e: f64,
    f: f64,
    g: f64,
    h: f64,
    i: f64,
    j: f64,
    k: f64,
    l: f64,
) -> f64 {
    a * b + c * d + e * f + g * h + i * j + k * l
}

#[differentiable]
fn calls_twelve(x: f64) -> f64 {
    twelve(x, 2.0 * x, x, x, x, x, x, x, x, x, x, x * x)
}

#[test]
fn calls_with_more_than_eight_differentiable_arguments() {
    let (_, g) = calls_twelve_grad(0.7);
    assert_close(g, fd(calls_twelve, 0.7), 1e-7);
}

#[differentiable]
fn doubled(x: &Tensor<f64>) -> Tensor<f64> {
    x * 2.0
}

#[test]
#[should_panic(expected = "pullback of `doubled`: cotangent has shape [5], expected [4]")]
fn wrong_shape_cotangent_names_the_function() {
    let (_, pb) = doubled_vjp(&Tensor::zeros(&[4]));
    let _ = pb(Tensor::zeros(&[5]));
}

/// The table of issue 12, as written there.
#[differentiable]
fn table_match(x: f64) -> f64 {
    match x {
        v if v > 0.0 => v,
        _ => -x,
    }
}

#[differentiable]
fn table_iterators(theta: f64, xs: &[f64]) -> f64 {
    xs.iter().map(|&xi| theta * xi).sum::<f64>()
        + xs.iter().fold(0.0, |a, &xi| a + theta.sin() * xi)
}

#[differentiable]
fn floats_between_widths(x: f32, y: f64) -> f64 {
    let a: f64 = x.into();
    a * y + f64::from(x) + std::convert::identity(y) + std::hint::black_box(y * y)
}

#[differentiable]
#[allow(clippy::never_loop)]
fn labelled_breaks_with_values(x: f64) -> f64 {
    let mut i = 0;
    let y = 'outer: loop {
        i += 1;
        let z = loop {
            if i > 2 {
                break 'outer x * x;
            }
            break x + 1.0;
        };
        if z > 100.0 {
            break z;
        }
    };
    y * 2.0
        + 'b: {
            if x > 0.0 {
                break 'b x.sin();
            }
            x.cos()
        }
}

#[differentiable]
fn option_arms_and_let_else(x: f64, k: f64) -> f64 {
    let o = if k > 0.0 { Some(x * 2.0) } else { None };
    let a = match o {
        Some(v) => v * x,
        None => x,
    };
    let b = match x {
        0.0..=1.0 => x * 3.0,
        _ => x,
    };
    let Some(v) = o else {
        return a + b + x * 5.0;
    };
    a + b + v
}

/// `if let` on an active value is the `match` it stands for.
#[differentiable]
fn if_let_on_active(x: f64, k: f64) -> f64 {
    let o = if k > 0.0 { Some(x * 2.0) } else { None };
    let a = if let Some(v) = o { v * x } else { x };
    let mut b = x;
    if let Some(w) = o {
        b *= w;
    }
    let c = if let 0.0..=1.0 = x {
        x.sin()
    } else if let Some(v) = o {
        v + x
    } else {
        -x
    };
    a + b + c
}

/// `while let` on an active value is the `loop { match .. }` it stands for.
#[differentiable]
fn while_let_on_active(x: f64) -> f64 {
    let mut acc = x;
    let mut o = Some(x * 2.0);
    'w: while let Some(v) = o {
        acc = acc + v * acc;
        o = if v > 0.5 { Some(v * 0.5) } else { None };
        if acc > 1e6 {
            break 'w;
        }
    }
    acc
}

/// Control flow as a method receiver, an array element, a tuple field, a call argument, and a
/// `loop` value under a cast.
#[differentiable]
#[allow(clippy::never_loop, clippy::let_and_return, clippy::unnecessary_cast)]
fn control_flow_in_operand_positions(x: f64, c: f64) -> f64 {
    let a = (if c > 0.0 { x } else { x * 2.0 }).sin();
    let arr = [if c > 0.0 { x } else { -x }, x];
    let t = (
        match c as i32 {
            0 => x,
            _ => x * x,
        },
        1.0,
    );
    let b = f64::max(if c > 0.0 { x } else { 0.0 }, {
        let q = x * 0.5;
        q
    });
    a + arr[0]
        + arr[1]
        + t.0
        + b
        + (loop {
            break x * 3.0;
        }) as f64
}

/// Several chains reuse a closure parameter name (`i`): the activity of each binding is tracked
/// apart, even though the chains are only lowered (and their bindings created) once active.
#[differentiable]
fn chains_reusing_names(x: f64, n: usize) -> f64 {
    let sq = |v: f64| v * v;
    let scaled = |v: f64| (v * x).sin();
    let s: f64 = (0..n).map(|i| scaled(i as f64)).sum();
    let p: f64 = (1..n).map(|i| x * i as f64).product();
    let mut t = 0.0;
    (0..n).for_each(|i| t += x * i as f64);
    let z: f64 = (0..n)
        .zip(1..n)
        .map(|(a, b)| x * (a * b) as f64)
        .take_while(|v| *v < 100.0)
        .sum();
    sq(x) + s + p + t + z
}

#[test]
fn forms_of_the_issue_table() {
    let xs = [0.5, -1.0, 2.0];
    for x in [0.7, -0.4, 1.3] {
        let (_, g) = table_match_grad(x);
        assert_close(g, fd(table_match, x), 1e-7);
        let (_, g) = table_iterators_grad(x, &xs);
        assert_close(g, fd(|t| table_iterators(t, &xs), x), 1e-7);
        // `x as f32` is not differentiable at f32 resolution by f64 differences: check `y`
        let (_, (_, gy)) = floats_between_widths_grad(0.75f32, x);
        assert_close(gy, fd(|y| floats_between_widths(0.75, y), x), 1e-7);
        let (_, g) = labelled_breaks_with_values_grad(x);
        assert_close(g, fd(labelled_breaks_with_values, x), 1e-7);
        for k in [1.0, -1.0] {
            let (_, (g, _)) = option_arms_and_let_else_grad(x, k);
            assert_close(g, fd(|x| option_arms_and_let_else(x, k), x), 1e-7);
        }
        for k in [1.5, -1.0] {
            let (_, (gx, gk)) = if_let_on_active_grad(x, k);
            assert_close(gx, fd(|x| if_let_on_active(x, k), x), 1e-7);
            assert_close(gk, fd(|k| if_let_on_active(x, k), k), 1e-7);
        }
        let (_, g) = while_let_on_active_grad(x * 2.0);
        assert_close(g, fd(while_let_on_active, x * 2.0), 1e-7);
        for c in [1.0, -1.0, 0.0] {
            let (_, (g, _)) = control_flow_in_operand_positions_grad(x, c);
            assert_close(g, fd(|x| control_flow_in_operand_positions(x, c), x), 1e-7);
        }
        let (_, g) = chains_reusing_names_grad(x, 4);
        assert_close(g, fd(|x| chains_reusing_names(x, 4), x), 1e-7);
    }
    let (_, (gx, _)) = floats_between_widths_grad(0.75f32, 1.5);
    // d/dx (x·y + x) at y = 1.5, through the f32 -> f64 widening
    assert_close(f64::from(gx), 1.5 + 1.0, 1e-7);
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// References, local containers and `if let` over random inputs (away from the kinks
        /// at 0, 0.1 and 1, where central differences straddle two branches).
        #[test]
        fn reference_forms_match_finite_differences(x in -2.0f64..2.0, w in -2.0f64..2.0) {
            prop_assume!([0.0, 0.1, 1.0].iter().all(|k| (x - k).abs() > 1e-3));
            let (_, g) = local_references_grad(x);
            assert_close(g, fd(local_references, x), 1e-6);
            let (_, (gx, gw)) = by_reference_grad(x, &w);
            prop_assume!((x - w).abs() > 1e-3 && x.abs() > 1e-2);
            assert_close(gx, fd(|x| by_reference(x, &w), x), 1e-6);
            assert_close(gw, fd(|w| by_reference(x, &w), w), 1e-6);
            let (_, g) = local_container_chains_grad(x);
            assert_close(g, fd(local_container_chains, x), 1e-6);
            let (_, g) = local_container_loops_grad(x, 3);
            assert_close(g, fd(|x| local_container_loops(x, 3), x), 1e-6);
            let (_, (gx, _)) = if_let_on_active_grad(x, w);
            assert_close(gx, fd(|x| if_let_on_active(x, w), x), 1e-6);
        }
    }
}
