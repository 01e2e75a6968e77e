//! `#[differentiable(jvp)]` and `#[differentiable(hvp)]` on generic scalar functions: the
//! forward derivative agrees with the reverse one (`<u, J v>` both ways), and `H·v` with finite
//! differences of the gradient and with hand-derived Hessians.

mod common;
use autodiff::prelude::*;
use common::assert_close;

/// Rosenbrock: H = [[2 - 400(y - 3x²), -400x], [-400x, 200]].
#[differentiable(jvp, hvp)]
fn rosenbrock<T: Float>(x: T, y: T) -> T {
    let one = T::one();
    let hundred = T::from(100.0).unwrap();
    (one - x) * (one - x) + hundred * (y - x * x) * (y - x * x)
}

/// Explicit Euler for y' = -k y² until t reaches 1, with a data-dependent step count.
#[differentiable(wrt(y0, k), jvp, hvp)]
fn ode<T: Float>(y0: T, k: T, h: f64) -> T {
    let mut y = y0;
    let mut t = 0.0;
    let dt = T::from(h).unwrap();
    while t < 1.0 {
        y = y - dt * k * y * y;
        t += h;
    }
    y
}

#[test]
fn jvp_agrees_with_the_gradient() {
    for (x, y) in [(0.5, -0.3), (1.2, 1.0), (-0.7, 2.0)] {
        let (v, g) = rosenbrock_grad(x, y);
        let (u, w) = (0.3, -1.7);
        let (v2, dv) = rosenbrock_jvp(x, y, u, w);
        assert_eq!(v, v2);
        assert_close(dv, g.0 * u + g.1 * w, 1e-12);
    }
    let (_, (gy, gk)) = ode_grad(1.0, 0.4, 0.01);
    let (_, dv) = ode_jvp(1.0, 0.4, 0.01, 2.0, -1.0);
    assert_close(dv, 2.0 * gy - gk, 1e-12);
}

#[test]
fn hvp_matches_the_hessian() {
    let (x, y) = (0.8, 0.1);
    let (v, g, hv) = rosenbrock_hvp(x, y, 1.0, 0.0);
    assert_eq!((v, g), rosenbrock_grad(x, y));
    assert_close(hv.0, 2.0 - 400.0 * (y - 3.0 * x * x), 1e-10);
    assert_close(hv.1, -400.0 * x, 1e-10);
    let (_, _, hv) = rosenbrock_hvp(x, y, 0.0, 1.0);
    assert_close(hv.0, -400.0 * x, 1e-10);
    assert_close(hv.1, 200.0, 1e-10);
    // the ODE: against central differences of the gradient
    let (y0, k, h) = (1.0, 0.4, 0.01);
    let (_, _, hv) = ode_hvp(y0, k, h, 0.5, 1.0);
    let eps = 1e-6;
    let (_, gp) = ode_grad(y0 + 0.5 * eps, k + eps, h);
    let (_, gm) = ode_grad(y0 - 0.5 * eps, k - eps, h);
    assert_close(hv.0, (gp.0 - gm.0) / (2.0 * eps), 1e-6);
    assert_close(hv.1, (gp.1 - gm.1) / (2.0 * eps), 1e-6);
}
