//! `#[differentiable(jvp)]` / `#[differentiable(hvp)]` on functions generic over their element
//! type whose struct arguments hold it (`fn f<T: Float>(p: &Params<T>, x: T) -> T`): run at
//! `T = Dual<T>`, the struct rebuilt as `Params<Dual<T>>`. Checked against central differences,
//! `<u, J v>` against the vjp, and a hand-derived Hessian.

mod common;
use autodiff::prelude::*;
use common::{assert_close, fd_flat, flat_dot, flat_tangent, shifted_along};
use proptest::prelude::*;

/// Rosenbrock's parameters, generic over the element.
#[derive(Clone, Debug, Differentiable)]
struct Rosen<T: Float> {
    a: T,
    b: T,
}

/// `(a - x)² + b (y - x²)²`, differentiated in the parameters and the point.
#[differentiable(wrt(p, x, y), jvp, hvp)]
fn rosen<T: Float>(p: &Rosen<T>, x: T, y: T) -> T {
    let d = y - x * x;
    (p.a - x) * (p.a - x) + p.b * d * d
}

/// The Hessian of `rosen` in `(a, b, x, y)`, by hand.
fn rosen_hessian(a: f64, b: f64, x: f64, y: f64) -> [[f64; 4]; 4] {
    let d = y - x * x;
    [
        [2.0, 0.0, -2.0, 0.0],
        [0.0, 0.0, -4.0 * x * d, 2.0 * d],
        [
            -2.0,
            -4.0 * x * d,
            2.0 - 4.0 * b * d + 8.0 * b * x * x,
            -4.0 * b * x,
        ],
        [0.0, 2.0 * d, -4.0 * b * x, 2.0 * b],
    ]
    .map(|r| r.map(|h| h + 0.0 * a))
}

#[test]
fn rosenbrock_jvp_matches_the_vjp_and_differences() {
    let p = Rosen::<f64> { a: 1.0, b: 100.0 };
    let (x, y) = (-1.2, 1.0);
    let v = RosenTangent { a: 0.3, b: -0.01 };
    let (vx, vy) = (0.7, -0.4);
    let (out, jv) = rosen_jvp(&p, x, y, &v, vx, vy);
    assert_eq!(out, rosen(&p, x, y));
    let (_, (gp, gx, gy)) = rosen_grad(&p, x, y);
    let along = gp.a * v.a + gp.b * v.b + gx * vx + gy * vy;
    assert!(
        (jv - along).abs() <= 1e-12 * along.abs().max(1.0),
        "{jv} vs {along}"
    );
    let h = 1e-6;
    let at = |s: f64| {
        let q = Rosen {
            a: p.a + s * v.a,
            b: p.b + s * v.b,
        };
        rosen(&q, x + s * vx, y + s * vy)
    };
    assert_close(jv, (at(h) - at(-h)) / (2.0 * h), 1e-5);
}

#[test]
fn rosenbrock_hvp_is_the_hand_derived_hessian() {
    let p = Rosen { a: 1.0, b: 100.0 };
    let (x, y) = (-1.2, 1.0);
    let hess = rosen_hessian(p.a, p.b, x, y);
    for col in 0..4 {
        let e = |i: usize| if i == col { 1.0 } else { 0.0 };
        let v = RosenTangent { a: e(0), b: e(1) };
        let (out, (gp, gx, gy), (hp, hx, hy)) = rosen_hvp(&p, x, y, &v, e(2), e(3));
        let (out_r, (gp_r, gx_r, gy_r)) = rosen_grad(&p, x, y);
        assert_eq!(out, out_r);
        assert_eq!((gp.a, gp.b, gx, gy), (gp_r.a, gp_r.b, gx_r, gy_r));
        let got = [hp.a, hp.b, hx, hy];
        for (g, want) in got.iter().zip(hess.iter().map(|r| r[col])) {
            assert!(
                (g - want).abs() <= 1e-12 * want.abs().max(1.0),
                "{got:?} col {col}"
            );
        }
    }
}

/// Tensor form: an MLP generic over its element.
#[derive(Clone, Debug, Differentiable)]
struct Mlp<E: Element> {
    w1: Tensor<E>,
    b1: Tensor<E>,
    w2: Tensor<E>,
    /// configuration naming the element (a constant at dual numbers) and not (cloned)
    #[differentiable(skip)]
    scale: E,
    #[differentiable(skip)]
    squares: usize,
}

#[differentiable(wrt(m, x), jvp, hvp)]
fn mlp_loss<E: Element>(m: &Mlp<E>, x: &Tensor<E>) -> Tensor<E> {
    let mut h = (x.matmul(&m.w1) + &m.b1).tanh();
    for _ in 0..m.squares {
        h = &h * &h;
    }
    h.matmul(&m.w2).powi(2).sum()
}

