// A refused function still gets `f_vjp` / `f_grad` with the right signatures (whose bodies are
// the errors), so its callers type-check and the user sees exactly one error.
use autodiff::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = unsafe { std::ptr::read(&x) };
    y * x
}

fn main() {
    let (y, dx) = f_grad(2.0);
    let (_, pb) = f_vjp(2.0);
    let dx2: f64 = pb(1.0);
    println!("{} {} {}", y + 1.0, dx * 2.0, dx2);
}
