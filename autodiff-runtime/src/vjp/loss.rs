//! Normalisers and losses in VJP form, each with a fused pullback computed from saved values
//! rather than by chaining the pullbacks of its parts:
//!
//! - `softmax`: `y (g - Σ g y)` per lane; `log_softmax`: `g - softmax · Σ g` per lane;
//! - `layer_norm`: the standard `σ⁻¹ (ĝ - mean ĝ - x̂ mean(ĝ x̂))` with `ĝ = g · weight`;
//! - `cross_entropy`: `(softmax - onehot) / N`; `mse_loss`: `2 (a - b) / n`;
//!   `binary_cross_entropy_with_logits`: `(σ(x) - y) / n` and `-x / n`.

use super::Pullback;
use crate::tensor::{
    binary_cross_entropy_with_logits, check_same_shape, cross_entropy, cross_entropy_dims,
    mse_loss, sigmoid, Element, Lanes, LayerNormStats, Tensor,
};

/// Pullback of [`softmax_vjp`](NormaliseVjp::softmax_vjp) and
/// [`log_softmax_vjp`](NormaliseVjp::log_softmax_vjp): saves the output only.
#[derive(Clone, Debug)]
pub struct SoftmaxPb<E: Element> {
    y: Tensor<E>,
    dim: usize,
    log: bool,
}

impl<E: Element> Pullback for SoftmaxPb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().softmax)(self, g)
    }
}

impl<E: Element> SoftmaxPb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: Tensor<E>) -> Tensor<E> {
        let lanes = Lanes::along("softmax", self.y.shape(), self.dim);
        let (y, gs) = (self.y.as_slice(), g.as_slice());
        let mut out = vec![E::zero(); y.len()];
        lanes.for_each(|_, base| {
            let at = |k: usize| base + k * lanes.inner;
            if self.log {
                let total: E = (0..lanes.size).map(|k| gs[at(k)]).sum();
                for k in 0..lanes.size {
                    out[at(k)] = gs[at(k)] - y[at(k)].exp() * total;
                }
            } else {
                let dot: E = (0..lanes.size).map(|k| gs[at(k)] * y[at(k)]).sum();
                for k in 0..lanes.size {
                    out[at(k)] = y[at(k)] * (gs[at(k)] - dot);
                }
            }
        });
        Tensor::from_vec(out, self.y.shape())
    }
}

/// Pullback of [`layer_norm_vjp`](NormaliseVjp::layer_norm_vjp): returns `(gradient of the
/// input, gradient of weight if one was given, gradient of bias if one was given)`.
#[derive(Clone, Debug)]
pub struct LayerNormPb<E: Element> {
    xhat: Tensor<E>,
    inv_std: Vec<E>,
    group: usize,
    param_shape: Vec<usize>,
    weight: Option<Tensor<E>>,
    has_bias: bool,
}

impl<E: Element> Pullback for LayerNormPb<E> {
    type Cot = Tensor<E>;
    type Grads = (Tensor<E>, Option<Tensor<E>>, Option<Tensor<E>>);
    fn pull(&self, g: Tensor<E>) -> Self::Grads {
        (crate::vjp::table::of::<E>().layer_norm)(self, g)
    }
}

impl<E: Element> LayerNormPb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(
        &self,
        g: Tensor<E>,
    ) -> (Tensor<E>, Option<Tensor<E>>, Option<Tensor<E>>) {
        let m = self.group.max(1);
        let mf = E::of_f64(m as f64);
        let (xhat, gs) = (self.xhat.as_slice(), g.as_slice());
        let mut gx = vec![E::zero(); xhat.len()];
        let mut gw = vec![E::zero(); m];
        let mut gb = vec![E::zero(); m];
        for (r, start) in (0..xhat.len()).step_by(m).enumerate() {
            let (xh, gr) = (&xhat[start..start + m], &gs[start..start + m]);
            let ghat = |j: usize| match &self.weight {
                Some(w) => gr[j] * w.as_slice()[j],
                None => gr[j],
            };
            let mean_g = (0..m).map(ghat).sum::<E>() / mf;
            let mean_gx = (0..m).map(|j| ghat(j) * xh[j]).sum::<E>() / mf;
            for j in 0..m {
                gx[start + j] = self.inv_std[r] * (ghat(j) - mean_g - xh[j] * mean_gx);
                gw[j] = gw[j] + gr[j] * xh[j];
                gb[j] = gb[j] + gr[j];
            }
        }
        (
            self.xhat.with_same_shape(gx),
            self.weight
                .as_ref()
                .map(|_| Tensor::from_vec(gw, &self.param_shape)),
            self.has_bias
                .then(|| Tensor::from_vec(gb, &self.param_shape)),
        )
    }
}

