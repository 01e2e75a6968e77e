//! Adversarial review of forward mode, round 5: float literals beside dual values in the
//! copies at dual numbers (`NAME_jvp`, `NAME_hvp`): a literal branch of an `if` / `match`
//! whose other branches are dual, a literal element of an array or `vec![..]` of dual
//! elements, a literal argument to the copy of a function or method (`Self::at(&r, 0.5)`).
//! Per form: the jvp against central differences, `<u, J v>` against the vjp to
//! 1e-12, and the hvp against central differences of the gradient.
#![allow(clippy::useless_vec)]

mod common;
use autodiff::prelude::*;
use common::{assert_close, H};
use proptest::prelude::*;

/// A literal `else` branch, a literal first branch, and an `else if` chain of literals.
#[differentiable(jvp, hvp)]
fn lit_if(x: f64, y: f64) -> f64 {
    let a = if x > 0.9 { x * y } else { 0.0 };
    let b = if y > 1.5 { -1.5 } else { y.sin() * x };
    let c = if x > 1.2 {
        x.exp()
    } else if y > 1.3 {
        2.5
    } else {
        let t = 0.5;
        t * 1.0
    };
    // both branches plain: untouched
    let k = if x > 1.05 { 1.0 } else { 2.0 };
    a * x + b * y + c * k
}

/// A literal arm beside dual arms, in a block arm and a nested `if`.
#[differentiable(jvp, hvp)]
fn lit_match(x: f64, y: f64) -> f64 {
    let o = if x > 0.7 { Some(x * y) } else { None };
    let a = match o {
        Some(v) => v * x,
        None => 0.0,
    };
    let n = (y * 2.0) as i32;
    let b = match n {
        0 => 1.0,
        1 | 2 => {
            let w = y * y;
            if w > 2.0 {
                w
            } else {
                -0.5
            }
        }
        _ => x.cos(),
    };
    a + b * y
}

/// Literal elements of an array and a `vec!` of dual elements.
#[differentiable(jvp, hvp)]
fn lit_array(x: f64, y: f64) -> f64 {
    let a = [x, y, 0.5];
    let v = vec![0.25, x * y, -2.0];
    let s: f64 = a.iter().zip(v.iter()).map(|(p, q)| p * q).sum();
    s + a[0] * a[1] * a[2] + v[1].sin()
}

