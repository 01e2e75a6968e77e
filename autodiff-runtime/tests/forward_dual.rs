//! `Dual<F>` (forward mode): the derivative of every `num_traits::Float` method and operator
//! against central finite differences in f64 at random points of its domain (proptest), the
//! f32 form against the f64 one, agreement with the reverse-mode rules of `ScalarVjp`, and
//! second derivatives through nested duals.

use autodiff_runtime::forward::Dual;
use autodiff_runtime::vjp::{Pullback, ScalarVjp};
use num_traits::{Float, FloatConst, NumCast};
use proptest::prelude::*;

type D = Dual<f64>;
const H: f64 = 1e-6;

fn fd(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    (f(x + H) - f(x - H)) / (2.0 * H)
}

/// `|a - b| <= tol·(1 + scale)`, naming what is compared.
#[track_caller]
fn close(what: &str, a: f64, b: f64, scale: f64, tol: f64) {
    assert!(
        (a - b).abs() <= tol * (1.0 + scale.abs()),
        "{what}: {a} vs {b} (scale {scale})"
    );
}

/// A unary method: name, dual form, f64 form, f32 form, domain.
struct Unary {
    name: &'static str,
    dual: fn(D) -> D,
    plain: fn(f64) -> f64,
    dual32: fn(Dual<f32>) -> Dual<f32>,
    lo: f64,
    hi: f64,
}

macro_rules! unary {
    ($($name:literal: |$x:ident| $e:expr, $lo:expr, $hi:expr;)*) => {
        vec![$(Unary {
            name: $name,
            dual: |$x: D| $e,
            plain: |$x: f64| $e,
            dual32: |$x: Dual<f32>| $e,
            lo: $lo,
            hi: $hi,
        }),*]
    };
}

/// Every unary `Float` method (and negation), each on a domain where it is smooth.
fn unary_methods() -> Vec<Unary> {
    unary! {
        "neg": |x| -x, -3.0, 3.0;
        "fract": |x| (x + 0.5).fract(), 0.1, 0.4;
        "abs": |x| x.abs(), 0.1, 3.0;
        "abs-": |x| x.abs(), -3.0, -0.1;
        "recip": |x| x.recip(), 0.3, 3.0;
        "powi3": |x| x.powi(3), -2.0, 2.0;
        "powi-2": |x| x.powi(-2), 0.3, 2.0;
        "powi0": |x| x.powi(0), -2.0, 2.0;
        "sqrt": |x| x.sqrt(), 0.1, 4.0;
        "exp": |x| x.exp(), -2.0, 2.0;
        "exp2": |x| x.exp2(), -2.0, 2.0;
        "ln": |x| x.ln(), 0.1, 4.0;
        "log2": |x| x.log2(), 0.1, 4.0;
        "log10": |x| x.log10(), 0.1, 4.0;
        "to_degrees": |x| x.to_degrees(), -2.0, 2.0;
        "to_radians": |x| x.to_radians(), -90.0, 90.0;
        "cbrt": |x| x.cbrt(), 0.1, 4.0;
        "cbrt-": |x| x.cbrt(), -4.0, -0.1;
        "sin": |x| x.sin(), -3.0, 3.0;
        "cos": |x| x.cos(), -3.0, 3.0;
        "tan": |x| x.tan(), -1.2, 1.2;
        "asin": |x| x.asin(), -0.9, 0.9;
        "acos": |x| x.acos(), -0.9, 0.9;
        "atan": |x| x.atan(), -3.0, 3.0;
        "exp_m1": |x| x.exp_m1(), -2.0, 2.0;
        "ln_1p": |x| x.ln_1p(), -0.9, 3.0;
        "sinh": |x| x.sinh(), -2.0, 2.0;
        "cosh": |x| x.cosh(), -2.0, 2.0;
        "tanh": |x| x.tanh(), -2.0, 2.0;
        "asinh": |x| x.asinh(), -3.0, 3.0;
        "acosh": |x| x.acosh(), 1.1, 4.0;
        "atanh": |x| x.atanh(), -0.9, 0.9;
        "sin_cos.0": |x| x.sin_cos().0, -3.0, 3.0;
        "sin_cos.1": |x| x.sin_cos().1, -3.0, 3.0;
        "floor": |x| (x + 0.5).floor(), 0.1, 0.4;
        "ceil": |x| (x + 0.5).ceil(), 0.1, 0.4;
        "round": |x| x.round(), 0.1, 0.4;
        "trunc": |x| (x + 0.5).trunc(), 0.1, 0.4;
        "signum": |x| x.signum(), 0.1, 3.0;
        "recip·sqrt": |x| x.sqrt().recip(), 0.2, 3.0;
    }
}

