//! The extra reductions in VJP form: `max`/`min` (whole tensor: the cotangent is shared evenly
//! among tied maxima, as PyTorch's `amax` does), `max_axis`/`min_axis` (the cotangent goes to
//! the position `argmax_axis` returns, the first on ties, as PyTorch's `max(dim)` does),
//! `prod`/`prod_axis` (products of the other elements, exact when some are zero), `var` and
//! `logsumexp`.

use super::Pullback;
use crate::tensor::{Element, Lanes, Tensor};

/// How a [`LanePb`] turns a lane's cotangent into the lane's gradient.
#[derive(Clone, Debug)]
enum LaneRule {
    /// Whole-tensor max/min: `g / ties` at every element equal to the result.
    EvenTies,
    /// Along an axis: `g` at the saved position of each lane.
    AtIndex(Vec<usize>),
    /// `g · Π_{j≠k} x_j`.
    Prod,
    /// `g · 2 (x_k - mean) / denom`.
    Var { unbiased: bool },
    /// `g · exp(x_k - y)` with `y` the saved result.
    LogSumExp,
}

/// Pullback of the reductions of this module: the cotangent (one value per lane) spread back
/// over each lane by the reduction's rule.
#[derive(Clone, Debug)]
pub struct LanePb<E: Element> {
    x: Tensor<E>,
    y: Tensor<E>,
    /// `None` for the whole-tensor forms.
    dim: Option<usize>,
    rule: LaneRule,
}

impl<E: Element> LanePb<E> {
    fn lanes(&self) -> Lanes {
        match self.dim {
            Some(d) => Lanes::along("reduction", self.x.shape(), d),
            None => Lanes::whole(self.x.numel()),
        }
    }

    /// Writes the gradient of one lane given its cotangent `g` and result `y`.
    fn lane_grad(&self, lane: usize, base: usize, lanes: Lanes, g: E, y: E, out: &mut [E]) {
        let x = self.x.as_slice();
        let at = |k: usize| base + k * lanes.inner;
        match &self.rule {
            LaneRule::EvenTies => {
                let ties = (0..lanes.size)
                    .filter(|&k| x[at(k)] == y || (y.is_nan() && x[at(k)].is_nan()))
                    .count();
                let share = g / E::of_f64(ties.max(1) as f64);
                for k in 0..lanes.size {
                    if x[at(k)] == y || (y.is_nan() && x[at(k)].is_nan()) {
                        out[at(k)] = share;
                    }
                }
            }
            LaneRule::AtIndex(idx) => out[at(idx[lane])] = g,
            LaneRule::Prod => {
                // prefix and suffix products: exact with zeros, no division
                let mut prefix = E::one();
                for k in 0..lanes.size {
                    out[at(k)] = prefix;
                    prefix = prefix * x[at(k)];
                }
                let mut suffix = g;
                for k in (0..lanes.size).rev() {
                    out[at(k)] = out[at(k)] * suffix;
                    suffix = suffix * x[at(k)];
                }
            }
            LaneRule::Var { unbiased } => {
                let n = lanes.size as f64;
                let mean = (0..lanes.size).map(|k| x[at(k)]).sum::<E>() / E::of_f64(n);
                let denom = E::of_f64(n - if *unbiased { 1.0 } else { 0.0 });
                let scale = (g + g) / denom;
                for k in 0..lanes.size {
                    out[at(k)] = scale * (x[at(k)] - mean);
                }
            }
            LaneRule::LogSumExp => {
                for k in 0..lanes.size {
                    out[at(k)] = g * (x[at(k)] - y).exp();
                }
            }
        }
    }
}

impl<E: Element> Pullback for LanePb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().lane)(self, g)
    }
}

impl<E: Element> LanePb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: Tensor<E>) -> Tensor<E> {
        let lanes = self.lanes();
        let mut out = Tensor::zeros(self.x.shape());
        let dst = out.as_mut_slice();
        let (gs, ys) = (g.as_slice(), self.y.as_slice());
        lanes.for_each(|lane, base| self.lane_grad(lane, base, lanes, gs[lane], ys[lane], dst));
        out
    }
}

