//! Adversarial review of forward mode, continued: dual values the copy's per-function name
//! analysis could miss (destructuring assignments, unannotated closure parameters, user
//! methods named like size methods, user macros), and methods, trait impls, `Self { .. }` and
//! struct literals of a scalar struct. Per form: the jvp against central differences, `<u, J
//! v>` against the vjp to 1e-12, and the hvp against central differences of the gradient.
#![allow(clippy::assign_op_pattern, clippy::useless_vec)]

mod common;
use autodiff::prelude::*;
use common::{assert_close, H};

/// A segment of the line: its methods are called by method syntax on parameters, fields and
/// loop locals; `span` returns a dual number.
#[derive(Clone, Debug, Differentiable)]
struct Seg {
    a: f64,
    b: f64,
}

#[derive(Clone, Debug, Differentiable)]
struct Track {
    segs: Vec<Seg>,
    first: Seg,
}

#[differentiable]
impl Seg {
    #[differentiable(wrt(self), jvp, hvp)]
    fn span(&self) -> f64 {
        (self.b - self.a).abs() + self.a * self.b
    }

    #[differentiable(wrt(self, t), jvp, hvp)]
    fn at(&self, t: f64) -> f64 {
        self.a + (self.b - self.a) * t.sin()
    }

    /// `self`'s fields passed to a closure also called with `t`, and beside `t` in
    /// `f64::max`.
    #[differentiable(wrt(self, t), jvp, hvp)]
    fn self_fields(&self, t: f64) -> f64 {
        let sq = |v: f64| v * v * t;
        sq(self.a) + sq(t) + f64::max(self.b, t) * f64::powf(self.a, t)
    }

    /// `Self { .. }` and a struct literal of dual values, then their methods by path.
    #[differentiable(wrt(self, t), jvp, hvp)]
    fn remade(&self, t: f64) -> f64 {
        let q = Self {
            a: self.a * t,
            b: self.b + t,
        };
        let r = Seg {
            a: q.b,
            b: q.a * q.a,
        };
        Self::at(&q, t) * Seg::span(&r) + f64::max(Self::at(&r, t * 0.5), t)
    }
}

/// `span()` of a user type (a dual number) bound to a local, beside a dual parameter.
#[differentiable(wrt(s, x), jvp, hvp)]
fn seg_len(s: &Seg, x: f64) -> f64 {
    let l = s.span();
    f64::max(l, x) * x + f64::powf(l, x) + s.span() * x
}

/// Methods on fields and loop locals.
#[differentiable(wrt(k, x), jvp, hvp)]
fn track_total(k: &Track, x: f64) -> f64 {
    let mut s = k.first.at(x);
    for g in &k.segs {
        s = s + g.at(x) * g.span() + f64::min(g.span(), x);
    }
    for i in 0..k.segs.len() {
        s = s * k.segs[i].at(x * 0.5);
    }
    s + k.first.remade(x)
}

fn seg(a: f64, b: f64) -> Seg {
    Seg { a, b }
}

/// Checks `f_jvp` / `f_hvp` of `f(s, x)` (wrt both) against the vjp and central differences.
macro_rules! check_seg {
    ($f:expr, $jvp:expr, $grad:expr, $hvp:expr) => {{
        let (s, vs) = (seg(0.4, 1.7), SegTangent { a: 0.3, b: -0.8 });
        let (x, vx) = (0.9, 0.6);
        let shifted = |h: f64| (seg(s.a + h * vs.a, s.b + h * vs.b), x + h * vx);
        let (y, jv) = $jvp(&s, x, &vs, vx);
        assert_eq!(y, $f(&s, x));
        let f = |h: f64| {
            let (q, x) = shifted(h);
            $f(&q, x)
        };
        assert_close(jv, (f(H) - f(-H)) / (2.0 * H), 1e-6);
        let (_, (gs, gx)) = $grad(&s, x);
        assert_close(jv, gs.a * vs.a + gs.b * vs.b + gx * vx, 1e-12);
        let (_, (hs_g, hx_g), (hs, hx)) = $hvp(&s, x, &vs, vx);
        assert_close(hs_g.a, gs.a, 1e-12);
        assert_close(hs_g.b, gs.b, 1e-12);
        assert_close(hx_g, gx, 1e-12);
        let g = |h: f64| {
            let (q, x) = shifted(h);
            let (_, (gs, gx)) = $grad(&q, x);
            [gs.a, gs.b, gx]
        };
        let (gp, gm) = (g(H), g(-H));
        for (k, hv) in [hs.a, hs.b, hx].into_iter().enumerate() {
            assert_close(hv, (gp[k] - gm[k]) / (2.0 * H), 1e-6);
        }
    }};
}

