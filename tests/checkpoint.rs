//! safetensors checkpoints: round trip of a nested struct holding a `Vec` of structs, a file
//! written by Python's `safetensors` (the layout PyTorch's `save_file` writes), and errors that
//! name the missing, mis-shaped, mis-typed or unexpected tensor.

use autodiff::checkpoint::{self, CheckpointError};
use autodiff::prelude::*;
use std::path::PathBuf;

#[derive(Differentiable, Clone, Debug, PartialEq)]
struct Layer {
    w: Tensor<f32>,
    b: Tensor<f32>,
}

#[derive(Differentiable, Clone, Debug, PartialEq)]
struct Mlp {
    layers: Vec<Layer>,
    temperature: f64,
    #[differentiable(skip)]
    name: String,
}

fn shaped(seed: u64) -> Mlp {
    let layer = |i: usize, o: usize, s: u64| Layer {
        w: Tensor::randn(&[i, o], s),
        b: Tensor::randn(&[o], s + 1),
    };
    Mlp {
        layers: vec![layer(3, 4, seed), layer(4, 2, seed + 2)],
        temperature: 0.1 * seed as f64,
        name: format!("model {seed}"),
    }
}

/// A file in the system's temporary directory, unique to this process and test.
fn temp_file(test: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "autodiff-{}-{test}.safetensors",
        std::process::id()
    ))
}

#[test]
fn round_trip_through_a_file() {
    let saved = shaped(1);
    let path = temp_file("round_trip");
    checkpoint::save(&saved, &path).unwrap();
    let mut loaded = shaped(7);
    checkpoint::load_into(&mut loaded, &path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded.layers, saved.layers);
    assert_eq!(loaded.temperature, saved.temperature);
    // skipped fields are not part of the checkpoint
    assert_eq!(loaded.name, "model 7");
}

/// Element i (row-major) of the fixture's tensors is offset + i / 8 (see make_fixture.py).
fn ramp(n: usize, offset: f32) -> Vec<f32> {
    (0..n).map(|i| offset + i as f32 / 8.0).collect()
}

#[test]
fn loads_a_file_written_by_python_safetensors() {
    let mut m = shaped(3);
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pytorch_mlp.safetensors"
    );
    checkpoint::load_into(&mut m, fixture).unwrap();
    assert_eq!(m.layers[0].w.to_vec(), ramp(12, 0.0));
    assert_eq!(m.layers[0].w.shape(), &[3, 4]);
    assert_eq!(m.layers[0].b.to_vec(), ramp(4, 1.0));
    assert_eq!(m.layers[1].w.to_vec(), ramp(8, 2.0));
    assert_eq!(m.layers[1].b.to_vec(), vec![3.0, 3.125]);
    assert_eq!(m.temperature, 0.75);
}

#[test]
fn saved_names_are_the_field_paths() {
    let bytes = checkpoint::save_to_bytes(&shaped(1)).unwrap();
    let mut names = Vec::new();
    let m = shaped(1);
    m.visit_leaves(&mut autodiff::LeafPath::new(), &mut |p, _| {
        names.push(p.to_string())
    });
    assert_eq!(
        names,
        [
            "layers.0.w",
            "layers.0.b",
            "layers.1.w",
            "layers.1.b",
            "temperature"
        ]
    );
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header = std::str::from_utf8(&bytes[8..8 + header_len]).unwrap();
    for name in names {
        assert!(
            header.contains(&format!("\"{name}\"")),
            "{name} not in {header}"
        );
    }
    assert!(
        header.contains("\"temperature\":{\"dtype\":\"F64\",\"shape\":[]"),
        "{header}"
    );
}

/// Loads `bytes` into a copy of `target`, checks the error message and that the value is
/// unchanged.
fn load_error(target: &Mlp, bytes: &[u8]) -> String {
    let mut value = target.clone();
    let err = checkpoint::load_from_bytes(&mut value, bytes).unwrap_err();
    assert_eq!(
        &value, target,
        "a failed load must leave the value unchanged"
    );
    err.to_string()
}

#[test]
fn a_missing_tensor_is_named() {
    let mut one_layer = shaped(1);
    one_layer.layers.pop();
    let bytes = checkpoint::save_to_bytes(&one_layer).unwrap();
    assert_eq!(
        load_error(&shaped(2), &bytes),
        "checkpoint has no tensor `layers.1.w` (the value has a float32 leaf of shape [4, 2] there)"
    );
}

