//! Trainable parameters: a tensor plus an accumulated gradient, and `no_grad`.

use crate::tensor::{Element, Tensor};
use std::ops::Deref;

/// A trainable tensor with an optional accumulated gradient (PyTorch's `requires_grad=True`
/// leaf, with `.grad`).
///
/// `Param<T>` dereferences to [`Tensor<T>`], so `&param` goes wherever `&Tensor<T>` does.
/// Gradients from `NAME_grad` calls are added with [`accumulate`](Param::accumulate) and
/// cleared with [`zero_grad`](Param::zero_grad) (PyTorch 2's default `set_to_none=True`: the
/// gradient becomes `None`) or [`zero_grad_to_zeros`](Param::zero_grad_to_zeros) (PyTorch's
/// `x.grad.zero_()`: a zero tensor is kept); the value is changed outside any gradient
/// computation through [`value_mut`](Param::value_mut) (PyTorch's `x.data -= lr * x.grad`).
///
/// ```
/// use autodiff_runtime::{Param, Tensor};
///
/// let mut w = Param::new(Tensor::from_vec(vec![1.0f32, 2.0], &[2]));
/// assert!(w.grad().is_none());
/// w.accumulate(&Tensor::from_vec(vec![0.5, 0.5], &[2]));
/// w.accumulate(&Tensor::from_vec(vec![0.5, 1.5], &[2]));
/// assert_eq!(w.grad().unwrap().to_vec(), vec![1.0, 2.0]);
///
/// // one step of gradient descent
/// let step = w.grad().unwrap() * 0.1;
/// *w.value_mut() -= &step;
/// w.zero_grad();                               // PyTorch 2: the gradient is gone
/// assert_eq!(w.to_vec(), vec![0.9, 1.8]);       // Deref to the tensor
/// assert!(w.grad().is_none());
/// ```
#[derive(Clone)]
pub struct Param<T: Element = f32> {
    value: Tensor<T>,
    grad: Option<Tensor<T>>,
}

impl<T: Element> Param<T> {
    /// A parameter holding `value`, with no gradient yet.
    pub fn new(value: Tensor<T>) -> Self {
        Param { value, grad: None }
    }

    /// The value.
    pub fn value(&self) -> &Tensor<T> {
        &self.value
    }

    /// The value, for changing it outside any gradient computation (an optimiser step).
    /// Copy-on-write: a tensor that shares the old buffer keeps its contents.
    pub fn value_mut(&mut self) -> &mut Tensor<T> {
        &mut self.value
    }

    /// The parameter's value, consuming it.
    pub fn into_value(self) -> Tensor<T> {
        self.value
    }

    /// The accumulated gradient: `None` until the first [`accumulate`](Self::accumulate).
    pub fn grad(&self) -> Option<&Tensor<T>> {
        self.grad.as_ref()
    }

    /// Adds `grad` to the accumulated gradient (the first call stores it, as an O(1) clone).
    /// Later calls add in place while the gradient's buffer is not shared.
    ///
    /// # Panics
    /// If `grad`'s shape differs from the parameter's, naming both.
    #[track_caller]
    pub fn accumulate(&mut self, grad: &Tensor<T>) {
        if grad.shape() != self.value.shape() {
            panic!(
                "Param::accumulate: gradient of shape {:?} does not match the parameter's shape {:?}",
                grad.shape(),
                self.value.shape()
            );
        }
        match &mut self.grad {
            Some(acc) => *acc += grad,
            None => self.grad = Some(grad.clone()),
        }
    }

    /// Clears the gradient: [`grad`](Self::grad) is `None` afterwards, like PyTorch 2's
    /// `x.grad = None` / `optimizer.zero_grad()` (whose default is `set_to_none=True`). The next
    /// [`accumulate`](Self::accumulate) stores its gradient as an O(1) clone instead of adding
    /// to zeros, and no memory is held between steps.
    ///
    /// To keep a zero tensor instead (PyTorch's `x.grad.zero_()`, or `zero_grad(set_to_none=False)`),
    /// use [`zero_grad_to_zeros`](Self::zero_grad_to_zeros).
    ///
    /// ```
    /// use autodiff_runtime::{Param, Tensor};
    ///
    /// let mut w = Param::new(Tensor::<f32>::zeros(&[2]));
    /// w.accumulate(&Tensor::ones(&[2]));
    /// w.zero_grad();
    /// assert!(w.grad().is_none());
    /// ```
    pub fn zero_grad(&mut self) {
        self.grad = None;
    }

    /// Sets the gradient to zeros, keeping a zero tensor of the parameter's shape (PyTorch's
    /// `x.grad.zero_()`, or `zero_grad(set_to_none=False)`), in place when the gradient buffer is
    /// not shared. Does nothing while there is no gradient (before the first accumulation or
    /// after [`zero_grad`](Self::zero_grad)).
    ///
    /// ```
    /// use autodiff_runtime::{Param, Tensor};
    ///
    /// let mut w = Param::new(Tensor::<f32>::zeros(&[2]));
    /// w.zero_grad_to_zeros();
    /// assert!(w.grad().is_none());                  // nothing to zero yet
    /// w.accumulate(&Tensor::ones(&[2]));
    /// w.zero_grad_to_zeros();
    /// assert_eq!(w.grad().unwrap().to_vec(), vec![0.0, 0.0]);
    /// ```
    pub fn zero_grad_to_zeros(&mut self) {
        if let Some(g) = &mut self.grad {
            match g.unique_slice_mut() {
                Some(data) => data.fill(T::zero()),
                None => *g = g.zeros_like(),
            }
        }
    }

