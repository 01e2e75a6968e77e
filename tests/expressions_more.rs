//! More ordinary expressions (issue 12): `rev()` after `zip` / `enumerate` over containers of
//! active values, `#[differentiable]` methods of generic impl blocks, local `Vec<T>` in generic
//! functions. Gradients against central finite differences in f64 (fixed inputs and proptests).
// `acc = acc + ..`, `&Vec<_>` arguments and `vec![..]` locals are forms under test, not style
// slips.
#![allow(clippy::assign_op_pattern, clippy::ptr_arg, clippy::useless_vec)]

mod common;
use autodiff::prelude::*;
use common::{assert_close, assert_flat_close, fd, fd_flat};

// ----- rev() after zip / enumerate ------------------------------------------------------------

#[differentiable]
fn revzip(x: f64, ws: &[f64]) -> f64 {
    let ys = vec![x, 2.0 * x, x * x];
    let mut acc = 0.0;
    for (y, w) in ys.iter().zip(ws.iter()).rev() {
        acc = acc * 0.5 + y * w;
    }
    acc
}

#[differentiable]
fn revenumerate(x: f64) -> f64 {
    let ys = vec![x, x.sin(), x * x, 3.0];
    let mut acc = 0.0;
    for (i, y) in ys.iter().enumerate().rev() {
        acc = acc * 0.5 + y * (i as f64 + 1.0);
    }
    acc
}

/// The adapter forms of the two loops above.
#[differentiable]
fn revchains(x: f64, ws: &[f64]) -> f64 {
    let ys = vec![x, 2.0 * x, x * x];
    let a: f64 = ys.iter().zip(ws.iter()).rev().map(|(y, w)| y * w).sum();
    let b = ys
        .iter()
        .zip(ws.iter())
        .rev()
        .fold(0.0, |acc, (y, w)| acc * 0.5 + y * w);
    let c = ys
        .iter()
        .enumerate()
        .rev()
        .fold(1.0, |acc, (i, &y)| acc * 0.5 + y.sin() * i as f64);
    let d: f64 = ys
        .iter()
        .enumerate()
        .rev()
        .map(|(i, y)| y * y * (i + 1) as f64)
        .sum();
    a + b + c + d
}

/// Over a differentiated argument, with the active side second and zips of unequal lengths
/// (`rev` of a zip walks back from the shorter length).
#[differentiable(wrt(ws))]
fn revzip_parameters(ws: &Vec<f64>, xs: &[f64]) -> f64 {
    let mut acc = 0.0;
    for (x, w) in xs.iter().zip(ws.iter()).rev() {
        acc = acc * 0.5 + (x * w).sin();
    }
    for (i, w) in ws.iter().enumerate().rev() {
        acc = acc * 0.5 + w * w * i as f64;
    }
    for ((i, w), x) in ws.iter().rev().enumerate().zip(xs.iter()).rev() {
        acc = acc * 0.9 + w * x + w * i as f64;
    }
    acc
}

#[test]
fn rev_after_zip_and_enumerate() {
    let ws = [0.5, -1.0, 2.0];
    for x in [-1.2, 0.3, 1.7] {
        assert_close(revzip_grad(x, &ws).0, revzip(x, &ws), 0.0);
        assert_close(revzip_grad(x, &ws).1, fd(|t| revzip(t, &ws), x), 1e-8);
        assert_close(revenumerate_grad(x).1, fd(revenumerate, x), 1e-8);
        assert_close(revchains_grad(x, &ws).1, fd(|t| revchains(t, &ws), x), 1e-7);
    }
}

