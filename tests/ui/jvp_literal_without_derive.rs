use autodiff::prelude::*;

// a struct literal holding dual numbers in a function with `jvp` builds the struct's form at
// dual numbers, which `#[derive(Differentiable)]` gives
#[derive(Clone, Debug)]
struct Pt {
    x: f64,
    y: f64,
}

#[differentiable(jvp)]
fn make(a: f64, b: f64) -> f64 {
    let p = Pt { x: a * b, y: a };
    p.x + p.y
}

fn main() {}