/// VJP forms of `softmax`, `log_softmax` and `layer_norm`.
///
/// ```
/// use autodiff_runtime::vjp::{NormaliseVjp, Pullback};
/// use autodiff_runtime::Tensor;
///
/// let x = Tensor::from_vec(vec![0.0f64, 0.0], &[2]);
/// let (y, pb) = x.softmax_vjp(0);
/// assert_eq!(y.to_vec(), vec![0.5, 0.5]);
/// assert_eq!(pb.pull(Tensor::from_vec(vec![1.0, 0.0], &[2])).to_vec(), vec![0.25, -0.25]);
/// ```
pub trait NormaliseVjp {
    /// The element type.
    type Elem: Element;
    /// `softmax(dim)`
    fn softmax_vjp(&self, dim: usize) -> (Tensor<Self::Elem>, SoftmaxPb<Self::Elem>);
    /// `log_softmax(dim)`
    fn log_softmax_vjp(&self, dim: usize) -> (Tensor<Self::Elem>, SoftmaxPb<Self::Elem>);
    /// `layer_norm(normalized_shape, weight, bias, eps)`, differentiable in the input and in
    /// `weight` and `bias` when given: the pullback returns `(gx, Some(gw) / None, Some(gb) /
    /// None)`.
    fn layer_norm_vjp(
        &self,
        normalized_shape: &[usize],
        weight: Option<&Tensor<Self::Elem>>,
        bias: Option<&Tensor<Self::Elem>>,
        eps: Self::Elem,
    ) -> (Tensor<Self::Elem>, LayerNormPb<Self::Elem>);
}

impl<E: Element> NormaliseVjp for Tensor<E> {
    type Elem = E;
    #[track_caller]
    fn softmax_vjp(&self, dim: usize) -> (Tensor<E>, SoftmaxPb<E>) {
        let y = self.softmax(dim);
        let pb = SoftmaxPb {
            y: y.clone(),
            dim,
            log: false,
        };
        (y, pb)
    }
    #[track_caller]
    fn log_softmax_vjp(&self, dim: usize) -> (Tensor<E>, SoftmaxPb<E>) {
        let y = self.log_softmax(dim);
        let pb = SoftmaxPb {
            y: y.clone(),
            dim,
            log: true,
        };
        (y, pb)
    }
    #[track_caller]
    fn layer_norm_vjp(
        &self,
        normalized_shape: &[usize],
        weight: Option<&Tensor<E>>,
        bias: Option<&Tensor<E>>,
        eps: E,
    ) -> (Tensor<E>, LayerNormPb<E>) {
        let LayerNormStats {
            xhat,
            inv_std,
            group,
        } = self.layer_norm_stats(normalized_shape, weight, bias, eps);
        let stats = LayerNormStats {
            xhat: xhat.clone(),
            inv_std: Vec::new(),
            group,
        };
        let y = stats.output(weight, bias);
        let pb = LayerNormPb {
            xhat,
            inv_std,
            group,
            param_shape: normalized_shape.to_vec(),
            weight: weight.cloned(),
            has_bias: bias.is_some(),
        };
        (y, pb)
    }
}

/// Pullback of [`cross_entropy_vjp`]: `g (softmax(logits) - onehot(targets)) / N`.
#[derive(Clone, Debug)]
pub struct CrossEntropyPb<E: Element> {
    logits: Tensor<E>,
    targets: Vec<usize>,
}

impl<E: Element> Pullback for CrossEntropyPb<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        (crate::vjp::table::of::<E>().cross_entropy)(self, g)
    }
}

impl<E: Element> CrossEntropyPb<E> {
    /// The work of [`Pullback::pull`], done by the instantiation of
    /// [`PullbackTable`](crate::vjp::PullbackTable) of `E`.
    pub(crate) fn pull_impl(&self, g: Tensor<E>) -> Tensor<E> {
        let classes = *self.logits.shape().last().expect("logits are 1-D or 2-D");
        let rows = self.targets.len();
        let scale = g.item() / E::of_f64(rows as f64);
        let p = if self.logits.ndim() == 1 {
            self.logits.softmax(0)
        } else {
            self.logits.softmax(1)
        };
        let mut out = p.into_vec();
        for (r, &t) in self.targets.iter().enumerate() {
            out[r * classes + t] = out[r * classes + t] - E::one();
        }
        out.iter_mut().for_each(|v| *v = *v * scale);
        Tensor::from_vec(out, self.logits.shape())
    }
}

/// [`cross_entropy`] differentiated in the logits (the class-index targets are constants).
///
/// ```
/// use autodiff_runtime::vjp::{cross_entropy_vjp, Pullback};
/// use autodiff_runtime::Tensor;
/// let logits = Tensor::from_vec(vec![0.0f64, 0.0], &[1, 2]);
/// let (loss, pb) = cross_entropy_vjp(&logits, &[1]);
/// assert!((loss.item() - 2f64.ln()).abs() < 1e-15);
/// assert_eq!(pb.pull(Tensor::scalar(1.0)).to_vec(), vec![0.5, -0.5]);
/// ```
#[track_caller]
pub fn cross_entropy_vjp<E: Element>(
    logits: &Tensor<E>,
    targets: &[usize],
) -> (Tensor<E>, CrossEntropyPb<E>) {
    cross_entropy_dims(logits, targets);
    let pb = CrossEntropyPb {
        logits: logits.clone(),
        targets: targets.to_vec(),
    };
    (cross_entropy(logits, targets), pb)
}

