use autodiff::prelude::*;

struct Table {
    k: f64,
}

impl Table {
    // not `#[differentiable]`: no `lookup_vjp`
    fn lookup(&self, x: f64) -> f64 {
        self.k * x.floor()
    }
}

#[differentiable(wrt(x))]
fn f(t: &Table, x: f64) -> f64 {
    t.lookup(x) * 2.0
}

fn main() {}
