//! Normalisers and losses: `softmax`, `log_softmax` and `layer_norm` as methods, and
//! `cross_entropy`, `mse_loss` and `binary_cross_entropy_with_logits` as functions, all
//! computed stably (shifted by the maximum, or in the `ln(1 + e^{-|x|})` form) and with
//! PyTorch's definitions (mean reduction, biased variance in `layer_norm`).

use super::lanes::Lanes;
use super::reduce_ext::lane_logsumexp;
use super::{Element, Tensor};

impl<T: Element> Tensor<T> {
    /// `exp(x) / Σ exp(x)` along `dim` (PyTorch's `softmax(dim)`), shifted by the maximum of
    /// each lane so large inputs do not overflow.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![1000.0f64, 1000.0, 0.0, 0.0], &[2, 2]);
    /// assert_eq!(x.softmax(1).to_vec(), vec![0.5, 0.5, 0.5, 0.5]);
    /// ```
    #[track_caller]
    pub fn softmax(&self, dim: usize) -> Tensor<T> {
        let lanes = Lanes::along("softmax", self.shape(), dim);
        let src = self.as_slice();
        let mut out = vec![T::zero(); self.numel()];
        lanes.for_each(|_, base| {
            let at = |k: usize| base + k * lanes.inner;
            let m = lane_max(src, base, lanes);
            let mut total = T::zero();
            for k in 0..lanes.size {
                let e = (src[at(k)] - m).exp();
                out[at(k)] = e;
                total = total + e;
            }
            for k in 0..lanes.size {
                out[at(k)] = out[at(k)] / total;
            }
        });
        self.with_same_shape(out)
    }

    /// `x - ln Σ exp(x)` along `dim` (PyTorch's `log_softmax(dim)`), without forming
    /// `ln(softmax)`, so it stays finite where softmax underflows.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![0.0f64, -1000.0], &[2]);
    /// assert_eq!(x.log_softmax(0).to_vec(), vec![0.0, -1000.0]);
    /// ```
    #[track_caller]
    pub fn log_softmax(&self, dim: usize) -> Tensor<T> {
        let lanes = Lanes::along("log_softmax", self.shape(), dim);
        let src = self.as_slice();
        let mut out = vec![T::zero(); self.numel()];
        lanes.for_each(|_, base| {
            let at = |k: usize| base + k * lanes.inner;
            let m = lane_max(src, base, lanes);
            let total: T = (0..lanes.size).map(|k| (src[at(k)] - m).exp()).sum();
            let log_total = total.ln();
            for k in 0..lanes.size {
                out[at(k)] = (src[at(k)] - m) - log_total;
            }
        });
        self.with_same_shape(out)
    }

    /// Layer normalisation over the trailing dimensions `normalized_shape` (PyTorch's
    /// `F.layer_norm(x, normalized_shape, weight, bias, eps)`): each group is shifted to mean 0
    /// and divided by `sqrt(biased variance + eps)`, then scaled by `weight` and shifted by
    /// `bias` (both of shape `normalized_shape`) when given.
    ///
    /// # Panics
    /// If `normalized_shape` is not the tail of the shape, or `weight`/`bias` do not have shape
    /// `normalized_shape`, naming the shapes.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![1.0f64, 3.0, 10.0, 30.0], &[2, 2]);
    /// let y = x.layer_norm(&[2], None, None, 0.0);
    /// assert_eq!(y.to_vec(), vec![-1.0, 1.0, -1.0, 1.0]);
    /// ```
    #[track_caller]
    pub fn layer_norm(
        &self,
        normalized_shape: &[usize],
        weight: Option<&Tensor<T>>,
        bias: Option<&Tensor<T>>,
        eps: T,
    ) -> Tensor<T> {
        let stats = self.layer_norm_stats(normalized_shape, weight, bias, eps);
        stats.output(weight, bias)
    }

