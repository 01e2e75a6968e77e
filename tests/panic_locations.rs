//! A runtime error inside `NAME_vjp` / `NAME_grad` points at the user's line: the VJP forms are
//! `#[track_caller]`, and the generated calls carry the span of the user's operation.

use autodiff::prelude::*;
use std::sync::{Arc, Mutex};

#[differentiable]
fn bad_product(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    let c = a.mm(b); // line 9: the shapes do not fit
    (&c + a).sum()
}

#[differentiable]
fn bad_sum(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    (a + b).sum() // line 15: no broadcast between [2, 3] and [4]
}

/// Where `f` panics, and the message.
fn panic_site(f: impl FnOnce() + std::panic::UnwindSafe) -> (String, u32, String) {
    let seen = Arc::new(Mutex::new(None));
    let s = seen.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let loc = info.location().expect("a location");
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        *s.lock().unwrap() = Some((loc.file().to_string(), loc.line(), msg));
    }));
    let r = std::panic::catch_unwind(f);
    std::panic::set_hook(previous);
    assert!(r.is_err(), "expected a panic");
    let got = seen.lock().unwrap().take().expect("the hook ran");
    got
}

#[test]
fn shape_errors_point_at_the_users_operation() {
    let a = Tensor::<f64>::zeros(&[2, 3]);
    let (file, line, msg) = panic_site(|| {
        let _ = bad_product_grad(&a, &Tensor::zeros(&[4, 2]));
    });
    assert!(file.ends_with("panic_locations.rs"), "{file}");
    assert_eq!(line, 9, "{msg}");
    assert!(msg.contains("mm"), "{msg}");
    let (file, line, msg) = panic_site(|| {
        let _ = bad_sum_grad(&a, &Tensor::zeros(&[4]));
    });
    assert!(file.ends_with("panic_locations.rs"), "{file}");
    assert_eq!(line, 15, "{msg}");
}