/// Over pairs, a first stage that is not `map` (`filter`, `take`, a `fold` after them): the
/// closures take the pairs apart; `copied()` before `enumerate()`.
#[differentiable]
fn filtered_pairs(x: f64) -> f64 {
    let ws = vec![x, 2.0 * x, x * x, 3.0];
    let vs = [1.0, 2.0, 3.0, 4.0];
    let a: f64 = ws
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, &w)| w * x)
        .sum();
    let b = ws
        .iter()
        .zip(vs.iter())
        .rev()
        .take(3)
        .fold(0.0, |acc, (w, v)| acc * 0.5 + w * v);
    let c: f64 = ws
        .iter()
        .enumerate()
        .zip(vs.iter())
        .filter(|&((i, w), _)| i > 0 && *w > 0.0)
        .map(|((i, w), v)| w * v * i as f64)
        .sum();
    let d: f64 = ws
        .iter()
        .copied()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(i, w)| w.sin() * i as f64)
        .sum();
    let mut e = 0.0;
    for (i, w) in ws.iter().copied().enumerate() {
        e = e + w * i as f64;
    }
    a + b + c + d + e
}

#[test]
fn chains_over_pairs_with_filters_first() {
    for x in [-1.2, 0.3, 1.7] {
        assert_close(filtered_pairs_grad(x).1, fd(filtered_pairs, x), 1e-7);
    }
}

/// `skip`, `take` and `step_by` keep each element's position, in loops and chains: pairwise
/// differences (`zip(ys.iter().skip(1))`), windows of a local container.
#[differentiable]
fn counted_adapters(x: f64) -> f64 {
    let ys = vec![x, x * x, x.sin(), 2.0, x.exp()];
    let mut pairwise = 0.0;
    for (a, b) in ys.iter().zip(ys.iter().skip(1)) {
        pairwise = pairwise + (b - a) * (b - a);
    }
    let mut middle = 0.0;
    for y in ys.iter().skip(1).take(3) {
        middle = middle * 0.5 + y * y;
    }
    let strided: f64 = ys.iter().step_by(2).map(|y| y * 3.0).sum();
    let odd: f64 = ys
        .iter()
        .enumerate()
        .step_by(2)
        .filter(|(i, _)| *i > 0)
        .map(|(i, y)| y * i as f64)
        .sum();
    let mut back = 0.0;
    for (i, (y, z)) in ys.iter().zip(ys.iter().skip(1)).enumerate().rev().take(3) {
        back = back * 0.5 + y * z * i as f64;
    }
    pairwise + middle + strided + odd + back
}

#[test]
fn skip_take_and_step_by_keep_positions() {
    for x in [-1.2, 0.3, 1.7] {
        assert_close(counted_adapters_grad(x).1, fd(counted_adapters, x), 1e-7);
    }
}

#[differentiable]
fn pair_of(x: f64) -> Vec<f64> {
    vec![x, x * x]
}

/// Loops and chains over containers that no binding names (a `vec![..]`, an array literal, a
/// function's result), and a function's `Vec` result bound with its type.
#[differentiable]
fn unnamed_containers(x: f64) -> f64 {
    let mut acc = 0.0;
    for y in vec![x, x * x] {
        acc = acc + y;
    }
    for y in [x, 2.0 * x] {
        acc = acc + y * y;
    }
    for (a, b) in pair_of(x).iter().zip([x.sin(), 1.0].iter()).rev() {
        acc = acc * 0.5 + a * b;
    }
    let s: f64 = pair_of(x * 0.5).iter().map(|y| y * 2.0).sum();
    let t = [x, x * x, 3.0].iter().product::<f64>();
    let v: Vec<f64> = pair_of(x.cos());
    acc + s + t + v[0] * v[1]
}

#[test]
fn loops_over_unnamed_containers() {
    for x in [-1.2, 0.3, 1.7] {
        assert_close(
            unnamed_containers_grad(x).1,
            fd(unnamed_containers, x),
            1e-7,
        );
    }
}

#[test]
fn rev_after_zip_over_a_differentiated_argument() {
    let ws = vec![0.3, -1.1, 0.8, 0.4];
    for xs in [&[1.0, 2.0, -0.5][..], &[1.0, 2.0, -0.5, 0.7, 3.0][..]] {
        let (_, g) = revzip_parameters_grad(&ws, xs);
        let fdg = fd_flat(|w: &Vec<f64>| revzip_parameters(w, xs), &ws);
        assert_flat_close(&g, &fdg, 1e-7);
    }
}