    /// The normalised values `x̂` and each group's `1/σ`: what `layer_norm` and its pullback
    /// share.
    #[track_caller]
    pub(crate) fn layer_norm_stats(
        &self,
        normalized_shape: &[usize],
        weight: Option<&Tensor<T>>,
        bias: Option<&Tensor<T>>,
        eps: T,
    ) -> LayerNormStats<T> {
        let shape = self.shape();
        if !shape.ends_with(normalized_shape) || normalized_shape.is_empty() {
            panic!(
                "layer_norm: normalized_shape {normalized_shape:?} does not match the trailing \
                 dimensions of input of shape {shape:?}"
            );
        }
        for (name, p) in [("weight", weight), ("bias", bias)] {
            if let Some(p) = p.filter(|p| p.shape() != normalized_shape) {
                panic!(
                    "layer_norm: {name} of shape {:?} does not match normalized_shape \
                     {normalized_shape:?}",
                    p.shape()
                );
            }
        }
        let m: usize = normalized_shape.iter().product();
        let mf = T::of_f64(m as f64);
        let mut xhat = Vec::with_capacity(self.numel());
        let mut inv_std = Vec::with_capacity(self.numel() / m.max(1));
        for group in self.as_slice().chunks_exact(m.max(1)) {
            let mean = group.iter().copied().sum::<T>() / mf;
            let var = group.iter().map(|&v| (v - mean).powi(2)).sum::<T>() / mf;
            let r = (var + eps).sqrt().recip();
            xhat.extend(group.iter().map(|&v| (v - mean) * r));
            inv_std.push(r);
        }
        LayerNormStats {
            xhat: self.with_same_shape(xhat),
            inv_std,
            group: m,
        }
    }
}

/// What `layer_norm` computes before the affine part.
pub(crate) struct LayerNormStats<T: Element> {
    /// `(x - mean) / σ`, the shape of the input.
    pub(crate) xhat: Tensor<T>,
    /// `1/σ` per group.
    pub(crate) inv_std: Vec<T>,
    /// Elements per group.
    pub(crate) group: usize,
}

impl<T: Element> LayerNormStats<T> {
    /// `x̂ · weight + bias` (each optional), broadcast over the groups.
    pub(crate) fn output(&self, weight: Option<&Tensor<T>>, bias: Option<&Tensor<T>>) -> Tensor<T> {
        let mut out = self.xhat.to_vec();
        for row in out.chunks_exact_mut(self.group.max(1)) {
            if let Some(w) = weight {
                row.iter_mut()
                    .zip(w.as_slice())
                    .for_each(|(v, &w)| *v = *v * w);
            }
            if let Some(b) = bias {
                row.iter_mut()
                    .zip(b.as_slice())
                    .for_each(|(v, &b)| *v = *v + b);
            }
        }
        self.xhat.with_same_shape(out)
    }
}

/// The largest element of a lane (the shift that keeps `exp` from overflowing); 0 when it is
/// not finite (an empty or all-`-inf` lane), where no shift helps.
#[inline]
fn lane_max<T: Element>(src: &[T], base: usize, lanes: Lanes) -> T {
    let m = (0..lanes.size)
        .map(|k| src[base + k * lanes.inner])
        .fold(T::neg_infinity(), T::max);
    if m.is_finite() {
        m
    } else {
        T::zero()
    }
}

/// Checks the logits/targets pair of `cross_entropy` and returns `(rows, classes)`.
#[track_caller]
pub(crate) fn cross_entropy_dims<T: Element>(
    logits: &Tensor<T>,
    targets: &[usize],
) -> (usize, usize) {
    let (rows, classes) = match *logits.shape() {
        [c] => (1, c),
        [n, c] => (n, c),
        _ => panic!(
            "cross_entropy: expected logits of shape [C] or [N, C], got {:?}",
            logits.shape()
        ),
    };
    if targets.len() != rows {
        panic!(
            "cross_entropy: expected {rows} target(s) for logits of shape {:?}, got {}",
            logits.shape(),
            targets.len()
        );
    }
    if let Some(&t) = targets.iter().find(|&&t| t >= classes) {
        panic!(
            "cross_entropy: target {t} is out of bounds for {classes} classes (logits of shape \
             {:?})",
            logits.shape()
        );
    }
    (rows, classes)
}

