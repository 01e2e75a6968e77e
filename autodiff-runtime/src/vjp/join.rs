//! Joining and rearranging in VJP form: `Tensor::cat_vjp`, `Tensor::stack_vjp` (one gradient
//! per input), `split_vjp`/`chunk_vjp` (one cotangent per piece: the pieces' cotangents as a
//! `Vec`, zeros for a piece that got none), and `permute`, `transpose`, `repeat`, `expand`
//! (differentiable in the receiver).

use super::Pullback;
use crate::tensor::{for_each_index, Element, Tensor};

/// Pullback of [`Tensor::cat_vjp`] and [`Tensor::stack_vjp`]: the cotangent cut back into one
/// piece per input, in order.
#[derive(Clone, Debug)]
pub struct CatPb<E: Element> {
    dim: usize,
    sizes: Vec<usize>,
    /// True for `stack`: each piece loses the stacked dimension.
    stacked: bool,
    _e: core::marker::PhantomData<E>,
}

impl<E: Element> Pullback for CatPb<E> {
    type Cot = Tensor<E>;
    type Grads = Vec<Tensor<E>>;
    fn pull(&self, g: Tensor<E>) -> Vec<Tensor<E>> {
        (crate::vjp::table::of::<E>().cat)(self, g)
    }
}

impl<E: Element> CatPb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: Tensor<E>) -> Vec<Tensor<E>> {
        let mut start = 0;
        self.sizes
            .iter()
            .map(|&n| {
                let piece = if self.stacked {
                    g.select(self.dim, start)
                } else {
                    g.narrow(self.dim, start, n)
                };
                start += n;
                piece
            })
            .collect()
    }
}

/// Pullback of [`split_vjp`](JoinVjp::split_vjp) and [`chunk_vjp`](JoinVjp::chunk_vjp): the
/// pieces' cotangents joined back (`None` counts as zeros).
#[derive(Clone, Debug)]
pub struct SplitPb<E: Element> {
    shape: Vec<usize>,
    dim: usize,
    sizes: Vec<usize>,
    _e: core::marker::PhantomData<E>,
}

impl<E: Element> Pullback for SplitPb<E> {
    type Cot = Vec<Tensor<E>>;
    type Grads = Tensor<E>;
    #[track_caller]
    fn pull(&self, g: Vec<Tensor<E>>) -> Tensor<E> {
        if g.len() != self.sizes.len() {
            panic!(
                "split: the pullback expects {} piece cotangents, got {}",
                self.sizes.len(),
                g.len()
            );
        }
        for (i, (p, &n)) in g.iter().zip(&self.sizes).enumerate() {
            let mut s = self.shape.clone();
            s[self.dim] = n;
            if p.shape() != s.as_slice() {
                panic!(
                    "split: the cotangent of piece {i} has shape {:?}, expected {:?}",
                    p.shape(),
                    s
                );
            }
        }
        Tensor::cat(&g, self.dim)
    }
}

/// Pullback of [`permute_vjp`](JoinVjp::permute_vjp) and
/// [`transpose_vjp`](JoinVjp::transpose_vjp): the inverse permutation.
#[derive(Clone, Debug)]
pub struct PermutePb<E: Element> {
    inverse: Vec<usize>,
    _e: core::marker::PhantomData<E>,
}

impl<E: Element> Pullback for PermutePb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().permute)(self, g)
    }
}

impl<E: Element> PermutePb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: Tensor<E>) -> Tensor<E> {
        g.permute(&self.inverse)
    }
}

/// Pullback of [`repeat_vjp`](JoinVjp::repeat_vjp): the tiles summed back.
#[derive(Clone, Debug)]
pub struct RepeatPb<E: Element> {
    shape: Vec<usize>,
    padded: Vec<usize>,
    _e: core::marker::PhantomData<E>,
}

impl<E: Element> Pullback for RepeatPb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().repeat)(self, g)
    }
}

