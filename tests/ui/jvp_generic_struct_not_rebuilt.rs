use autodiff::prelude::*;

// a differentiated field of a fixed type (`k: f64`): the struct keeps its twin at dual numbers,
// and cannot be rebuilt as `Cfg<Dual<T>>` for a generic function's forward mode
#[derive(Clone, Differentiable)]
struct Cfg<T: Float> {
    w: T,
    k: f64,
}

#[differentiable(wrt(p, x), jvp)]
fn f<T: Float>(p: &Cfg<T>, x: T) -> T {
    p.w * x
}

fn main() {
    let p = Cfg { w: 1.0, k: 2.0 };
    let _ = p.k;
    let _ = f_jvp(&p, 0.5, &CfgTangent { w: 1.0, k: 0.0 }, 1.0);
}
