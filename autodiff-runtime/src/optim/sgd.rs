//! Stochastic gradient descent with momentum, Nesterov momentum and weight decay.

use super::state::{c, pair, Buffer, LeafStates, Slices};
use crate::differentiable::{Differentiable, LeafPath};
use crate::tensor::Element;

/// Stochastic gradient descent, PyTorch's `torch.optim.SGD` (without dampening):
///
/// ```text
/// d = g + weight_decay * p
/// buf = momentum * buf + d                  (buf = d on the first step)
/// d = d + momentum * buf  if nesterov,  else  buf
/// p = p - lr * d
/// ```
///
/// ```
/// use autodiff_runtime::optim::Sgd;
///
/// let mut w = vec![1.0f64, -2.0];
/// let mut opt = Sgd::new(0.1).momentum(0.9).nesterov(true).weight_decay(0.0);
/// opt.step(&mut w, &vec![1.0, 1.0]);
/// // d = 1, buf = 1, nesterov d = 1 + 0.9 * 1 = 1.9, p = p - 0.19
/// assert!((w[0] - 0.81).abs() < 1e-12);
/// assert!((w[1] + 2.19).abs() < 1e-12);
/// ```
#[derive(Clone, Debug)]
pub struct Sgd {
    lr: f64,
    momentum: f64,
    nesterov: bool,
    weight_decay: f64,
    states: LeafStates<1>,
    steps: u64,
    path: LeafPath,
}

/// The hyper-parameters of one step, copied out so the state can be borrowed mutably.
#[derive(Clone, Copy)]
struct Hyper {
    lr: f64,
    momentum: f64,
    nesterov: bool,
    weight_decay: f64,
}

impl Sgd {
    /// Plain gradient descent with learning rate `lr` (`p -= lr * g`).
    ///
    /// ```
    /// use autodiff_runtime::optim::Sgd;
    /// let mut x = 1.0f32;
    /// Sgd::new(0.5).step(&mut x, &2.0);
    /// assert_eq!(x, 0.0);
    /// ```
    pub fn new(lr: f64) -> Self {
        Sgd {
            lr,
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0,
            states: LeafStates::default(),
            steps: 0,
            path: LeafPath::new(),
        }
    }

    /// Heavy-ball momentum factor (PyTorch's `momentum`, typically 0.9).
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// Nesterov momentum (needs a non-zero [`momentum`](Self::momentum)).
    pub fn nesterov(mut self, on: bool) -> Self {
        self.nesterov = on;
        self
    }

    /// L2 penalty: `weight_decay * p` is added to the gradient.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// The learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Changes the learning rate (for a schedule); the state is kept.
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }

    /// The number of steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Updates every leaf of `params` in place from the matching leaf of `grads`.
    ///
    /// # Panics
    /// If `nesterov` is set without momentum, or if `params` is not the model this optimizer
    /// stepped before (a leaf changed size), naming the leaf.
    #[track_caller]
    pub fn step<P: Differentiable + ?Sized>(&mut self, params: &mut P, grads: &P::Tangent) {
        const OP: &str = "Sgd::step";
        if self.nesterov && self.momentum <= 0.0 {
            panic!(
                "{OP}: Nesterov momentum requires a momentum > 0 (got {})",
                self.momentum
            );
        }
        let h = Hyper {
            lr: self.lr,
            momentum: self.momentum,
            nesterov: self.nesterov,
            weight_decay: self.weight_decay,
        };
        let states = &mut self.states;
        let mut index = 0;
        self.path.clear();
        params.zip_leaves_mut(grads, &mut self.path, &mut |path, p, g| {
            let slices = pair(OP, path, p, g);
            if h.momentum == 0.0 {
                match slices {
                    Slices::F32(p, g) => update(p, g, None, h),
                    Slices::F64(p, g) => update(p, g, None, h),
                }
            } else {
                let [buf] = states.get(OP, index, path, &slices);
                match (slices, buf) {
                    (Slices::F32(p, g), Buffer::F32(b)) => update(p, g, Some(b), h),
                    (Slices::F64(p, g), Buffer::F64(b)) => update(p, g, Some(b), h),
                    _ => unreachable!("LeafStates::get checks the element type"),
                }
            }
            index += 1;
        });
        if h.momentum != 0.0 {
            self.states.check_count(OP, index);
        }
        self.steps += 1;
    }
}

/// One leaf's update. The momentum buffer starts at zero, so `momentum * 0 + d` makes the first
/// step's buffer `d`, as in PyTorch.
#[inline]
fn update<E: Element>(p: &mut [E], g: &[E], buf: Option<&mut [E]>, h: Hyper) {
    let (lr, wd, mu) = (c::<E>(h.lr), c::<E>(h.weight_decay), c::<E>(h.momentum));
    match buf {
        None => {
            for (p, &g) in p.iter_mut().zip(g) {
                *p = *p - lr * (g + wd * *p);
            }
        }
        Some(buf) => {
            for ((p, &g), b) in p.iter_mut().zip(g).zip(buf) {
                let d = g + wd * *p;
                *b = mu * *b + d;
                let d = if h.nesterov { d + mu * *b } else { *b };
                *p = *p - lr * d;
            }
        }
    }
}