#[test]
fn self_fields_beside_a_parameter() {
    check_seg!(
        |s: &Seg, x| s.self_fields(x),
        |s: &Seg, x, vs: &SegTangent, vx| s.self_fields_jvp(x, vs, vx),
        |s: &Seg, x| s.self_fields_grad(x),
        |s: &Seg, x, vs: &SegTangent, vx| s.self_fields_hvp(x, vs, vx)
    );
}

#[test]
fn methods_on_a_scalar_struct() {
    let (s, vs) = (seg(0.4, 1.7), SegTangent { a: 0.3, b: -0.8 });
    let (x, vx) = (0.9, 0.6);
    let shifted = |h: f64| (seg(s.a + h * vs.a, s.b + h * vs.b), x + h * vx);
    // seg_len: jvp against differences and the vjp, hvp against differences of the gradient
    let (y, jv) = seg_len_jvp(&s, x, &vs, vx);
    assert_eq!(y, seg_len(&s, x));
    let f = |h: f64| {
        let (q, x) = shifted(h);
        seg_len(&q, x)
    };
    assert_close(jv, (f(H) - f(-H)) / (2.0 * H), 1e-6);
    let (_, (gs, gx)) = seg_len_grad(&s, x);
    assert_close(jv, gs.a * vs.a + gs.b * vs.b + gx * vx, 1e-12);
    let (_, (hs_g, hx_g), (hs, hx)) = seg_len_hvp(&s, x, &vs, vx);
    assert_close(hs_g.a, gs.a, 1e-12);
    assert_close(hs_g.b, gs.b, 1e-12);
    assert_close(hx_g, gx, 1e-12);
    let g = |h: f64| {
        let (q, x) = shifted(h);
        let (_, (gs, gx)) = seg_len_grad(&q, x);
        [gs.a, gs.b, gx]
    };
    let (gp, gm) = (g(H), g(-H));
    for (k, hv) in [hs.a, hs.b, hx].into_iter().enumerate() {
        assert_close(hv, (gp[k] - gm[k]) / (2.0 * H), 1e-6);
    }
    // the method itself, with `Self { .. }` and a struct literal
    let (y, jv) = s.remade_jvp(x, &vs, vx);
    assert_eq!(y, s.remade(x));
    let f = |h: f64| {
        let (q, x) = shifted(h);
        q.remade(x)
    };
    assert_close(jv, (f(H) - f(-H)) / (2.0 * H), 1e-6);
    let (_, (gs, gx)) = s.remade_grad(x);
    assert_close(jv, gs.a * vs.a + gs.b * vs.b + gx * vx, 1e-12);
    let (_, _, (hs, hx)) = s.remade_hvp(x, &vs, vx);
    let g = |h: f64| {
        let (q, x) = shifted(h);
        let (_, (gs, gx)) = q.remade_grad(x);
        [gs.a, gs.b, gx]
    };
    let (gp, gm) = (g(H), g(-H));
    for (k, hv) in [hs.a, hs.b, hx].into_iter().enumerate() {
        assert_close(hv, (gp[k] - gm[k]) / (2.0 * H), 1e-6);
    }
}

#[test]
fn methods_on_fields_and_loop_locals() {
    let k = Track {
        segs: vec![seg(0.4, 1.7), seg(-0.3, 0.9)],
        first: seg(1.1, 0.2),
    };
    let flat = |t: &TrackTangent| {
        let mut v: Vec<f64> = t.segs.iter().flat_map(|s| [s.a, s.b]).collect();
        v.extend([t.first.a, t.first.b]);
        v
    };
    let vk = TrackTangent {
        segs: vec![
            SegTangent { a: 0.3, b: -0.8 },
            SegTangent { a: 0.5, b: 0.1 },
        ],
        first: SegTangent { a: -0.2, b: 0.4 },
    };
    let (x, vx) = (0.9, 0.6);
    let shifted = |h: f64| {
        let mv = |s: &Seg, v: &SegTangent| seg(s.a + h * v.a, s.b + h * v.b);
        let q = Track {
            segs: vec![mv(&k.segs[0], &vk.segs[0]), mv(&k.segs[1], &vk.segs[1])],
            first: mv(&k.first, &vk.first),
        };
        (q, x + h * vx)
    };
    let (y, jv) = track_total_jvp(&k, x, &vk, vx);
    assert_eq!(y, track_total(&k, x));
    let f = |h: f64| {
        let (q, x) = shifted(h);
        track_total(&q, x)
    };
    assert_close(jv, (f(H) - f(-H)) / (2.0 * H), 1e-6);
    let (_, (gk, gx)) = track_total_grad(&k, x);
    let dot: f64 = flat(&gk).iter().zip(flat(&vk)).map(|(a, b)| a * b).sum();
    assert_close(jv, dot + gx * vx, 1e-12);
    let (_, (gk_h, gx_h), (hk, hx)) = track_total_hvp(&k, x, &vk, vx);
    for (a, b) in flat(&gk_h).iter().zip(flat(&gk)) {
        assert_close(*a, b, 1e-12);
    }
    assert_close(gx_h, gx, 1e-12);
    let g = |h: f64| {
        let (q, x) = shifted(h);
        let (_, (gk, gx)) = track_total_grad(&q, x);
        let mut v = flat(&gk);
        v.push(gx);
        v
    };
    let (gp, gm) = (g(H), g(-H));
    let mut hv = flat(&hk);
    hv.push(hx);
    for (k, hv) in hv.into_iter().enumerate() {
        assert_close(hv, (gp[k] - gm[k]) / (2.0 * H), 1e-6);
    }
}

