//! Adam with bias correction, L2 weight decay or decoupled weight decay (AdamW).

use super::state::{c, pair, Buffer, LeafStates, Slices};
use crate::differentiable::{Differentiable, LeafPath};
use crate::tensor::Element;

/// Adam (Kingma & Ba), PyTorch's `torch.optim.Adam` / `AdamW`, at step `t = 1, 2, ...`:
///
/// ```text
/// p = p * (1 - lr * weight_decay)            if decoupled (AdamW)
/// g = g + weight_decay * p                   otherwise (L2, Adam)
/// m = beta1 * m + (1 - beta1) * g
/// v = beta2 * v + (1 - beta2) * g^2
/// p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
/// ```
///
/// Defaults: `betas = (0.9, 0.999)`, `eps = 1e-8`, no weight decay.
///
/// ```
/// use autodiff_runtime::optim::Adam;
/// use autodiff_runtime::Tensor;
///
/// let mut w = Tensor::<f64>::from_vec(vec![1.0, -1.0], &[2]);
/// let mut opt = Adam::new(0.1);
/// opt.step(&mut w, &Tensor::from_vec(vec![4.0, -0.5], &[2]));
/// // the first bias-corrected step moves every element by about lr, against its gradient
/// assert!((w.as_slice()[0] - 0.9).abs() < 1e-6);
/// assert!((w.as_slice()[1] + 0.9).abs() < 1e-6);
/// ```
#[derive(Clone, Debug)]
pub struct Adam {
    h: Hyper,
    states: LeafStates<2>,
    steps: u64,
    path: LeafPath,
}

/// The hyper-parameters.
#[derive(Clone, Copy, Debug)]
struct Hyper {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    decoupled: bool,
}

impl Adam {
    /// Adam with learning rate `lr` and PyTorch's defaults.
    ///
    /// ```
    /// use autodiff_runtime::optim::Adam;
    /// let mut x = 1.0f64;
    /// Adam::new(0.01).step(&mut x, &3.0);
    /// assert!((x - 0.99).abs() < 1e-9);
    /// ```
    pub fn new(lr: f64) -> Self {
        Adam {
            h: Hyper {
                lr,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
                weight_decay: 0.0,
                decoupled: false,
            },
            states: LeafStates::default(),
            steps: 0,
            path: LeafPath::new(),
        }
    }

    /// AdamW: decoupled weight decay with PyTorch's default `weight_decay = 0.01`
    /// (`Adam::new(lr).weight_decay(0.01).decoupled_weight_decay(true)`).
    ///
    /// ```
    /// use autodiff_runtime::optim::Adam;
    /// let mut x = 1.0f64;
    /// Adam::adamw(0.1).step(&mut x, &0.0); // zero gradient: only the decay acts
    /// assert!((x - (1.0 - 0.1 * 0.01)).abs() < 1e-12);
    /// ```
    pub fn adamw(lr: f64) -> Self {
        Adam::new(lr)
            .weight_decay(0.01)
            .decoupled_weight_decay(true)
    }

    /// The decay rates of the first and second moment estimates.
    pub fn betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.h.beta1 = beta1;
        self.h.beta2 = beta2;
        self
    }

    /// The term added to the denominator for numerical stability.
    pub fn eps(mut self, eps: f64) -> Self {
        self.h.eps = eps;
        self
    }

    /// Weight decay: an L2 penalty added to the gradient (Adam), or, with
    /// [`decoupled_weight_decay`](Self::decoupled_weight_decay), a decay of the weights
    /// themselves (AdamW).
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.h.weight_decay = weight_decay;
        self
    }

    /// Decouples the weight decay from the gradient (AdamW, Loshchilov & Hutter).
    pub fn decoupled_weight_decay(mut self, on: bool) -> Self {
        self.h.decoupled = on;
        self
    }

    /// The learning rate.
    pub fn lr(&self) -> f64 {
        self.h.lr
    }

    /// Changes the learning rate (for a schedule); the moment estimates are kept.
    pub fn set_lr(&mut self, lr: f64) {
        self.h.lr = lr;
    }

    /// The number of steps taken (the `t` of the bias correction is `steps() + 1` next).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Updates every leaf of `params` in place from the matching leaf of `grads`.
    ///
    /// # Panics
    /// If `params` is not the model this optimizer stepped before (a leaf changed size),
    /// naming the leaf.
    #[track_caller]
    pub fn step<P: Differentiable + ?Sized>(&mut self, params: &mut P, grads: &P::Tangent) {
        const OP: &str = "Adam::step";
        let t = (self.steps + 1) as i32;
        let h = self.h;
        let bias = Bias {
            step_size: h.lr / (1.0 - h.beta1.powi(t)),
            sqrt_bc2: (1.0 - h.beta2.powi(t)).sqrt(),
        };
        let states = &mut self.states;
        let mut index = 0;
        self.path.clear();
        params.zip_leaves_mut(grads, &mut self.path, &mut |path, p, g| {
            let slices = pair(OP, path, p, g);
            let [m, v] = states.get(OP, index, path, &slices);
            match (slices, m, v) {
                (Slices::F32(p, g), Buffer::F32(m), Buffer::F32(v)) => update(p, g, m, v, h, bias),
                (Slices::F64(p, g), Buffer::F64(m), Buffer::F64(v)) => update(p, g, m, v, h, bias),
                _ => unreachable!("LeafStates::get checks the element type"),
            }
            index += 1;
        });
        self.states.check_count(OP, index);
        self.steps += 1;
    }
}

/// The bias corrections of one step.
#[derive(Clone, Copy)]
struct Bias {
    /// `lr / (1 - beta1^t)`
    step_size: f64,
    /// `sqrt(1 - beta2^t)`
    sqrt_bc2: f64,
}

/// One leaf's update.
#[inline]
fn update<E: Element>(p: &mut [E], g: &[E], m: &mut [E], v: &mut [E], h: Hyper, bias: Bias) {
    let (b1, b2, eps, wd) = (
        c::<E>(h.beta1),
        c::<E>(h.beta2),
        c::<E>(h.eps),
        c::<E>(h.weight_decay),
    );
    let (step_size, sqrt_bc2) = (c::<E>(bias.step_size), c::<E>(bias.sqrt_bc2));
    let decay = c::<E>(1.0 - h.lr * h.weight_decay);
    let one = E::one();
    for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m).zip(v) {
        let g = if h.decoupled {
            *p = *p * decay;
            g
        } else {
            g + wd * *p
        };
        *m = b1 * *m + (one - b1) * g;
        *v = b2 * *v + (one - b2) * g * g;
        *p = *p - step_size * *m / (v.sqrt() / sqrt_bc2 + eps);
    }
}
