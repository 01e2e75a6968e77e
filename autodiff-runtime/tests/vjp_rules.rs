//! Every VJP rule against central finite differences in f64, on random inputs (proptest), and
//! its f32 form against the f64 one.
//!
//! For an operation `y = f(x)` and a random cotangent `v`, the pullback must equal the gradient
//! of the scalar `<v, f(x)>`, which is estimated by central differences.

mod common;

use autodiff_runtime::vjp::{self, Pullback, ScalarVjp, TensorVjp};
use autodiff_runtime::Tensor;
use proptest::prelude::*;

const H: f64 = 1e-6;

fn dot(a: &Tensor<f64>, b: &Tensor<f64>) -> f64 {
    assert_eq!(a.shape(), b.shape());
    a.as_slice()
        .iter()
        .zip(b.as_slice())
        .map(|(x, y)| x * y)
        .sum()
}

/// Central-difference gradient of `x -> <v, f(x)>`.
fn fd_vjp(
    f: &dyn Fn(&Tensor<f64>) -> Tensor<f64>,
    x: &Tensor<f64>,
    v: &Tensor<f64>,
) -> Tensor<f64> {
    let base = x.to_vec();
    let g = (0..base.len())
        .map(|i| {
            let mut p = base.clone();
            p[i] += H;
            let mut m = base.clone();
            m[i] -= H;
            let fp = dot(v, &f(&Tensor::from_vec(p, x.shape())));
            let fm = dot(v, &f(&Tensor::from_vec(m, x.shape())));
            (fp - fm) / (2.0 * H)
        })
        .collect();
    Tensor::from_vec(g, x.shape())
}

#[track_caller]
fn close(a: &Tensor<f64>, b: &Tensor<f64>, tol: f64) {
    assert_eq!(a.shape(), b.shape(), "shapes");
    for (x, y) in a.as_slice().iter().zip(b.as_slice()) {
        let scale = 1f64.max(x.abs()).max(y.abs());
        assert!((x - y).abs() <= tol * scale, "{a} vs {b}");
    }
}

fn to_f32(t: &Tensor<f64>) -> Tensor<f32> {
    Tensor::from_vec(t.as_slice().iter().map(|&v| v as f32).collect(), t.shape())
}

fn to_f64(t: &Tensor<f32>) -> Tensor<f64> {
    Tensor::from_vec(t.as_slice().iter().map(|&v| v as f64).collect(), t.shape())
}

fn tensor(shape: &'static [usize], lo: f64, hi: f64) -> impl Strategy<Value = Tensor<f64>> {
    let n: usize = shape.iter().product();
    proptest::collection::vec(lo..hi, n).prop_map(move |v| Tensor::from_vec(v, shape))
}

macro_rules! unary_rule {
    ($name:ident, $method:ident, $lo:expr, $hi:expr $(, $arg:expr)*) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(24))]
            #[test]
            fn $name(x in tensor(&[2, 3], $lo, $hi), seed in 0u64..1_000) {
                let (y, pb) = x.$method($($arg),*);
                let v = Tensor::<f64>::randn(y.shape(), seed); // a cotangent of the output's shape
                close(&y, &x.$method($($arg),*).0, 0.0);
                let g = pb.pull(v.clone());
                close(&g, &fd_vjp(&|x| x.$method($($arg),*).0, &x, &v), 1e-5);
                // f32 rule agrees with the f64 rule
                let (_, pb32) = to_f32(&x).$method($($arg),*);
                close(&to_f64(&pb32.pull(to_f32(&v))), &g, 1e-3);
            }
        }
    };
}