fn mlp(seed: u64) -> Mlp<f64> {
    Mlp {
        w1: Tensor::randn_scaled(&[3, 4], seed, 0.5),
        b1: Tensor::randn_scaled(&[4], seed + 1, 0.5),
        w2: Tensor::randn_scaled(&[4, 2], seed + 2, 0.5),
        scale: 0.7,
        squares: 2,
    }
}

fn mlp_direction(seed: u64) -> MlpTangent<f64> {
    let m = mlp(seed);
    MlpTangent {
        w1: m.w1,
        b1: m.b1,
        w2: m.w2,
    }
}

fn flat(t: &Tensor<f64>) -> Vec<f64> {
    t.to_vec()
}

fn check_mlp(seed: u64) {
    let (m, x) = (mlp(seed), Tensor::randn_scaled(&[5, 3], seed + 10, 0.5));
    assert_eq!(m.scale, 0.7);
    let (v, vx) = (
        mlp_direction(seed + 20),
        Tensor::randn_scaled(&[5, 3], seed + 30, 0.5),
    );
    // <u, J v> against the vjp (a scalar output: u = 1)
    let (y, jv) = mlp_loss_jvp(&m, &x, &v, &vx);
    let (y_r, (gm, gx)) = mlp_loss_grad(&m, &x);
    assert_close(y.item(), y_r.item(), 1e-14);
    let along = flat_dot(
        &flat_tangent::<Mlp<f64>>(&gm),
        &flat_tangent::<Mlp<f64>>(&v),
    ) + flat_dot(&flat(&gx), &flat(&vx));
    assert!((jv.item() - along).abs() <= 1e-12 * along.abs().max(1.0));
    // H·v against central differences of the gradient along (v, vx)
    let (_, (gm2, _), (hm, hx)) = mlp_loss_hvp(&m, &x, &v, &vx);
    let (g2, g1) = (
        flat_tangent::<Mlp<f64>>(&gm2),
        flat_tangent::<Mlp<f64>>(&gm),
    );
    for (a, b) in g2.iter().zip(&g1) {
        assert_close(*a, *b, 1e-13);
    }
    let both = (m.clone(), x.clone());
    let dir: Vec<f64> = flat_tangent::<Mlp<f64>>(&v)
        .into_iter()
        .chain(flat(&vx))
        .collect();
    let grad_at = |s: f64| {
        let (m, x) = shifted_along(&both, &dir, s);
        let (_, (gm, gx)) = mlp_loss_grad(&m, &x);
        let g: Vec<f64> = flat_tangent::<Mlp<f64>>(&gm)
            .into_iter()
            .chain(flat(&gx))
            .collect();
        g
    };
    let h = 1e-5;
    let (gp, gn) = (grad_at(h), grad_at(-h));
    let hv: Vec<f64> = flat_tangent::<Mlp<f64>>(&hm)
        .into_iter()
        .chain(flat(&hx))
        .collect();
    let scale: f64 = gp.iter().map(|g| g.abs()).sum::<f64>().max(1.0);
    for (i, want) in gp
        .iter()
        .zip(&gn)
        .map(|(a, b)| (a - b) / (2.0 * h))
        .enumerate()
    {
        assert!(
            (hv[i] - want).abs() <= 1e-6 * scale,
            "element {i}: {} vs {want}",
            hv[i]
        );
    }
}

#[test]
fn generic_mlp_jvp_and_hvp() {
    check_mlp(1);
}

/// A container of the element, and a generic struct result (`jvp`).
#[derive(Clone, Debug, Differentiable)]
struct Poly<T: Float> {
    c: Vec<T>,
}

#[differentiable(wrt(p, x), jvp)]
fn shifted<T: Float>(p: &Poly<T>, x: T) -> Poly<T> {
    let c = p.c.iter().map(|c| *c * x + x.sin()).collect();
    Poly { c }
}

#[test]
fn generic_struct_result() {
    let p = Poly {
        c: vec![0.5, -1.0, 2.0],
    };
    let v = PolyTangent {
        c: vec![0.1, 0.2, -0.3],
    };
    let (out, t) = shifted_jvp(&p, 0.8, &v, 0.5);
    assert_eq!(out.c, shifted(&p, 0.8).c);
    let h = 1e-6;
    let at = |s: f64| {
        let q = Poly {
            c: p.c.iter().zip(&v.c).map(|(c, d)| c + s * d).collect(),
        };
        shifted(&q, 0.8 + s * 0.5).c
    };
    let (a, b) = (at(h), at(-h));
    for i in 0..3 {
        assert_close(t.c[i], (a[i] - b[i]) / (2.0 * h), 1e-7);
    }
}

