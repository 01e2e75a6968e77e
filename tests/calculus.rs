//! Forward mode, Hessian-vector products, Hessians and Jacobians of `#[differentiable]`
//! functions, against hand-derived second derivatives and central finite differences:
//!
//! - Rosenbrock, a softmax cross-entropy over three logits (max-shifted, as written for
//!   stability) and an ODE integrated by explicit Euler in a `while` loop whose trip count
//!   depends on the step size, all generic `fn f<T: Float>`, so that `f::<Dual<f64>>` is
//!   forward mode and `f_grad::<Dual<f64>>` is forward over reverse;
//! - the forward derivative `<∇f, v>` against the reverse one (agreeing to 1e-12), `H·v`
//!   against finite differences of the generated gradient, the gradient part of `hvp` against
//!   `f_grad::<f64>` bit for bit;
//! - Jacobians by rows (one reused pullback of a tensor function) against finite differences.
//!
//! The closures passed to `hessian`/`hvp`/`jvp` receive `Dual<f64>` numbers (inferred), so
//! `|(x, y)| rosenbrock_grad(x, y)` calls `rosenbrock_grad::<Dual<f64>>`.

mod common;

use autodiff::calculus::{hessian, hvp, jacobian, jacobian_fwd, jvp};
use autodiff::prelude::*;
use common::{assert_close, H};
use proptest::prelude::*;

#[differentiable]
fn rosenbrock<T: Float>(x: T, y: T) -> T {
    let a = T::one();
    let b = T::from(100.0).unwrap();
    (a - x) * (a - x) + b * (y - x * x) * (y - x * x)
}

/// Cross-entropy of the softmax of `(z0, z1, z2)` for the target class 1.
#[differentiable]
fn softmax_ce<T: Float>(z0: T, z1: T, z2: T) -> T {
    let m = z0.max(z1).max(z2);
    let s = (z0 - m).exp() + (z1 - m).exp() + (z2 - m).exp();
    m + s.ln() - z1
}

/// `y' = -k·y` from `y(0) = y0` to `t = 1` by explicit Euler with step `h`: the number of
/// steps is decided by the loop condition, from the data.
#[differentiable]
fn euler_decay<T: Float>(k: T, y0: T, h: T) -> T {
    let mut y = y0;
    let mut t = T::zero();
    while t < T::one() {
        y = y - h * k * y;
        t = t + h;
    }
    y
}

/// The number of steps `euler_decay` takes with step `h` (the same loop, in f64).
fn steps(h: f64) -> i32 {
    let (mut t, mut n) = (0.0, 0);
    while t < 1.0 {
        t += h;
        n += 1;
    }
    n
}

fn rosenbrock_hessian(x: f64, y: f64) -> [f64; 4] {
    let hxy = -400.0 * x;
    [2.0 - 400.0 * (y - x * x) + 800.0 * x * x, hxy, hxy, 200.0]
}

/// `diag(p) - p·pᵀ` with `p = softmax(z)`.
fn softmax_ce_hessian(z: [f64; 3]) -> [f64; 9] {
    let e: Vec<f64> = z.iter().map(|v| v.exp()).collect();
    let s: f64 = e.iter().sum();
    let p: Vec<f64> = e.iter().map(|v| v / s).collect();
    std::array::from_fn(|ij| {
        let (i, j) = (ij / 3, ij % 3);
        f64::from(u8::from(i == j)) * p[i] - p[i] * p[j]
    })
}

/// `y0·u^N` with `u = 1 - k·h`: derivatives in `(k, y0, h)` with `N` fixed.
fn euler_decay_hessian(k: f64, y0: f64, h: f64) -> [f64; 9] {
    let n = f64::from(steps(h));
    let u = 1.0 - k * h;
    let (d1, d2) = (n * u.powf(n - 1.0), n * (n - 1.0) * u.powf(n - 2.0));
    let kk = y0 * d2 * h * h;
    let hh = y0 * d2 * k * k;
    let kh = y0 * (d2 * k * h - d1);
    let ky = -h * d1;
    let hy = -k * d1;
    [kk, ky, kh, ky, 0.0, hy, kh, hy, hh]
}

/// `|a - b| <= tol·(1 + Σ|a|)` for every element: the tolerance scaled to the magnitude of the
/// whole matrix.
#[track_caller]
fn assert_matrix_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    let scale = 1.0 + want.iter().map(|v| v.abs()).sum::<f64>();
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * scale,
            "element {i}: {g} vs {w}\n{got:?}\n{want:?}"
        );
    }
}

