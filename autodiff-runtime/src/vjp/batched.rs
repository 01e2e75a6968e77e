//! Batched matrix products in VJP form: `bmm` and `matmul` with batch dimensions (PyTorch's
//! broadcasting rules). The pullback is two batched kernel calls with transpose flags,
//! `gA = G·Bᵀ` and `gB = Aᵀ·G`, each summed back over the batch dimensions its operand was
//! broadcast along.

use super::Pullback;
use crate::tensor::{batched_gemm, Element, Tensor};

/// Pullback of a batched product; `L`/`R` say which operands are active.
#[derive(Clone, Debug)]
pub struct BatchedMatmulPb<E: Element, const L: bool, const R: bool> {
    a: Tensor<E>,
    b: Tensor<E>,
}

impl<E: Element, const L: bool, const R: bool> BatchedMatmulPb<E, L, R> {
    /// The pullback of `a.matmul(b)` (any shapes `matmul` accepts).
    pub fn new(a: &Tensor<E>, b: &Tensor<E>) -> Self {
        BatchedMatmulPb {
            a: a.clone(),
            b: b.clone(),
        }
    }
}

/// The cotangent of `a.matmul(b)` with the dimensions `matmul` removed for 1-D operands put
/// back, so that it has the batch and matrix dimensions of the product of the matrices.
fn full_cotangent<E: Element>(g: &Tensor<E>, a_ndim: usize, b_ndim: usize) -> Tensor<E> {
    let mut full = g.shape().to_vec();
    if a_ndim == 1 {
        full.insert(full.len() - usize::from(b_ndim > 1), 1);
    }
    if b_ndim == 1 {
        full.push(1);
    }
    g.reshape(full.as_slice())
}

/// A 1-D left operand as a row, a 1-D right operand as a column.
fn as_matrix<E: Element>(t: &Tensor<E>, left: bool) -> Tensor<E> {
    match (t.ndim(), left) {
        (1, true) => t.unsqueeze(0),
        (1, false) => t.unsqueeze(1),
        _ => t.clone(),
    }
}

/// `gA = G·Bᵀ` of `a.matmul(b)` for operands of any shapes `matmul` accepts (batch dimensions
/// broadcast): one batched kernel call with a transpose flag, summed over the batch dimensions
/// `a` was broadcast along. Only `a`'s shape is needed.
pub(crate) fn matmul_grad_a<E: Element>(
    a_shape: &[usize],
    b: &Tensor<E>,
    g: &Tensor<E>,
) -> Tensor<E> {
    let g = full_cotangent(g, a_shape.len(), b.ndim());
    let b2 = as_matrix(b, false);
    let ga = batched_gemm("matmul", &g, false, &b2, true, (g.shape(), b2.shape()));
    let a2_shape: Vec<usize> = if a_shape.len() == 1 {
        vec![1, a_shape[0]]
    } else {
        a_shape.to_vec()
    };
    ga.sum_to(&a2_shape).reshape(a_shape)
}

/// `gB = Aᵀ·G` of `a.matmul(b)`, summed over the batch dimensions `b` was broadcast along.
/// When `b` has no batch dimensions the sum over the batch is part of one kernel call: the
/// batches of `A` and `G` are consecutive rows, so `gB = A_flatᵀ·G_flat`.
pub(crate) fn matmul_grad_b<E: Element>(
    a: &Tensor<E>,
    b_shape: &[usize],
    g: &Tensor<E>,
) -> Tensor<E> {
    let g = full_cotangent(g, a.ndim(), b_shape.len());
    let a2 = as_matrix(a, true);
    if b_shape.len() <= 2 && a2.ndim() > 2 {
        let k = a2.shape()[a2.ndim() - 1];
        let n = g.shape()[g.ndim() - 1];
        let rows = a2.numel() / k.max(1);
        let a_flat = a2.reshape([rows, k].as_slice());
        let g_flat = g.reshape([rows, n].as_slice());
        return a_flat.mm_with(true, &g_flat, false).reshape(b_shape);
    }
    let gb = batched_gemm("matmul", &a2, true, &g, false, (a2.shape(), g.shape()));
    let b2_shape: Vec<usize> = if b_shape.len() == 1 {
        vec![b_shape[0], 1]
    } else {
        b_shape.to_vec()
    };
    gb.sum_to(&b2_shape).reshape(b_shape)
}

