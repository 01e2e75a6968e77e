//! Batched matrix products in VJP form: `bmm` and `matmul` with batch dimensions (PyTorch's
//! broadcasting rules). The pullback is two batched kernel calls with transpose flags,
//! `gA = G·Bᵀ` and `gB = Aᵀ·G`, each summed back over the batch dimensions its operand was
//! broadcast along.

use super::Pullback;
use crate::tensor::{as_matrices, batched_gemm, Element, Tensor};

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

    /// The operands as matrices and the cotangent with the matrix dimensions restored.
    fn operands(&self, g: &Tensor<E>) -> (Tensor<E>, Tensor<E>, Tensor<E>) {
        let (a2, b2, _) = as_matrices(&self.a, &self.b);
        let mut full = g.shape().to_vec();
        if self.a.ndim() == 1 {
            full.insert(full.len() - usize::from(self.b.ndim() > 1), 1);
        }
        if self.b.ndim() == 1 {
            full.push(1);
        }
        (a2, b2, g.reshape(full.as_slice()))
    }

    fn grad_a(&self, a2: &Tensor<E>, b2: &Tensor<E>, g: &Tensor<E>) -> Tensor<E> {
        let ga = batched_gemm("matmul", g, false, b2, true, (g.shape(), b2.shape()));
        ga.sum_to(a2.shape()).reshape(self.a.shape())
    }

    fn grad_b(&self, a2: &Tensor<E>, b2: &Tensor<E>, g: &Tensor<E>) -> Tensor<E> {
        let gb = batched_gemm("matmul", a2, true, g, false, (a2.shape(), g.shape()));
        gb.sum_to(b2.shape()).reshape(self.b.shape())
    }
}

impl<E: Element> Pullback for BatchedMatmulPb<E, true, false> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        let (a2, b2, g) = self.operands(&g);
        self.grad_a(&a2, &b2, &g)
    }
}

impl<E: Element> Pullback for BatchedMatmulPb<E, false, true> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        let (a2, b2, g) = self.operands(&g);
        self.grad_b(&a2, &b2, &g)
    }
}

impl<E: Element> Pullback for BatchedMatmulPb<E, true, true> {
    type Cot = Tensor<E>;
    type Grads = (Tensor<E>, Tensor<E>);
    fn pull(&self, g: Tensor<E>) -> (Tensor<E>, Tensor<E>) {
        let (a2, b2, g) = self.operands(&g);
        (self.grad_a(&a2, &b2, &g), self.grad_b(&a2, &b2, &g))
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
                fn $l(&self, other: &Tensor<E>) -> (Tensor<E>, BatchedMatmulPb<E, true, false>) {
                    (self.$method(other), BatchedMatmulPb::new(self, other))
                }
                fn $r(&self, other: &Tensor<E>) -> (Tensor<E>, BatchedMatmulPb<E, false, true>) {
                    (self.$method(other), BatchedMatmulPb::new(self, other))
                }
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