    /// Removes and returns the gradient, leaving `None`.
    pub fn take_grad(&mut self) -> Option<Tensor<T>> {
        self.grad.take()
    }
}

impl<T: Element> Deref for Param<T> {
    type Target = Tensor<T>;
    fn deref(&self) -> &Tensor<T> {
        &self.value
    }
}

impl<T: Element> AsRef<Tensor<T>> for Param<T> {
    fn as_ref(&self) -> &Tensor<T> {
        &self.value
    }
}

impl<T: Element> From<Tensor<T>> for Param<T> {
    fn from(value: Tensor<T>) -> Self {
        Param::new(value)
    }
}

impl<T: Element> std::fmt::Debug for Param<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Param")
            .field("value", &self.value)
            .field("grad", &self.grad)
            .finish()
    }
}

impl<T: Element> std::fmt::Display for Param<T> {
    /// The value, printed like a tensor.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.value, f)
    }
}

/// Runs `f` and returns its result: a computation whose result is treated as a constant.
///
/// Outside a differentiable function this simply runs the closure. Inside a `#[differentiable]`
/// function, the macro treats the result of `no_grad(|| ...)` as a constant (no gradient flows
/// through it), like PyTorch's `with torch.no_grad():`, and the closure may call anything,
/// including functions that have no derivative.
///
/// ```
/// use autodiff_runtime::{no_grad, Tensor};
///
/// let x = Tensor::<f32>::arange(4);
/// let scale = no_grad(|| x.norm().item());
/// assert_eq!(scale, 14.0f32.sqrt());
/// ```
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accumulation_adds_in_place() {
        let mut p = Param::new(Tensor::<f32>::zeros(&[2]));
        p.zero_grad();
        assert!(p.grad().is_none());
        p.accumulate(&Tensor::ones(&[2]));
        let g = Tensor::ones(&[2]);
        p.accumulate(&g);
        let ptr = p.grad().unwrap().as_slice().as_ptr();
        p.accumulate(&g);
        assert_eq!(p.grad().unwrap().as_slice().as_ptr(), ptr);
        assert_eq!(p.grad().unwrap().to_vec(), vec![3.0, 3.0]);
        assert_eq!(g.to_vec(), vec![1.0, 1.0]);
        p.zero_grad_to_zeros();
        assert_eq!(p.grad().unwrap().as_slice().as_ptr(), ptr);
        assert_eq!(p.grad().unwrap().to_vec(), vec![0.0, 0.0]);
        assert_eq!(p.take_grad().unwrap().shape(), &[2]);
        assert!(p.grad().is_none());
    }

    #[test]
    fn zero_grad_sets_the_gradient_to_none() {
        let mut p = Param::new(Tensor::<f32>::zeros(&[2]));
        p.accumulate(&Tensor::ones(&[2]));
        p.zero_grad();
        assert!(p.grad().is_none());
        // the next gradient is stored as is, not added to zeros
        let g = Tensor::from_vec(vec![2.0, 3.0], &[2]);
        p.accumulate(&g);
        assert!(p.grad().unwrap().shares_storage_with(&g));
    }

    #[test]
    fn first_gradient_is_shared_not_mutated() {
        let g = Tensor::from_vec(vec![1.0f64, 2.0], &[2]);
        let mut p = Param::new(Tensor::<f64>::zeros(&[2]));
        p.accumulate(&g);
        p.accumulate(&g);
        p.zero_grad_to_zeros();
        assert_eq!(g.to_vec(), vec![1.0, 2.0]);
        // the first gradient is still shared: zeroing copies instead of writing into `g`
        let mut q = Param::new(Tensor::<f64>::zeros(&[2]));
        q.accumulate(&g);
        q.zero_grad_to_zeros();
        assert_eq!(g.to_vec(), vec![1.0, 2.0]);
        assert_eq!(q.grad().unwrap().to_vec(), vec![0.0, 0.0]);
    }

    #[test]
    fn value_mut_is_copy_on_write() {
        let v = Tensor::<f32>::ones(&[2]);
        let mut p = Param::from(v.clone());
        *p.value_mut() *= 100.0;
        assert_eq!(p.to_vec(), vec![100.0, 100.0]);
        assert_eq!(v.to_vec(), vec![1.0, 1.0]);
        let sum = (&*p + &v).sum().item();
        assert_eq!(sum, 202.0);
        assert_eq!(p.to_string(), "tensor([100., 100.])");
    }

    #[test]
    #[should_panic(
        expected = "Param::accumulate: gradient of shape [3] does not match the parameter's shape [2]"
    )]
    fn accumulate_checks_shapes() {
        Param::new(Tensor::<f32>::zeros(&[2])).accumulate(&Tensor::zeros(&[3]));
    }
}