/// A binary method: name, dual form, f64 form, domains of the two arguments.
struct Binary {
    name: &'static str,
    dual: fn(D, D) -> D,
    plain: fn(f64, f64) -> f64,
    dom: [(f64, f64); 2],
}

macro_rules! binary {
    ($($name:literal: |$x:ident, $y:ident| $e:expr, $dx:expr, $dy:expr;)*) => {
        vec![$(Binary {
            name: $name,
            dual: |$x: D, $y: D| $e,
            plain: |$x: f64, $y: f64| $e,
            dom: [$dx, $dy],
        }),*]
    };
}

#[allow(deprecated)]
fn binary_methods() -> Vec<Binary> {
    binary! {
        "add": |x, y| x + y, (-3.0, 3.0), (-3.0, 3.0);
        "sub": |x, y| x - y, (-3.0, 3.0), (-3.0, 3.0);
        "mul": |x, y| x * y, (-3.0, 3.0), (-3.0, 3.0);
        "div": |x, y| x / y, (-3.0, 3.0), (0.3, 3.0);
        "rem": |x, y| x % y, (2.1, 2.9), (1.1, 1.4);
        "rem-": |x, y| x % y, (-2.9, -2.1), (1.1, 1.4);
        "powf": |x, y| x.powf(y), (0.2, 3.0), (-2.0, 2.0);
        "log": |x, y| x.log(y), (0.2, 3.0), (1.5, 4.0);
        "max": |x, y| x.max(y), (1.0, 2.0), (-2.0, 0.5);
        "max<": |x, y| x.max(y), (-2.0, 0.5), (1.0, 2.0);
        "min": |x, y| x.min(y), (1.0, 2.0), (-2.0, 0.5);
        "min<": |x, y| x.min(y), (-2.0, 0.5), (1.0, 2.0);
        "abs_sub": |x, y| x.abs_sub(y), (1.0, 2.0), (-2.0, 0.5);
        "abs_sub<": |x, y| x.abs_sub(y), (-2.0, 0.5), (1.0, 2.0);
        "hypot": |x, y| x.hypot(y), (-3.0, 3.0), (0.2, 3.0);
        "atan2": |x, y| x.atan2(y), (-3.0, 3.0), (0.2, 3.0);
        "atan2-": |x, y| x.atan2(y), (0.2, 3.0), (-3.0, -0.2);
        "copysign": |x, y| x.copysign(y), (0.2, 3.0), (-3.0, -0.2);
        "copysign+": |x, y| x.copysign(y), (-3.0, -0.2), (-3.0, -0.2);
        "mul_add(y, y)": |x, y| x.mul_add(y, y), (-3.0, 3.0), (-3.0, 3.0);
        "mul_add(x, y)": |x, y| y.mul_add(x, x * y), (-3.0, 3.0), (-3.0, 3.0);
        "clamp inside": |x, y| x.clamp(y - 2.0, y + 2.0), (-1.0, 1.0), (-0.5, 0.5);
        "clamp below": |x, y| x.clamp(y, y + 1.0), (-3.0, -1.0), (0.0, 1.0);
        "clamp above": |x, y| x.clamp(y - 1.0, y), (1.0, 3.0), (-1.0, 0.0);
    }
}

/// Points `t` in `[0, 1)` mapped into `[lo, hi)`.
fn at(t: f64, (lo, hi): (f64, f64)) -> f64 {
    lo + t * (hi - lo)
}

