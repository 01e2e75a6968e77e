//! Issue 12's ordinary Rust forms in `NAME_jvp` and `NAME_hvp` of tensor functions and methods
//! (the scalar forms are in `forward_expressions.rs`): `powf` with a differentiated exponent,
//! closures over tensors, scalar forms read from tensors, a type alias of a tensor, `f32`
//! functions, a `&self` method. The jvp against central differences, `<u, J v>` against the
//! vjp to 1e-12, the hvp against central differences of the gradient.

mod common;
use autodiff::prelude::*;
use common::{assert_close, H};

const WS: [f64; 4] = [0.5, -1.25, 2.0, 0.75];

// ---- tensors: `powf` with an active exponent, closures over tensors ----

#[differentiable(jvp, hvp)]
fn tensor_powf(x: &Tensor<f64>, p: f64) -> Tensor<f64> {
    x.powf(p).sum()
}

#[differentiable(jvp, hvp)]
fn tensor_closure(x: &Tensor<f64>) -> Tensor<f64> {
    let f = |t: &Tensor<f64>| t.tanh() * 2.0;
    let h = |t: &Tensor<f64>, k: f64| t * k;
    (f(x) * x).sum() + h(x, 2.0).sum()
}

#[test]
fn tensor_forms() {
    let x = Tensor::from_vec(vec![0.5, 1.2, 2.0], &[3]);
    let vx = Tensor::from_vec(vec![0.3, -0.2, 0.1], &[3]);
    let (p, vp) = (1.7, 0.4);
    let (y, jv) = tensor_powf_jvp(&x, p, &vx, vp);
    assert_eq!(y.item(), tensor_powf(&x, p).item());
    let along = |s: f64| tensor_powf(&(&x + &(&vx * s)), p + s * vp).item();
    assert_close(jv.item(), (along(H) - along(-H)) / (2.0 * H), 1e-6);
    let (_, pb) = tensor_powf_vjp(&x, p);
    let (gx, gp) = pb(Tensor::scalar(1.0));
    let dot: f64 = gx
        .to_vec()
        .iter()
        .zip(vx.to_vec())
        .map(|(a, b)| a * b)
        .sum();
    assert_close(jv.item(), dot + gp * vp, 1e-12);
    let (_, _, (hx, hp)) = tensor_powf_hvp(&x, p, &vx, vp);
    let grad_along = |s: f64| tensor_powf_grad(&(&x + &(&vx * s)), p + s * vp).1;
    let ((gxp, gpp), (gxm, gpm)) = (grad_along(H), grad_along(-H));
    for ((h, a), b) in hx.to_vec().iter().zip(gxp.to_vec()).zip(gxm.to_vec()) {
        assert_close(*h, (a - b) / (2.0 * H), 1e-6);
    }
    assert_close(hp, (gpp - gpm) / (2.0 * H), 1e-6);

    let (y, jv) = tensor_closure_jvp(&x, &vx);
    assert_eq!(y.item(), tensor_closure(&x).item());
    let along = |s: f64| tensor_closure(&(&x + &(&vx * s))).item();
    assert_close(jv.item(), (along(H) - along(-H)) / (2.0 * H), 1e-6);
    let (_, _, hx) = tensor_closure_hvp(&x, &vx);
    let grad_along = |s: f64| tensor_closure_grad(&(&x + &(&vx * s))).1;
    let (gp, gm) = (grad_along(H), grad_along(-H));
    for ((h, a), b) in hx.to_vec().iter().zip(gp.to_vec()).zip(gm.to_vec()) {
        assert_close(*h, (a - b) / (2.0 * H), 1e-6);
    }
}

// ---- scalar forms inside tensor functions, type aliases, f32 ----

#[differentiable(jvp, hvp)]
fn tensor_scalars(x: &Tensor<f64>, ws: &[f64]) -> Tensor<f64> {
    let s: f64 = x.sum().item();
    let k = ws.iter().map(|&w| w * s).sum::<f64>();
    let g = |v: f64| v.sin() * 2.0;
    (x * g(k)).sum() * f64::max(s, 0.5)
}

type T64 = Tensor<f64>;

/// A type alias of a tensor (`jvp`: through `Dualize`).
#[differentiable(jvp)]
fn aliased(x: &T64) -> T64 {
    (x * x).sin().sum()
}

#[differentiable(jvp, hvp)]
fn f32_forms(x: f32, y: f32) -> f32 {
    let sq = |v: f32| v * v;
    let a: f32 = f32::max(x, y) + f32::sin(x);
    sq(x) + a + [x, y].iter().sum::<f32>()
}

