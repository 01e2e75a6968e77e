//! Structs, containers and methods inside `#[differentiable]` functions (issue: ordinary Rust
//! data), each checked against central finite differences in f64.
// `acc = acc + ..` and `&Vec<_>` arguments are forms under test, not style slips.
#![allow(clippy::assign_op_pattern, clippy::ptr_arg)]

mod common;
use autodiff::prelude::*;
use common::{assert_flat_close, fd_flat, flat_tangent};

#[derive(Differentiable, Clone, Debug)]
struct Layer {
    w: Tensor<f64>,
    b: Tensor<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Act {
    Tanh,
    Relu,
}

#[derive(Differentiable, Clone, Debug)]
struct Mlp {
    layers: Vec<Layer>,
    #[differentiable(skip)]
    act: Act,
}

impl Mlp {
    fn new(sizes: &[usize], seed: u64) -> Mlp {
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(i, s)| Layer {
                w: Tensor::randn_scaled(&[s[0], s[1]], seed + 2 * i as u64, 0.5),
                b: Tensor::randn_scaled(&[s[1]], seed + 2 * i as u64 + 1, 0.1),
            })
            .collect();
        Mlp {
            layers,
            act: Act::Tanh,
        }
    }

    #[differentiable(wrt(self))]
    fn forward(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let mut h = x.clone();
        for (i, layer) in self.layers.iter().enumerate() {
            h = h.mm(&layer.w) + &layer.b;
            if i + 1 < self.layers.len() {
                h = match self.act {
                    Act::Tanh => h.tanh(),
                    Act::Relu => h.relu(),
                };
            }
        }
        h
    }
}

#[differentiable(wrt(m))]
fn mlp_loss(m: &Mlp, x: &Tensor<f64>, y: &Tensor<f64>) -> Tensor<f64> {
    let d = m.forward(x) - y;
    (&d * &d).mean()
}

fn data() -> (Tensor<f64>, Tensor<f64>) {
    (Tensor::randn(&[5, 3], 11), Tensor::randn(&[5, 2], 12))
}

#[test]
fn mlp_struct_of_vec_of_structs_matches_finite_differences() {
    let m = Mlp::new(&[3, 4, 4, 2], 1);
    let (x, y) = data();
    let (l, g) = mlp_loss_grad(&m, &x, &y);
    assert!((l.item() - mlp_loss(&m, &x, &y).item()).abs() < 1e-12);
    assert_eq!(g.layers.len(), 3);
    assert_eq!(g.layers[0].w.shape(), &[3, 4]);
    let fd = fd_flat(|m: &Mlp| mlp_loss(m, &x, &y).item(), &m);
    assert_flat_close(&flat_tangent::<Mlp>(&g), &fd, 1e-6);
}

#[test]
fn relu_configuration_is_carried_not_differentiated() {
    let mut m = Mlp::new(&[3, 4, 2], 5);
    m.act = Act::Relu;
    let (x, y) = data();
    let (_, g) = mlp_loss_grad(&m, &x, &y);
    let fd = fd_flat(|m: &Mlp| mlp_loss(m, &x, &y).item(), &m);
    assert_flat_close(&flat_tangent::<Mlp>(&g), &fd, 1e-6);
}

/// The same model written with one tensor argument per parameter.
#[differentiable(wrt(w0, b0, w1, b1))]
fn mlp_loss_flat(
    w0: &Tensor<f64>,
    b0: &Tensor<f64>,
    w1: &Tensor<f64>,
    b1: &Tensor<f64>,
    x: &Tensor<f64>,
    y: &Tensor<f64>,
) -> Tensor<f64> {
    let h = (x.mm(w0) + b0).tanh();
    let d = h.mm(w1) + b1 - y;
    (&d * &d).mean()
}

#[test]
fn struct_gradient_equals_separate_arguments() {
    let m = Mlp::new(&[3, 4, 2], 7);
    let (x, y) = data();
    let (l, g) = mlp_loss_grad(&m, &x, &y);
    let (w0, b0, w1, b1) = (
        &m.layers[0].w,
        &m.layers[0].b,
        &m.layers[1].w,
        &m.layers[1].b,
    );
    let (l2, (gw0, gb0, gw1, gb1)) = mlp_loss_flat_grad(w0, b0, w1, b1, &x, &y);
    assert_eq!(l.item(), l2.item());
    assert_eq!(g.layers[0].w.to_vec(), gw0.to_vec());
    assert_eq!(g.layers[0].b.to_vec(), gb0.to_vec());
    assert_eq!(g.layers[1].w.to_vec(), gw1.to_vec());
    assert_eq!(g.layers[1].b.to_vec(), gb1.to_vec());
}

