//! No silent wrong gradient: the functions that used to lose their derivative without a word
//! now carry it (checked by central finite differences in f64), and a property test composes
//! every scalar method of the macro's operation table, the zero-derivative ones included.

mod common;
use autodiff::prelude::*;
use common::{assert_close, assert_tensor_close, fd, fd_tensor};
use proptest::prelude::*;

#[differentiable]
fn with_dbg(x: f64) -> f64 {
    let y = dbg!(x * 3.0);
    y * x
}

#[differentiable]
fn saw(x: f64) -> f64 {
    x.fract() * 3.0 + x
}

#[differentiable]
fn first(x: &Tensor<f64>) -> Tensor<f64> {
    let x0 = x.get(&[0]);
    x.sum() * x0
}

#[differentiable]
fn loss(w: &Tensor) -> f32 {
    (w * w).sum().item()
}

#[differentiable]
fn rewrapped(x: &Tensor<f64>) -> Tensor<f64> {
    let s = Tensor::scalar(x.sum().item());
    let f = Tensor::full(&[3], x.get(&[1]));
    &s * 2.0 + (f * x).sum()
}

#[test]
fn dbg_is_the_identity() {
    let (v, g) = with_dbg_grad(2.0);
    assert_eq!(v, 12.0);
    assert_eq!(g, 12.0);
    assert_close(g, fd(with_dbg, 2.0), 1e-8);
}

#[test]
fn fract_has_derivative_one() {
    let (_, g) = saw_grad(2.3);
    assert_close(g, 4.0, 1e-12);
    assert_close(g, fd(saw, 2.3), 1e-7);
}

#[test]
fn get_reads_an_element_with_its_gradient() {
    let x = Tensor::from_vec(vec![1.0, 2.0, 3.0], &[3]);
    let (_, g) = first_grad(&x);
    assert_eq!(g.to_vec(), vec![7.0, 1.0, 1.0]);
    assert_tensor_close(&g, &fd_tensor(|x| first(x).item(), &x), 1e-7);
}

#[test]
fn item_is_a_differentiable_scalar() {
    let w = Tensor::from_vec(vec![0.5f32, -1.5, 2.0], &[3]);
    let (v, g) = loss_grad(&w);
    assert_eq!(v, 6.5);
    assert_eq!(g.to_vec(), vec![1.0, -3.0, 4.0]);
}

#[test]
fn scalar_and_full_constructors_carry_the_gradient() {
    let x = Tensor::from_vec(vec![0.3, -0.7, 1.1], &[3]);
    let (_, g) = rewrapped_grad(&x);
    assert_tensor_close(&g, &fd_tensor(|x| rewrapped(x).item(), &x), 1e-7);
}

/// Every scalar method of the operation table, each squashed back into a bounded range with
/// `atan` so that any composition stays in every method's domain.
#[differentiable]
fn chain(x: f64, ops: &[u8]) -> f64 {
    let mut y = x;
    for &k in ops {
        let z = match k % 36 {
            0 => y.exp(),
            1 => (y * y + 0.5).ln(),
            2 => (y * y + 0.5).sqrt(),
            3 => y.powi(3),
            4 => y.sin(),
            5 => y.cos(),
            6 => y.tanh(),
            7 => y.abs(),
            8 => y.exp2(),
            9 => y.exp_m1(),
            10 => (y * y).ln_1p(),
            11 => (y * y + 0.5).log2(),
            12 => (y * y + 0.5).log10(),
            13 => (y * y + 0.5).cbrt() + y * 0.1,
            14 => (y * 0.4).tan(),
            15 => (y.tanh() * 0.9).asin(),
            16 => (y.tanh() * 0.9).acos(),
            17 => y.atan(),
            18 => y.sinh(),
            19 => y.cosh(),
            20 => (y * y + 0.5).recip(),
            21 => y.fract(),
            22 => y.clamp(-0.5, 0.5),
            23 => y.floor() + y,
            24 => y.ceil() * y,
            25 => y.round() + y * 2.0,
            26 => y.trunc() - y,
            27 => y.signum() * y,
            28 => (y * y + 0.5).powf(y.tanh()),
            29 => y.max(0.3 * y + 0.1),
            30 => y.min(0.3 * y + 0.1),
            31 => y.hypot(y * 0.5 + 1.0),
            32 => y.atan2(y * y + 1.0),
            33 => (y * 3.0).rem_euclid(1.5),
            34 => (y + 0.5).copysign(y * 2.0 - 0.1),
            _ => y * y,
        };
        y = z.atan();
    }
    y
}