#[test]
fn tensor_functions_aliases_and_f32() {
    let x = Tensor::from_vec(vec![0.5, 1.2, -0.4], &[3]);
    let vx = Tensor::from_vec(vec![0.3, -0.2, 0.1], &[3]);
    let along = |f: &dyn Fn(&Tensor<f64>) -> f64, s: f64| f(&(&x + &(&vx * s)));
    let ts = |t: &Tensor<f64>| tensor_scalars(t, &WS).item();
    let (y, jv) = tensor_scalars_jvp(&x, &WS, &vx);
    assert_eq!(y.item(), ts(&x));
    assert_close(
        jv.item(),
        (along(&ts, H) - along(&ts, -H)) / (2.0 * H),
        1e-6,
    );
    let (_, pb) = tensor_scalars_vjp(&x, &WS);
    let g = pb(Tensor::scalar(1.0));
    let dot: f64 = g.to_vec().iter().zip(vx.to_vec()).map(|(a, b)| a * b).sum();
    assert_close(jv.item(), dot, 1e-12);
    let (_, _, hv) = tensor_scalars_hvp(&x, &WS, &vx);
    let grad_along = |s: f64| tensor_scalars_grad(&(&x + &(&vx * s)), &WS).1;
    let (gp, gm) = (grad_along(H), grad_along(-H));
    for ((h, a), b) in hv.to_vec().iter().zip(gp.to_vec()).zip(gm.to_vec()) {
        assert_close(*h, (a - b) / (2.0 * H), 1e-6);
    }

    let al = |t: &Tensor<f64>| aliased(t).item();
    let (y, jv) = aliased_jvp(&x, &vx);
    assert_eq!(y.item(), al(&x));
    assert_close(
        jv.item(),
        (along(&al, H) - along(&al, -H)) / (2.0 * H),
        1e-6,
    );

    let (x32, y32, vx32, vy32) = (0.4f32, 1.3f32, 0.7f32, -0.4f32);
    let (v, jv) = f32_forms_jvp(x32, y32, vx32, vy32);
    assert_eq!(v, f32_forms(x32, y32));
    let (_, g) = f32_forms_grad(x32, y32);
    assert_close(f64::from(jv), f64::from(g.0 * vx32 + g.1 * vy32), 1e-6);
    let (_, g2, hv) = f32_forms_hvp(x32, y32, vx32, vy32);
    assert_eq!(g2, g);
    // d²/dx² = 2 - sin x + 0 (max picks y), no mixed terms
    assert_close(f64::from(hv.0), f64::from((2.0 - x32.sin()) * vx32), 1e-6);
    assert_close(f64::from(hv.1), 0.0, 1e-6);
}

// ---- a method ----

#[derive(Clone, Debug, Differentiable)]
struct Affine {
    w: Tensor<f64>,
    c: f64,
}

impl Affine {
    /// Closures over a field, UFCS and a turbofish sum in a `&self` method.
    #[differentiable(wrt(self, x), jvp, hvp)]
    fn loss(&self, x: &Tensor<f64>, ws: &[f64]) -> Tensor<f64> {
        let sq = |v: f64| v * v;
        let c2: f64 = sq(self.c) + ws.iter().map(|&w| w * self.c).sum::<f64>();
        (x.matmul(&self.w) * f64::max(c2, 0.1)).tanh().sum()
    }
}

#[test]
fn method_forms() {
    let p = Affine {
        w: Tensor::from_vec(vec![0.3, -0.5, 0.8, 0.1, 0.2, -0.4], &[3, 2]),
        c: 0.7,
    };
    let vp = AffineTangent {
        w: Tensor::from_vec(vec![0.1, 0.2, -0.3, 0.4, -0.1, 0.05], &[3, 2]),
        c: -0.6,
    };
    let x = Tensor::from_vec(vec![0.5, -1.0, 0.25], &[1, 3]);
    let vx = Tensor::from_vec(vec![0.2, 0.1, -0.3], &[1, 3]);
    let at = |s: f64| {
        let q = Affine {
            w: &p.w + &(&vp.w * s),
            c: p.c + s * vp.c,
        };
        (q, &x + &(&vx * s))
    };
    let f = |s: f64| {
        let (q, x) = at(s);
        q.loss(&x, &WS).item()
    };
    let (y, jv) = p.loss_jvp(&x, &WS, &vp, &vx);
    assert_eq!(y.item(), f(0.0));
    assert_close(jv.item(), (f(H) - f(-H)) / (2.0 * H), 1e-6);
    let (_, pb) = p.loss_vjp(&x, &WS);
    let (gp, gx) = pb(Tensor::scalar(1.0));
    let dot = |a: &Tensor<f64>, b: &Tensor<f64>| -> f64 {
        a.to_vec().iter().zip(b.to_vec()).map(|(u, v)| u * v).sum()
    };
    assert_close(
        jv.item(),
        dot(&gp.w, &vp.w) + gp.c * vp.c + dot(&gx, &vx),
        1e-12,
    );
    let (_, _, (hp, hx)) = p.loss_hvp(&x, &WS, &vp, &vx);
    let grads = |s: f64| {
        let (q, x) = at(s);
        q.loss_grad(&x, &WS).1
    };
    let ((gpp, gxp), (gpm, gxm)) = (grads(H), grads(-H));
    let fd = |a: &Tensor<f64>, b: &Tensor<f64>| -> Vec<f64> {
        a.to_vec()
            .iter()
            .zip(b.to_vec())
            .map(|(u, v)| (u - v) / (2.0 * H))
            .collect()
    };
    for (h, d) in hp.w.to_vec().iter().zip(fd(&gpp.w, &gpm.w)) {
        assert_close(*h, d, 1e-6);
    }
    assert_close(hp.c, (gpp.c - gpm.c) / (2.0 * H), 1e-6);
    for (h, d) in hx.to_vec().iter().zip(fd(&gxp, &gxm)) {
        assert_close(*h, d, 1e-6);
    }
}
