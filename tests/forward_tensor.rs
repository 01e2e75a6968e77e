//! `#[differentiable(jvp)]` and `#[differentiable(hvp)]` on tensor functions: `NAME_jvp` agrees
//! with the reverse mode (`<u, J v>` computed both ways, to 1e-12 in f64) through matrix products,
//! loops with data-dependent trip counts, checkpointed loops, branches, data arguments and
//! constants built in the body; `NAME_hvp` agrees with hand-derived Hessians and with finite
//! differences of the gradient.

mod common;
use autodiff::prelude::*;
use common::{assert_close, fd_tensor};

fn dot(a: &Tensor<f64>, b: &Tensor<f64>) -> f64 {
    a.to_vec().iter().zip(b.to_vec()).map(|(x, y)| x * y).sum()
}

/// W5's MLP loss, differentiated in both weights, with data arguments.
#[differentiable(wrt(w1, w2), jvp)]
fn mlp_loss(x: &Tensor<f64>, w1: &Tensor<f64>, w2: &Tensor<f64>, y: &Tensor<f64>) -> Tensor<f64> {
    (x.mm(w1).tanh().mm(w2) - y).powi(2).mean()
}

#[test]
fn jvp_of_a_scalar_loss_is_the_gradient_along_the_direction() {
    let x = Tensor::<f64>::randn(&[5, 4], 1);
    let y = Tensor::<f64>::randn(&[5, 2], 2);
    let w1 = Tensor::<f64>::randn_scaled(&[4, 3], 3, 0.5);
    let w2 = Tensor::<f64>::randn_scaled(&[3, 2], 4, 0.5);
    let (v1, v2) = (Tensor::randn(&[4, 3], 5), Tensor::randn(&[3, 2], 6));
    let (value, jv) = mlp_loss_jvp(&x, &w1, &w2, &y, &v1, &v2);
    let (value_r, (g1, g2)) = mlp_loss_grad(&x, &w1, &w2, &y);
    // the dual product is a plain loop, the real one a blocked kernel: rounding differs
    assert_close(value.item(), value_r.item(), 1e-14);
    assert_close(jv.item(), dot(&g1, &v1) + dot(&g2, &v2), 1e-12);
}

/// A tensor-valued function: a recurrent cell unrolled over data, with a data tensor, a data
/// slice and scalar literals on both sides.
#[differentiable(wrt(w, h0), jvp)]
fn unroll(
    w: &Tensor<f64>,
    h0: &Tensor<f64>,
    xs: &[Tensor<f64>],
    bias: &Tensor<f64>,
    decay: f64,
) -> Tensor<f64> {
    let mut h = h0.clone();
    for x in xs {
        h = (w.mm(&h) + x + bias).tanh() * decay;
        h = 1.0 - (1.0 - &h) * 0.5;
    }
    h
}

#[test]
fn jvp_of_a_tensor_valued_function_agrees_with_its_pullback() {
    let w = Tensor::<f64>::randn_scaled(&[3, 3], 11, 0.6);
    let h0 = Tensor::<f64>::randn(&[3, 1], 12);
    let xs: Vec<Tensor<f64>> = (0..6).map(|s| Tensor::randn(&[3, 1], 20 + s)).collect();
    let (vw, vh) = (Tensor::randn(&[3, 3], 13), Tensor::randn(&[3, 1], 14));
    let u = Tensor::<f64>::randn(&[3, 1], 15);
    let bias = Tensor::from_vec(vec![0.1, -0.2, 0.05], &[3, 1]);
    let (out, jv) = unroll_jvp(&w, &h0, &xs, &bias, 0.9, &vw, &vh);
    let (out_r, pullback) = unroll_vjp(&w, &h0, &xs, &bias, 0.9);
    for (a, b) in out.to_vec().into_iter().zip(out_r.to_vec()) {
        assert_close(a, b, 1e-14);
    }
    let (gw, gh) = pullback(u.clone());
    assert_close(dot(&u, &jv), dot(&gw, &vw) + dot(&gh, &vh), 1e-12);
}

/// The seed notebook's control flow (a `while` loop whose trip count depends on the input, then
/// a branch), and a checkpointed loop.
#[differentiable(jvp)]
fn doubling(a: &Tensor<f64>) -> Tensor<f64> {
    let mut b = a * 2.0;
    while b.norm().item() < 1000.0 {
        b = &b * 2.0;
    }
    if b.sum().item() > 0.0 {
        b
    } else {
        100.0 * &b
    }
}