/// A non-generic function with `jvp`/`hvp` reading a generic struct at `f64`, and calling a
/// generic helper with it (the same type at dual numbers on both sides).
#[differentiable(wrt(p, x))]
fn rosen_helper<T: Float>(p: &Rosen<T>, x: T) -> T {
    (p.a - x) * (p.a - x)
}

#[differentiable(wrt(p, x), jvp, hvp)]
fn calls_generic(p: &Rosen<f64>, x: f64) -> f64 {
    // (a number in the literal is a constant at dual numbers there)
    let q = Rosen { a: p.a * x, b: 2.0 };
    rosen_helper(p, x) * p.b + q.a * q.b * x
}

#[test]
fn non_generic_caller_of_a_generic_helper() {
    let p = Rosen { a: 0.4, b: 1.5 };
    let v = RosenTangent { a: 0.3, b: -0.2 };
    let (_, jv) = calls_generic_jvp(&p, 0.9, &v, 0.6);
    let (_, (gp, gx)) = calls_generic_grad(&p, 0.9);
    let along = gp.a * v.a + gp.b * v.b + gx * 0.6;
    assert!((jv - along).abs() <= 1e-12 * along.abs().max(1.0));
    let (_, _, (hp, hx)) = calls_generic_hvp(&p, 0.9, &v, 0.6);
    let fd = |s: f64| {
        let q = Rosen {
            a: p.a + s * v.a,
            b: p.b + s * v.b,
        };
        let (_, (g, gx)) = calls_generic_grad(&q, 0.9 + s * 0.6);
        [g.a, g.b, gx]
    };
    let h = 1e-5;
    let (a, b) = (fd(h), fd(-h));
    for (got, i) in [hp.a, hp.b, hx].iter().zip(0..3) {
        assert_close(*got, (a[i] - b[i]) / (2.0 * h), 1e-7);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn rosenbrock_hvp_and_jvp_over_random_points(
        a in -2.0f64..2.0, b in 0.5f64..50.0, x in -2.0f64..2.0, y in -2.0f64..2.0,
        va in -1.0f64..1.0, vb in -1.0f64..1.0, vx in -1.0f64..1.0, vy in -1.0f64..1.0,
    ) {
        let p = Rosen { a, b };
        let v = RosenTangent { a: va, b: vb };
        let hess = rosen_hessian(a, b, x, y);
        let (_, _, (hp, hx, hy)) = rosen_hvp(&p, x, y, &v, vx, vy);
        let dir = [va, vb, vx, vy];
        let got = [hp.a, hp.b, hx, hy];
        for (r, g) in hess.iter().zip(got) {
            let want: f64 = r.iter().zip(dir).map(|(h, d)| h * d).sum();
            let mag: f64 = r.iter().zip(dir).map(|(h, d)| (h * d).abs()).sum::<f64>().max(1.0);
            prop_assert!((g - want).abs() <= 1e-12 * mag, "{g} vs {want}");
        }
        let (_, jv) = rosen_jvp(&p, x, y, &v, vx, vy);
        let (_, (gp, gx, gy)) = rosen_grad(&p, x, y);
        let along = gp.a * va + gp.b * vb + gx * vx + gy * vy;
        let mag = (gp.a * va).abs() + (gp.b * vb).abs() + (gx * vx).abs() + (gy * vy).abs();
        prop_assert!((jv - along).abs() <= 1e-12 * mag.max(1.0));
        let seed = (a.to_bits() ^ x.to_bits()) % 1000;
        check_mlp(seed);
    }
}

#[test]
fn fd_flat_agrees_on_the_generic_struct_gradient() {
    // the gradient the hvp starts from, against central differences of the function
    let p = Rosen { a: 0.3, b: 2.0 };
    let (_, (g, _, _), _) = rosen_hvp(&p, 0.5, -0.2, &RosenTangent { a: 0.0, b: 0.0 }, 0.0, 0.0);
    let fd = fd_flat(|q: &Rosen<f64>| rosen(q, 0.5, -0.2), &p);
    assert_close(g.a, fd[0], 1e-7);
    assert_close(g.b, fd[1], 1e-7);
}

/// Nested generic structs (a `Vec` of layers), a generic tuple struct, and a generic struct
/// argument that is not differentiated (a constant at dual numbers).
#[derive(Clone, Debug, Differentiable)]
struct Layer<T: Float>(T, T);

#[derive(Clone, Debug, Differentiable)]
struct Stack<T: Float> {
    layers: Vec<Layer<T>>,
}

#[differentiable(wrt(s, x), jvp, hvp)]
fn stack<T: Float>(s: &Stack<T>, x: T) -> T {
    let mut h = x;
    for l in &s.layers {
        h = (l.0 * h + l.1).tanh();
    }
    h * h
}

#[differentiable(wrt(x), jvp, hvp)]
fn stack_in_x<T: Float>(s: &Stack<T>, x: T) -> T {
    stack(s, x) * x
}

#[test]
fn nested_and_tuple_structs_and_constant_structs() {
    let s = Stack {
        layers: vec![Layer(0.8, -0.1), Layer(-1.3, 0.4), Layer(0.5, 0.2)],
    };
    let v = StackTangent {
        layers: vec![
            LayerTangent(0.2, 0.1),
            LayerTangent(-0.3, 0.5),
            LayerTangent(0.7, -0.4),
        ],
    };
    let (x, vx) = (0.6, -0.9);
    let (_, jv) = stack_jvp(&s, x, &v, vx);
    let (_, (gs, gx)) = stack_grad(&s, x);
    let along = flat_dot(
        &flat_tangent::<Stack<f64>>(&gs),
        &flat_tangent::<Stack<f64>>(&v),
    ) + gx * vx;
    assert!((jv - along).abs() <= 1e-12 * along.abs().max(1.0));
    // H·v against central differences of the gradient
    let (_, _, (hs, hx)) = stack_hvp(&s, x, &v, vx);
    let dir: Vec<f64> = flat_tangent::<Stack<f64>>(&v)
        .into_iter()
        .chain([vx])
        .collect();
    let grad_at = |h: f64| {
        let (s, x) = shifted_along(&(s.clone(), x), &dir, h);
        let (_, (gs, gx)) = stack_grad(&s, x);
        flat_tangent::<Stack<f64>>(&gs)
            .into_iter()
            .chain([gx])
            .collect::<Vec<f64>>()
    };
    let h = 1e-5;
    let (a, b) = (grad_at(h), grad_at(-h));
    let hv: Vec<f64> = flat_tangent::<Stack<f64>>(&hs)
        .into_iter()
        .chain([hx])
        .collect();
    for (i, got) in hv.iter().enumerate() {
        assert_close(*got, (a[i] - b[i]) / (2.0 * h), 1e-7);
    }
    // the struct as a constant: only x moves
    let (_, d) = stack_in_x_jvp(&s, x, vx);
    let (_, g) = stack_in_x_grad(&s, x);
    assert!((d - g * vx).abs() <= 1e-12 * d.abs().max(1.0));
    let (_, g2, hxx) = stack_in_x_hvp(&s, x, 1.0);
    let fd = (stack_in_x_grad(&s, x + h).1 - stack_in_x_grad(&s, x - h).1) / (2.0 * h);
    assert_eq!(g2, g);
    assert_close(hxx, fd, 1e-7);
}

/// A struct generic over its element and over something else (a label, skipped): the element
/// is the parameter bounded by `Float`, the other stays as it is at dual numbers.
#[derive(Clone, Debug, Differentiable)]
struct Neuron<T: Float, L: Clone> {
    w: [T; 2],
    #[differentiable(skip)]
    label: L,
}

#[differentiable(wrt(n, x), jvp, hvp)]
fn neuron<T: Float>(n: &Neuron<T, String>, x: T) -> T {
    let z = n.w[0] * x + n.w[1];
    z.exp().ln_1p() * z
}

#[test]
fn a_struct_with_another_type_parameter() {
    let n = Neuron::<f64, String> {
        w: [0.8, -0.3],
        label: String::from("softplus"),
    };
    assert_eq!(n.label, "softplus");
    let (v, vx) = (NeuronTangent { w: [0.5, -1.0] }, 0.4);
    let x = 0.9;
    let (_, jv) = neuron_jvp(&n, x, &v, vx);
    let (_, (g, gx)) = neuron_grad(&n, x);
    let along = g.w[0] * v.w[0] + g.w[1] * v.w[1] + gx * vx;
    assert!((jv - along).abs() <= 1e-12 * along.abs().max(1.0));
    let (_, _, (hn, hx)) = neuron_hvp(&n, x, &v, vx);
    let h = 1e-5;
    let at = |t: f64| {
        let m = Neuron {
            w: [n.w[0] + t * v.w[0], n.w[1] + t * v.w[1]],
            label: n.label.clone(),
        };
        let (_, (g, gx)) = neuron_grad(&m, x + t * vx);
        [g.w[0], g.w[1], gx]
    };
    let (a, b) = (at(h), at(-h));
    for (got, i) in [hn.w[0], hn.w[1], hx].iter().zip(0..3) {
        assert_close(*got, (a[i] - b[i]) / (2.0 * h), 1e-7);
    }
}