#[test]
fn hessians_match_the_hand_derived_ones() {
    for (x, y) in [(1.5, 0.5), (-0.3, 0.8), (1.0, 1.0)] {
        let h = hessian(|(x, y)| rosenbrock_grad(x, y), &(x, y));
        assert_eq!(h.shape(), &[2, 2]);
        assert_matrix_close(&h.to_vec(), &rosenbrock_hessian(x, y), 1e-14);
    }
    for z in [[0.2, -1.0, 0.5], [3.0, 2.5, -4.0], [0.0, 0.0, 0.0]] {
        let h = hessian(|(a, b, c)| softmax_ce_grad(a, b, c), &(z[0], z[1], z[2]));
        assert_matrix_close(&h.to_vec(), &softmax_ce_hessian(z), 1e-14);
    }
    for (k, y0, h) in [(0.8, 2.0, 0.1), (1.5, -0.5, 0.03), (0.3, 1.0, 0.25)] {
        let hess = hessian(|(k, y0, h)| euler_decay_grad(k, y0, h), &(k, y0, h));
        assert_matrix_close(&hess.to_vec(), &euler_decay_hessian(k, y0, h), 1e-12);
    }
}

#[test]
fn the_step_count_really_depends_on_the_data() {
    assert_ne!(steps(0.1), steps(0.03));
    // and the hessian changes with it, exactly as the closed form with the new N
    let a = hessian(|(k, y0, h)| euler_decay_grad(k, y0, h), &(0.8, 2.0, 0.1));
    let b = hessian(|(k, y0, h)| euler_decay_grad(k, y0, h), &(0.8, 2.0, 0.26));
    assert_ne!(steps(0.1), steps(0.26));
    assert_matrix_close(&b.to_vec(), &euler_decay_hessian(0.8, 2.0, 0.26), 1e-12);
    assert!(a != b);
}

/// Central difference of the generated f64 gradient along `v`.
fn fd_of_gradient(grad: impl Fn(&[f64]) -> Vec<f64>, x: &[f64], v: &[f64]) -> Vec<f64> {
    let shifted = |s: f64| -> Vec<f64> {
        let p: Vec<f64> = x.iter().zip(v).map(|(a, b)| a + s * b).collect();
        grad(&p)
    };
    let (hi, lo) = (shifted(H), shifted(-H));
    hi.iter()
        .zip(lo)
        .map(|(a, b)| (a - b) / (2.0 * H))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn hvp_matches_finite_differences_of_the_gradient(
        x in proptest::array::uniform3(-1.5f64..1.5), v in proptest::array::uniform3(-1.0f64..1.0),
        k in 0.2f64..2.0, y0 in -2.0f64..2.0, h in 0.02f64..0.3, dv in proptest::array::uniform3(-1.0f64..1.0),
    ) {
        // Rosenbrock
        let (f, g, hv) = hvp(|(a, b)| rosenbrock_grad(a, b), &(x[0], x[1]), &(v[0], v[1]));
        let (f64_f, f64_g) = rosenbrock_grad(x[0], x[1]);
        prop_assert_eq!((f, g), (f64_f, f64_g)); // the values are the f64 computation
        let fd = fd_of_gradient(|p| { let (_, g) = rosenbrock_grad(p[0], p[1]); vec![g.0, g.1] }, &x[..2], &v[..2]);
        assert_matrix_close(&[hv.0, hv.1], &fd, 1e-6);
        // softmax cross-entropy
        let (_, _, hv) = hvp(|(a, b, c)| softmax_ce_grad(a, b, c), &(x[0], x[1], x[2]), &(v[0], v[1], v[2]));
        let fd = fd_of_gradient(|p| { let (_, g) = softmax_ce_grad(p[0], p[1], p[2]); vec![g.0, g.1, g.2] }, &x, &v);
        assert_matrix_close(&[hv.0, hv.1, hv.2], &fd, 1e-7);
        // the ODE, away from the step sizes where the trip count jumps
        let p = [k, y0, h];
        let grad = |p: &[f64]| { let (_, g) = euler_decay_grad(p[0], p[1], p[2]); vec![g.0, g.1, g.2] };
        let tiny = [dv[0], dv[1], dv[2] * 1e-3];
        if steps(h - 1e-5) == steps(h + 1e-5) {
            let (_, _, hv) = hvp(|(a, b, c)| euler_decay_grad(a, b, c), &(k, y0, h), &(tiny[0], tiny[1], tiny[2]));
            let fd = fd_of_gradient(grad, &p, &tiny);
            assert_matrix_close(&[hv.0, hv.1, hv.2], &fd, 1e-6);
        }
    }

    #[test]
    fn forward_and_reverse_derivatives_agree(
        x in proptest::array::uniform3(-1.5f64..1.5), v in proptest::array::uniform3(-1.0f64..1.0),
        k in 0.2f64..2.0, y0 in -2.0f64..2.0, h in 0.02f64..0.3,
    ) {
        // <1, J v> by forward mode (f::<Dual>) and <∇f, v> by reverse mode agree to 1e-12
        let (f, d) = jvp(|(a, b)| rosenbrock(a, b), &(x[0], x[1]), &(v[0], v[1]));
        let (y, g) = rosenbrock_grad(x[0], x[1]);
        prop_assert_eq!(f, y);
        assert_close(d, g.0 * v[0] + g.1 * v[1], 1e-12);
        let (_, d) = jvp(|(a, b, c)| softmax_ce(a, b, c), &(x[0], x[1], x[2]), &(v[0], v[1], v[2]));
        let (_, g) = softmax_ce_grad(x[0], x[1], x[2]);
        assert_close(d, g.0 * v[0] + g.1 * v[1] + g.2 * v[2], 1e-12);
        let (_, d) = jvp(|(a, b, c)| euler_decay(a, b, c), &(k, y0, h), &(v[0], v[1], v[2]));
        let (_, g) = euler_decay_grad(k, y0, h);
        assert_close(d, g.0 * v[0] + g.1 * v[1] + g.2 * v[2], 1e-12);
    }
}