/// A method's name, its dual form and its reverse-mode derivative.
type Rule = (&'static str, fn(D) -> D, fn(f64) -> f64);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn unary_methods_match_finite_differences(t in 0.0f64..1.0, v in -2.0f64..2.0) {
        for m in unary_methods() {
            let x = at(t, (m.lo, m.hi));
            let d = (m.dual)(Dual::new(x, v));
            let y = (m.plain)(x);
            prop_assert_eq!(d.value.to_bits(), y.to_bits(), "{}: value", m.name);
            let want = v * fd(m.plain, x);
            close(m.name, d.tangent, want, y.abs() / H * 1e-16 + want, 1e-7);
            // f32 against f64
            let d32 = (m.dual32)(Dual::new(x as f32, v as f32));
            close(&format!("{} f32", m.name), d32.tangent as f64, d.tangent, d.tangent, 1e-4);
        }
    }

    #[test]
    fn binary_methods_match_finite_differences(s in 0.0f64..1.0, t in 0.0f64..1.0,
                                               u in -2.0f64..2.0, v in -2.0f64..2.0) {
        for m in binary_methods() {
            let (x, y) = (at(s, m.dom[0]), at(t, m.dom[1]));
            let d = (m.dual)(Dual::new(x, u), Dual::new(y, v));
            let f = m.plain;
            prop_assert_eq!(d.value.to_bits(), f(x, y).to_bits(), "{}: value", m.name);
            let want = u * fd(|x| f(x, y), x) + v * fd(|y| f(x, y), y);
            close(m.name, d.tangent, want, f(x, y).abs() / H * 1e-16 + want, 1e-7);
        }
    }

    #[test]
    fn forward_agrees_with_the_reverse_rules(x in 0.1f64..0.9, p in -2.0f64..2.0) {
        let rules: [Rule; 12] = [
            ("exp", |x| x.exp(), |x| x.exp_vjp().1.pull(1.0)),
            ("ln", |x| x.ln(), |x| x.ln_vjp().1.pull(1.0)),
            ("sqrt", |x| x.sqrt(), |x| x.sqrt_vjp().1.pull(1.0)),
            ("sin", |x| x.sin(), |x| x.sin_vjp().1.pull(1.0)),
            ("tan", |x| x.tan(), |x| x.tan_vjp().1.pull(1.0)),
            ("asin", |x| x.asin(), |x| x.asin_vjp().1.pull(1.0)),
            ("tanh", |x| x.tanh(), |x| x.tanh_vjp().1.pull(1.0)),
            ("cbrt", |x| x.cbrt(), |x| x.cbrt_vjp().1.pull(1.0)),
            ("abs", |x| (x - 0.5).abs(), |x| (x - 0.5).abs_vjp().1.pull(1.0)),
            ("recip", |x| x.recip(), |x| x.recip_vjp().1.pull(1.0)),
            ("log10", |x| x.log10(), |x| x.log10_vjp().1.pull(1.0)),
            ("exp_m1", |x| x.exp_m1(), |x| x.exp_m1_vjp().1.pull(1.0)),
        ];
        for (name, fwd, rev) in rules {
            close(name, fwd(Dual::variable(x)).tangent, rev(x), rev(x), 1e-15);
        }
        let (_, pb) = x.powf_vjp_lr(p);
        let (dx, dp) = pb.pull(1.0);
        let fwd = Dual::new(x, 1.0).powf(Dual::new(p, 0.5));
        close("powf", fwd.tangent, dx + 0.5 * dp, dx, 1e-14);
    }
}

#[test]
fn kinks_follow_the_reverse_rules() {
    // abs at 0, max/min ties, clamp at the bounds, copysign at 0: the slopes of ScalarVjp
    let z = Dual::variable(0.0);
    assert_eq!(z.abs().tangent, 0.0);
    assert_eq!(0.0f64.abs_vjp().1.pull(1.0), 0.0);
    let (a, b) = (Dual::new(1.0, 1.0), Dual::new(1.0, 5.0));
    assert_eq!(a.max(b).tangent, 1.0); // tie goes to self
    assert_eq!(a.min(b).tangent, 1.0);
    let lo = Dual::constant(1.0);
    let hi = Dual::constant(2.0);
    assert_eq!(Dual::variable(1.0).clamp(lo, hi).tangent, 0.0);
    assert_eq!(Dual::variable(2.0).clamp(lo, hi).tangent, 0.0);
    assert_eq!(1.0f64.clamp_vjp(1.0, 2.0).1.pull(1.0), 0.0);
    assert_eq!(z.copysign(Dual::constant(-1.0)).tangent, 0.0);
    // a NaN loses in max/min, like f64
    let nan = Dual::new(f64::NAN, 1.0);
    assert_eq!(nan.max(Dual::new(2.0, 3.0)), Dual::new(2.0, 3.0));
    assert_eq!(Dual::new(2.0, 3.0).min(nan).tangent, 3.0);
}