// ----- methods of generic impl blocks ----------------------------------------------------------

#[derive(Differentiable, Clone, Debug)]
struct Quad<T: Float> {
    a: T,
    b: T,
}

impl<T: Float> Quad<T> {
    /// `T` is the impl's parameter: differentiated by default like a `T: Float` parameter.
    #[differentiable]
    fn eval(&self, x: T) -> T {
        self.a * x * x
    }

    #[differentiable(wrt(self, x))]
    fn eval_both(&self, x: T) -> T {
        self.a * x * x + (self.b * x).sin()
    }

    /// An associated function: `T` is recognised the same way.
    #[differentiable(associated)]
    fn curve(x: T, y: T) -> T {
        x * y.exp()
    }
}

#[test]
fn method_of_a_generic_impl_block() {
    let q = Quad { a: 1.5, b: -0.7 };
    for x in [-1.2, 0.3, 2.5] {
        let (v, g) = q.eval_grad(x);
        assert_eq!(v, q.eval(x));
        assert_close(g, fd(|t| q.eval(t), x), 1e-8);
        let (_, (gq, gx)) = q.eval_both_grad(x);
        assert_close(gx, fd(|t| q.eval_both(t), x), 1e-8);
        let fdq = fd_flat(|q: &Quad<f64>| q.eval_both(x), &q);
        assert_flat_close(&[gq.a, gq.b], &fdq, 1e-8);
    }
    let (_, (gx, gy)) = Quad::curve_grad(0.5, -0.3);
    assert_close(gx, (-0.3f64).exp(), 1e-15);
    assert_close(gy, 0.5 * (-0.3f64).exp(), 1e-15);
    let q32 = Quad { a: 1.5f32, b: 0.25 };
    let (_, g) = q32.eval_grad(2.0f32);
    assert!((g - 2.0 * 1.5 * 2.0).abs() < 1e-5);
    // the pullback borrows neither `self` nor the arguments: it outlives both
    let pb = {
        let q2 = q.clone();
        q2.eval_both_vjp(0.3).1
    };
    let (gq, gx) = pb(1.0);
    assert_eq!((gq.a, gq.b, gx), {
        let (_, (g2, x2)) = q.eval_both_grad(0.3);
        (g2.a, g2.b, x2)
    });
}

/// A float parameter with a longer name is named with `float = R`; a const parameter of the
/// impl block needs nothing.
#[derive(Differentiable, Clone, Debug)]
struct Poly<R: Float, const N: usize> {
    c: [R; N],
}

impl<R: Float, const N: usize> Poly<R, N> {
    /// Horner's rule, highest coefficient last.
    #[differentiable(wrt(self, x), float = R)]
    fn eval(&self, x: R) -> R {
        let mut acc = R::zero();
        for c in self.c.iter().rev() {
            acc = acc * x + *c;
        }
        acc
    }

    /// Calls another differentiable method (its pullback is boxed: `R: 'static`).
    #[differentiable(wrt(self, x), float = R)]
    fn eval_squared(&self, x: R) -> R {
        let y = self.eval(x);
        y * y
    }
}

/// A tensor model generic over its element type.
#[derive(Differentiable, Clone, Debug)]
struct Scale<E: Element> {
    w: Tensor<E>,
}

impl<E: Element> Scale<E> {
    #[differentiable(wrt(self))]
    fn apply(&self, x: &Tensor<E>) -> Tensor<E> {
        (&self.w * x).tanh().sum()
    }
}

#[differentiable(wrt(q, p, x))]
fn calls_generic_methods(q: &Quad<f64>, p: &Poly<f64, 3>, x: f64) -> f64 {
    q.eval_both(x) * p.eval_squared(x)
}