#[test]
fn a_mis_shaped_tensor_is_named() {
    let mut wider = shaped(1);
    wider.layers[1].b = Tensor::zeros(&[3]);
    let bytes = checkpoint::save_to_bytes(&wider).unwrap();
    assert_eq!(
        load_error(&shaped(2), &bytes),
        "size mismatch for `layers.1.b`: the checkpoint has shape [3], the value has shape [2]"
    );
}

#[test]
fn a_mis_typed_tensor_is_named() {
    // the same structure with f64 weights
    let bytes = checkpoint::save_to_bytes(&(vec![(Tensor::<f64>::zeros(&[3, 4]),)],)).unwrap();
    let mut value = (vec![(Tensor::<f32>::ones(&[3, 4]),)],);
    let err = checkpoint::load_from_bytes(&mut value, &bytes).unwrap_err();
    assert!(matches!(err, CheckpointError::Dtype { .. }));
    assert_eq!(
        err.to_string(),
        "dtype mismatch for `0.0.0`: the checkpoint has F64, the value holds float32"
    );
    assert_eq!(value.0[0].0.to_vec(), vec![1.0; 12]);
}

#[test]
fn unexpected_tensors_are_named() {
    let bytes = checkpoint::save_to_bytes(&shaped(1)).unwrap();
    let mut smaller = shaped(2);
    smaller.layers.truncate(1);
    assert_eq!(
        load_error(&smaller, &bytes),
        "unexpected tensor(s) in checkpoint: `layers.1.b`, `layers.1.w`"
    );
}

#[test]
fn a_bare_tensor_is_saved_under_value() {
    let t = Tensor::<f64>::from_vec(vec![1.0, 2.0], &[2]);
    let bytes = checkpoint::save_to_bytes(&t).unwrap();
    let mut u = Tensor::<f64>::zeros(&[2]);
    checkpoint::load_from_bytes(&mut u, &bytes).unwrap();
    assert_eq!(u, t);
    let mut wrong = vec![Tensor::<f64>::zeros(&[2])];
    let err = checkpoint::load_from_bytes(&mut wrong, &bytes).unwrap_err();
    assert!(
        err.to_string().starts_with("checkpoint has no tensor `0`"),
        "{err}"
    );
}

#[test]
fn garbage_is_a_format_error() {
    let mut m = shaped(1);
    let err = checkpoint::load_from_bytes(&mut m, b"not a checkpoint").unwrap_err();
    assert!(matches!(err, CheckpointError::Format(_)), "{err}");
    let err = checkpoint::load_into(&mut m, temp_file("does_not_exist")).unwrap_err();
    assert!(matches!(err, CheckpointError::Io(_)), "{err}");
}

mod random {
    use super::*;
    use proptest::prelude::*;

    /// A random `Vec` of (f32 tensor, f64 scalar) pairs: shapes of 0 to 3 dimensions of size 0 to
    /// 3, values anywhere in f32 (subnormals, signed zeros and infinities included).
    fn model() -> impl Strategy<Value = Vec<(Tensor<f32>, f64)>> {
        let leaf = (
            prop::collection::vec(0usize..4, 0..4),
            any::<u64>(),
            any::<f64>(),
        )
            .prop_map(|(shape, seed, s)| {
                let n: usize = shape.iter().product();
                let data: Vec<f32> = (0..n as u64)
                    .map(|i| f32::from_bits((seed ^ i.wrapping_mul(0x9E37_79B9)) as u32))
                    .map(|v| if v.is_nan() { 1.0 } else { v })
                    .collect();
                (Tensor::from_vec(data, &shape), s)
            });
        prop::collection::vec(leaf, 0..5)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn round_trip_is_bit_exact(saved in model()) {
            let bytes = checkpoint::save_to_bytes(&saved).unwrap();
            let mut loaded: Vec<(Tensor<f32>, f64)> = saved
                .iter()
                .map(|(t, _)| (Tensor::zeros(t.shape()), 0.0))
                .collect();
            checkpoint::load_from_bytes(&mut loaded, &bytes).unwrap();
            for ((a, x), (b, y)) in saved.iter().zip(&loaded) {
                let bits = |t: &Tensor<f32>| t.as_slice().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                prop_assert_eq!(bits(a), bits(b));
                prop_assert_eq!(x.to_bits(), y.to_bits());
            }
        }
    }
}