// ---- a trait impl of a scalar struct, called by method syntax ----

trait Energy {
    fn energy(&self, x: f64) -> f64;
}

#[differentiable]
impl Energy for Seg {
    #[differentiable(wrt(self, x), jvp, hvp)]
    fn energy(&self, x: f64) -> f64 {
        let d = x - self.a;
        let k = if d > 0.0 { self.b } else { self.b * 0.5 };
        k * d * d + f64::max(d, self.a) + x.powf(self.b)
    }
}

/// The trait method on a parameter, on a field and on loop locals.
#[differentiable(wrt(k, x), jvp, hvp)]
fn track_energy(k: &Track, x: f64) -> f64 {
    let mut e = k.first.energy(x);
    for g in &k.segs {
        e = e + g.energy(x * 0.5);
    }
    e
}

#[test]
fn trait_method_by_method_syntax() {
    check_seg!(
        |s: &Seg, x| s.energy(x),
        |s: &Seg, x, vs: &SegTangent, vx| s.energy_jvp(x, vs, vx),
        |s: &Seg, x| s.energy_grad(x),
        |s: &Seg, x, vs: &SegTangent, vx| s.energy_hvp(x, vs, vx)
    );
    let k = Track {
        segs: vec![seg(0.4, 1.7), seg(-0.3, 0.9)],
        first: seg(1.1, 0.2),
    };
    let vk = TrackTangent {
        segs: vec![
            SegTangent { a: 0.3, b: -0.8 },
            SegTangent { a: 0.5, b: 0.1 },
        ],
        first: SegTangent { a: -0.2, b: 0.4 },
    };
    let (x, vx) = (0.9, 0.6);
    let (y, jv) = track_energy_jvp(&k, x, &vk, vx);
    assert_eq!(y, track_energy(&k, x));
    let (_, (gk, gx)) = track_energy_grad(&k, x);
    let flat = |t: &TrackTangent| {
        let mut v: Vec<f64> = t.segs.iter().flat_map(|s| [s.a, s.b]).collect();
        v.extend([t.first.a, t.first.b]);
        v
    };
    let dot: f64 = flat(&gk).iter().zip(flat(&vk)).map(|(a, b)| a * b).sum();
    assert_close(jv, dot + gx * vx, 1e-12);
    let (_, _, (hk, hx)) = track_energy_hvp(&k, x, &vk, vx);
    let g = |h: f64| {
        let mv = |s: &Seg, v: &SegTangent| seg(s.a + h * v.a, s.b + h * v.b);
        let q = Track {
            segs: vec![mv(&k.segs[0], &vk.segs[0]), mv(&k.segs[1], &vk.segs[1])],
            first: mv(&k.first, &vk.first),
        };
        let (_, (gk, gx)) = track_energy_grad(&q, x + h * vx);
        let mut v = flat(&gk);
        v.push(gx);
        v
    };
    let (gp, gm) = (g(H), g(-H));
    let mut hv = flat(&hk);
    hv.push(hx);
    for (i, hv) in hv.into_iter().enumerate() {
        assert_close(hv, (gp[i] - gm[i]) / (2.0 * H), 1e-6);
    }
}

// ---- a user's method named `len` / `size` on a struct's field and loop local ----

/// A polynomial's weights: its own `len` (a dual number) and `size` beside `Vec::len`.
#[derive(Clone, Debug, Differentiable)]
struct Poly {
    c: Vec<f64>,
}

#[derive(Clone, Debug, Differentiable)]
struct Book {
    p: Poly,
    q: Vec<Poly>,
}

#[differentiable]
impl Poly {
    #[differentiable(wrt(self), jvp, hvp)]
    fn len(&self) -> f64 {
        self.c.iter().map(|v| v * v).sum::<f64>()
    }

    #[differentiable(wrt(self), jvp, hvp)]
    fn size(&self) -> f64 {
        self.c[0] * self.c[1] + self.c.len() as f64
    }
}