impl<E: Element> RepeatPb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: Tensor<E>) -> Tensor<E> {
        let mut out = Tensor::zeros(&self.padded);
        let strides = crate::tensor::contiguous_strides(&self.padded);
        let dst = out.as_mut_slice();
        let src = g.as_slice();
        let mut pos = 0;
        for_each_index(g.shape(), |at| {
            let off: usize = (0..at.len())
                .map(|d| (at[d] % self.padded[d]) * strides[d])
                .sum();
            dst[off] = dst[off] + src[pos];
            pos += 1;
        });
        out.reshape(self.shape.as_slice())
    }
}

/// Pullback of [`expand_vjp`](JoinVjp::expand_vjp): the cotangent summed back to the shape.
#[derive(Clone, Debug)]
pub struct ExpandPb<E: Element> {
    shape: Vec<usize>,
    _e: core::marker::PhantomData<E>,
}

impl<E: Element> Pullback for ExpandPb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().expand)(self, g)
    }
}

impl<E: Element> ExpandPb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: Tensor<E>) -> Tensor<E> {
        g.sum_to(&self.shape)
    }
}

/// VJP forms of the rearranging methods, differentiable in the receiver.
///
/// ```
/// use autodiff_runtime::vjp::{JoinVjp, Pullback};
/// use autodiff_runtime::Tensor;
///
/// let x = Tensor::<f64>::arange(6).reshape(&[2, 3]);
/// let (pieces, pb) = x.split_vjp(2, 1);
/// assert_eq!(pieces.len(), 2);
/// // only the first piece was used: the second one's cotangent is zero
/// let g = pb.pull(vec![Tensor::ones(&[2, 2]), Tensor::zeros(&[2, 1])]);
/// assert_eq!(g.to_vec(), vec![1.0, 1.0, 0.0, 1.0, 1.0, 0.0]);
/// ```
pub trait JoinVjp {
    /// The element type.
    type Elem: Element;
    /// `split(size, dim)`: the pullback takes one optional cotangent per piece.
    fn split_vjp(&self, size: usize, dim: usize) -> (Vec<Tensor<Self::Elem>>, SplitPb<Self::Elem>);
    /// `chunk(chunks, dim)`: the pullback takes one optional cotangent per piece.
    fn chunk_vjp(
        &self,
        chunks: usize,
        dim: usize,
    ) -> (Vec<Tensor<Self::Elem>>, SplitPb<Self::Elem>);
    /// `permute(dims)`
    fn permute_vjp(&self, dims: &[usize]) -> (Tensor<Self::Elem>, PermutePb<Self::Elem>);
    /// `transpose(d0, d1)`
    fn transpose_vjp(&self, d0: usize, d1: usize) -> (Tensor<Self::Elem>, PermutePb<Self::Elem>);
    /// `repeat(reps)`
    fn repeat_vjp(&self, reps: &[usize]) -> (Tensor<Self::Elem>, RepeatPb<Self::Elem>);
    /// `expand(sizes)`
    fn expand_vjp(&self, sizes: &[isize]) -> (Tensor<Self::Elem>, ExpandPb<Self::Elem>);
}

impl<E: Element> Tensor<E> {
    /// [`cat`](Tensor::cat) differentiated in every input: the pullback returns one gradient
    /// per input, in order.
    ///
    /// ```
    /// use autodiff_runtime::vjp::Pullback;
    /// use autodiff_runtime::Tensor;
    /// let a = Tensor::<f64>::zeros(&[1, 2]);
    /// let b = Tensor::<f64>::zeros(&[2, 2]);
    /// let (y, pb) = Tensor::cat_vjp(&[&a, &b], 0);
    /// let g = pb.pull(Tensor::arange(6).reshape(&[3, 2]));
    /// assert_eq!(g[1].to_vec(), vec![2.0, 3.0, 4.0, 5.0]);
    /// ```
    #[track_caller]
    pub fn cat_vjp<R: AsRef<Tensor<E>>>(tensors: &[R], dim: usize) -> (Tensor<E>, CatPb<E>) {
        let y = Tensor::cat(tensors, dim);
        let pb = CatPb {
            dim,
            sizes: tensors.iter().map(|t| t.as_ref().shape()[dim]).collect(),
            stacked: false,
            _e: core::marker::PhantomData,
        };
        (y, pb)
    }

