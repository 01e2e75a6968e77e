//! The generated code must not fire lints in a user's crate: this file is compiled with every
//! warning and clippy's default set denied (CI runs clippy on all targets).
#![deny(warnings, clippy::all)]

use autodiff::prelude::*;

#[differentiable]
fn tensor_loop(a: &Tensor, steps: usize) -> Tensor {
    let mut b = a * 2.0;
    let mut i = 0;
    while i < steps && b.norm().item() < 1000.0 {
        b = &b * 2.0;
        i += 1;
    }
    let c = if b.sum().item() > 0.0 { b } else { &b * 100.0 };
    c.sum()
}

#[differentiable]
fn scalar_loop(x0: f32, p: f32, q: f32) -> f32 {
    let h = 0.001;
    let mut x = x0;
    for _ in 0..100 {
        x += h * (p * x.sin() - q * x * x);
    }
    x
}

#[differentiable(wrt(w))]
fn with_config(w: &Tensor, x: &Tensor, scale: f32, label: &str) -> Tensor {
    if label.is_empty() {
        return w.sum();
    }
    let y = x.mm(w).tanh() * scale;
    match label.len() {
        0..=3 => y.mean(),
        _ => y.sum(),
    }
}

#[differentiable]
fn generic<T: Float>(x: T) -> T {
    let mut y = x;
    loop {
        y = y * x;
        if y > T::from(10.0).unwrap_or_else(T::one) {
            break y;
        }
        if y.abs() < T::epsilon() {
            return y;
        }
    }
}

/// A layer whose method forward mode calls by method syntax (`#[differentiable]` on the block).
#[derive(Clone, Differentiable)]
struct Layer {
    w: Tensor<f64>,
}

#[derive(Clone, Differentiable)]
struct Stack {
    layers: Vec<Layer>,
}

#[differentiable]
impl Layer {
    #[differentiable(wrt(self, x), jvp, hvp)]
    fn apply(&self, x: &Tensor<f64>) -> Tensor<f64> {
        x.matmul(&self.w).tanh()
    }
}

impl Stack {
    #[differentiable(wrt(self, x), jvp, hvp)]
    fn loss(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let mut h = x.clone();
        for l in &self.layers {
            h = l.apply(&h);
        }
        self.layers[0].apply(&h).sum()
    }
}

#[test]
fn lint_clean_method_syntax_in_forward_mode() {
    let s = Stack {
        layers: vec![Layer {
            w: Tensor::ones(&[2, 2]),
        }],
    };
    let x = Tensor::<f64>::ones(&[1, 2]);
    let v = StackTangent {
        layers: vec![LayerTangent {
            w: Tensor::ones(&[2, 2]),
        }],
    };
    let (_, jv) = s.loss_jvp(&x, &v, &x);
    let (_, _, hv) = s.loss_hvp(&x, &v, &x);
    assert!(jv.item().is_finite() && hv.1.to_vec().iter().all(|h| h.is_finite()));
}

#[test]
fn lint_clean_functions_work() {
    let a = Tensor::scalar(0.5f32);
    let (_, g) = tensor_loop_grad(&a, 100);
    assert!(g.item() > 0.0);
    let (_, (g0, _, _)) = scalar_loop_grad(0.5, 1.3, 0.7);
    assert!(g0.is_finite());
    let w = Tensor::ones(&[2, 1]);
    let x = Tensor::ones(&[3, 2]);
    let (_, gw) = with_config_grad(&w, &x, 2.0, "abc");
    assert_eq!(gw.shape(), &[2, 1]);
    let (y, gx) = generic_grad(2.0f64);
    assert_eq!(y, 16.0);
    assert_eq!(gx, 32.0);
}