#[test]
fn methods_of_generic_impl_blocks_with_other_parameters() {
    let p = Poly {
        c: [0.5, -1.0, 0.25],
    };
    let q = Quad { a: 1.5, b: -0.7 };
    for x in [-1.2, 0.3, 2.5] {
        let (_, (gp, gx)) = p.eval_squared_grad(x);
        assert_close(gx, fd(|t| p.eval_squared(t), x), 1e-7);
        let fdp = fd_flat(|p: &Poly<f64, 3>| p.eval_squared(x), &p);
        assert_flat_close(&gp.c, &fdp, 1e-7);
        let (_, (gq, gp, gx)) = calls_generic_methods_grad(&q, &p, x);
        assert_close(gx, fd(|t| calls_generic_methods(&q, &p, t), x), 1e-7);
        let fdq = fd_flat(|q: &Quad<f64>| calls_generic_methods(q, &p, x), &q);
        assert_flat_close(&[gq.a, gq.b], &fdq, 1e-7);
        let fdp = fd_flat(|p: &Poly<f64, 3>| calls_generic_methods(&q, p, x), &p);
        assert_flat_close(&gp.c, &fdp, 1e-7);
    }
    let s = Scale {
        w: Tensor::from_vec(vec![0.5, -1.0, 2.0], &[3]),
    };
    let x = Tensor::from_vec(vec![0.3, 0.2, -0.4], &[3]);
    let g = s.apply_grad(&x).1;
    let fdw = fd_flat(|s: &Scale<f64>| s.apply(&x).item(), &s);
    assert_flat_close(&g.w.to_vec(), &fdw, 1e-7);
}

/// A generic method walking a `Vec<T>` field with a chain and a loop, calling a generic free
/// function.
#[derive(Differentiable, Clone, Debug)]
struct Horner<T: Float> {
    c: Vec<T>,
}

#[differentiable]
fn wobble<T: Float>(x: T) -> T {
    x.sin() * x
}

impl<T: Float> Horner<T> {
    #[differentiable(wrt(self, x))]
    fn eval(&self, x: T) -> T {
        let mut sq = T::zero();
        for (i, c) in self.c.iter().enumerate() {
            sq = sq + *c * *c * T::from(i + 1).unwrap();
        }
        self.c.iter().rev().fold(T::zero(), |acc, &c| acc * x + c) + wobble(x) * sq
    }
}

#[test]
fn generic_method_over_a_vec_field() {
    let h = Horner {
        c: vec![0.5, -1.0, 0.25],
    };
    for x in [-1.2, 0.3, 2.5] {
        let (_, (gh, gx)) = h.eval_grad(x);
        assert_close(gx, fd(|t| h.eval(t), x), 1e-7);
        assert_flat_close(&gh.c, &fd_flat(|h: &Horner<f64>| h.eval(x), &h), 1e-7);
    }
}

// ----- local containers of a generic float ---------------------------------------------------

#[differentiable]
fn localvec<T: Float>(x: T) -> T {
    let v: Vec<T> = vec![x, x * x];
    v[0] + v[1]
}

/// Also Hessian-vector products: `NAME_grad` at dual numbers keeps the local `Vec`s' gradients
/// as dual numbers.
#[differentiable(hvp)]
fn localvec_inferred<T: Float>(x: T) -> T {
    let v = vec![x.sin(), x * x];
    let mut w = Vec::new();
    for k in 0..3 {
        w.push(x * T::from(k).unwrap());
    }
    let mut acc = v[0] * v[1];
    for y in w.iter() {
        acc = acc + *y * x;
    }
    acc + w[2]
}

