//! Checkpoints in the [safetensors](https://github.com/huggingface/safetensors) format, the
//! format PyTorch (`safetensors.torch.save_file` / `load_file`), JAX and NumPy read and write.
//!
//! A [`Differentiable`] value is saved as one tensor per leaf, named by the leaf's path the way
//! PyTorch names `state_dict` entries (`layers.0.w`); scalars are stored as 0-d tensors, and a
//! value that is a single leaf (a bare tensor) under the name [`ROOT_NAME`]. Loading writes into
//! an existing value of the same structure and checks everything before changing anything:
//! a missing tensor, a tensor of another shape or dtype, or a tensor the value has no leaf for
//! is an error naming it ([`CheckpointError`]), and the value is left untouched.
//!
//! ```
//! use autodiff_runtime::checkpoint::{load_from_bytes, save_to_bytes};
//! use autodiff_runtime::Tensor;
//!
//! let model = (vec![Tensor::<f32>::ones(&[2, 3])], 0.5f64);
//! let bytes = save_to_bytes(&model).unwrap();
//!
//! let mut fresh = (vec![Tensor::<f32>::zeros(&[2, 3])], 0.0f64);
//! load_from_bytes(&mut fresh, &bytes).unwrap();
//! assert_eq!(fresh.0[0].to_vec(), vec![1.0; 6]);
//! assert_eq!(fresh.1, 0.5);
//! ```

mod error;

pub use error::CheckpointError;

use crate::differentiable::{Differentiable, LeafMut, LeafPath, LeafRef};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// The tensor name of a value that is itself a single leaf (its path is empty).
pub const ROOT_NAME: &str = "value";

/// The checkpoint name of a leaf.
fn name_of(path: &LeafPath) -> String {
    if path.is_empty() {
        ROOT_NAME.to_string()
    } else {
        path.to_string()
    }
}

/// Little-endian bytes of a leaf, its safetensors dtype and shape.
fn leaf_bytes(leaf: LeafRef<'_>) -> (Dtype, Vec<usize>, Vec<u8>) {
    let shape = leaf.shape().to_vec();
    match leaf {
        LeafRef::F32(v) => (Dtype::F32, shape, v.to_le_bytes().to_vec()),
        LeafRef::F64(v) => (Dtype::F64, shape, v.to_le_bytes().to_vec()),
        LeafRef::TensorF32(t) => {
            let bytes = t.as_slice().iter().flat_map(|v| v.to_le_bytes()).collect();
            (Dtype::F32, shape, bytes)
        }
        LeafRef::TensorF64(t) => {
            let bytes = t.as_slice().iter().flat_map(|v| v.to_le_bytes()).collect();
            (Dtype::F64, shape, bytes)
        }
    }
}

/// Serialises every leaf of `value` into the bytes of a safetensors file.
///
/// ```
/// use autodiff_runtime::checkpoint::save_to_bytes;
/// let bytes = save_to_bytes(&[1.0f64, 2.0]).unwrap();
/// assert!(bytes.len() > 16);
/// ```
pub fn save_to_bytes<T: Differentiable + ?Sized>(value: &T) -> Result<Vec<u8>, CheckpointError> {
    let mut leaves = BTreeMap::new();
    let mut duplicate = None;
    value.visit_leaves(&mut LeafPath::new(), &mut |path, leaf| {
        let name = name_of(path);
        if leaves.insert(name.clone(), leaf_bytes(leaf)).is_some() {
            duplicate = Some(name);
        }
    });
    if let Some(name) = duplicate {
        return Err(CheckpointError::DuplicateName(name));
    }
    let mut views = Vec::with_capacity(leaves.len());
    for (name, (dtype, shape, bytes)) in &leaves {
        let view = TensorView::new(*dtype, shape.clone(), bytes)
            .map_err(|e| CheckpointError::Format(e.to_string()))?;
        views.push((name.as_str(), view));
    }
    safetensors::serialize(views, None).map_err(|e| CheckpointError::Format(e.to_string()))
}

/// Saves every leaf of `value` to the safetensors file `path` (created or replaced).
///
/// ```no_run
/// use autodiff_runtime::{checkpoint, Tensor};
/// let model = vec![Tensor::<f32>::ones(&[4, 4]), Tensor::zeros(&[4])];
/// checkpoint::save(&model, "model.safetensors")?;
/// # Ok::<(), checkpoint::CheckpointError>(())
/// ```
pub fn save<T: Differentiable + ?Sized>(
    value: &T,
    path: impl AsRef<Path>,
) -> Result<(), CheckpointError> {
    std::fs::write(path, save_to_bytes(value)?)?;
    Ok(())
}

