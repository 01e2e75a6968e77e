use autodiff::prelude::*;

trait Scale<T> {
    fn scale(&self, x: f64) -> f64;
}

struct By2;

// `T` is only in the trait: the generated functions' inherent impl could not constrain it
#[differentiable]
impl<T> Scale<T> for By2 {
    #[differentiable]
    fn scale(&self, x: f64) -> f64 {
        2.0 * x
    }
}

fn main() {}