#[differentiable(wrt(x0, p), jvp)]
fn euler(x0: &Tensor<f64>, p: f64, steps: usize) -> Tensor<f64> {
    let mut x = x0.clone();
    #[checkpoint(every = 16)]
    for _ in 0..steps {
        x = &x + (x.sin() * p - &x * &x) * 0.01;
    }
    x.sum()
}

#[test]
fn jvp_through_loops_branches_and_checkpoints() {
    let a = Tensor::from_vec(vec![0.01, -0.03, 0.02], &[3]);
    let v = Tensor::from_vec(vec![1.0, 0.5, -2.0], &[3]);
    let u = Tensor::from_vec(vec![0.3, -1.0, 2.0], &[3]);
    let (_, jv) = doubling_jvp(&a, &v);
    let (_, pb) = doubling_vjp(&a);
    assert_close(dot(&u, &jv), dot(&pb(u.clone()), &v), 1e-12);

    let x0 = Tensor::from_vec(vec![0.5, -0.2], &[2]);
    let vx = Tensor::from_vec(vec![0.7, 1.1], &[2]);
    let (_, jv) = euler_jvp(&x0, 1.3, 100, &vx, -0.4);
    let (_, (gx, gp)) = euler_grad(&x0, 1.3, 100);
    assert_close(jv.item(), dot(&gx, &vx) - 0.4 * gp, 1e-12);
}

/// Rosenbrock in two variables read out of one tensor: H = [[2 - 400(y - 3x²), -400x],
/// [-400x, 200]].
#[differentiable(hvp)]
fn rosenbrock(v: &Tensor<f64>) -> f64 {
    let x = v.get(&[0]);
    let y = v.get(&[1]);
    (1.0 - x) * (1.0 - x) + 100.0 * (y - x * x) * (y - x * x)
}

/// Softmax cross-entropy of logits `z` against class `k`: H = diag(p) - p pᵀ.
#[differentiable(wrt(z), hvp)]
fn cross_entropy(z: &Tensor<f64>, k: usize) -> Tensor<f64> {
    z.logsumexp(0, false) - z.get(&[k])
}

#[test]
fn hvp_matches_hand_derived_hessians() {
    let p = Tensor::from_vec(vec![0.8, 0.1], &[2]);
    for (dir, expected) in [
        ([1.0, 0.0], [2.0 - 400.0 * (0.1 - 3.0 * 0.64), -400.0 * 0.8]),
        ([0.0, 1.0], [-400.0 * 0.8, 200.0]),
    ] {
        let v = Tensor::from_vec(dir.to_vec(), &[2]);
        let (value, g, hv) = rosenbrock_hvp(&p, &v);
        assert_close(value, rosenbrock(&p), 1e-15);
        // the reverse pass at dual numbers does not fuse element-wise chains: rounding differs
        for (a, b) in g.to_vec().into_iter().zip(rosenbrock_grad(&p).1.to_vec()) {
            assert_close(a, b, 1e-13);
        }
        assert_close(hv.get(&[0]), expected[0], 1e-12);
        assert_close(hv.get(&[1]), expected[1], 1e-12);
    }

    let z = Tensor::from_vec(vec![0.2, -1.0, 0.7, 0.1], &[4]);
    let v = Tensor::from_vec(vec![1.0, -0.5, 0.25, 2.0], &[4]);
    let (_, _, hv) = cross_entropy_hvp(&z, 2, &v);
    let e: Vec<f64> = z.to_vec().iter().map(|x| x.exp()).collect();
    let total: f64 = e.iter().sum();
    let p: Vec<f64> = e.iter().map(|x| x / total).collect();
    let pv: f64 = p.iter().zip(v.to_vec()).map(|(a, b)| a * b).sum();
    for (i, hvi) in hv.to_vec().into_iter().enumerate() {
        assert_close(hvi, p[i] * v.get(&[i]) - p[i] * pv, 1e-12);
    }
}

/// An ODE integrated by a `while` loop until its time reaches 1 (a data-dependent step count).
#[differentiable(wrt(y0), hvp)]
fn decay(y0: &Tensor<f64>, k: f64, h: f64) -> Tensor<f64> {
    let mut y = y0.clone();
    let mut t = 0.0;
    while t < 1.0 {
        y = &y - &y * &y * (k * h);
        t += h;
    }
    (&y * &y).sum()
}