unary_rule!(exp_rule, exp_vjp, -2.0, 2.0);
unary_rule!(ln_rule, ln_vjp, 0.2, 3.0);
unary_rule!(sqrt_rule, sqrt_vjp, 0.2, 3.0);
unary_rule!(powi_rule, powi_vjp, -2.0, 2.0, 3);
unary_rule!(powi2_rule, powi_vjp, -2.0, 2.0, 2);
unary_rule!(powf_rule, powf_vjp_l, 0.2, 3.0, 1.7);
unary_rule!(sin_rule, sin_vjp, -3.0, 3.0);
unary_rule!(cos_rule, cos_vjp, -3.0, 3.0);
unary_rule!(tanh_rule, tanh_vjp, -2.0, 2.0);
unary_rule!(sigmoid_rule, sigmoid_vjp, -3.0, 3.0);
unary_rule!(relu_rule, relu_vjp, 0.05, 2.0);
unary_rule!(relu_neg_rule, relu_vjp, -2.0, -0.05);
unary_rule!(abs_rule, abs_vjp, 0.05, 2.0);
unary_rule!(abs_neg_rule, abs_vjp, -2.0, -0.05);
unary_rule!(sum_axis0_rule, sum_axis_vjp, -2.0, 2.0, 0, false);
unary_rule!(sum_axis1_keep_rule, sum_axis_vjp, -2.0, 2.0, 1, true);
unary_rule!(mean_axis_rule, mean_axis_vjp, -2.0, 2.0, 1, false);
unary_rule!(reshape_rule, reshape_vjp, -2.0, 2.0, &[3, 2]);
unary_rule!(view_rule, view_vjp, -2.0, 2.0, &[6]);
unary_rule!(flatten_rule, flatten_vjp, -2.0, 2.0);
unary_rule!(unsqueeze_rule, unsqueeze_vjp, -2.0, 2.0, 1);
unary_rule!(t_rule, t_vjp, -2.0, 2.0);
unary_rule!(broadcast_rule, broadcast_to_vjp, -2.0, 2.0, &[4, 2, 3]);
unary_rule!(sum_to_rule, sum_to_vjp, -2.0, 2.0, &[1, 3]);
unary_rule!(clone_rule, clone_vjp, -2.0, 2.0);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn full_reductions(x in tensor(&[2, 3], 0.1, 2.0), v in -2.0f64..2.0) {
        let v0 = Tensor::scalar(v);
        for (y, g, f) in [
            (x.sum_vjp().0, x.sum_vjp().1.pull(v0.clone()), (|x: &Tensor<f64>| x.sum()) as fn(&Tensor<f64>) -> Tensor<f64>),
            (x.mean_vjp().0, x.mean_vjp().1.pull(v0.clone()), |x: &Tensor<f64>| x.mean()),
        ] {
            close(&y, &f(&x), 0.0);
            close(&g, &fd_vjp(&f, &x, &v0), 1e-6);
        }
        let (_, pb) = x.norm_vjp();
        close(&pb.pull(v0.clone()), &fd_vjp(&|x| x.norm(), &x, &v0), 1e-6);
    }

    #[test]
    fn squeeze_rule(x in tensor(&[2, 1, 3], -1.0, 1.0), v in tensor(&[2, 3], -1.0, 1.0)) {
        let (_, pb) = x.squeeze_vjp(1);
        close(&pb.pull(v.clone()), &fd_vjp(&|x| x.squeeze(1), &x, &v), 1e-6);
    }

    #[test]
    fn products(a in tensor(&[2, 3], -1.0, 1.0), b in tensor(&[3, 4], -1.0, 1.0),
                u in tensor(&[3], -1.0, 1.0), w in tensor(&[3], -1.0, 1.0),
                v24 in tensor(&[2, 4], -1.0, 1.0), v2 in tensor(&[2], -1.0, 1.0),
                v4 in tensor(&[4], -1.0, 1.0), s in -1.0f64..1.0) {
        // mm
        let (_, pb) = a.mm_vjp_lr(&b);
        let (ga, gb) = pb.pull(v24.clone());
        close(&ga, &fd_vjp(&|a| a.mm(&b), &a, &v24), 1e-6);
        close(&gb, &fd_vjp(&|b| a.mm(b), &b, &v24), 1e-6);
        close(&a.mm_vjp_l(&b).1.pull(v24.clone()), &ga, 1e-12);
        close(&a.mm_vjp_r(&b).1.pull(v24.clone()), &gb, 1e-12);
        // mv
        let (_, pb) = a.mv_vjp_lr(&u);
        let (ga, gu) = pb.pull(v2.clone());
        close(&ga, &fd_vjp(&|a| a.mv(&u), &a, &v2), 1e-6);
        close(&gu, &fd_vjp(&|u| a.mv(u), &u, &v2), 1e-6);
        // dot
        let s0 = Tensor::scalar(s);
        let (_, pb) = u.dot_vjp_lr(&w);
        let (gu, gw) = pb.pull(s0.clone());
        close(&gu, &fd_vjp(&|u| u.dot(&w), &u, &s0), 1e-6);
        close(&gw, &fd_vjp(&|w| u.dot(w), &w, &s0), 1e-6);
        // matmul 1-D x 2-D
        let (_, pb) = u.matmul_vjp_lr(&b);
        let (gu, gb) = pb.pull(v4.clone());
        close(&gu, &fd_vjp(&|u| u.matmul(&b), &u, &v4), 1e-6);
        close(&gb, &fd_vjp(&|b| u.matmul(b), &b, &v4), 1e-6);
        // f32 agrees
        let (_, pb32) = to_f32(&a).mm_vjp_lr(&to_f32(&b));
        let (ga32, _) = pb32.pull(to_f32(&v24));
        close(&to_f64(&ga32), &a.mm_vjp_lr(&b).1.pull(v24.clone()).0, 1e-4);
    }

    #[test]
    fn binary_ops_with_broadcasting(a in tensor(&[3, 4], 0.5, 2.0), b in tensor(&[4], 0.5, 2.0),
                                    s in 0.5f64..2.0, v in tensor(&[3, 4], -1.0, 1.0)) {
        type F = fn(&Tensor<f64>, &Tensor<f64>) -> Tensor<f64>;
        let ops: [(F, u8); 4] = [(|a, b| a + b, 0), (|a, b| a - b, 1), (|a, b| a * b, 2), (|a, b| a / b, 3)];
        for (op, k) in ops {
            let (y, (ga, gb)) = match k {
                0 => { let (y, pb) = vjp::add_lr(&a, &b); (y, pb.pull(v.clone())) }
                1 => { let (y, pb) = vjp::sub_lr(&a, &b); (y, pb.pull(v.clone())) }
                2 => { let (y, pb) = vjp::mul_lr(&a, &b); (y, pb.pull(v.clone())) }
                _ => { let (y, pb) = vjp::div_lr(&a, &b); (y, pb.pull(v.clone())) }
            };
            close(&y, &op(&a, &b), 0.0);
            prop_assert_eq!(gb.shape(), &[4]);
            close(&ga, &fd_vjp(&|a| op(a, &b), &a, &v), 1e-6);
            close(&gb, &fd_vjp(&|b| op(&a, b), &b, &v), 1e-6);
        }
        // tensor op scalar, scalar op tensor (owned operands)
        let (_, pb) = vjp::div_lr(a.clone(), s);
        let (ga, gs) = pb.pull(v.clone());
        close(&ga, &fd_vjp(&|a| a / s, &a, &v), 1e-6);
        let fd_s = (dot(&v, &(&a / (s + H))) - dot(&v, &(&a / (s - H)))) / (2.0 * H);
        prop_assert!((gs - fd_s).abs() < 1e-5 * fd_s.abs().max(1.0));
        let (_, pb) = vjp::sub_r(s, a.clone());
        close(&pb.pull(v.clone()), &fd_vjp(&|a| s - a, &a, &v), 1e-6);
        let (_, pb) = vjp::mul_l(s, &a);
        let gs = pb.pull(v.clone());
        // the rule's kernel and the test's loop sum the same products in their own orders
        let magnitude = dot(&v.abs(), &a.abs());
        prop_assert!((gs - dot(&v, &a)).abs() <= common::order_tolerance::<f64>(a.numel(), magnitude));
        let (_, pb) = vjp::neg(&a);
        close(&pb.pull(v.clone()), &fd_vjp(&|a| -a, &a, &v), 1e-6);
    }

    /// A tensor with a constant scalar on either side (`TensorScalarPb`): every operator,
    /// owned and borrowed tensors, a tiny (inline) tensor and a larger one.
    #[test]
    fn tensor_scalar_rules(a in tensor(&[3, 4], 0.5, 2.0), t in tensor(&[2, 2], 0.5, 2.0),
                           s in 0.5f64..2.0, v in tensor(&[3, 4], -1.0, 1.0),
                           w in tensor(&[2, 2], -1.0, 1.0)) {
        type F = fn(&Tensor<f64>, f64) -> Tensor<f64>;
        let left: [F; 4] = [|a, s| a + s, |a, s| a - s, |a, s| a * s, |a, s| a / s];
        let right: [F; 4] = [|a, s| s + a, |a, s| s - a, |a, s| s * a, |a, s| s / a];
        for (x, v) in [(&a, &v), (&t, &w)] {
            for k in 0..4 {
                let (y, gl) = match k {
                    0 => { let (y, pb) = vjp::add_l(x, s); (y, pb.pull(v.clone())) }
                    1 => { let (y, pb) = vjp::sub_l(x.clone(), s); (y, pb.pull(v.clone())) }
                    2 => { let (y, pb) = vjp::mul_l(x, s); (y, pb.pull(v.clone())) }
                    _ => { let (y, pb) = vjp::div_l(x.clone(), s); (y, pb.pull(v.clone())) }
                };
                close(&y, &left[k](x, s), 0.0);
                close(&gl, &fd_vjp(&|x| left[k](x, s), x, v), 1e-6);
                let (y, gr) = match k {
                    0 => { let (y, pb) = vjp::add_r(s, x.clone()); (y, pb.pull(v.clone())) }
                    1 => { let (y, pb) = vjp::sub_r(s, x); (y, pb.pull(v.clone())) }
                    2 => { let (y, pb) = vjp::mul_r(s, x.clone()); (y, pb.pull(v.clone())) }
                    _ => { let (y, pb) = vjp::div_r(s, x); (y, pb.pull(v.clone())) }
                };
                close(&y, &right[k](x, s), 0.0);
                close(&gr, &fd_vjp(&|x| right[k](x, s), x, v), 1e-6);
            }
        }
    }

    #[test]
    fn scalar_rules(x in 0.2f64..0.9, y in 0.2f64..0.9, g in -2.0f64..2.0) {
        let fd = |f: &dyn Fn(f64) -> f64, x: f64| (f(x + H) - f(x - H)) / (2.0 * H);
        type U = fn(f64) -> (f64, vjp::ScalarUnaryPb<f64>);
        type Case = (U, fn(f64) -> f64);
        let cases: [Case; 19] = [
            (|x| x.exp_vjp(), f64::exp), (|x| x.exp2_vjp(), f64::exp2), (|x| x.exp_m1_vjp(), f64::exp_m1),
            (|x| x.ln_vjp(), f64::ln), (|x| x.ln_1p_vjp(), f64::ln_1p), (|x| x.log2_vjp(), f64::log2),
            (|x| x.log10_vjp(), f64::log10), (|x| x.sqrt_vjp(), f64::sqrt), (|x| x.cbrt_vjp(), f64::cbrt),
            (|x| x.sin_vjp(), f64::sin), (|x| x.cos_vjp(), f64::cos), (|x| x.tan_vjp(), f64::tan),
            (|x| x.asin_vjp(), f64::asin), (|x| x.acos_vjp(), f64::acos), (|x| x.atan_vjp(), f64::atan),
            (|x| x.sinh_vjp(), f64::sinh), (|x| x.cosh_vjp(), f64::cosh), (|x| x.tanh_vjp(), f64::tanh),
            (|x| x.recip_vjp(), f64::recip),
        ];
        for (rule, f) in cases {
            let (v, pb) = rule(x);
            prop_assert_eq!(v, f(x));
            let expected = g * fd(&f, x);
            prop_assert!((pb.pull(g) - expected).abs() < 1e-6, "{} vs {}", pb.pull(g), expected);
        }
        let (_, pb) = x.powi_vjp(3);
        prop_assert!((pb.pull(g) - g * 3.0 * x * x).abs() < 1e-12);
        let (_, pb) = x.powf_vjp_lr(y);
        let (gx, gy) = pb.pull(g);
        prop_assert!((gx - g * fd(&|x| x.powf(y), x)).abs() < 1e-6);
        prop_assert!((gy - g * fd(&|y| x.powf(y), y)).abs() < 1e-6);
        let (_, pb) = x.hypot_vjp_lr(y);
        let (gx, gy) = pb.pull(g);
        prop_assert!((gx - g * fd(&|x| x.hypot(y), x)).abs() < 1e-6);
        prop_assert!((gy - g * fd(&|y| x.hypot(y), y)).abs() < 1e-6);
        let (_, pb) = x.atan2_vjp_lr(y);
        let (gx, gy) = pb.pull(g);
        prop_assert!((gx - g * fd(&|x| x.atan2(y), x)).abs() < 1e-6);
        prop_assert!((gy - g * fd(&|y| x.atan2(y), y)).abs() < 1e-6);
        // binary operators on scalars, all activity patterns
        let (_, pb) = vjp::div_lr(x, y);
        let (ga, gb) = pb.pull(g);
        prop_assert!((ga - g * fd(&|x| x / y, x)).abs() < 1e-6);
        prop_assert!((gb - g * fd(&|y| x / y, y)).abs() < 1e-6);
        let (_, pb) = vjp::mul_lr(x, y);
        prop_assert_eq!(pb.pull(g), (g * y, g * x));
        let (_, pb) = vjp::sub_lr(x, y);
        prop_assert_eq!(pb.pull(g), (g, -g));
        prop_assert_eq!(vjp::div_r(x, y).1.pull(g), gb);
        prop_assert!((vjp::div_l(x, y).1.pull(g) - g / y).abs() < 1e-12);
        prop_assert_eq!(vjp::add_lr(x, y).1.pull(g), (g, g));
        prop_assert_eq!(vjp::add_r(x, y).1.pull(g), g);
        prop_assert_eq!(vjp::sub_r(x, y).1.pull(g), -g);
        prop_assert_eq!(vjp::mul_r(x, y).1.pull(g), g * x);
        // f32 agrees with f64
        let (_, pb32) = (x as f32).tanh_vjp();
        prop_assert!((pb32.pull(g as f32) as f64 - x.tanh_vjp().1.pull(g)).abs() < 1e-5);
        let (_, pb32) = vjp::div_lr(x as f32, y as f32);
        prop_assert!((pb32.pull(g as f32).1 as f64 - gb).abs() < 1e-4 * gb.abs().max(1.0));
    }
}

