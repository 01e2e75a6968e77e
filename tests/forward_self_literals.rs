//! `Self { .. }` literals in methods with `jvp` / `hvp`: at dual numbers they build the twin of
//! `Self`. Checked against the reverse mode (`<u, J v>` both ways, to 1e-12 in f64) and central
//! differences.

mod common;
use autodiff::prelude::*;
use common::{assert_close, flat_dot, flat_tangent};

#[derive(Clone, Debug, Differentiable)]
struct Lin {
    w: Tensor<f64>,
    b: Tensor<f64>,
}

fn lin(seed: u64) -> Lin {
    Lin {
        w: Tensor::randn_scaled(&[3, 2], seed, 0.5),
        b: Tensor::randn_scaled(&[2], seed + 1, 0.5),
    }
}

fn tangent(l: &Lin) -> LinTangent {
    LinTangent {
        w: l.w.clone(),
        b: l.b.clone(),
    }
}

impl Lin {
    /// A struct result written `Self { .. }`.
    #[differentiable(wrt(self, x), jvp)]
    fn shifted(&self, x: &Tensor<f64>) -> Lin {
        let s = (x * x).sum();
        Self {
            w: self.w.tanh() * &s,
            b: &self.b * &self.b + x.sum(),
        }
    }

    /// A scalar result of a `Self { .. }` local.
    #[differentiable(wrt(self), jvp, hvp)]
    fn energy(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let q = Self {
            w: self.w.sin(),
            b: &self.b * &self.b,
        };
        (x.matmul(&q.w) + &q.b).tanh().sum()
    }
}

#[test]
fn self_literal_result_against_vjp_and_differences() {
    let (p, vp) = (lin(1), tangent(&lin(3)));
    let (x, vx) = (Tensor::randn(&[4], 5), Tensor::randn(&[4], 6));
    let (y, jv) = p.shifted_jvp(&x, &vp, &vx);
    let y_plain = p.shifted(&x);
    assert_eq!(y.w.to_vec(), y_plain.w.to_vec());
    assert_eq!(y.b.to_vec(), y_plain.b.to_vec());
    let u = tangent(&lin(7));
    let (_, pb) = p.shifted_vjp(&x);
    let (gp, gx) = pb(u.clone());
    let lhs = flat_dot(&flat_tangent::<Lin>(&u), &flat_tangent::<Lin>(&jv));
    let rhs = flat_dot(&flat_tangent::<Lin>(&gp), &flat_tangent::<Lin>(&vp))
        + flat_dot(&gx.to_vec(), &vx.to_vec());
    assert_close(lhs, rhs, 1e-12);
    let h = 1e-6;
    let shift = |s: f64| {
        let q = Lin {
            w: &p.w + &(&vp.w * s),
            b: &p.b + &(&vp.b * s),
        };
        q.shifted(&(&x + &(&vx * s)))
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

#[test]
fn self_literal_local_jvp_and_hvp() {
    let (p, vp) = (lin(11), tangent(&lin(13)));
    let x = Tensor::randn(&[2, 3], 15);
    let (_, g) = p.energy_grad(&x);
    let (_, jv) = p.energy_jvp(&x, &vp);
    assert_close(
        jv.item(),
        flat_dot(&flat_tangent::<Lin>(&g), &flat_tangent::<Lin>(&vp)),
        1e-12,
    );
    // H v against central differences of the gradient
    let (_, g2, hv) = p.energy_hvp(&x, &vp);
    for (a, b) in flat_tangent::<Lin>(&g2).iter().zip(flat_tangent::<Lin>(&g)) {
        assert_close(*a, b, 1e-14);
    }
    let h = 1e-5;
    let grad_at = |s: f64| {
        let q = Lin {
            w: &p.w + &(&vp.w * s),
            b: &p.b + &(&vp.b * s),
        };
        flat_tangent::<Lin>(&q.energy_grad(&x).1)
    };
    let (up, dn) = (grad_at(h), grad_at(-h));
    for ((a, b), d) in up.iter().zip(&dn).zip(flat_tangent::<Lin>(&hv)) {
        assert_close(d, (a - b) / (2.0 * h), 1e-6);
    }
}