#[test]
fn local_vec_of_a_generic_float() {
    for x in [-1.2, 0.3, 2.5] {
        assert_close(localvec_grad(x).1, fd(localvec::<f64>, x), 1e-8);
        assert_close(
            localvec_inferred_grad(x).1,
            fd(localvec_inferred::<f64>, x),
            1e-7,
        );
        let x32 = x as f32;
        let g32 = localvec_inferred_grad(x32).1 as f64;
        let g64 = localvec_inferred_grad(x32 as f64).1;
        assert!(
            (g32 - g64).abs() <= 1e-5 * g64.abs().max(1.0),
            "{g32} vs {g64}"
        );
        assert_eq!(localvec_grad(x32).1, 1.0 + 2.0 * x32);
        let (y, g, hv) = localvec_inferred_hvp(x, 0.5);
        assert_eq!((y, g), localvec_inferred_grad(x));
        let fd_h = fd(|t| localvec_inferred_grad(t).1, x);
        assert_close(hv, 0.5 * fd_h, 1e-7);
    }
}

/// `sum` and `product` of a generic float start from `T`'s zero and one (`num_traits`).
#[differentiable(wrt(theta))]
fn generic_sums<T: Float + std::iter::Sum + std::iter::Product>(theta: T, xs: &[T]) -> T {
    let s: T = xs.iter().map(|&x| x * theta).sum();
    let p = xs.iter().map(|&x| (x * theta).cos()).product::<T>();
    let v = [theta, theta * theta, theta.sin()];
    let mut acc = T::zero();
    for (i, y) in v.iter().enumerate().rev() {
        acc = acc * theta + *y * T::from(i + 1).unwrap();
    }
    s + p + acc
}

#[test]
fn sums_and_arrays_of_a_generic_float() {
    let xs = [1.0, -2.0, 0.5];
    for theta in [-0.9, 0.4, 1.3] {
        let g = generic_sums_grad(theta, &xs).1;
        assert_close(g, fd(|t| generic_sums(t, &xs), theta), 1e-7);
        let xs32 = xs.map(|x| x as f32);
        let g32 = generic_sums_grad(theta as f32, &xs32).1 as f64;
        assert!((g32 - g).abs() <= 1e-4 * g.abs().max(1.0), "{g32} vs {g}");
    }
}

/// A slice of a generic float named in `wrt(..)`.
#[differentiable(wrt(xs))]
fn generic_slice<T: Float>(xs: &[T], s: T) -> T {
    let mut acc = T::zero();
    for (i, x) in xs.iter().enumerate().rev() {
        acc = acc * s + (*x * *x).sin() * T::from(i + 1).unwrap();
    }
    acc
}

#[test]
fn slice_of_a_generic_float() {
    let xs = vec![0.3, -1.2, 0.7];
    let g = generic_slice_grad(&xs, 0.5).1;
    let fdg = fd_flat(|v: &Vec<f64>| generic_slice(v, 0.5), &xs);
    assert_flat_close(&g, &fdg, 1e-7);
    let xs32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
    let g32 = generic_slice_grad(&xs32, 0.5f32).1;
    for (a, b) in g32.iter().zip(&g) {
        assert!(
            (*a as f64 - b).abs() <= 1e-5 * b.abs().max(1.0),
            "{a} vs {b}"
        );
    }
}

// ----- rev() over parts of a struct argument ---------------------------------------------------

#[derive(Differentiable, Clone, Debug)]
struct Layer {
    w: Tensor<f64>,
    b: f64,
}

#[derive(Differentiable, Clone, Debug)]
struct Net {
    layers: Vec<Layer>,
    scales: Vec<f64>,
}

/// Layers last first, with their positions, zipped with another field.
#[differentiable(wrt(m))]
fn backward_order(m: &Net, x: &Tensor<f64>) -> Tensor<f64> {
    let mut h = x.clone();
    for (i, layer) in m.layers.iter().enumerate().rev() {
        h = (h.mm(&layer.w) + layer.b).tanh() * (i + 1) as f64;
    }
    for (layer, s) in m.layers.iter().zip(m.scales.iter()).rev().skip(1) {
        h = h * (layer.b * s);
    }
    let t: f64 = m
        .scales
        .iter()
        .zip(m.layers.iter())
        .rev()
        .map(|(s, l)| s * l.b)
        .sum();
    h.sum() * t
}