#[test]
fn hvp_matches_finite_differences_of_the_gradient() {
    let y0 = Tensor::from_vec(vec![0.9, 0.4, -0.3], &[3]);
    let v = Tensor::from_vec(vec![0.5, -1.0, 2.0], &[3]);
    let (_, g, hv) = decay_hvp(&y0, 0.7, 0.01, &v);
    for (a, b) in g
        .to_vec()
        .into_iter()
        .zip(decay_grad(&y0, 0.7, 0.01).1.to_vec())
    {
        assert_close(a, b, 1e-13);
    }
    // d/dt ∇f(y0 + t v) at t = 0
    let along = |t: f64| {
        let y = &y0 + &v * t;
        decay_grad(&y, 0.7, 0.01).1
    };
    let fd_hv: Vec<f64> = (0..3)
        .map(|i| {
            let h = common::H;
            (along(h).get(&[i]) - along(-h).get(&[i])) / (2.0 * h)
        })
        .collect();
    for (a, b) in hv.to_vec().into_iter().zip(fd_hv) {
        assert_close(a, b, 1e-6);
    }
    // and the gradient itself against finite differences of the value
    let fd_g = fd_tensor(|y| decay(y, 0.7, 0.01).item(), &y0);
    for (a, b) in g.to_vec().into_iter().zip(fd_g.to_vec()) {
        assert_close(a, b, 1e-7);
    }
}

/// A differentiated scalar beside a tensor: `f = Σ (s·x)²`, so `∂²f/∂s² = 2Σx²`,
/// `∂²f/∂s∂xᵢ = 4 s xᵢ` and `∂²f/∂xᵢ∂xⱼ = 2s² δᵢⱼ`.
#[differentiable(jvp, hvp)]
fn scaled(x: &Tensor<f64>, s: f64) -> Tensor<f64> {
    (x * s).powi(2).sum()
}

#[test]
fn hvp_with_a_differentiated_scalar() {
    let x = Tensor::from_vec(vec![0.5, -1.5, 2.0], &[3]);
    let vx = Tensor::from_vec(vec![1.0, 0.0, -1.0], &[3]);
    let (_, (gx, gs), (hx, hs)) = scaled_hvp(&x, 0.8, &vx, 2.0);
    let (_, (gx_r, gs_r)) = scaled_grad(&x, 0.8);
    assert_close(gs, gs_r, 1e-14);
    for (a, b) in gx.to_vec().into_iter().zip(gx_r.to_vec()) {
        assert_close(a, b, 1e-14);
    }
    let sum_sq: f64 = x.to_vec().iter().map(|v| v * v).sum();
    let x_dot_v: f64 = dot(&x, &vx);
    assert_close(hs, 2.0 * sum_sq * 2.0 + 4.0 * 0.8 * x_dot_v, 1e-12);
    for i in 0..3 {
        let expected = 2.0 * 0.64 * vx.get(&[i]) + 4.0 * 0.8 * x.get(&[i]) * 2.0;
        assert_close(hx.get(&[i]), expected, 1e-12);
    }
    let (_, jv) = scaled_jvp(&x, 0.8, &vx, 2.0);
    assert_close(jv.item(), dot(&gx_r, &vx) + 2.0 * gs_r, 1e-12);
}

/// Literals beside dual values everywhere the body writes them: arithmetic on both sides,
/// compound assignment, method arguments, comparisons.
#[differentiable(jvp, hvp)]
fn literals(x: &Tensor<f64>) -> Tensor<f64> {
    let mut y = 1.0 - x * 2.0;
    y = (y.clamp(-3.0, 3.0) + 0.5).powf(2.0) / 4.0;
    let mut total = y.sum();
    if total.item() > 100.0 {
        total *= 0.5;
    }
    let mut scale = 1.0;
    scale *= 3.0;
    total * scale
}