fn central(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x + h) - f(x - h)) / (2.0 * h)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn compositions_of_every_scalar_method_match_finite_differences(
        x in -2.0f64..2.0,
        ops in proptest::collection::vec(0u8..36, 1..6),
    ) {
        let f = |x: f64| chain(x, &ops);
        let (fine, coarse) = (central(f, x, 1e-6), central(f, x, 1e-4));
        // a kink within a step of x shows as disagreement between the two step sizes
        prop_assume!((fine - coarse).abs() <= 1e-4 * (1.0 + fine.abs()));
        let (_, g) = chain_grad(x, &ops);
        prop_assert!(
            (g - fine).abs() <= 1e-5 * (1.0 + fine.abs()),
            "ops {:?} at {}: gradient {} vs finite difference {}", ops, x, g, fine
        );
    }
}

/// The `else` block of a `let .. else` is differentiated like any block: a value it returns
/// carries its gradient (it was copied verbatim, and its gradient lost, before).
#[differentiable]
fn let_else_returning(x: f64, k: Option<usize>) -> f64 {
    let y = x * 3.0;
    let Some(n) = k else { return y * x };
    y * n as f64
}

#[test]
fn let_else_block_returns_carry_their_gradient() {
    for (x, k) in [(2.0, None), (2.0, Some(4)), (-0.5, None)] {
        let (v, g) = let_else_returning_grad(x, k);
        assert_eq!(v, let_else_returning(x, k));
        let h = 1e-6;
        let fd = (let_else_returning(x + h, k) - let_else_returning(x - h, k)) / (2.0 * h);
        assert!((g - fd).abs() < 1e-6, "{g} vs {fd}");
    }
}

#[differentiable]
fn maybe_scaled(x: f64, k: f64) -> Option<f64> {
    if k > 0.0 {
        Some(x * k)
    } else {
        None
    }
}

/// `let .. else` on a differentiable value: the matched parts carry their gradient.
#[differentiable(wrt(x, pair))]
fn let_else_on_active(x: f64, pair: (f64, f64)) -> f64 {
    let Some(y) = maybe_scaled(x, 3.0) else {
        return x;
    };
    let (a, b) = (y * pair.0, x + pair.1);
    a * b + y.sin()
}

#[test]
fn let_else_binding_differentiable_values() {
    let pair = (0.5, -1.0);
    let (_, (gx, gp)) = let_else_on_active_grad(0.7, pair);
    let h = 1e-6;
    let f = |x: f64, p: (f64, f64)| let_else_on_active(x, p);
    assert!((gx - (f(0.7 + h, pair) - f(0.7 - h, pair)) / (2.0 * h)).abs() < 1e-6);
    let dp0 = (f(0.7, (0.5 + h, -1.0)) - f(0.7, (0.5 - h, -1.0))) / (2.0 * h);
    let dp1 = (f(0.7, (0.5, -1.0 + h)) - f(0.7, (0.5, -1.0 - h))) / (2.0 * h);
    assert!((gp.0 - dp0).abs() < 1e-6 && (gp.1 - dp1).abs() < 1e-6);
}

/// `match` and `if let` arms that take an active `Option` or tuple apart.
#[differentiable]
fn match_destructures(x: f64, k: f64) -> f64 {
    let y = match maybe_scaled(x, k) {
        Some(v) => v * v,
        None => x,
    };
    let t = match (x * 2.0, y) {
        (a, b) if a > 0.0 => a * b,
        (a, _) => a,
    };
    t + y
}

#[test]
fn match_arms_destructuring_differentiable_values() {
    for (x, k) in [(0.7, 2.0), (0.7, -1.0), (-0.4, 3.0)] {
        let (_, (gx, gk)) = match_destructures_grad(x, k);
        let h = 1e-6;
        let fx = (match_destructures(x + h, k) - match_destructures(x - h, k)) / (2.0 * h);
        let fk = (match_destructures(x, k + h) - match_destructures(x, k - h)) / (2.0 * h);
        assert!((gx - fx).abs() < 1e-5, "{gx} vs {fx}");
        assert!((gk - fk).abs() < 1e-5, "{gk} vs {fk}");
    }
}
