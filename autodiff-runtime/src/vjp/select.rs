//! Selection in VJP form: `get`, `item`, `select`, `narrow`, `index_select`, `gather`,
//! `masked_fill` (differentiable in the receiver) and `Tensor::where_cond_vjp`
//! (differentiable in both branches). Every pullback scatters the cotangent back into zeros of
//! the input's shape, adding where one input element was read several times.

use super::Pullback;
use crate::tensor::{gather_offsets, Element, IndexTensor, Lanes, Mask, Tensor};

/// Pullback of [`get`](Tensor::get) and [`item`](Tensor::item): a scalar cotangent placed at
/// one element of zeros of the input's shape.
#[derive(Clone, Debug)]
pub struct GetPb<E: Element> {
    shape: Vec<usize>,
    offset: usize,
    _e: core::marker::PhantomData<E>,
}

impl<E: Element> Pullback for GetPb<E> {
    type Cot = E;
    type Grads = Tensor<E>;
    fn pull(&self, g: E) -> Tensor<E> {
        (crate::vjp::table::of::<E>().get)(self, g)
    }
}

impl<E: Element> GetPb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: E) -> Tensor<E> {
        let mut out = Tensor::zeros(&self.shape);
        out.as_mut_slice()[self.offset] = g;
        out
    }
}

/// Pullback of [`select`](Tensor::select), [`narrow`](Tensor::narrow) and
/// [`index_select`](Tensor::index_select): the cotangent's slices added back at the positions
/// they were read from along `dim`.
#[derive(Clone, Debug)]
pub struct IndexAlongPb<E: Element> {
    shape: Vec<usize>,
    dim: usize,
    positions: Vec<usize>,
    _e: core::marker::PhantomData<E>,
}

impl<E: Element> Pullback for IndexAlongPb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().index_along)(self, g)
    }
}

impl<E: Element> IndexAlongPb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: Tensor<E>) -> Tensor<E> {
        let lanes = Lanes::along("index_select", &self.shape, self.dim);
        let mut out = Tensor::zeros(&self.shape);
        let dst = out.as_mut_slice();
        let src = g.as_slice();
        let n = self.positions.len();
        for o in 0..lanes.outer {
            for (j, &k) in self.positions.iter().enumerate() {
                let from = (o * n + j) * lanes.inner;
                let to = (o * lanes.size + k) * lanes.inner;
                for (d, &s) in dst[to..to + lanes.inner]
                    .iter_mut()
                    .zip(&src[from..from + lanes.inner])
                {
                    *d = *d + s;
                }
            }
        }
        out
    }
}

/// Pullback of [`gather`](Tensor::gather): the cotangent scatter-added at the offsets read.
#[derive(Clone, Debug)]
pub struct GatherPb<E: Element> {
    shape: Vec<usize>,
    offsets: Vec<usize>,
    _e: core::marker::PhantomData<E>,
}

impl<E: Element> Pullback for GatherPb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().gather)(self, g)
    }
}

impl<E: Element> GatherPb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: Tensor<E>) -> Tensor<E> {
        let mut out = Tensor::zeros(&self.shape);
        let dst = out.as_mut_slice();
        for (&o, &v) in self.offsets.iter().zip(g.as_slice()) {
            dst[o] = dst[o] + v;
        }
        out
    }
}

/// Pullback of [`masked_fill`](Tensor::masked_fill): the cotangent with zeros where the
/// constant was written.
#[derive(Clone, Debug)]
pub struct MaskedFillPb<E: Element> {
    filled: Vec<bool>,
    _e: core::marker::PhantomData<E>,
}

impl<E: Element> Pullback for MaskedFillPb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().masked_fill)(self, g)
    }
}

impl<E: Element> MaskedFillPb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: Tensor<E>) -> Tensor<E> {
        let mut g = g;
        for (v, &f) in g.as_mut_slice().iter_mut().zip(&self.filled) {
            if f {
                *v = E::zero();
            }
        }
        g
    }
}

/// Pullback of [`Tensor::where_cond`]: `(g` where the mask is true, summed to `a`'s shape`,
/// g` where it is false, summed to `b`'s shape`)`.
#[derive(Clone, Debug)]
pub struct WhereCondPb<E: Element> {
    mask: Vec<bool>,
    a_shape: Vec<usize>,
    b_shape: Vec<usize>,
    _e: core::marker::PhantomData<E>,
}

impl<E: Element> Pullback for WhereCondPb<E> {
    type Cot = Tensor<E>;
    type Grads = (Tensor<E>, Tensor<E>);
    fn pull(&self, g: Tensor<E>) -> (Tensor<E>, Tensor<E>) {
        (crate::vjp::table::of::<E>().where_cond)(self, g)
    }
}

impl<E: Element> WhereCondPb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: Tensor<E>) -> (Tensor<E>, Tensor<E>) {
        let pick = |want: bool| {
            let data = g
                .as_slice()
                .iter()
                .zip(&self.mask)
                .map(|(&v, &m)| if m == want { v } else { E::zero() })
                .collect();
            Tensor::from_vec(data, g.shape())
        };
        (
            pick(true).sum_to(&self.a_shape),
            pick(false).sum_to(&self.b_shape),
        )
    }
}