#[test]
fn rev_over_parts_of_a_struct_argument() {
    let m = Net {
        layers: (0..3)
            .map(|i| Layer {
                w: Tensor::randn(&[2, 2], 10 + i),
                b: 0.1 * i as f64 + 0.2,
            })
            .collect(),
        scales: vec![0.5, -1.5, 2.0],
    };
    let x = Tensor::randn(&[1, 2], 3);
    let (_, g) = backward_order_grad(&m, &x);
    let fdg = fd_flat(|m: &Net| backward_order(m, &x).item(), &m);
    assert_flat_close(&common::flat_tangent::<Net>(&g), &fdg, 1e-6);
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn chains_and_generic_locals_match_finite_differences(
            x in -2.0f64..2.0,
            ws in proptest::collection::vec(-3.0f64..3.0, 0..6),
        ) {
            assert_close(revzip_grad(x, &ws).1, fd(|t| revzip(t, &ws), x), 1e-7);
            assert_close(revenumerate_grad(x).1, fd(revenumerate, x), 1e-7);
            assert_close(revchains_grad(x, &ws).1, fd(|t| revchains(t, &ws), x), 1e-6);
            let vs: Vec<f64> = ws.iter().map(|w| w * 0.5 + x).collect();
            let (_, g) = revzip_parameters_grad(&vs, &ws);
            let fdg = fd_flat(|v: &Vec<f64>| revzip_parameters(v, &ws), &vs);
            assert_flat_close(&g, &fdg, 1e-6);
            assert_close(filtered_pairs_grad(x).1, fd(filtered_pairs, x), 1e-6);
            assert_close(counted_adapters_grad(x).1, fd(counted_adapters, x), 1e-6);
            assert_close(unnamed_containers_grad(x).1, fd(unnamed_containers, x), 1e-6);
            assert_close(generic_sums_grad(x, &ws).1, fd(|t| generic_sums(t, &ws), x), 1e-6);
            let g = localvec_inferred_grad(x).1;
            assert_close(g, fd(localvec_inferred::<f64>, x), 1e-6);
            let q = Quad { a: ws.first().copied().unwrap_or(0.5), b: x * 0.3 };
            let (_, (gq, gx)) = q.eval_both_grad(x);
            assert_close(gx, fd(|t| q.eval_both(t), x), 1e-6);
            assert_flat_close(&[gq.a, gq.b], &fd_flat(|q: &Quad<f64>| q.eval_both(x), &q), 1e-6);
        }
    }
}

// ----- methods called on data ----------------------------------------------------------------

/// Configuration: carried, never differentiated.
struct Scaler {
    k: f64,
}

impl Scaler {
    /// `self` is data: only `x` is differentiated.
    #[differentiable]
    fn scale(&self, x: f64) -> f64 {
        (self.k * x).sin()
    }
}

/// A method called on a field of data.
struct Holder<'a> {
    inner: &'a Scaler,
}

#[differentiable(wrt(x))]
fn self_free(cfg: &Scaler, x: f64) -> f64 {
    let h = Holder { inner: cfg };
    h.inner.scale(x * x)
}

/// The methods of `Scaler` and of `Poly` called on values that are not differentiated here,
/// with active arguments: the receiver is data at that call.
#[differentiable(wrt(x))]
fn methods_on_data(cfg: &Scaler, p: &Poly<f64, 3>, x: f64) -> f64 {
    cfg.scale(x) * p.eval_squared(x) + self_free(cfg, x)
}

#[test]
fn methods_called_on_data_with_active_arguments() {
    let cfg = Scaler { k: 0.8 };
    let p = Poly {
        c: [0.5, -1.0, 0.25],
    };
    for x in [-1.2, 0.3, 2.5] {
        let g = methods_on_data_grad(&cfg, &p, x).1;
        assert_close(g, fd(|t| methods_on_data(&cfg, &p, t), x), 1e-7);
    }
}