/// VJP forms of the reductions `max`, `min`, `max_axis`, `min_axis`, `prod`, `prod_axis`,
/// `var` and `logsumexp` (differentiable in the receiver).
///
/// ```
/// use autodiff_runtime::vjp::{Pullback, ReduceExtVjp};
/// use autodiff_runtime::Tensor;
///
/// let x = Tensor::from_vec(vec![1.0f64, 3.0, 3.0], &[3]);
/// let (m, pb) = x.max_vjp();
/// assert_eq!(m.item(), 3.0);
/// assert_eq!(pb.pull(Tensor::scalar(1.0)).to_vec(), vec![0.0, 0.5, 0.5]); // ties share
/// let (_, pb) = x.max_axis_vjp(0, false);
/// assert_eq!(pb.pull(Tensor::scalar(1.0)).to_vec(), vec![0.0, 1.0, 0.0]); // first index
/// ```
pub trait ReduceExtVjp {
    /// The element type.
    type Elem: Element;
    /// `max()`: ties share the cotangent evenly.
    fn max_vjp(&self) -> (Tensor<Self::Elem>, LanePb<Self::Elem>);
    /// `min()`: ties share the cotangent evenly.
    fn min_vjp(&self) -> (Tensor<Self::Elem>, LanePb<Self::Elem>);
    /// `max_axis(dim, keepdim)`: the cotangent goes to the first maximum of each lane.
    fn max_axis_vjp(&self, dim: usize, keepdim: bool) -> (Tensor<Self::Elem>, LanePb<Self::Elem>);
    /// `min_axis(dim, keepdim)`: the cotangent goes to the first minimum of each lane.
    fn min_axis_vjp(&self, dim: usize, keepdim: bool) -> (Tensor<Self::Elem>, LanePb<Self::Elem>);
    /// `prod()`
    fn prod_vjp(&self) -> (Tensor<Self::Elem>, LanePb<Self::Elem>);
    /// `prod_axis(dim, keepdim)`
    fn prod_axis_vjp(&self, dim: usize, keepdim: bool) -> (Tensor<Self::Elem>, LanePb<Self::Elem>);
    /// `var(dim, unbiased, keepdim)`
    fn var_vjp(
        &self,
        dim: usize,
        unbiased: bool,
        keepdim: bool,
    ) -> (Tensor<Self::Elem>, LanePb<Self::Elem>);
    /// `logsumexp(dim, keepdim)`: the pullback is `g · softmax(x)`.
    fn logsumexp_vjp(&self, dim: usize, keepdim: bool) -> (Tensor<Self::Elem>, LanePb<Self::Elem>);
}

impl<E: Element> Tensor<E> {
    fn lane_pb(&self, y: &Tensor<E>, dim: Option<usize>, rule: LaneRule) -> LanePb<E> {
        LanePb {
            x: self.clone(),
            y: y.clone(),
            dim,
            rule,
        }
    }

    #[track_caller]
    fn extreme_axis_vjp(&self, dim: usize, keepdim: bool, largest: bool) -> (Tensor<E>, LanePb<E>) {
        let op = if largest { "max_axis" } else { "min_axis" };
        let idx = self.arg_extreme_axis(op, dim, largest);
        let y = if largest {
            self.max_axis(dim, keepdim)
        } else {
            self.min_axis(dim, keepdim)
        };
        let pb = self.lane_pb(&y, Some(dim), LaneRule::AtIndex(idx));
        (y, pb)
    }
}

impl<E: Element> ReduceExtVjp for Tensor<E> {
    type Elem = E;
    #[track_caller]
    fn max_vjp(&self) -> (Tensor<E>, LanePb<E>) {
        let y = self.max();
        let pb = self.lane_pb(&y, None, LaneRule::EvenTies);
        (y, pb)
    }
    #[track_caller]
    fn min_vjp(&self) -> (Tensor<E>, LanePb<E>) {
        let y = self.min();
        let pb = self.lane_pb(&y, None, LaneRule::EvenTies);
        (y, pb)
    }
    #[track_caller]
    fn max_axis_vjp(&self, dim: usize, keepdim: bool) -> (Tensor<E>, LanePb<E>) {
        self.extreme_axis_vjp(dim, keepdim, true)
    }
    #[track_caller]
    fn min_axis_vjp(&self, dim: usize, keepdim: bool) -> (Tensor<E>, LanePb<E>) {
        self.extreme_axis_vjp(dim, keepdim, false)
    }
    #[track_caller]
    fn prod_vjp(&self) -> (Tensor<E>, LanePb<E>) {
        let y = self.prod();
        let pb = self.lane_pb(&y, None, LaneRule::Prod);
        (y, pb)
    }
    #[track_caller]
    fn prod_axis_vjp(&self, dim: usize, keepdim: bool) -> (Tensor<E>, LanePb<E>) {
        let y = self.prod_axis(dim, keepdim);
        let pb = self.lane_pb(&y, Some(dim), LaneRule::Prod);
        (y, pb)
    }
    #[track_caller]
    fn var_vjp(&self, dim: usize, unbiased: bool, keepdim: bool) -> (Tensor<E>, LanePb<E>) {
        let y = self.var(dim, unbiased, keepdim);
        let pb = self.lane_pb(&y, Some(dim), LaneRule::Var { unbiased });
        (y, pb)
    }
    #[track_caller]
    fn logsumexp_vjp(&self, dim: usize, keepdim: bool) -> (Tensor<E>, LanePb<E>) {
        let y = self.logsumexp(dim, keepdim);
        let pb = self.lane_pb(&y, Some(dim), LaneRule::LogSumExp);
        (y, pb)
    }
}