impl<E: Element> Pullback for BatchedMatmulPb<E, true, false> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().batched_grad_a)(self.a.shape(), &self.b, &g)
    }
}

impl<E: Element> Pullback for BatchedMatmulPb<E, false, true> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().batched_grad_b)(&self.a, self.b.shape(), &g)
    }
}

impl<E: Element> Pullback for BatchedMatmulPb<E, true, true> {
    type Cot = Tensor<E>;
    type Grads = (Tensor<E>, Tensor<E>);
    fn pull(&self, g: Tensor<E>) -> (Tensor<E>, Tensor<E>) {
        (
            (crate::vjp::table::of::<E>().batched_grad_a)(self.a.shape(), &self.b, &g),
            (crate::vjp::table::of::<E>().batched_grad_b)(&self.a, self.b.shape(), &g),
        )
    }

    /// One batched product instead of two when the call needs only one side's gradient.
    fn pull_part(&self, g: Tensor<E>, need: [bool; 2]) -> (Tensor<E>, Tensor<E>) {
        match need {
            [true, false] => (
                (crate::vjp::table::of::<E>().batched_grad_a)(self.a.shape(), &self.b, &g),
                super::unneeded_gradient(),
            ),
            [false, true] => (
                super::unneeded_gradient(),
                (crate::vjp::table::of::<E>().batched_grad_b)(&self.a, self.b.shape(), &g),
            ),
            _ => self.pull(g),
        }
    }
}

macro_rules! batched_forms {
    ($($method:ident => $l:ident, $r:ident, $lr:ident;)*) => {
        /// VJP forms of the batched products (`bmm`, and `matmul` for operands with batch
        /// dimensions; `matmul_batched_vjp_*` accept every shape `matmul` does).
        ///
        /// ```
        /// use autodiff_runtime::vjp::{BatchedVjp, Pullback};
        /// use autodiff_runtime::Tensor;
        ///
        /// let a = Tensor::<f64>::ones(&[2, 3, 4]);
        /// let w = Tensor::<f64>::ones(&[4, 5]);
        /// let (y, pb) = a.matmul_batched_vjp_lr(&w);
        /// assert_eq!(y.shape(), &[2, 3, 5]);
        /// let (ga, gw) = pb.pull(Tensor::ones(&[2, 3, 5]));
        /// assert_eq!(ga.shape(), &[2, 3, 4]);
        /// assert_eq!(gw.to_vec(), vec![6.0; 20]); // summed over the batch and the rows
        /// ```
        pub trait BatchedVjp {
            /// The element type.
            type Elem: Element;
            $(
                #[doc = concat!("`", stringify!($method), "` differentiated in the receiver.")]
                fn $l(&self, other: &Tensor<Self::Elem>) -> (Tensor<Self::Elem>, BatchedMatmulPb<Self::Elem, true, false>);
                #[doc = concat!("`", stringify!($method), "` differentiated in the argument.")]
                fn $r(&self, other: &Tensor<Self::Elem>) -> (Tensor<Self::Elem>, BatchedMatmulPb<Self::Elem, false, true>);
                #[doc = concat!("`", stringify!($method), "` differentiated in both.")]
                fn $lr(&self, other: &Tensor<Self::Elem>) -> (Tensor<Self::Elem>, BatchedMatmulPb<Self::Elem, true, true>);
            )*
        }

        impl<E: Element> BatchedVjp for Tensor<E> {
            type Elem = E;
            $(
                #[track_caller]
                fn $l(&self, other: &Tensor<E>) -> (Tensor<E>, BatchedMatmulPb<E, true, false>) {
                    (self.$method(other), BatchedMatmulPb::new(self, other))
                }
                #[track_caller]
                fn $r(&self, other: &Tensor<E>) -> (Tensor<E>, BatchedMatmulPb<E, false, true>) {
                    (self.$method(other), BatchedMatmulPb::new(self, other))
                }
                #[track_caller]
                fn $lr(&self, other: &Tensor<E>) -> (Tensor<E>, BatchedMatmulPb<E, true, true>) {
                    (self.$method(other), BatchedMatmulPb::new(self, other))
                }
            )*
        }
    };
}

batched_forms! {
    bmm => bmm_vjp_l, bmm_vjp_r, bmm_vjp_lr;
    matmul => matmul_batched_vjp_l, matmul_batched_vjp_r, matmul_batched_vjp_lr;
}