/// The mean over rows of `-log_softmax(logits)[target]`: PyTorch's `F.cross_entropy(logits,
/// targets)` with class-index targets and `reduction='mean'`. `logits` is `[N, C]` with one
/// target per row, or `[C]` with one target.
///
/// # Panics
/// On a shape mismatch or a target out of range, naming the shapes.
///
/// ```
/// use autodiff_runtime::tensor::cross_entropy;
/// use autodiff_runtime::Tensor;
/// let logits = Tensor::from_vec(vec![0.0f64, 0.0, 5.0, 5.0], &[2, 2]);
/// let loss = cross_entropy(&logits, &[0, 1]);
/// assert!((loss.item() - 2f64.ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn cross_entropy<T: Element>(logits: &Tensor<T>, targets: &[usize]) -> Tensor<T> {
    let (rows, classes) = cross_entropy_dims(logits, targets);
    let src = logits.as_slice();
    let lanes = Lanes::whole(classes);
    let total: T = (0..rows)
        .map(|r| lane_logsumexp(src, r * classes, lanes) - src[r * classes + targets[r]])
        .sum();
    Tensor::scalar(total / T::of_f64(rows as f64))
}

#[track_caller]
pub(crate) fn check_same_shape<T: Element>(op: &str, input: &Tensor<T>, target: &Tensor<T>) {
    if input.shape() != target.shape() {
        panic!(
            "{op}: input and target must have the same shape, got {:?} and {:?}",
            input.shape(),
            target.shape()
        );
    }
}

/// The mean of `(input - target)²` (PyTorch's `F.mse_loss` with `reduction='mean'`).
///
/// # Panics
/// Unless the shapes are equal, naming both.
///
/// ```
/// use autodiff_runtime::tensor::mse_loss;
/// use autodiff_runtime::Tensor;
/// let a = Tensor::from_vec(vec![1.0f32, 2.0], &[2]);
/// let b = Tensor::from_vec(vec![1.0f32, 4.0], &[2]);
/// assert_eq!(mse_loss(&a, &b).item(), 2.0);
/// ```
#[track_caller]
pub fn mse_loss<T: Element>(input: &Tensor<T>, target: &Tensor<T>) -> Tensor<T> {
    check_same_shape("mse_loss", input, target);
    let d = input.zip_map(target, |a, b| (a - b) * (a - b));
    d.mean()
}

/// The mean of `-[y ln σ(x) + (1 - y) ln(1 - σ(x))]`, computed as
/// `max(x, 0) - x y + ln(1 + e^{-|x|})` (PyTorch's `F.binary_cross_entropy_with_logits` with
/// `reduction='mean'`).
///
/// # Panics
/// Unless the shapes are equal, naming both.
///
/// ```
/// use autodiff_runtime::tensor::binary_cross_entropy_with_logits;
/// use autodiff_runtime::Tensor;
/// let x = Tensor::from_vec(vec![0.0f64], &[1]);
/// let y = Tensor::from_vec(vec![1.0f64], &[1]);
/// assert_eq!(binary_cross_entropy_with_logits(&x, &y).item(), 2f64.ln());
/// ```
#[track_caller]
pub fn binary_cross_entropy_with_logits<T: Element>(
    logits: &Tensor<T>,
    targets: &Tensor<T>,
) -> Tensor<T> {
    check_same_shape("binary_cross_entropy_with_logits", logits, targets);
    logits
        .zip_map(targets, |x, y| {
            x.max(T::zero()) - x * y + (-x.abs()).exp().ln_1p()
        })
        .mean()
}
