//! `#[derive(Differentiable)]`: tangent structs with the same field names, skipped fields,
//! tuple structs, generics, and the leaf visitors over nested structs of `Vec`s of structs.

use autodiff::prelude::*;
use autodiff::LeafPath;

/// Configuration carried by a model, never differentiated (and not `Differentiable`).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Act {
    Relu,
    Tanh,
}

#[derive(Differentiable, Clone, Debug)]
struct Layer {
    w: Tensor<f64>,
    b: Tensor<f64>,
}

#[derive(Differentiable, Clone, Debug)]
struct Mlp {
    layers: Vec<Layer>,
    scale: f64,
    #[differentiable(skip)]
    activation: Act,
}

fn mlp() -> Mlp {
    let layer = |i: usize, o: usize, seed: u64| Layer {
        w: Tensor::randn(&[i, o], seed),
        b: Tensor::randn(&[o], seed + 1),
    };
    Mlp {
        layers: vec![layer(3, 4, 1), layer(4, 2, 3)],
        scale: 0.5,
        activation: Act::Relu,
    }
}

#[test]
fn tangent_has_the_field_names_and_zero_shapes() {
    let m = mlp();
    let g: MlpTangent = m.zero_tangent();
    assert_eq!(g.layers.len(), 2);
    assert_eq!(g.layers[0].w.shape(), &[3, 4]);
    assert_eq!(g.layers[1].b.shape(), &[2]);
    assert_eq!(g.layers[1].b.to_vec(), vec![0.0, 0.0]);
    assert_eq!(g.scale, 0.0);
    assert_eq!(m.activation, Act::Relu);
    let printed = format!("{:?}", g);
    assert!(
        printed.starts_with("MlpTangent { layers: [LayerTangent { w: "),
        "{printed}"
    );
}

#[test]
fn paths_follow_fields_and_positions() {
    let m = mlp();
    assert_eq!(
        m.leaf_paths(),
        [
            "layers.0.w",
            "layers.0.b",
            "layers.1.w",
            "layers.1.b",
            "scale"
        ]
    );
    assert_eq!(m.num_elements(), 12 + 4 + 8 + 2 + 1);
    let mut tangent_paths = Vec::new();
    Mlp::visit_tangent_leaves(&m.zero_tangent(), &mut LeafPath::new(), &mut |p, leaf| {
        tangent_paths.push(format!("{p}{:?}", leaf.shape()))
    });
    assert_eq!(tangent_paths[0], "layers.0.w[3, 4]");
    assert_eq!(tangent_paths[4], "scale[]");
}

#[test]
fn add_and_scale_act_on_every_leaf() {
    let m = mlp();
    let mut acc = m.zero_tangent();
    let mut one = m.zero_tangent();
    one.layers[1].b = Tensor::from_vec(vec![1.0, -2.0], &[2]);
    one.scale = 3.0;
    Mlp::add_tangent(&mut acc, one.clone());
    Mlp::add_tangent(&mut acc, one);
    Mlp::scale_tangent(&mut acc, 0.25);
    assert_eq!(acc.layers[1].b.to_vec(), vec![0.5, -1.0]);
    assert_eq!(acc.scale, 1.5);
    assert_eq!(acc.layers[0].w.to_vec(), vec![0.0; 12]);
}

#[test]
fn zip_pairs_each_leaf_with_its_gradient() {
    let mut m = mlp();
    let mut g = m.zero_tangent();
    g.layers[0].b = Tensor::ones(&[4]);
    g.scale = 1.0;
    let before = m.clone();
    // p -= g, by hand through the visitor
    m.zip_leaves_mut(&g, &mut LeafPath::new(), &mut |path, p, g| match (p, g) {
        (autodiff::LeafMut::TensorF64(p), autodiff::LeafRef::TensorF64(g)) => *p -= g,
        (autodiff::LeafMut::F64(p), autodiff::LeafRef::F64(g)) => *p -= g,
        other => panic!("unexpected leaves at {path}: {other:?}"),
    });
    let want: Vec<f64> = before.layers[0]
        .b
        .to_vec()
        .iter()
        .map(|v| v - 1.0)
        .collect();
    assert_eq!(m.layers[0].b.to_vec(), want);
    assert_eq!(m.layers[0].w, before.layers[0].w);
    assert_eq!(m.scale, -0.5);
}

