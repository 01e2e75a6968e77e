//! Struct literals in functions with `jvp` / `hvp`, of structs imported from another module
//! (`use models::Pt`), named by a path (`models::Seg { .. }`), nested, generic over their
//! element, with a skipped data field and with `..base`: the copies at dual numbers build them
//! through the struct's own path. `jvp` against central differences and the vjp (`<u, J v>`
//! both ways, to 1e-12), `hvp` against central differences of the gradient.

mod common;
use autodiff::prelude::*;
use common::{assert_close, flat_dot, flat_tangent};
use proptest::prelude::*;

mod models {
    use autodiff::prelude::*;

    #[derive(Clone, Debug, Differentiable)]
    pub struct Pt {
        pub x: f64,
        pub y: f64,
    }

    /// Nested structs and a data field.
    #[derive(Clone, Debug, Differentiable)]
    pub struct Seg {
        pub a: Pt,
        pub b: Pt,
        #[differentiable(skip)]
        pub label: usize,
    }

    /// A `Vec` of numbers beside a number.
    #[derive(Clone, Debug, Differentiable)]
    pub struct Poly {
        pub c: Vec<f64>,
        pub s: f64,
    }

    /// Generic over its element: at dual numbers, `Gen<Dual<f64>>`.
    #[derive(Clone, Debug, Differentiable)]
    pub struct Gen<T: Float> {
        pub k: T,
        pub c: T,
    }
}

use models::{Gen, Pt};

/// An imported struct as the result (`hvp`: its copy at dual numbers for callers' `hvp`).
#[differentiable(jvp, hvp)]
fn make(a: f64, b: f64) -> Pt {
    Pt {
        x: a * b,
        y: a + b.sin(),
    }
}

/// A struct result of a literal, through a helper.
#[differentiable(wrt(a, b), jvp, hvp)]
fn through_make(a: f64, b: f64) -> f64 {
    let p = make(a, b * a);
    p.x * p.y + p.y.exp()
}

/// A path literal, nested literals, a skipped field, numbers written in the literals.
#[differentiable(jvp)]
fn segment(a: f64, b: f64) -> models::Seg {
    models::Seg {
        a: Pt { x: a, y: 2.0 },
        b: models::Pt {
            y: b.cos() * a,
            x: a * b - 0.5,
        },
        label: 3,
    }
}

/// Scalar results of literals: a number argument that is not differentiated (`c`) in a field.
#[differentiable(wrt(a, b), jvp, hvp)]
fn energy(a: f64, b: f64, c: f64) -> f64 {
    let p = Pt { x: a * b, y: c };
    let s = models::Seg {
        a: p.clone(),
        b: Pt {
            x: b * b,
            y: 0.5 * a,
        },
        label: 1,
    };
    s.a.x * s.b.y + s.b.x.sin() * s.a.y + a * a * s.a.x
}

/// A struct generic over its element, imported, as a local (its arguments from the signature)
/// and with explicit arguments.
#[differentiable(wrt(g, x), jvp, hvp)]
fn gen_energy(g: &Gen<f64>, x: f64) -> f64 {
    let q = Gen { k: g.k * x, c: 2.0 };
    let r = Gen::<f64> {
        k: q.k * q.c,
        c: g.c.exp(),
    };
    r.k * r.c + q.k * q.k * x
}

/// A generic struct as the result.
#[differentiable(jvp)]
fn gen_make(x: f64, y: f64) -> Gen<f64> {
    Gen {
        k: x * y,
        c: 1.5 * y,
    }
}

/// `..base` with a plain base (reverse mode takes only a constant base).
#[differentiable(wrt(p, t), jvp)]
fn updated(p: &Pt, t: f64) -> Pt {
    let base = Pt { x: 1.0, y: -2.0 };
    let q = Pt {
        x: p.x * t,
        ..base.clone()
    };
    Pt {
        y: q.y * p.y + t,
        ..base
    }
}

/// `..base` with a plain base in a function with `hvp` (reverse mode takes a constant base).
#[differentiable(wrt(a, b), jvp, hvp)]
fn from_base(a: f64, b: f64) -> f64 {
    let base = Pt { x: 1.0, y: -2.0 };
    let q = Pt { x: a * b, ..base };
    q.x * q.x * q.y + b
}

/// Plain parts in a literal with dual fields: a struct and a `Vec` of numbers (constants).
#[differentiable(jvp)]
fn with_plain_part(a: f64, b: f64) -> models::Seg {
    let base = Pt { x: 1.0, y: -0.5 };
    models::Seg {
        a: base,
        b: Pt { x: a * b, y: a },
        label: 2,
    }
}

#[differentiable(wrt(a, b), jvp, hvp)]
fn plain_parts(a: f64, b: f64) -> f64 {
    let base = Pt { x: 1.0, y: -0.5 };
    let coef = vec![1.5, -2.0];
    let s = models::Seg {
        a: base,
        b: Pt { x: a * b, y: a },
        label: 2,
    };
    let p = models::Poly { c: coef, s: s.b.x };
    p.c[0] * p.s * p.s + p.c[1] * a * s.b.y + s.a.y * b
}

