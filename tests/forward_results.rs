//! `#[differentiable(jvp)]` with struct and tuple results: `NAME_jvp` returns the output and
//! its tangent, of the output's tangent type, which agrees with the reverse mode
//! (`<u, J v>` both ways, to 1e-12 in f64) and with central differences.

mod common;
use autodiff::prelude::*;
use common::{assert_close, flat_dot, flat_tangent};

#[derive(Clone, Debug, Differentiable)]
struct Lin {
    w: Tensor<f64>,
    b: Tensor<f64>,
}

fn lin(seed: u64, n: usize, m: usize) -> Lin {
    Lin {
        w: Tensor::randn_scaled(&[n, m], seed, 0.5),
        b: Tensor::randn_scaled(&[m], seed + 1, 0.5),
    }
}

fn tangent(l: &Lin) -> LinTangent {
    LinTangent {
        w: l.w.clone(),
        b: l.b.clone(),
    }
}

/// A struct result built from a struct argument and a tensor.
#[differentiable(wrt(p, x), jvp)]
fn transformed(p: &Lin, x: &Tensor<f64>) -> Lin {
    let s = (x * x).sum();
    Lin {
        w: p.w.tanh() * &s,
        b: &p.b * &p.b + x.sum(),
    }
}

#[test]
fn struct_result_against_vjp_and_differences() {
    let (p, vp) = (lin(1, 3, 2), tangent(&lin(3, 3, 2)));
    let (x, vx) = (Tensor::randn(&[4], 5), Tensor::randn(&[4], 6));
    let (y, jv) = transformed_jvp(&p, &x, &vp, &vx);
    let y_plain = transformed(&p, &x);
    assert_eq!(y.w.to_vec(), y_plain.w.to_vec());
    assert_eq!(y.b.to_vec(), y_plain.b.to_vec());
    // <u, J v> = <J^T u, v>
    let u = tangent(&lin(7, 3, 2));
    let (_, pb) = transformed_vjp(&p, &x);
    let (gp, gx) = pb(u.clone());
    let lhs = flat_dot(&flat_tangent::<Lin>(&u), &flat_tangent::<Lin>(&jv));
    let rhs = flat_dot(&flat_tangent::<Lin>(&gp), &flat_tangent::<Lin>(&vp))
        + flat_dot(&gx.to_vec(), &vx.to_vec());
    assert_close(lhs, rhs, 1e-12);
    // central differences, output by output
    let h = 1e-6;
    let shift = |s: f64| {
        let q = Lin {
            w: &p.w + &(&vp.w * s),
            b: &p.b + &(&vp.b * s),
        };
        transformed(&q, &(&x + &(&vx * s)))
    };
    let (up, dn) = (shift(h), shift(-h));
    let fd: Vec<f64> = flat_tangent::<Lin>(&tangent(&up))
        .iter()
        .zip(flat_tangent::<Lin>(&tangent(&dn)))
        .map(|(a, b)| (a - b) / (2.0 * h))
        .collect();
    for (a, b) in flat_tangent::<Lin>(&jv).iter().zip(&fd) {
        assert_close(*a, *b, 1e-7);
    }
}

/// A tuple result of a tensor and a number.
#[differentiable(jvp)]
fn pair(x: &Tensor<f64>, y: f64) -> (Tensor<f64>, f64) {
    (x.sin() * y, y * y + 1.0)
}

#[test]
fn tuple_result_against_vjp_and_differences() {
    let (x, vx) = (Tensor::randn(&[3], 11), Tensor::randn(&[3], 12));
    let (y, vy) = (0.7, -1.3);
    let ((a, s), (da, ds)) = pair_jvp(&x, y, &vx, vy);
    let (a_r, s_r) = pair(&x, y);
    assert_eq!((a.to_vec(), s), (a_r.to_vec(), s_r));
    let u = (Tensor::randn(&[3], 13), 0.4);
    let (_, pb) = pair_vjp(&x, y);
    let (gx, gy) = pb(u.clone());
    let lhs = flat_dot(&u.0.to_vec(), &da.to_vec()) + u.1 * ds;
    let rhs = flat_dot(&gx.to_vec(), &vx.to_vec()) + gy * vy;
    assert_close(lhs, rhs, 1e-12);
    let h = 1e-6;
    let (p, m) = (
        pair(&(&x + &(&vx * h)), y + h * vy),
        pair(&(&x - &(&vx * h)), y - h * vy),
    );
    assert_close(ds, (p.1 - m.1) / (2.0 * h), 1e-7);
    for ((a, b), d) in p.0.to_vec().iter().zip(m.0.to_vec()).zip(da.to_vec()) {
        assert_close(d, (a - b) / (2.0 * h), 1e-7);
    }
}

/// Configuration that holds no element-type values: data for a generic function.
#[derive(Clone, Debug)]
struct Config {
    scale: f64,
    power: i32,
}

/// A generic function with a struct of data: instantiated at dual numbers, the struct passed
/// as it is.
#[differentiable(wrt(w), jvp, hvp)]
fn configured<T: Element>(cfg: &Config, x: &Tensor<T>, w: &Tensor<T>) -> Tensor<T> {
    let s = T::from(cfg.scale).unwrap();
    (x.mm(w) * s).tanh().powi(cfg.power).sum()
}

#[test]
fn generic_function_with_a_struct_of_data() {
    let cfg = Config {
        scale: 0.8,
        power: 3,
    };
    let x = Tensor::<f64>::randn(&[3, 2], 41);
    let (w, vw) = (
        Tensor::<f64>::randn(&[2, 2], 42),
        Tensor::<f64>::randn(&[2, 2], 43),
    );
    let (_, g) = configured_grad(&cfg, &x, &w);
    let (_, jv) = configured_jvp(&cfg, &x, &w, &vw);
    assert_close(jv.item(), flat_dot(&g.to_vec(), &vw.to_vec()), 1e-12);
    let (_, g2, hv) = configured_hvp(&cfg, &x, &w, &vw);
    for (a, b) in g2.to_vec().iter().zip(g.to_vec()) {
        assert_close(*a, b, 1e-14);
    }
    let h = 1e-5;
    let (p, m) = (
        configured_grad(&cfg, &x, &(&w + &(&vw * h))).1,
        configured_grad(&cfg, &x, &(&w - &(&vw * h))).1,
    );
    for ((a, b), d) in p.to_vec().iter().zip(m.to_vec()).zip(hv.to_vec()) {
        assert_close(d, (a - b) / (2.0 * h), 1e-6);
    }
}
