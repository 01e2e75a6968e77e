//! What both optimizers share: pairing a parameter leaf with its gradient leaf as element
//! slices of one type, and per-leaf state buffers created on the first step.

use crate::differentiable::{LeafMut, LeafPath, LeafRef};
use crate::tensor::Element;

/// A parameter's elements (mutable) and its gradient's, of one element type.
pub(crate) enum Slices<'a> {
    F32(&'a mut [f32], &'a [f32]),
    F64(&'a mut [f64], &'a [f64]),
}

/// Pairs a parameter leaf with its gradient leaf.
///
/// # Panics
/// If their shapes or types differ, naming the optimizer, the leaf's path and both shapes.
#[track_caller]
pub(crate) fn pair<'a>(
    op: &str,
    path: &LeafPath,
    param: LeafMut<'a>,
    grad: LeafRef<'a>,
) -> Slices<'a> {
    if param.as_ref().shape() != grad.shape() || param.as_ref().dtype() != grad.dtype() {
        panic!(
            "{op}: gradient of `{path}` has shape {:?} ({}) but the parameter has shape {:?} ({})",
            grad.shape(),
            grad.dtype(),
            param.as_ref().shape(),
            param.as_ref().dtype()
        );
    }
    match (param, grad) {
        (LeafMut::F32(p), LeafRef::F32(g)) => {
            Slices::F32(std::slice::from_mut(p), std::slice::from_ref(g))
        }
        (LeafMut::F64(p), LeafRef::F64(g)) => {
            Slices::F64(std::slice::from_mut(p), std::slice::from_ref(g))
        }
        (LeafMut::TensorF32(p), LeafRef::TensorF32(g)) => {
            Slices::F32(p.as_mut_slice(), g.as_slice())
        }
        (LeafMut::TensorF64(p), LeafRef::TensorF64(g)) => {
            Slices::F64(p.as_mut_slice(), g.as_slice())
        }
        // same shape and dtype but scalar vs 0-d tensor: the Tangent types rule this out
        (p, g) => {
            panic!("{op}: `{path}`: parameter {p:?} and gradient {g:?} are different kinds of leaf")
        }
    }
}

/// One state buffer (a momentum or a moment estimate) of a leaf, in the leaf's element type.
#[derive(Clone, Debug)]
pub(crate) enum Buffer {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

impl Buffer {
    /// A zero buffer with the element type and length of `slices`' parameter.
    pub(crate) fn zeros_for(slices: &Slices<'_>) -> Buffer {
        match slices {
            Slices::F32(p, _) => Buffer::F32(vec![0.0; p.len()]),
            Slices::F64(p, _) => Buffer::F64(vec![0.0; p.len()]),
        }
    }
}

/// The per-leaf state of an optimizer: `K` buffers per leaf, in traversal order.
#[derive(Clone, Debug, Default)]
pub(crate) struct LeafStates<const K: usize> {
    leaves: Vec<[Buffer; K]>,
}

impl<const K: usize> LeafStates<K> {
    /// The buffers of leaf `index`, created as zeros when this is the first step that reaches
    /// it, checked against the parameter's size otherwise.
    #[track_caller]
    pub(crate) fn get(
        &mut self,
        op: &str,
        index: usize,
        path: &LeafPath,
        slices: &Slices<'_>,
    ) -> &mut [Buffer; K] {
        if index == self.leaves.len() {
            self.leaves
                .push(std::array::from_fn(|_| Buffer::zeros_for(slices)));
        }
        let state = &mut self.leaves[index];
        let ok = match (&state[0], slices) {
            (Buffer::F32(b), Slices::F32(p, _)) => b.len() == p.len(),
            (Buffer::F64(b), Slices::F64(p, _)) => b.len() == p.len(),
            _ => false,
        };
        if !ok {
            panic!(
                "{op}: parameter `{path}` does not match the optimizer state created on the first \
                 step (leaf {index} changed size or type); use one optimizer per model"
            );
        }
        state
    }

    /// Checks after a step that the model had as many leaves as the state.
    #[track_caller]
    pub(crate) fn check_count(&self, op: &str, seen: usize) {
        if seen != self.leaves.len() {
            panic!(
                "{op}: the parameters have {seen} leaves but the optimizer state has {}; use one \
                 optimizer per model",
                self.leaves.len()
            );
        }
    }
}

/// `Element` constants from `f64` hyper-parameters.
#[inline(always)]
pub(crate) fn c<E: Element>(v: f64) -> E {
    E::of_f64(v)
}
