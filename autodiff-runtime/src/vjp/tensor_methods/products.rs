//! Pullback of the products `dot`, `mm`, `mv` and `matmul`, with two structured shortcuts:
//!
//! - a **uniform cotangent** (every entry equal, as the pullback of `sum`/`mean` produces, or
//!   after element-wise scaling of one) turns each gradient product into a row or column sum:
//!   `G·Bᵀ` with `G = s·1` has every row equal to `s·(row sums of B)`, and `Aᵀ·G` every column
//!   equal to `s·(column sums of A)`. So `sum(A·B)` costs no matrix product in its pullback, and
//!   `sum(tanh(A·B)·C)` needs 4 products instead of 6. Checking for uniformity stops at the
//!   first differing entry, so it costs nothing measurable when the cotangent is not uniform;
//! - **`x.dot(x)`** (both operands the same buffer): one scaled copy `s·x` serves as both
//!   gradients, and [`Tangent::accumulate`](crate::vjp::Tangent::accumulate) doubles it in place
//!   instead of adding two separate tensors.

use crate::kernels::pairwise_sum;
use crate::tensor::{Element, Tensor};
use crate::vjp::batched::{matmul_grad_a, matmul_grad_b};
use crate::vjp::{table, Pullback};

/// Pullback of `dot`, `mm`, `mv` and `matmul`, for any of their operand shapes: 1-D operands
/// are viewed as a row (left) or a column (right), so every case is `gA = G·Bᵀ`, `gB = Aᵀ·G`
/// computed by the kernel with transpose flags, never by copying a transpose (or by row/column
/// sums when `G` is uniform; see the module documentation). Operands with batch dimensions
/// (`matmul` of 3-D and higher tensors, batch dimensions broadcast by PyTorch's rules) go
/// through the batched kernel calls of [`BatchedMatmulPb`](crate::vjp::BatchedMatmulPb), each
/// gradient summed over the batch dimensions its operand was broadcast along.
///
/// ```
/// use autodiff_runtime::vjp::{Pullback, TensorVjp};
/// use autodiff_runtime::Tensor;
///
/// let a = Tensor::<f64>::ones(&[2, 3, 4]);
/// let w = Tensor::<f64>::ones(&[4, 5]);
/// let (y, pb) = a.matmul_vjp_lr(&w);
/// assert_eq!(y.shape(), &[2, 3, 5]);
/// let (ga, gw) = pb.pull(Tensor::ones(&[2, 3, 5]));
/// assert_eq!(ga.to_vec(), vec![5.0; 24]);
/// assert_eq!(gw.to_vec(), vec![6.0; 20]); // summed over the batch and the rows
/// ```
#[derive(Clone, Debug)]
pub struct MatmulPb<E: Element, const L: bool, const R: bool> {
    ops: MatmulOperands<E>,
}

/// What a [`MatmulPb`] keeps, whichever gradients it computes.
#[derive(Clone, Debug)]
pub(crate) struct MatmulOperands<E: Element> {
    a: Option<Tensor<E>>,
    b: Option<Tensor<E>>,
    a_shape: Vec<usize>,
    b_shape: Vec<usize>,
}

fn as_matrix<E: Element>(t: &Tensor<E>, left: bool) -> Tensor<E> {
    match t.ndim() {
        2 => t.clone(),
        1 if left => t.reshape([1, t.numel()].as_slice()),
        1 => t.reshape([t.numel(), 1].as_slice()),
        _ => t.clone(),
    }
}

/// `Some(s)` if every entry of `g` equals `s` (stops at the first entry that differs).
pub(crate) fn uniform_value<E: Element>(g: &Tensor<E>) -> Option<E> {
    let (&first, rest) = g.as_slice().split_first()?;
    rest.iter().all(|&v| v == first).then_some(first)
}

/// `rows x cols` matrix whose every row is `row`.
fn repeat_rows<E: Element>(row: &[E], rows: usize) -> Tensor<E> {
    let mut data = Vec::with_capacity(rows * row.len());
    for _ in 0..rows {
        data.extend_from_slice(row);
    }
    Tensor::from_vec(data, &[rows, row.len()])
}

/// `rows x cols` matrix whose row `i` is `col[i]` everywhere.
fn repeat_cols<E: Element>(col: &[E], cols: usize) -> Tensor<E> {
    let mut data = Vec::with_capacity(col.len() * cols);
    for &v in col {
        data.extend(std::iter::repeat_n(v, cols));
    }
    Tensor::from_vec(data, &[col.len(), cols])
}