/// A generic struct defined in this file.
#[derive(Clone, Debug, Differentiable)]
struct Loc<T: Float> {
    k: T,
    c: T,
}

/// `Loc` never written with its arguments in the function: the literal is built as written, at
/// `Loc<Dual<f64>>`.
#[differentiable(wrt(a, b), jvp, hvp)]
fn local_generic(a: f64, b: f64) -> f64 {
    let q = Loc { k: a * b, c: 0.5 };
    q.k * q.k * q.c + b * q.k
}

/// `Gen` written at two element types: the literal with dual fields is built as written.
#[differentiable(wrt(g, x), jvp)]
fn two_instances(g: &Gen<f64>, x: f64) -> f64 {
    let h: Gen<f32> = Gen { k: 1.5, c: 2.0 };
    let q = Gen { k: g.k * x, c: 2.0 };
    q.k * q.c + (h.k as f64) * x
}

fn pt_flat(p: &Pt) -> Vec<f64> {
    vec![p.x, p.y]
}

fn seg_flat(s: &models::Seg) -> Vec<f64> {
    vec![s.a.x, s.a.y, s.b.x, s.b.y]
}

/// Central differences of a flat output along `(va, vb)`.
fn fd2(f: impl Fn(f64, f64) -> Vec<f64>, a: f64, b: f64, va: f64, vb: f64) -> Vec<f64> {
    let h = 1e-6;
    let (up, dn) = (f(a + h * va, b + h * vb), f(a - h * va, b - h * vb));
    up.iter()
        .zip(dn)
        .map(|(u, d)| (u - d) / (2.0 * h))
        .collect()
}

fn check_results(a: f64, b: f64, va: f64, vb: f64) {
    // imported struct result
    let (p, dp) = make_jvp(a, b, va, vb);
    assert_eq!(pt_flat(&p), pt_flat(&make(a, b)));
    let jv = flat_tangent::<Pt>(&dp);
    for (x, y) in jv
        .iter()
        .zip(fd2(|a, b| pt_flat(&make(a, b)), a, b, va, vb))
    {
        assert_close(*x, y, 1e-7);
    }
    let u = models::PtTangent { x: 0.3, y: -1.1 };
    let (_, pb) = make_vjp(a, b);
    let (ga, gb) = pb(u.clone());
    let lhs = flat_dot(&flat_tangent::<Pt>(&u), &jv);
    assert_close(lhs, ga * va + gb * vb, 1e-12);

    // path literal, nested, skipped field
    let (s, ds) = segment_jvp(a, b, va, vb);
    assert_eq!(s.label, 3);
    assert_eq!(seg_flat(&s), seg_flat(&segment(a, b)));
    let jv = flat_tangent::<models::Seg>(&ds);
    for (x, y) in jv
        .iter()
        .zip(fd2(|a, b| seg_flat(&segment(a, b)), a, b, va, vb))
    {
        assert_close(*x, y, 1e-7);
    }
    let u = models::SegTangent {
        a: models::PtTangent { x: 0.7, y: 0.2 },
        b: models::PtTangent { x: -0.4, y: 1.3 },
    };
    let (_, pb) = segment_vjp(a, b);
    let (ga, gb) = pb(u.clone());
    let lhs = flat_dot(&flat_tangent::<models::Seg>(&u), &jv);
    assert_close(lhs, ga * va + gb * vb, 1e-12);

    // plain parts
    let (s, ds) = with_plain_part_jvp(a, b, va, vb);
    assert_eq!(seg_flat(&s), seg_flat(&with_plain_part(a, b)));
    let jv = flat_tangent::<models::Seg>(&ds);
    let fd = fd2(|a, b| seg_flat(&with_plain_part(a, b)), a, b, va, vb);
    for (x, y) in jv.iter().zip(fd) {
        assert_close(*x, y, 1e-7);
    }
    let (_, pb) = with_plain_part_vjp(a, b);
    let (ga, gb) = pb(u.clone());
    let lhs = flat_dot(&flat_tangent::<models::Seg>(&u), &jv);
    assert_close(lhs, ga * va + gb * vb, 1e-12);

    // generic struct result
    let (g, dg) = gen_make_jvp(a, b, va, vb);
    let gen_flat = |g: &Gen<f64>| vec![g.k, g.c];
    assert_eq!(gen_flat(&g), gen_flat(&gen_make(a, b)));
    let jv = flat_tangent::<Gen<f64>>(&dg);
    for (x, y) in jv
        .iter()
        .zip(fd2(|a, b| gen_flat(&gen_make(a, b)), a, b, va, vb))
    {
        assert_close(*x, y, 1e-7);
    }
    let (_, pb) = gen_make_vjp(a, b);
    let u = models::GenTangent { k: -0.8, c: 0.5 };
    let (ga, gb) = pb(u.clone());
    let lhs = flat_dot(&flat_tangent::<Gen<f64>>(&u), &jv);
    assert_close(lhs, ga * va + gb * vb, 1e-12);

    // `..base`
    let p = Pt { x: a, y: b };
    let vp = models::PtTangent { x: va, y: vb };
    let (q, dq) = updated_jvp(&p, a * b, &vp, va - vb);
    assert_eq!(pt_flat(&q), pt_flat(&updated(&p, a * b)));
    let jv = flat_tangent::<Pt>(&dq);
    let moved = |s: f64| {
        pt_flat(&updated(
            &Pt {
                x: a + s * va,
                y: b + s * vb,
            },
            a * b + s * (va - vb),
        ))
    };
    let fd = fd2(|s, _| moved(s), 0.0, 0.0, 1.0, 0.0);
    for (x, y) in jv.iter().zip(fd) {
        assert_close(*x, y, 1e-7);
    }
    let (_, pb) = updated_vjp(&p, a * b);
    let u = models::PtTangent { x: 1.2, y: -0.6 };
    let (gp, gt) = pb(u.clone());
    let lhs = flat_dot(&flat_tangent::<Pt>(&u), &jv);
    assert_close(lhs, gp.x * va + gp.y * vb + gt * (va - vb), 1e-12);
}