    /// [`stack`](Tensor::stack) differentiated in every input: the pullback returns one
    /// gradient per input, in order.
    ///
    /// ```
    /// use autodiff_runtime::vjp::Pullback;
    /// use autodiff_runtime::Tensor;
    /// let hs = vec![Tensor::<f64>::zeros(&[2]), Tensor::ones(&[2])];
    /// let (y, pb) = Tensor::stack_vjp(&hs, 0);
    /// assert_eq!(y.shape(), &[2, 2]);
    /// assert_eq!(pb.pull(Tensor::arange(4).reshape(&[2, 2]))[1].to_vec(), vec![2.0, 3.0]);
    /// ```
    #[track_caller]
    pub fn stack_vjp<R: AsRef<Tensor<E>>>(tensors: &[R], dim: usize) -> (Tensor<E>, CatPb<E>) {
        let y = Tensor::stack(tensors, dim);
        let pb = CatPb {
            dim,
            sizes: vec![1; tensors.len()],
            stacked: true,
            _e: core::marker::PhantomData,
        };
        (y, pb)
    }

    fn split_pb(&self, pieces: &[Tensor<E>], dim: usize) -> SplitPb<E> {
        SplitPb {
            shape: self.shape().to_vec(),
            dim,
            sizes: pieces.iter().map(|p| p.shape()[dim]).collect(),
            _e: core::marker::PhantomData,
        }
    }
}

impl<E: Element> JoinVjp for Tensor<E> {
    type Elem = E;
    #[track_caller]
    fn split_vjp(&self, size: usize, dim: usize) -> (Vec<Tensor<E>>, SplitPb<E>) {
        let pieces = self.split(size, dim);
        let pb = self.split_pb(&pieces, dim);
        (pieces, pb)
    }
    #[track_caller]
    fn chunk_vjp(&self, chunks: usize, dim: usize) -> (Vec<Tensor<E>>, SplitPb<E>) {
        let pieces = self.chunk(chunks, dim);
        let pb = self.split_pb(&pieces, dim);
        (pieces, pb)
    }
    #[track_caller]
    fn permute_vjp(&self, dims: &[usize]) -> (Tensor<E>, PermutePb<E>) {
        let y = self.permute(dims);
        let mut inverse = vec![0; dims.len()];
        for (i, &d) in dims.iter().enumerate() {
            inverse[d] = i;
        }
        let pb = PermutePb {
            inverse,
            _e: core::marker::PhantomData,
        };
        (y, pb)
    }
    #[track_caller]
    fn transpose_vjp(&self, d0: usize, d1: usize) -> (Tensor<E>, PermutePb<E>) {
        let y = self.transpose(d0, d1);
        let mut inverse: Vec<usize> = (0..self.ndim()).collect();
        inverse.swap(d0, d1);
        let pb = PermutePb {
            inverse,
            _e: core::marker::PhantomData,
        };
        (y, pb)
    }
    #[track_caller]
    fn repeat_vjp(&self, reps: &[usize]) -> (Tensor<E>, RepeatPb<E>) {
        let y = self.repeat(reps);
        let pb = RepeatPb {
            shape: self.shape().to_vec(),
            padded: self.repeat_padded_shape(reps),
            _e: core::marker::PhantomData,
        };
        (y, pb)
    }
    #[track_caller]
    fn expand_vjp(&self, sizes: &[isize]) -> (Tensor<E>, ExpandPb<E>) {
        let pb = ExpandPb {
            shape: self.shape().to_vec(),
            _e: core::marker::PhantomData,
        };
        (self.expand(sizes), pb)
    }
}