impl<E: Element> MatmulOperands<E> {
    /// An operand has batch dimensions: the batched kernels compute both gradients.
    fn is_batched(&self) -> bool {
        self.a_shape.len() > 2 || self.b_shape.len() > 2
    }
    fn batched_grad_a(&self, g: &Tensor<E>) -> Tensor<E> {
        matmul_grad_a(&self.a_shape, self.b.as_ref().expect("b saved"), g)
    }
    fn batched_grad_b(&self, g: &Tensor<E>) -> Tensor<E> {
        matmul_grad_b(self.a.as_ref().expect("a saved"), &self.b_shape, g)
    }
    /// `dot`: the cotangent is a scalar, so the gradients are scaled copies (no kernel call).
    fn is_dot(&self) -> bool {
        self.a_shape.len() == 1 && self.b_shape.len() == 1
    }
    fn g_matrix(&self, g: Tensor<E>) -> Tensor<E> {
        let rows = if self.a_shape.len() == 2 {
            self.a_shape[0]
        } else {
            1
        };
        let cols = if self.b_shape.len() == 2 {
            self.b_shape[1]
        } else {
            1
        };
        g.reshape([rows, cols].as_slice())
    }
    /// `G·Bᵀ`; with `G = s·1` (m x n) every row is `s·(row sums of B)`.
    fn grad_a(&self, g2: &Tensor<E>, uniform: Option<E>) -> Tensor<E> {
        let b = self.b.as_ref().expect("b saved");
        if self.is_dot() {
            let s = g2.item();
            return b.map(move |v| v * s);
        }
        let b = as_matrix(b, false);
        let out = match uniform {
            Some(s) => {
                let n = b.shape()[1];
                let sums: Vec<E> = b
                    .as_slice()
                    .chunks_exact(n.max(1))
                    .map(|row| s * pairwise_sum(row))
                    .collect();
                repeat_rows(&sums, g2.shape()[0])
            }
            None => g2.mm_with(false, &b, true),
        };
        out.reshape(self.a_shape.as_slice())
    }
    /// `Aᵀ·G`; with `G = s·1` (m x n) every column is `s·(column sums of A)`.
    fn grad_b(&self, g2: &Tensor<E>, uniform: Option<E>) -> Tensor<E> {
        let a = self.a.as_ref().expect("a saved");
        if self.is_dot() {
            let s = g2.item();
            return a.map(move |v| v * s);
        }
        let a = as_matrix(a, true);
        let out = match uniform {
            Some(s) => {
                let k = a.shape()[1];
                let mut sums = vec![E::zero(); k];
                for row in a.as_slice().chunks_exact(k.max(1)) {
                    for (acc, &v) in sums.iter_mut().zip(row) {
                        *acc = *acc + v;
                    }
                }
                sums.iter_mut().for_each(|v| *v = *v * s);
                repeat_cols(&sums, g2.shape()[1])
            }
            None => a.mm_with(true, g2, false),
        };
        out.reshape(self.b_shape.as_slice())
    }
    /// The uniform value of a matrix cotangent worth the shortcut (not for `dot`, whose
    /// cotangent is a single number anyway).
    fn uniform(&self, g2: &Tensor<E>) -> Option<E> {
        if self.is_dot() || g2.numel() < 2 {
            None
        } else {
            uniform_value(g2)
        }
    }
}

/// Both gradients (`need == [true, true]`) or one of them, the other `None` (through
/// [`PullbackTable`](crate::vjp::PullbackTable)).
pub(crate) fn matmul_pull<E: Element>(
    ops: &MatmulOperands<E>,
    g: Tensor<E>,
    need: [bool; 2],
) -> [Option<Tensor<E>>; 2] {
    let left = match need {
        [true, false] => true,
        [false, true] => false,
        _ => {
            let (ga, gb) = ops.both(g);
            return [Some(ga), Some(gb)];
        }
    };
    let grad = if ops.is_batched() {
        if left {
            ops.batched_grad_a(&g)
        } else {
            ops.batched_grad_b(&g)
        }
    } else {
        let g2 = ops.g_matrix(g);
        let uniform = ops.uniform(&g2);
        if left {
            ops.grad_a(&g2, uniform)
        } else {
            ops.grad_b(&g2, uniform)
        }
    };
    if left {
        [Some(grad), None]
    } else {
        [None, Some(grad)]
    }
}

impl<E: Element> MatmulOperands<E> {
    fn both(&self, g: Tensor<E>) -> (Tensor<E>, Tensor<E>) {
        if self.is_batched() {
            return (self.batched_grad_a(&g), self.batched_grad_b(&g));
        }
        let g2 = self.g_matrix(g);
        if self.is_dot() {
            if let (Some(a), Some(b)) = (&self.a, &self.b) {
                if a.shares_storage_with(b) {
                    // x.dot(x): one buffer for both gradients; accumulating the second into the
                    // first doubles it in place.
                    let ga = self.grad_a(&g2, None);
                    return (ga.clone(), ga);
                }
            }
        }
        let uniform = self.uniform(&g2);
        (self.grad_a(&g2, uniform), self.grad_b(&g2, uniform))
    }
}

impl<E: Element, const L: bool, const R: bool> MatmulPb<E, L, R> {
    fn pull_sides(&self, g: Tensor<E>, need: [bool; 2]) -> [Option<Tensor<E>>; 2] {
        (table::of::<E>().matmul)(&self.ops, g, need)
    }
}

impl<E: Element> Pullback for MatmulPb<E, true, false> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        let [ga, _] = self.pull_sides(g, [true, false]);
        ga.expect("the left gradient")
    }
}

impl<E: Element> Pullback for MatmulPb<E, false, true> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        let [_, gb] = self.pull_sides(g, [false, true]);
        gb.expect("the right gradient")
    }
}

impl<E: Element> Pullback for MatmulPb<E, true, true> {
    type Cot = Tensor<E>;
    type Grads = (Tensor<E>, Tensor<E>);
    fn pull(&self, g: Tensor<E>) -> (Tensor<E>, Tensor<E>) {
        self.pull_part(g, [true, true])
    }

    /// One product instead of two when the call needs only one side's gradient.
    fn pull_part(&self, g: Tensor<E>, need: [bool; 2]) -> (Tensor<E>, Tensor<E>) {
        let [ga, gb] = self.pull_sides(g, need);
        (
            ga.unwrap_or_else(crate::vjp::unneeded_gradient),
            gb.unwrap_or_else(crate::vjp::unneeded_gradient),
        )
    }
}

pub(super) fn matmul_pb<E: Element, const L: bool, const R: bool>(
    a: &Tensor<E>,
    b: &Tensor<E>,
) -> MatmulPb<E, L, R> {
    MatmulPb {
        ops: MatmulOperands {
            // gA needs B, gB needs A: save only what the active side needs.
            a: R.then(|| a.clone()),
            b: L.then(|| b.clone()),
            a_shape: a.shape().to_vec(),
            b_shape: b.shape().to_vec(),
        },
    }
}