#[derive(Differentiable, Clone, Debug)]
struct Blocks {
    blocks: Vec<Mlp>,
    scales: Vec<f64>,
}

impl Blocks {
    #[differentiable(wrt(self))]
    fn score(&self, x: &Tensor<f64>) -> Tensor<f64> {
        let mut total = Tensor::zeros(&[]);
        for i in 0..self.blocks.len() {
            // nested reads with an inactive index, and a call of another method
            let first = &self.blocks[i].layers[0];
            let h = x.mm(&first.w) + &first.b;
            total = total + Self::squash(&h) * self.scales[i] + self.blocks[i].forward(x).sum();
        }
        for (block, s) in self.blocks.iter().zip(self.scales.iter()) {
            total = total + block.layers[1].b.sum() * *s;
        }
        total
    }

    #[differentiable(associated)]
    fn squash(h: &Tensor<f64>) -> Tensor<f64> {
        (h * h).tanh().mean()
    }
}

#[test]
fn nested_containers_indexing_zip_and_associated_functions() {
    let b = Blocks {
        blocks: vec![Mlp::new(&[3, 4, 2], 21), Mlp::new(&[3, 4, 2], 31)],
        scales: vec![0.5, -1.25],
    };
    let (x, _) = data();
    let (_, g) = b.score_grad(&x);
    let fd = fd_flat(|b: &Blocks| b.score(&x).item(), &b);
    assert_flat_close(&flat_tangent::<Blocks>(&g), &fd, 1e-6);
}

/// A generic struct: the element type is a parameter.
#[derive(Differentiable, Clone, Debug)]
struct Affine<E: Element> {
    w: Tensor<E>,
    b: E,
}

#[differentiable(wrt(a))]
fn affine_loss(a: &Affine<f64>, x: &Tensor<f64>) -> Tensor<f64> {
    let y = x.mv(&a.w) + a.b;
    (&y * &y).sum()
}

#[test]
fn generic_struct_argument() {
    let a = Affine {
        w: Tensor::randn(&[3], 4),
        b: 0.3,
    };
    let x = Tensor::randn(&[2, 3], 5);
    let (_, g) = affine_loss_grad(&a, &x);
    let fd = fd_flat(|a: &Affine<f64>| affine_loss(a, &x).item(), &a);
    assert_flat_close(&flat_tangent::<Affine<f64>>(&g), &fd, 1e-7);
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn mlp_gradient_matches_finite_differences(seed in 0u64..1_000_000, width in 1usize..5) {
            let m = Mlp::new(&[3, width, 2], seed);
            let x = Tensor::randn(&[4, 3], seed + 100);
            let y = Tensor::randn(&[4, 2], seed + 200);
            let (_, g) = mlp_loss_grad(&m, &x, &y);
            let fd = fd_flat(|m: &Mlp| mlp_loss(m, &x, &y).item(), &m);
            assert_flat_close(&flat_tangent::<Mlp>(&g), &fd, 1e-5);
        }
    }
}

#[derive(Differentiable, Clone, Debug)]
struct Scale {
    k: f64,
}

impl Scale {
    /// A method taking `self` by value.
    #[differentiable(wrt(self))]
    fn apply(self, x: f64) -> f64 {
        (self.k * x).sin()
    }
}

#[test]
fn method_taking_self_by_value() {
    let (_, g) = Scale { k: 0.7 }.apply_grad(1.3);
    assert!((g.k - 1.3 * (0.7f64 * 1.3).cos()).abs() < 1e-15);
}

#[differentiable]
fn layer_energy(l: &Layer) -> Tensor<f64> {
    (&l.w * &l.w).sum() + l.b.sum()
}

#[differentiable(wrt(m))]
fn chains_and_helpers_over_layers(m: &Mlp) -> Tensor<f64> {
    let total = m
        .layers
        .iter()
        .fold(Tensor::zeros(&[]), |acc, l| acc + l.w.sum() * l.b.mean());
    total + layer_energy(&m.layers[0]) + m.layers[1].w.sum() * m.layers[1].w.mean()
}

#[test]
fn iterator_chains_and_helpers_over_struct_containers() {
    let m = Mlp::new(&[3, 4, 2], 61);
    let (_, g) = chains_and_helpers_over_layers_grad(&m);
    let fd = fd_flat(|m: &Mlp| chains_and_helpers_over_layers(m).item(), &m);
    assert_flat_close(&flat_tangent::<Mlp>(&g), &fd, 1e-6);
}