/// The safetensors dtype of a leaf of this kind.
fn dtype_of(leaf: &LeafRef<'_>) -> Dtype {
    match leaf {
        LeafRef::F32(_) | LeafRef::TensorF32(_) => Dtype::F32,
        LeafRef::F64(_) | LeafRef::TensorF64(_) => Dtype::F64,
    }
}

/// Checks that `file` has a tensor of the right dtype and shape for every leaf of `value`, and
/// nothing else.
fn check<T: Differentiable + ?Sized>(
    value: &T,
    file: &SafeTensors<'_>,
) -> Result<(), CheckpointError> {
    let mut seen = HashSet::new();
    let mut first_error = None;
    value.visit_leaves(&mut LeafPath::new(), &mut |path, leaf| {
        if first_error.is_some() {
            return;
        }
        let name = name_of(path);
        let result = match file.tensor(&name) {
            Err(_) => Err(CheckpointError::Missing {
                name: name.clone(),
                dtype: leaf.dtype(),
                shape: leaf.shape().to_vec(),
            }),
            Ok(view) if view.dtype() != dtype_of(&leaf) => Err(CheckpointError::Dtype {
                name: name.clone(),
                expected: leaf.dtype(),
                found: format!("{:?}", view.dtype()),
            }),
            Ok(view) if view.shape() != leaf.shape() => Err(CheckpointError::Shape {
                name: name.clone(),
                expected: leaf.shape().to_vec(),
                found: view.shape().to_vec(),
            }),
            Ok(_) => Ok(()),
        };
        match result {
            Ok(()) => {
                seen.insert(name);
            }
            Err(e) => first_error = Some(e),
        }
    });
    if let Some(e) = first_error {
        return Err(e);
    }
    let mut unexpected: Vec<String> = file
        .names()
        .into_iter()
        .filter(|n| !seen.contains(*n))
        .map(str::to_string)
        .collect();
    if !unexpected.is_empty() {
        unexpected.sort();
        return Err(CheckpointError::Unexpected { names: unexpected });
    }
    Ok(())
}

/// Copies little-endian elements into `dst`.
fn copy_le<const W: usize, E>(dst: &mut [E], src: &[u8], from: fn([u8; W]) -> E) {
    for (d, chunk) in dst.iter_mut().zip(src.chunks_exact(W)) {
        *d = from(chunk.try_into().expect("chunks_exact yields W bytes"));
    }
}

/// Loads the safetensors bytes `bytes` into `value`, leaf by leaf (see the
/// [module documentation](self) for the rules). On error, `value` is unchanged.
///
/// ```
/// use autodiff_runtime::checkpoint::{load_from_bytes, save_to_bytes};
/// let bytes = save_to_bytes(&(1.0f32, 2.0f64)).unwrap();
/// let mut v = (0.0f32, 0.0f64);
/// load_from_bytes(&mut v, &bytes).unwrap();
/// assert_eq!(v, (1.0, 2.0));
/// ```
pub fn load_from_bytes<T: Differentiable + ?Sized>(
    value: &mut T,
    bytes: &[u8],
) -> Result<(), CheckpointError> {
    let file =
        SafeTensors::deserialize(bytes).map_err(|e| CheckpointError::Format(e.to_string()))?;
    check(value, &file)?;
    value.visit_leaves_mut(&mut LeafPath::new(), &mut |path, leaf| {
        let view = file.tensor(&name_of(path)).expect("checked above");
        let src = view.data();
        match leaf {
            LeafMut::F32(v) => copy_le(std::slice::from_mut(v), src, f32::from_le_bytes),
            LeafMut::F64(v) => copy_le(std::slice::from_mut(v), src, f64::from_le_bytes),
            LeafMut::TensorF32(t) => copy_le(t.as_mut_slice(), src, f32::from_le_bytes),
            LeafMut::TensorF64(t) => copy_le(t.as_mut_slice(), src, f64::from_le_bytes),
        }
    });
    Ok(())
}

/// Loads the safetensors file `path` into `value`, which must have the structure of the saved
/// value (see the [module documentation](self)). On error, `value` is unchanged.
///
/// ```no_run
/// use autodiff_runtime::{checkpoint, Tensor};
/// let mut model = vec![Tensor::<f32>::zeros(&[4, 4]), Tensor::zeros(&[4])];
/// checkpoint::load_into(&mut model, "model.safetensors")?;
/// # Ok::<(), checkpoint::CheckpointError>(())
/// ```
pub fn load_into<T: Differentiable + ?Sized>(
    value: &mut T,
    path: impl AsRef<Path>,
) -> Result<(), CheckpointError> {
    let bytes = std::fs::read(path)?;
    load_from_bytes(value, &bytes)
}
