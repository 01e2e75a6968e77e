//! Operands of tensor operations: what a pullback saves of them ([`Saved`]), the shape note
//! kept only when broadcasting changed an operand ([`Note`]), and the reduction of an output
//! cotangent back to an operand's shape ([`Reduce`]).

use crate::tensor::{Element, Tensor};

/// A value remembered by a tensor operation's pullback: a tensor (an `Arc` clone) or a scalar.
#[derive(Clone, Debug)]
pub enum Saved<E: Element> {
    /// A tensor operand.
    Tensor(Tensor<E>),
    /// A scalar operand.
    Scalar(E),
}

impl<E: Element> Saved<E> {
    pub(super) fn mul_into(&self, g: Tensor<E>) -> Tensor<E> {
        match self {
            // owned `g`: written in place when its buffer is not shared
            Saved::Tensor(t) => g * t,
            Saved::Scalar(s) => {
                let s = *s;
                g.map_inplace(move |v| v * s)
            }
        }
    }
    pub(super) fn div_into(&self, g: Tensor<E>) -> Tensor<E> {
        match self {
            Saved::Tensor(t) => g / t,
            Saved::Scalar(s) => {
                let s = *s;
                g.map_inplace(move |v| v / s)
            }
        }
    }
}

/// Shape remembered for an operand only when broadcasting changed it (otherwise `None`, so the
/// common same-shape case stores and allocates nothing).
pub type Note = Option<Vec<usize>>;

/// Operands of tensor operations: how to save them and how to reduce a cotangent to them.
pub trait TensorOperand<E: Element> {
    /// The operand's gradient type (`Tensor<E>`, or `E` for a scalar operand).
    type Grad: Reduce<E>;
    /// The operand as a saved value.
    fn saved(&self) -> Saved<E>;
    /// The operand's shape if it differs from the output's.
    fn note(&self, out: &[usize]) -> Note;
}

/// Reduction of an output cotangent to an operand's gradient.
pub trait Reduce<E: Element> {
    /// Sums `g` over the broadcast dimensions recorded in `note`.
    fn reduce(g: Tensor<E>, note: &Note) -> Self;
}

impl<E: Element> Reduce<E> for Tensor<E> {
    #[inline]
    fn reduce(g: Tensor<E>, note: &Note) -> Self {
        match note {
            None => g,
            Some(shape) => (crate::vjp::table::of::<E>().sum_to)(g, shape),
        }
    }
}

impl<E: Element> Reduce<E> for E {
    #[inline]
    fn reduce(g: Tensor<E>, _: &Note) -> Self {
        g.as_slice().iter().copied().sum()
    }
}

fn shape_note(shape: &[usize], out: &[usize]) -> Note {
    if crate::tensor::same_shape(shape, out) {
        None
    } else {
        Some(shape.to_vec())
    }
}

impl<E: Element> TensorOperand<E> for Tensor<E> {
    type Grad = Tensor<E>;
    fn saved(&self) -> Saved<E> {
        Saved::Tensor(self.clone())
    }
    fn note(&self, out: &[usize]) -> Note {
        shape_note(self.shape(), out)
    }
}

impl<E: Element> TensorOperand<E> for &Tensor<E> {
    type Grad = Tensor<E>;
    fn saved(&self) -> Saved<E> {
        Saved::Tensor((*self).clone())
    }
    fn note(&self, out: &[usize]) -> Note {
        shape_note(self.shape(), out)
    }
}

impl<E: Element> TensorOperand<E> for E {
    type Grad = E;
    fn saved(&self) -> Saved<E> {
        Saved::Scalar(*self)
    }
    fn note(&self, _: &[usize]) -> Note {
        None
    }
}