/// Which element-wise loss a [`PairLossPb`] differentiates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PairLoss {
    Mse,
    BceWithLogits,
}

/// Pullback of the mean element-wise losses `mse_loss` and
/// `binary_cross_entropy_with_logits`, in the activity forms `L` (input) and `R` (target).
#[derive(Clone, Debug)]
pub struct PairLossPb<E: Element, const L: bool, const R: bool> {
    input: Tensor<E>,
    target: Tensor<E>,
    loss: PairLoss,
}

impl<E: Element, const L: bool, const R: bool> PairLossPb<E, L, R> {
    fn grads(&self, g: Tensor<E>) -> (Tensor<E>, Tensor<E>) {
        (crate::vjp::table::of::<E>().pair_loss)(&self.input, &self.target, self.loss, g)
    }
}

/// The gradients of both operands of a [`PairLossPb`] (through
/// [`PullbackTable`](crate::vjp::PullbackTable)).
pub(crate) fn pair_loss_grads<E: Element>(
    a: &Tensor<E>,
    b: &Tensor<E>,
    loss: PairLoss,
    g: Tensor<E>,
) -> (Tensor<E>, Tensor<E>) {
    let s = g.item() / E::of_f64(a.numel() as f64);
    match loss {
        PairLoss::Mse => {
            let ga = a.zip_map(b, |x, y| (s + s) * (x - y));
            let gb = ga.map(|v| -v);
            (ga, gb)
        }
        PairLoss::BceWithLogits => (a.zip_map(b, |x, y| s * (sigmoid(x) - y)), a.map(|x| -s * x)),
    }
}

impl<E: Element> Pullback for PairLossPb<E, true, false> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        self.grads(g).0
    }
}

impl<E: Element> Pullback for PairLossPb<E, false, true> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        self.grads(g).1
    }
}

impl<E: Element> Pullback for PairLossPb<E, true, true> {
    type Cot = Tensor<E>;
    type Grads = (Tensor<E>, Tensor<E>);
    fn pull(&self, g: Tensor<E>) -> (Tensor<E>, Tensor<E>) {
        self.grads(g)
    }
}

macro_rules! pair_loss_forms {
    ($($plain:ident, $kind:expr => $l:ident, $r:ident, $lr:ident;)*) => {$(
        #[doc = concat!("[`", stringify!($plain), "`] differentiated in the input.")]
        #[track_caller]
        pub fn $l<E: Element>(input: &Tensor<E>, target: &Tensor<E>) -> (Tensor<E>, PairLossPb<E, true, false>) {
            pair_loss(input, target, $kind, $plain)
        }
        #[doc = concat!("[`", stringify!($plain), "`] differentiated in the target.")]
        #[track_caller]
        pub fn $r<E: Element>(input: &Tensor<E>, target: &Tensor<E>) -> (Tensor<E>, PairLossPb<E, false, true>) {
            pair_loss(input, target, $kind, $plain)
        }
        #[doc = concat!("[`", stringify!($plain), "`] differentiated in both; the pullback returns `(g_input, g_target)`.")]
        #[track_caller]
        pub fn $lr<E: Element>(input: &Tensor<E>, target: &Tensor<E>) -> (Tensor<E>, PairLossPb<E, true, true>) {
            pair_loss(input, target, $kind, $plain)
        }
    )*};
}

#[track_caller]
fn pair_loss<E: Element, const L: bool, const R: bool>(
    input: &Tensor<E>,
    target: &Tensor<E>,
    loss: PairLoss,
    f: fn(&Tensor<E>, &Tensor<E>) -> Tensor<E>,
) -> (Tensor<E>, PairLossPb<E, L, R>) {
    check_same_shape(
        match loss {
            PairLoss::Mse => "mse_loss",
            PairLoss::BceWithLogits => "binary_cross_entropy_with_logits",
        },
        input,
        target,
    );
    let pb = PairLossPb {
        input: input.clone(),
        target: target.clone(),
        loss,
    };
    (f(input, target), pb)
}

pair_loss_forms! {
    mse_loss, PairLoss::Mse => mse_loss_vjp_l, mse_loss_vjp_r, mse_loss_vjp_lr;
    binary_cross_entropy_with_logits, PairLoss::BceWithLogits =>
        binary_cross_entropy_with_logits_vjp_l,
        binary_cross_entropy_with_logits_vjp_r,
        binary_cross_entropy_with_logits_vjp_lr;
}