/// jvp: method syntax on a loop local (`size`), beside `Vec::len` of fields. (`k.p.len()` by
/// method syntax is refused: `len` is read as a size there, and this one returns an `f64`; ui
/// `size_named_user_method`.)
#[differentiable(wrt(k, x), jvp)]
fn book_sizes(k: &Book, x: f64) -> f64 {
    let mut s = Poly::len(&k.p) * x + k.p.c.len() as f64 + k.q.len() as f64;
    for p in &k.q {
        s = s + p.size() * x * x;
    }
    s
}

/// hvp: the same by the type's path (method syntax is refused, ui `hvp_size_named_method`).
#[differentiable(wrt(k, x), jvp, hvp)]
fn book_sizes_by_path(k: &Book, x: f64) -> f64 {
    let mut s = Poly::len(&k.p) * x + k.p.c.len() as f64;
    for p in &k.q {
        s = s + Poly::size(p) * x * x;
    }
    s
}

#[test]
fn size_named_user_methods() {
    let poly = |c: &[f64]| Poly { c: c.to_vec() };
    let k = Book {
        p: poly(&[0.5, -1.2, 0.8]),
        q: vec![poly(&[0.3, 1.1]), poly(&[-0.7, 0.4, 2.0])],
    };
    let tan = |c: &[f64]| PolyTangent { c: c.to_vec() };
    let vk = BookTangent {
        p: tan(&[0.2, 0.1, -0.3]),
        q: vec![tan(&[-0.5, 0.6]), tan(&[0.4, 0.0, 0.9])],
    };
    let (x, vx) = (0.8, -0.6);
    let shifted = |h: f64| {
        let add = |p: &Poly, t: &PolyTangent| Poly {
            c: p.c.iter().zip(&t.c).map(|(a, b)| a + h * b).collect(),
        };
        let q = k.q.iter().zip(&vk.q).map(|(p, t)| add(p, t)).collect();
        (
            Book {
                p: add(&k.p, &vk.p),
                q,
            },
            x + h * vx,
        )
    };
    let dot = |g: &BookTangent, gx: f64| {
        let d = |a: &PolyTangent, b: &PolyTangent| -> f64 {
            a.c.iter().zip(&b.c).map(|(u, v)| u * v).sum()
        };
        d(&g.p, &vk.p) + g.q.iter().zip(&vk.q).map(|(a, b)| d(a, b)).sum::<f64>() + gx * vx
    };
    type Jvp = fn(&Book, f64, &BookTangent, f64) -> (f64, f64);
    type F = fn(&Book, f64) -> f64;
    let pairs: [(F, Jvp); 2] = [
        (book_sizes, book_sizes_jvp),
        (book_sizes_by_path, book_sizes_by_path_jvp),
    ];
    for (f, jvp) in pairs {
        let (y, jv) = jvp(&k, x, &vk, vx);
        assert_eq!(y, f(&k, x));
        let at = |h: f64| {
            let (b, x) = shifted(h);
            f(&b, x)
        };
        assert_close(jv, (at(H) - at(-H)) / (2.0 * H), 1e-6);
    }
    // both gradients carry every term (a size-named method returning a float is refused, not
    // read as a size): <u, J v> against the vjp
    let (_, (gk, gx)) = book_sizes_grad(&k, x);
    assert_close(book_sizes_jvp(&k, x, &vk, vx).1, dot(&gk, gx), 1e-12);
    let (_, (gk, gx)) = book_sizes_by_path_grad(&k, x);
    assert_close(
        book_sizes_by_path_jvp(&k, x, &vk, vx).1,
        dot(&gk, gx),
        1e-12,
    );
    // hvp against central differences of the gradient
    let (_, (hgk, hgx), (hk, hx)) = book_sizes_by_path_hvp(&k, x, &vk, vx);
    assert_close(dot(&hgk, hgx), dot(&gk, gx), 1e-12);
    let g = |h: f64| {
        let (b, x) = shifted(h);
        book_sizes_by_path_grad(&b, x).1
    };
    let ((gkp, gxp), (gkm, gxm)) = (g(H), g(-H));
    assert_close(hx, (gxp - gxm) / (2.0 * H), 1e-6);
    for (i, v) in hk.p.c.iter().enumerate() {
        assert_close(*v, (gkp.p.c[i] - gkm.p.c[i]) / (2.0 * H), 1e-6);
    }
    for (j, q) in hk.q.iter().enumerate() {
        for (i, v) in q.c.iter().enumerate() {
            assert_close(*v, (gkp.q[j].c[i] - gkm.q[j].c[i]) / (2.0 * H), 1e-6);
        }
    }
}