#[test]
fn literals_beside_dual_values() {
    let x = Tensor::from_vec(vec![0.25, -0.5, 0.75], &[3]);
    let v = Tensor::from_vec(vec![1.0, 2.0, -1.0], &[3]);
    let (_, g) = literals_grad(&x);
    let (value, jv) = literals_jvp(&x, &v);
    assert_close(value.item(), literals(&x).item(), 1e-15);
    assert_close(jv.item(), dot(&g, &v), 1e-12);
    let (_, g_h, hv) = literals_hvp(&x, &v);
    for (a, b) in g_h.to_vec().into_iter().zip(g.to_vec()) {
        assert_close(a, b, 1e-13);
    }
    // f = 3/4 Σ (1.5 - 2x)², so H = 6 I
    for (a, b) in hv.to_vec().into_iter().zip(v.to_vec()) {
        assert_close(a, 6.0 * b, 1e-12);
    }
}

/// A map from 2 inputs to 4 outputs and one from 4 to 1: `jacobian_auto` takes columns for the
/// first and rows for the second; both agree with the other mode.
#[differentiable(jvp)]
fn widen(x: &Tensor<f64>) -> Tensor<f64> {
    let w = Tensor::ones(&[4, 2]);
    (w.mv(x) * x.sum()).sin()
}

#[test]
fn jacobians_and_hessians_from_the_generated_functions() {
    use autodiff::calculus::{hessian_columns, jacobian, jacobian_auto, jacobian_columns};
    let x = Tensor::from_vec(vec![0.3, -0.7], &[2]);
    let rows = jacobian(|x: &Tensor<f64>| widen_vjp(x), &x);
    let cols = jacobian_columns(|v: &Tensor<f64>| widen_jvp(&x, v).1, &x);
    let auto = jacobian_auto(|x: &Tensor<f64>| widen_vjp(x), |v| widen_jvp(&x, v).1, &x);
    assert_eq!(rows.shape(), &[4, 2]);
    for ((a, b), c) in rows
        .to_vec()
        .into_iter()
        .zip(cols.to_vec())
        .zip(auto.to_vec())
    {
        assert_close(a, b, 1e-12);
        assert_eq!(b, c); // four outputs, two inputs: columns
    }

    let z = Tensor::from_vec(vec![0.2, -1.0, 0.7, 0.1], &[4]);
    let h = hessian_columns(|v: &Tensor<f64>| cross_entropy_hvp(&z, 2, v).2, &z);
    let e: Vec<f64> = z.to_vec().iter().map(|x| x.exp()).collect();
    let total: f64 = e.iter().sum();
    let p: Vec<f64> = e.iter().map(|x| x / total).collect();
    for i in 0..4 {
        for j in 0..4 {
            let want = if i == j { p[i] } else { 0.0 } - p[i] * p[j];
            assert_close(h.get(&[i, j]), want, 1e-12);
        }
    }
}

/// Recursion: the copies at dual numbers call themselves.
#[differentiable(jvp, hvp)]
fn nest(x: &Tensor<f64>, depth: u32) -> Tensor<f64> {
    if depth == 0 {
        x.sin().sum()
    } else {
        nest(&(x * 1.5), depth - 1) + (x * x).sum() * 0.25
    }
}

#[test]
fn jvp_and_hvp_of_a_recursive_function() {
    let x = Tensor::from_vec(vec![0.4, -0.9], &[2]);
    let v = Tensor::from_vec(vec![1.0, 0.5], &[2]);
    let (_, g) = nest_grad(&x, 3);
    let (_, jv) = nest_jvp(&x, 3, &v);
    assert_close(jv.item(), dot(&g, &v), 1e-12);
    // f = Σ sin(1.5³ x) + 0.25 (1 + 1.5² + 1.5⁴) Σ x²: H = diag(-1.5⁶ sin(1.5³ x) + 0.5 c)
    let c = 1.0 + 1.5f64.powi(2) + 1.5f64.powi(4);
    let (_, _, hv) = nest_hvp(&x, 3, &v);
    for i in 0..2 {
        let xi = x.get(&[i]);
        let h = -1.5f64.powi(6) * (1.5f64.powi(3) * xi).sin() + 0.5 * c;
        assert_close(hv.get(&[i]), h * v.get(&[i]), 1e-12);
    }
}

/// A tensor function generic over its element type: instantiated at dual numbers, as generic
/// scalar functions are (constants written as `T`).
#[differentiable(wrt(w, s), jvp, hvp)]
fn generic_loss<T: Element>(x: &Tensor<T>, w: &Tensor<T>, s: T) -> Tensor<T> {
    let half = T::from(0.5).unwrap();
    ((x.mm(w) * s).tanh().powi(2) * half).sum()
}