#[test]
fn hessians_are_symmetric() {
    let h = hessian(|(k, y0, h)| euler_decay_grad(k, y0, h), &(1.1, 0.7, 0.07)).to_vec();
    for i in 0..3 {
        for j in 0..3 {
            assert_close(h[i * 3 + j], h[j * 3 + i], 1e-13);
        }
    }
}

// ---- Jacobians -------------------------------------------------------------------------------------

#[differentiable]
fn layer(x: &Tensor<f64>, w: &Tensor<f64>) -> Tensor<f64> {
    (w.mv(x) + x.sum()).tanh()
}

#[test]
fn jacobian_rows_match_finite_differences() {
    let w = Tensor::from_vec(vec![0.5, -1.0, 0.3, 0.2, 0.8, -0.6], &[3, 2]);
    let x = Tensor::from_vec(vec![0.4, -0.9], &[2]);
    // with respect to x only: the pullback of the generated _vjp, called once per row
    let j = jacobian(
        |x: &Tensor<f64>| {
            let (y, pb) = layer_vjp(x, &w);
            (y, move |g| pb(g).0)
        },
        &x,
    );
    assert_eq!(j.shape(), &[3, 2]);
    for col in 0..2 {
        let f = |t: f64| {
            let mut p = x.to_vec();
            p[col] = t;
            layer(&Tensor::from_vec(p, &[2]), &w)
        };
        let (hi, lo) = (f(x.to_vec()[col] + H), f(x.to_vec()[col] - H));
        for row in 0..3 {
            let fd = (hi.get(&[row]) - lo.get(&[row])) / (2.0 * H);
            assert_close(j.get(&[row, col]), fd, 1e-8);
        }
    }
    // with respect to both arguments: columns of x, then of w (leaf order)
    let both = jacobian(
        |(x, w): &(Tensor<f64>, Tensor<f64>)| layer_vjp(x, w),
        &(x.clone(), w.clone()),
    );
    assert_eq!(both.shape(), &[3, 8]);
    for row in 0..3 {
        assert_eq!(both.get(&[row, 0]), j.get(&[row, 0]));
        assert_eq!(both.get(&[row, 1]), j.get(&[row, 1]));
        // dy_row/dw[row, c] = (1 - y²)·x[c]; other rows of w do not matter
        let y = layer(&x, &w).get(&[row]);
        for c in 0..2 {
            assert_close(
                both.get(&[row, 2 + row * 2 + c]),
                (1.0 - y * y) * x.get(&[c]),
                1e-15,
            );
            assert_eq!(both.get(&[row, 2 + ((row + 1) % 3) * 2 + c]), 0.0);
        }
    }
    // a scalar output has a one-row Jacobian: the gradient
    let g = jacobian(|&(a, b): &(f64, f64)| rosenbrock_vjp(a, b), &(0.5, 0.2));
    let (_, (ga, gb)) = rosenbrock_grad(0.5, 0.2);
    assert_eq!(g.to_vec(), vec![ga, gb]);
}

/// A generic function of several outputs (written without the macro, which differentiates
/// functions of one output).
fn spherical<T: Float>(r: T, theta: T, phi: T) -> [T; 3] {
    let (st, ct) = theta.sin_cos();
    [r * st * phi.cos(), r * st * phi.sin(), r * ct]
}

#[test]
fn forward_jacobian_columns() {
    let (r, t, p) = (2.0f64, 0.7f64, -0.4f64);
    let j = jacobian_fwd(|(r, t, p)| spherical(r, t, p), &(r, t, p));
    assert_eq!(j.shape(), &[3, 3]);
    let want = [
        t.sin() * p.cos(),
        r * t.cos() * p.cos(),
        -r * t.sin() * p.sin(),
        t.sin() * p.sin(),
        r * t.cos() * p.sin(),
        r * t.sin() * p.cos(),
        t.cos(),
        -r * t.sin(),
        0.0,
    ];
    assert_matrix_close(&j.to_vec(), &want, 1e-15);
}