#[test]
fn literal_branches_and_elements() {
    for (x, y) in [(1.0, 1.4), (0.8, 1.6), (1.3, 1.1), (0.5, 0.7), (0.6, 1.2)] {
        check_xy!(lit_if, lit_if_jvp, lit_if_vjp, lit_if_grad, lit_if_hvp; (); x, y);
        check_xy!(lit_match, lit_match_jvp, lit_match_vjp, lit_match_grad, lit_match_hvp; (); x, y);
        check_xy!(lit_array, lit_array_jvp, lit_array_vjp, lit_array_grad, lit_array_hvp; (); x, y);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn literal_branches_at_random_points(x in 0.3f64..1.6, y in 0.3f64..1.9) {
        check_xy!(lit_if, lit_if_jvp, lit_if_vjp, lit_if_grad, lit_if_hvp; (); x, y);
        check_xy!(lit_match, lit_match_jvp, lit_match_vjp, lit_match_grad, lit_match_hvp; (); x, y);
        check_xy!(lit_array, lit_array_jvp, lit_array_vjp, lit_array_grad, lit_array_hvp; (); x, y);
    }
}

// ---- literal arguments to the copies of functions and methods ----

/// Called with literal arguments where its parameters are dual.
#[differentiable(jvp, hvp)]
fn helper(a: f64, b: f64) -> f64 {
    a * b.sin() + b * b
}

#[differentiable(jvp, hvp)]
fn calls_helper(x: f64, y: f64) -> f64 {
    helper(x * y, 0.5) + helper(2.0, x) + helper(y, -1.5) * helper(x, 2.0 * 1.5)
}

#[derive(Clone, Debug, Differentiable)]
struct Seg {
    a: f64,
    b: f64,
}

#[differentiable]
impl Seg {
    #[differentiable(wrt(self, t), jvp, hvp)]
    fn at(&self, t: f64) -> f64 {
        self.a + (self.b - self.a) * t.sin()
    }

    /// `Self::at(&r, 0.5)` and `self.at(-1.5)`: literal arguments to a method's copy.
    #[differentiable(wrt(self, t), jvp, hvp)]
    fn lit_arg(&self, t: f64) -> f64 {
        let r = Self {
            a: self.a * t,
            b: self.b,
        };
        Self::at(&r, 0.5) * t + self.at(-1.5) * Self::at(self, t)
    }
}

#[test]
fn literal_arguments() {
    for (x, y) in [(1.0, 1.4), (0.6, 0.9), (1.3, 0.4)] {
        check_xy!(calls_helper, calls_helper_jvp, calls_helper_vjp, calls_helper_grad,
            calls_helper_hvp; (); x, y);
    }
    let (s, vs) = (Seg { a: 0.4, b: 1.7 }, SegTangent { a: 0.3, b: -0.8 });
    let (x, vx) = (0.9, 0.6);
    let shifted = |h: f64| {
        let q = Seg {
            a: s.a + h * vs.a,
            b: s.b + h * vs.b,
        };
        (q, x + h * vx)
    };
    let (val, jv) = s.lit_arg_jvp(x, &vs, vx);
    assert_eq!(val, s.lit_arg(x));
    let f = |h: f64| {
        let (q, x) = shifted(h);
        q.lit_arg(x)
    };
    assert_close(jv, (f(H) - f(-H)) / (2.0 * H), 1e-6);
    let (_, (gs, gx)) = s.lit_arg_grad(x);
    assert_close(jv, gs.a * vs.a + gs.b * vs.b + gx * vx, 1e-12);
    let (_, (hgs, hgx), (hs, hx)) = s.lit_arg_hvp(x, &vs, vx);
    assert_close(hgs.a, gs.a, 1e-12);
    assert_close(hgs.b, gs.b, 1e-12);
    assert_close(hgx, gx, 1e-12);
    let g = |h: f64| {
        let (q, x) = shifted(h);
        let (_, (gs, gx)) = q.lit_arg_grad(x);
        [gs.a, gs.b, gx]
    };
    let (gp, gm) = (g(H), g(-H));
    for (k, hv) in [hs.a, hs.b, hx].into_iter().enumerate() {
        assert_close(hv, (gp[k] - gm[k]) / (2.0 * H), 1e-6);
    }
}

#[derive(Clone, Debug, Differentiable)]
struct Track {
    segs: Vec<Seg>,
    first: Seg,
}

/// Literal arguments to a method called by method syntax on a field and a loop local
/// (through `forward::DualMethod`).
#[differentiable(wrt(k, x), jvp, hvp)]
fn lit_dispatch(k: &Track, x: f64) -> f64 {
    let mut s = k.first.at(0.5) * x;
    for g in &k.segs {
        s = s + g.at(-1.5) * x * x + g.at(x);
    }
    s
}

#[test]
fn literal_arguments_through_method_syntax() {
    let seg = |a: f64, b: f64| Seg { a, b };
    let tan = |a: f64, b: f64| SegTangent { a, b };
    let k = Track {
        segs: vec![seg(0.3, 1.2), seg(-0.4, 0.9)],
        first: seg(0.7, -0.2),
    };
    let vk = TrackTangent {
        segs: vec![tan(0.5, -0.1), tan(0.2, 0.6)],
        first: tan(-0.3, 0.4),
    };
    let (x, vx) = (0.8, 0.5);
    let add = |s: &Seg, t: &SegTangent, h: f64| seg(s.a + h * t.a, s.b + h * t.b);
    let shifted = |h: f64| {
        let segs = k
            .segs
            .iter()
            .zip(&vk.segs)
            .map(|(s, t)| add(s, t, h))
            .collect();
        let first = add(&k.first, &vk.first, h);
        (Track { segs, first }, x + h * vx)
    };
    let flat = |g: &TrackTangent, gx: f64| {
        let mut v = vec![g.first.a, g.first.b];
        for s in &g.segs {
            v.extend([s.a, s.b]);
        }
        v.push(gx);
        v
    };
    let vflat = flat(&vk, vx);
    let dot = |a: &[f64]| -> f64 { a.iter().zip(&vflat).map(|(p, q)| p * q).sum() };
    let (y, jv) = lit_dispatch_jvp(&k, x, &vk, vx);
    assert_eq!(y, lit_dispatch(&k, x));
    let at = |h: f64| {
        let (b, x) = shifted(h);
        lit_dispatch(&b, x)
    };
    assert_close(jv, (at(H) - at(-H)) / (2.0 * H), 1e-6);
    let (_, (gk, gx)) = lit_dispatch_grad(&k, x);
    let g0 = flat(&gk, gx);
    assert_close(jv, dot(&g0), 1e-12);
    let (_, (hgk, hgx), (hk, hx)) = lit_dispatch_hvp(&k, x, &vk, vx);
    for (p, q) in flat(&hgk, hgx).iter().zip(&g0) {
        assert_close(*p, *q, 1e-12);
    }
    let g = |h: f64| {
        let (b, x) = shifted(h);
        let (_, (gk, gx)) = lit_dispatch_grad(&b, x);
        flat(&gk, gx)
    };
    let (gp, gm) = (g(H), g(-H));
    for (i, hv) in flat(&hk, hx).into_iter().enumerate() {
        assert_close(hv, (gp[i] - gm[i]) / (2.0 * H), 1e-6);
    }
}