/// A tuple struct with a skipped position: the tangent keeps the positions (`()` at 1).
#[derive(Differentiable, Clone, Debug)]
struct Affine(Tensor<f32>, #[differentiable(skip)] String, f32);

#[test]
fn tuple_struct_keeps_positions() {
    let a = Affine(Tensor::ones(&[2]), "name".into(), 2.0);
    let g: AffineTangent = a.zero_tangent();
    assert_eq!(g.0.shape(), &[2]);
    let () = g.1;
    assert_eq!(g.2, 0.0);
    assert_eq!(a.leaf_paths(), ["0", "2"]);
    assert_eq!(a.1, "name");
}

/// Generic over the element type and the layer type; `C` only appears in a skipped field, so
/// the tangent struct has no `C` parameter.
#[derive(Differentiable, Clone, Debug)]
struct Stack<L, C, const N: usize>
where
    L: Clone,
{
    layers: [L; N],
    extra: Option<Box<L>>,
    #[differentiable(skip)]
    config: C,
}

#[test]
fn generic_struct_and_containers() {
    let s = Stack {
        layers: [
            (1.0f64, Tensor::<f32>::ones(&[2])),
            (2.0, Tensor::ones(&[3])),
        ],
        extra: Some(Box::new((3.0, Tensor::ones(&[1])))),
        config: "not differentiable",
    };
    let g: StackTangent<(f64, Tensor<f32>), 2> = s.zero_tangent();
    assert_eq!(g.layers[1].1.shape(), &[3]);
    assert!(g.extra.is_some());
    assert_eq!(
        s.leaf_paths(),
        [
            "layers.0.0",
            "layers.0.1",
            "layers.1.0",
            "layers.1.1",
            "extra.0",
            "extra.1"
        ]
    );
    assert_eq!(s.config, "not differentiable");
}

/// A unit struct and a struct whose fields are all skipped have no leaves.
#[derive(Differentiable, Clone, Debug)]
struct Nothing;

#[derive(Differentiable, Clone, Debug)]
struct OnlyConfig {
    #[differentiable(skip)]
    _act: Act,
}

#[test]
fn empty_structs_have_no_leaves() {
    assert!(Nothing.leaf_paths().is_empty());
    let c = OnlyConfig { _act: Act::Tanh };
    let _: OnlyConfigTangent = c.zero_tangent();
    assert_eq!(c.num_elements(), 0);
}

mod random {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// add_tangent then scale_tangent is (a + b) * s on every leaf, and the tangent leaves
        /// come in the value's order with its shapes.
        #[test]
        fn add_and_scale_are_elementwise(seed_a in 0u64..1000, seed_b in 0u64..1000, s in -3.0f64..3.0) {
            let m = mlp();
            let random = |seed: u64| {
                let mut t = m.zero_tangent();
                for (i, l) in t.layers.iter_mut().enumerate() {
                    l.w = Tensor::randn(l.w.shape(), seed + 10 * i as u64);
                    l.b = Tensor::randn(l.b.shape(), seed + 10 * i as u64 + 5);
                }
                t.scale = seed as f64 / 7.0;
                t
            };
            let (a, b) = (random(seed_a), random(seed_b));
            let mut sum = a.clone();
            Mlp::add_tangent(&mut sum, b.clone());
            Mlp::scale_tangent(&mut sum, s);
            let leaves = |t: &MlpTangent| {
                let mut out = Vec::new();
                Mlp::visit_tangent_leaves(t, &mut LeafPath::new(), &mut |p, leaf| {
                    out.push((p.to_string(), leaf.shape().to_vec(), leaf.to_f64_vec()))
                });
                out
            };
            let (la, lb, ls) = (leaves(&a), leaves(&b), leaves(&sum));
            let value_leaves: Vec<String> = m.leaf_paths();
            prop_assert_eq!(ls.iter().map(|l| l.0.clone()).collect::<Vec<_>>(), value_leaves);
            for ((pa, sa, va), ((_, _, vb), (_, ss, vs))) in la.iter().zip(lb.iter().zip(&ls)) {
                prop_assert_eq!(sa, ss, "{}", pa);
                for ((x, y), z) in va.iter().zip(vb).zip(vs) {
                    let want = (x + y) * s;
                    prop_assert!((z - want).abs() <= 1e-12 * want.abs().max(1.0), "{}: {} vs {}", pa, z, want);
                }
            }
        }
    }
}