/// VJP forms of the selection methods (differentiable in the receiver; indices and masks are
/// constants).
///
/// ```
/// use autodiff_runtime::vjp::{Pullback, SelectVjp};
/// use autodiff_runtime::Tensor;
///
/// let x = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], &[2, 2]);
/// let (v, pb) = x.get_vjp(&[1, 0]);
/// assert_eq!(v, 3.0);
/// assert_eq!(pb.pull(1.0).to_vec(), vec![0.0, 0.0, 1.0, 0.0]);
/// let (rows, pb) = x.index_select_vjp(0, &[1, 1]);
/// assert_eq!(rows.shape(), &[2, 2]);
/// assert_eq!(pb.pull(Tensor::ones(&[2, 2])).to_vec(), vec![0.0, 0.0, 2.0, 2.0]);
/// ```
pub trait SelectVjp {
    /// The element type.
    type Elem: Element;
    /// `get(index)`: a scalar whose pullback maps `E` to a tensor of the input's shape.
    fn get_vjp(&self, index: &[usize]) -> (Self::Elem, GetPb<Self::Elem>);
    /// `item()`: a scalar whose pullback maps `E` to a tensor of the input's shape.
    fn item_vjp(&self) -> (Self::Elem, GetPb<Self::Elem>);
    /// `select(dim, index)`
    fn select_vjp(
        &self,
        dim: usize,
        index: usize,
    ) -> (Tensor<Self::Elem>, IndexAlongPb<Self::Elem>);
    /// `narrow(dim, start, len)`
    fn narrow_vjp(
        &self,
        dim: usize,
        start: usize,
        len: usize,
    ) -> (Tensor<Self::Elem>, IndexAlongPb<Self::Elem>);
    /// `index_select(dim, indices)`
    fn index_select_vjp(
        &self,
        dim: usize,
        indices: &[usize],
    ) -> (Tensor<Self::Elem>, IndexAlongPb<Self::Elem>);
    /// `gather(dim, index)`
    fn gather_vjp(
        &self,
        dim: usize,
        index: &IndexTensor,
    ) -> (Tensor<Self::Elem>, GatherPb<Self::Elem>);
    /// `masked_fill(mask, value)` differentiated in the receiver (the value is a constant).
    fn masked_fill_vjp(
        &self,
        mask: &Mask,
        value: Self::Elem,
    ) -> (Tensor<Self::Elem>, MaskedFillPb<Self::Elem>);
}

impl<E: Element> Tensor<E> {
    fn along_pb(&self, dim: usize, positions: Vec<usize>) -> IndexAlongPb<E> {
        IndexAlongPb {
            shape: self.shape().to_vec(),
            dim,
            positions,
            _e: core::marker::PhantomData,
        }
    }

    /// [`where_cond`](Tensor::where_cond) differentiated in both branches: the pullback returns
    /// `(gradient of a, gradient of b)`, each summed back to its operand's shape.
    ///
    /// ```
    /// use autodiff_runtime::vjp::Pullback;
    /// use autodiff_runtime::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f64, -2.0], &[2]);
    /// let b = Tensor::zeros(&[1]);
    /// let (y, pb) = Tensor::where_cond_vjp(&a.gt(0.0), &a, &b);
    /// assert_eq!(y.to_vec(), vec![1.0, 0.0]);
    /// let (ga, gb) = pb.pull(Tensor::ones(&[2]));
    /// assert_eq!((ga.to_vec(), gb.to_vec()), (vec![1.0, 0.0], vec![1.0]));
    /// ```
    #[track_caller]
    pub fn where_cond_vjp(
        mask: &Mask,
        a: &Tensor<E>,
        b: &Tensor<E>,
    ) -> (Tensor<E>, WhereCondPb<E>) {
        let y = Tensor::where_cond(mask, a, b);
        let pb = WhereCondPb {
            mask: mask.broadcast_data("where_cond", y.shape()),
            a_shape: a.shape().to_vec(),
            b_shape: b.shape().to_vec(),
            _e: core::marker::PhantomData,
        };
        (y, pb)
    }
}

impl<E: Element> SelectVjp for Tensor<E> {
    type Elem = E;
    #[track_caller]
    fn get_vjp(&self, index: &[usize]) -> (E, GetPb<E>) {
        let offset = self.flat_index("get", index);
        let pb = GetPb {
            shape: self.shape().to_vec(),
            offset,
            _e: core::marker::PhantomData,
        };
        (self.as_slice()[offset], pb)
    }
    #[track_caller]
    fn item_vjp(&self) -> (E, GetPb<E>) {
        let pb = GetPb {
            shape: self.shape().to_vec(),
            offset: 0,
            _e: core::marker::PhantomData,
        };
        (self.item(), pb)
    }
    #[track_caller]
    fn select_vjp(&self, dim: usize, index: usize) -> (Tensor<E>, IndexAlongPb<E>) {
        (self.select(dim, index), self.along_pb(dim, vec![index]))
    }
    #[track_caller]
    fn narrow_vjp(&self, dim: usize, start: usize, len: usize) -> (Tensor<E>, IndexAlongPb<E>) {
        let y = self.narrow(dim, start, len);
        (y, self.along_pb(dim, (start..start + len).collect()))
    }
    #[track_caller]
    fn index_select_vjp(&self, dim: usize, indices: &[usize]) -> (Tensor<E>, IndexAlongPb<E>) {
        let y = self.index_select(dim, indices);
        (y, self.along_pb(dim, indices.to_vec()))
    }
    #[track_caller]
    fn gather_vjp(&self, dim: usize, index: &IndexTensor) -> (Tensor<E>, GatherPb<E>) {
        let pb = GatherPb {
            shape: self.shape().to_vec(),
            offsets: gather_offsets(self.shape(), dim, index),
            _e: core::marker::PhantomData,
        };
        (self.gather(dim, index), pb)
    }
    #[track_caller]
    fn masked_fill_vjp(&self, mask: &Mask, value: E) -> (Tensor<E>, MaskedFillPb<E>) {
        let pb = MaskedFillPb {
            filled: mask.broadcast_data("masked_fill", self.shape()),
            _e: core::marker::PhantomData,
        };
        (self.masked_fill(mask, value), pb)
    }
}
