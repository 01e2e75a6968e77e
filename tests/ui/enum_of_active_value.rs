use autodiff::prelude::*;

enum Shape {
    Circle(f64),
    Square(f64),
}

#[differentiable]
fn f(x: f64) -> f64 {
    let s = Shape::Circle(x * 2.0);
    match s {
        Shape::Circle(r) => r * r,
        Shape::Square(a) => a,
    }
}

fn main() {}
