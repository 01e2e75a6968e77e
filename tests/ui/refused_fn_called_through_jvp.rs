use autodiff::prelude::*;

// A refused function still gets `f_jvp` / `f_hvp` with the right signatures, so their callers
// type-check and the user sees only the real error.
#[differentiable(jvp, hvp)]
fn f(x: &Tensor<f64>) -> Tensor<f64> {
    let y = unsafe { std::ptr::read(x) };
    (y * x).sum()
}

fn main() {
    let x = Tensor::from_vec(vec![1.0, 2.0], &[2]);
    let (_y, _jv) = f_jvp(&x, &x);
    let (_y, _g, _hv) = f_hvp(&x, &x);
}