#[test]
fn norm_at_zero_has_zero_gradient() {
    let (_, pb) = Tensor::<f64>::zeros(&[3]).norm_vjp();
    assert_eq!(pb.pull(Tensor::scalar(1.0)).to_vec(), vec![0.0; 3]);
}

#[test]
fn casts() {
    let (y, pb) = vjp::as_f64(1.5f32);
    assert_eq!(y, 1.5f64);
    assert_eq!(pb.pull(2.0f64), 2.0f32);
    let (y, pb) = vjp::as_f32(2.5f64);
    assert_eq!(y, 2.5f32);
    assert_eq!(pb.pull(3.0f32), 3.0f64);
}

#[test]
fn accumulation_adds_in_place_and_checks_shapes() {
    let mut slot: Option<Tensor<f64>> = None;
    vjp::acc(&mut slot, Tensor::ones(&[2]));
    vjp::acc(&mut slot, Tensor::ones(&[2]));
    assert_eq!(slot.unwrap().to_vec(), vec![2.0, 2.0]);
    let r = std::panic::catch_unwind(|| {
        let mut slot = Some(Tensor::<f64>::ones(&[2]));
        vjp::acc(&mut slot, Tensor::ones(&[3]));
    });
    assert!(r.is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The scalar rules added for models: checked by central differences at points away from
    /// their kinks (the jumps of `fract`/`rem_euclid`, the bounds of `clamp`, 0 for `copysign`).
    #[test]
    fn scalar_kinked_rules(x in -5.0f64..5.0, y in prop_oneof![-3.0f64..-0.5, 0.5f64..3.0],
                           a in -2.0f64..2.0, b in -2.0f64..2.0, g in -2.0f64..2.0) {
        let fd = |f: &dyn Fn(f64) -> f64, x: f64| (f(x + H) - f(x - H)) / (2.0 * H);
        let near_jump = |q: f64| (q - q.round()).abs() < 1e-4;
        if !near_jump(x) {
            let (v, pb) = x.fract_vjp();
            prop_assert_eq!(v, x.fract());
            prop_assert!((pb.pull(g) - g * fd(&f64::fract, x)).abs() < 1e-6);
        }
        if !near_jump(x / y) {
            let (v, pb) = x.rem_euclid_vjp_lr(y);
            prop_assert_eq!(v, x.rem_euclid(y));
            let (gx, gy) = pb.pull(g);
            prop_assert!((gx - g * fd(&|x| x.rem_euclid(y), x)).abs() < 1e-6);
            prop_assert!((gy - g * fd(&|y| x.rem_euclid(y), y)).abs() < 1e-5, "{} {}", gy, g * fd(&|y| x.rem_euclid(y), y));
            prop_assert_eq!(x.rem_euclid_vjp_l(y).1.pull(g), gx);
            prop_assert_eq!(x.rem_euclid_vjp_r(y).1.pull(g), gy);
        }
        if (x.abs() - 1.5).abs() > 1e-4 {
            let (v, pb) = x.clamp_vjp(-1.5, 1.5);
            prop_assert_eq!(v, x.clamp(-1.5, 1.5));
            prop_assert!((pb.pull(g) - g * fd(&|x| x.clamp(-1.5, 1.5), x)).abs() < 1e-6);
        }
        if x.abs() > 1e-4 {
            let (v, pb) = x.copysign_vjp_lr(y);
            prop_assert_eq!(v, x.copysign(y));
            let (gx, gy) = pb.pull(g);
            prop_assert!((gx - g * fd(&|x| x.copysign(y), x)).abs() < 1e-6);
            prop_assert_eq!(gy, 0.0);
        }
        let ((s, c), pb) = x.sin_cos_vjp();
        prop_assert_eq!((s, c), x.sin_cos());
        let fd_sc = fd(&|x| a * x.sin() + b * x.cos(), x);
        prop_assert!((pb.pull((a, b)) - fd_sc).abs() < 1e-6);
        // mul_add: every activity pattern against finite differences
        let (v, pb) = x.mul_add_vjp_sab(a, b);
        prop_assert_eq!(v, x.mul_add(a, b));
        let (gs, ga, gb) = pb.pull(g);
        prop_assert!((gs - g * fd(&|x| x.mul_add(a, b), x)).abs() < 1e-6);
        prop_assert!((ga - g * fd(&|a| x.mul_add(a, b), a)).abs() < 1e-6);
        prop_assert!((gb - g * fd(&|b| x.mul_add(a, b), b)).abs() < 1e-6);
        prop_assert_eq!(x.mul_add_vjp_s(a, b).1.pull(g), gs);
        prop_assert_eq!(x.mul_add_vjp_a(a, b).1.pull(g), ga);
        prop_assert_eq!(x.mul_add_vjp_b(a, b).1.pull(g), gb);
        prop_assert_eq!(x.mul_add_vjp_sa(a, b).1.pull(g), (gs, ga));
        prop_assert_eq!(x.mul_add_vjp_sb(a, b).1.pull(g), (gs, gb));
        prop_assert_eq!(x.mul_add_vjp_ab(a, b).1.pull(g), (ga, gb));
        // f32 agrees with f64
        let (_, pb32) = (x as f32).mul_add_vjp_sab(a as f32, b as f32);
        let (s32, a32, _) = pb32.pull(g as f32);
        prop_assert!((s32 as f64 - gs).abs() < 1e-5 * gs.abs().max(1.0));
        prop_assert!((a32 as f64 - ga).abs() < 1e-5 * ga.abs().max(1.0));
    }
}