/// `jvp` of a scalar function of two numbers against the gradient, `hvp` against central
/// differences of the gradient.
fn check_scalar(
    jvp: impl Fn(f64, f64, f64, f64) -> (f64, f64),
    hvp: impl Fn(f64, f64, f64, f64) -> (f64, (f64, f64), (f64, f64)),
    grad: impl Fn(f64, f64) -> (f64, (f64, f64)),
    (a, b, va, vb): (f64, f64, f64, f64),
) {
    let (y, jv) = jvp(a, b, va, vb);
    let (y_r, (ga, gb)) = grad(a, b);
    assert_close(y, y_r, 1e-14);
    assert_close(jv, ga * va + gb * vb, 1e-12);
    let (y_h, g, hv) = hvp(a, b, va, vb);
    assert_close(y_h, y_r, 1e-14);
    assert_close(g.0, ga, 1e-13);
    assert_close(g.1, gb, 1e-13);
    let h = 1e-5;
    let (_, up) = grad(a + h * va, b + h * vb);
    let (_, dn) = grad(a - h * va, b - h * vb);
    assert_close(hv.0, (up.0 - dn.0) / (2.0 * h), 1e-6);
    assert_close(hv.1, (up.1 - dn.1) / (2.0 * h), 1e-6);
}

fn check_scalars(a: f64, b: f64, va: f64, vb: f64) {
    let c = 0.7;
    check_scalar(
        |a, b, va, vb| energy_jvp(a, b, c, va, vb),
        |a, b, va, vb| energy_hvp(a, b, c, va, vb),
        |a, b| energy_grad(a, b, c),
        (a, b, va, vb),
    );
    check_scalar(from_base_jvp, from_base_hvp, from_base_grad, (a, b, va, vb));
    // the generic struct: its two fields as the two numbers, x fixed (its tangent zero)
    let x = 0.9;
    let g = |k, c| Gen { k, c };
    let t = |k, c| models::GenTangent { k, c };
    check_scalar(
        |a, b, va, vb| gen_energy_jvp(&g(a, b), x, &t(va, vb), 0.0),
        |a, b, va, vb| {
            let (y, (gg, _), (hg, _)) = gen_energy_hvp(&g(a, b), x, &t(va, vb), 0.0);
            (y, (gg.k, gg.c), (hg.k, hg.c))
        },
        |a, b| {
            let (y, (gg, _)) = gen_energy_grad(&g(a, b), x);
            (y, (gg.k, gg.c))
        },
        (a, b, va, vb),
    );
    check_scalar(
        plain_parts_jvp,
        plain_parts_hvp,
        plain_parts_grad,
        (a, b, va, vb),
    );
    check_scalar(
        local_generic_jvp,
        local_generic_hvp,
        local_generic_grad,
        (a, b, va, vb),
    );
    let (y, jv) = two_instances_jvp(&g(a, b), x, &t(va, vb), vb);
    let (y_r, (gg, gx)) = two_instances_grad(&g(a, b), x);
    assert_close(y, y_r, 1e-14);
    assert_close(jv, gg.k * va + gg.c * vb + gx * vb, 1e-12);
    // and x moving
    let (y, jv) = gen_energy_jvp(&g(a, b), x, &t(0.0, 0.0), va);
    let (y_r, (_, gx)) = gen_energy_grad(&g(a, b), x);
    assert_close(y, y_r, 1e-14);
    assert_close(jv, gx * va, 1e-12);
}

#[test]
fn imported_and_path_literals_at_a_point() {
    check_results(0.8, -1.3, 0.6, 1.1);
    check_scalars(0.8, -1.3, 0.6, 1.1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn struct_literals_over_random_points(
        a in -2.0f64..2.0,
        b in -2.0f64..2.0,
        va in -1.0f64..1.0,
        vb in -1.0f64..1.0,
    ) {
        check_results(a, b, va, vb);
        check_scalars(a, b, va, vb);
    }
}