#[test]
fn generic_tensor_functions() {
    let x = Tensor::<f64>::randn(&[3, 2], 31);
    let w = Tensor::<f64>::randn_scaled(&[2, 2], 32, 0.7);
    let vw = Tensor::<f64>::randn(&[2, 2], 33);
    let (_, (gw, gs)) = generic_loss_grad(&x, &w, 1.3);
    let (_, jv) = generic_loss_jvp(&x, &w, 1.3, &vw, 0.5);
    assert_close(jv.item(), dot(&gw, &vw) + 0.5 * gs, 1e-12);
    let (_, (gw2, gs2), (hw, hs)) = generic_loss_hvp(&x, &w, 1.3, &vw, 0.5);
    assert_close(gs2, gs, 1e-14);
    for (a, b) in gw2.to_vec().into_iter().zip(gw.to_vec()) {
        assert_close(a, b, 1e-14);
    }
    // H·v against central differences of the gradient along v
    let along = |t: f64| generic_loss_grad(&x, &(&w + &vw * t), 1.3 + 0.5 * t).1;
    let h = common::H;
    let (p, m) = (along(h), along(-h));
    assert_close(hs, (p.1 - m.1) / (2.0 * h), 1e-6);
    for i in 0..4 {
        let (r, c) = (i / 2, i % 2);
        let fd = (p.0.get(&[r, c]) - m.0.get(&[r, c])) / (2.0 * h);
        assert_close(hw.get(&[r, c]), fd, 1e-6);
    }
}

/// `detach()` and `no_grad(|| ..)` cut the derivative in forward mode as in reverse mode
/// (JAX's `stop_gradient`): `jvp` is `<∇f, v>` and `hvp` the derivative of that gradient.
#[differentiable(jvp, hvp)]
fn with_cuts(x: &Tensor<f64>) -> Tensor<f64> {
    let scale = no_grad(|| (x * x).sum());
    let frozen = x.detach();
    (x * &frozen).sum() * scale + x.sum()
}

#[differentiable(jvp, hvp)]
fn scalar_with_cut<T: Float>(x: T) -> T {
    let c = no_grad(|| x * x);
    c * x
}

#[test]
fn cuts_hold_in_forward_mode() {
    let x = Tensor::from_vec(vec![0.5, -1.5], &[2]);
    let v = Tensor::from_vec(vec![1.0, 2.0], &[2]);
    let (_, g) = with_cuts_grad(&x);
    let (_, jv) = with_cuts_jvp(&x, &v);
    assert_close(jv.item(), dot(&g, &v), 1e-12);
    // ∇f = frozen · scale + 1 with frozen and scale constants: H = 0
    let (_, _, hv) = with_cuts_hvp(&x, &v);
    for h in hv.to_vec() {
        assert_close(h, 0.0, 1e-12);
    }
    // called from inside someone's `no_grad`, forward mode still computes its derivatives
    let (_, jv_inside) = no_grad(|| with_cuts_jvp(&x, &v));
    assert_eq!(jv_inside.item(), jv.item());
    let (_, g) = scalar_with_cut_grad(1.5);
    let (_, jv) = scalar_with_cut_jvp(1.5, 2.0);
    assert_close(jv, 2.0 * g, 1e-12);
    let (_, _, hv) = scalar_with_cut_hvp(1.5, 1.0);
    assert_close(hv, 0.0, 1e-12);
}

/// Locals annotated with the plain tensor type, and a constructor with a turbofish: the copy at
/// dual numbers lets inference pick the element.
#[differentiable(jvp, hvp)]
fn annotated(x: &Tensor<f64>) -> Tensor<f64> {
    let h: Tensor<f64> = x.tanh();
    let zero = Tensor::<f64>::zeros(&[2]);
    (&h * &h + zero).sum()
}

#[test]
fn annotated_locals() {
    let x = Tensor::from_vec(vec![0.3, -0.6], &[2]);
    let v = Tensor::from_vec(vec![1.0, 1.0], &[2]);
    let (_, g) = annotated_grad(&x);
    let (_, jv) = annotated_jvp(&x, &v);
    assert_close(jv.item(), dot(&g, &v), 1e-12);
    let (_, g2, _) = annotated_hvp(&x, &v);
    assert_close(dot(&g2, &v), dot(&g, &v), 1e-13);
}