#[test]
fn constants_keep_zero_tangents_through_singular_points() {
    // sqrt, cbrt, ln at 0 have infinite slopes: a constant must not turn into NaN
    let z = Dual::constant(0.0);
    for d in [
        z.sqrt(),
        z.cbrt(),
        z.recip(),
        z.ln(),
        z.powf(Dual::constant(0.5)),
    ] {
        assert_eq!(d.tangent, 0.0, "{d:?}");
    }
    assert_eq!((z / z).tangent, 0.0);
    assert_eq!(z.hypot(z).tangent, 0.0);
    assert_eq!(z.atan2(z).tangent, 0.0);
    // while a variable gets the infinite slope
    assert_eq!(Dual::variable(0.0).sqrt().tangent, f64::INFINITY);
}

#[test]
fn nested_duals_give_second_derivatives() {
    // f = sin(x)·exp(x): f'' = 2 cos(x) exp(x)
    let x0 = 0.7f64;
    let x = Dual::new(Dual::new(x0, 1.0), Dual::new(1.0, 0.0));
    let y = x.sin() * x.exp();
    assert!((y.tangent.tangent - 2.0 * x0.cos() * x0.exp()).abs() < 1e-14);
    assert!((y.value.tangent - y.tangent.value).abs() < 1e-15);
    // x^p in both: ∂²/∂x∂p x^p = x^(p-1) (1 + p ln x)
    let p0 = 1.7f64;
    let x = Dual::new(Dual::new(x0, 1.0), Dual::constant(0.0));
    let p = Dual::new(Dual::constant(p0), Dual::constant(1.0));
    let want = x0.powf(p0 - 1.0) * (1.0 + p0 * x0.ln());
    assert!((x.powf(p).tangent.tangent - want).abs() < 1e-14);
}

#[test]
fn number_traits() {
    let x = Dual::new(2.0f64, 1.0);
    assert_eq!(<D as NumCast>::from(3u8), Some(Dual::constant(3.0)));
    assert_eq!(<D as NumCast>::from(3u8).unwrap().tangent, 0.0);
    assert_eq!(num_traits::ToPrimitive::to_f64(&x), Some(2.0));
    assert_eq!(
        <D as num_traits::Num>::from_str_radix("1.5", 10)
            .unwrap()
            .value,
        1.5
    );
    assert_eq!(D::PI().value, std::f64::consts::PI);
    assert_eq!(D::epsilon().value, f64::EPSILON);
    assert!(D::nan().is_nan() && D::infinity().is_infinite() && x.is_finite());
    let s: D = [x, x, Dual::constant(1.0)].iter().sum();
    assert_eq!((s.value, s.tangent), (5.0, 2.0));
    let p: D = [x, x].into_iter().product();
    assert_eq!((p.value, p.tangent), (4.0, 4.0));
    let mut y = x;
    y += 1.0;
    y *= x;
    y -= Dual::constant(1.0);
    y /= 2.0;
    // ((x + 1)·x - 1) / 2 = (x² + x - 1)/2, derivative (2x + 1)/2
    assert_eq!((y.value, y.tangent), (2.5, 2.5));
    assert_eq!((2.0 * x).tangent, 2.0);
    assert_eq!((1.0 / x).tangent, -0.25);
    assert_eq!((x - 1.0).value, 1.0);
    assert!(Dual::new(1.0, 5.0) == Dual::new(1.0, -5.0)); // values only
    assert_eq!(format!("{x}"), "2 + 1ε");
    assert_eq!(
        Dual::new(1.5f32, 0.0).integer_decode(),
        1.5f32.integer_decode()
    );
}
