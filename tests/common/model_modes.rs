//! One check of a model's forward-mode results at `(m, x)` along `(v, vx)`, shared by the tests
//! of methods called in different places: the jvp against the vjp (`<u, J v>`, 1e-12) and
//! against central differences of the loss, the hvp's gradient against `NAME_grad` and its
//! `H·v` against central differences of the gradient.

use super::{assert_close, flat_dot, flat_tangent, shifted_along};
use autodiff::{Differentiable, Tensor};

/// A model's value and gradients (model, input), as `NAME_grad` returns them.
pub type Grads<M> = (f64, <M as Differentiable>::Tangent, Tensor<f64>);

/// What `NAME_jvp` and `NAME_hvp` returned at `(m, x)` along `(v, vx)`.
pub struct Modes<M: Differentiable> {
    /// `(value, J·(v, vx))`.
    pub jvp: (f64, f64),
    /// `(value, gradients, H·(v, vx))` as `(value, (g_m, g_x), (h_m, h_x))`.
    pub hvp: Grads<M>,
    /// The hvp's `H·v`, model part and input part.
    pub hv: (M::Tangent, Tensor<f64>),
}

/// Checks `modes` against `loss` and `grad` (the plain function and its `NAME_grad`).
pub fn check_modes<M: Differentiable + Clone>(
    m: &M,
    (v, vx): (&M::Tangent, &Tensor<f64>),
    x: &Tensor<f64>,
    modes: Modes<M>,
    loss: impl Fn(&M, &Tensor<f64>) -> f64,
    grad: impl Fn(&M, &Tensor<f64>) -> Grads<M>,
) {
    let dir = flat_tangent::<M>(v);
    let flat = |g: &M::Tangent, gx: &Tensor<f64>| {
        let mut f = flat_tangent::<M>(g);
        f.extend(gx.to_vec());
        f
    };
    let (y_r, g, gx) = grad(m, x);
    let (y, jv) = modes.jvp;
    assert_close(y, y_r, 1e-14);
    assert_close(
        jv,
        flat_dot(&flat_tangent::<M>(&g), &dir) + flat_dot(&gx.to_vec(), &vx.to_vec()),
        1e-12,
    );
    let h = 1e-6;
    let at = |s: f64| (shifted_along(m, &dir, s), x + &(vx * s));
    let ((mp, xp), (mm, xm)) = (at(h), at(-h));
    assert_close(jv, (loss(&mp, &xp) - loss(&mm, &xm)) / (2.0 * h), 1e-7);

    let (y_h, g_h, gx_h) = modes.hvp;
    assert_close(y_h, y_r, 1e-14);
    for (a, b) in flat(&g_h, &gx_h).iter().zip(&flat(&g, &gx)) {
        assert_close(*a, *b, 1e-14);
    }
    let flat_grad = |s: f64| {
        let (m_s, x_s) = at(s);
        let (_, g, gx) = grad(&m_s, &x_s);
        flat(&g, &gx)
    };
    let (gp, gm) = (flat_grad(1e-5), flat_grad(-1e-5));
    for (k, got) in flat(&modes.hv.0, &modes.hv.1).iter().enumerate() {
        assert_close(*got, (gp[k] - gm[k]) / 2e-5, 1e-6);
    }
}
