//! Runs every example's logic and asserts what it prints, so an example cannot silently rot.
//!
//! Each example keeps its logic in functions (`run`, `train`, `plot`) that return what it
//! prints; they are compiled into this test with `#[path]`, so no nested `cargo` is needed.

// Each seed example includes `examples/common/mod.rs` itself (it is its own crate when run with
// `cargo run --example`), so this test crate holds several copies of that module.
#![allow(clippy::duplicate_mod)]

#[path = "../examples/checkpointed_loop.rs"]
mod checkpointed_loop;
#[path = "../examples/plot_derivative.rs"]
mod plot_derivative;
#[path = "../examples/quickstart.rs"]
mod quickstart;
#[path = "../examples/seed_000_mm_control_flow_exercises.rs"]
mod seed_000;
#[path = "../examples/seed_001_accumulate_no_grad_data.rs"]
mod seed_001;
#[path = "../examples/seed_002_dot_detach_control_flow.rs"]
mod seed_002;
#[path = "../examples/seed_003_dot_detach_annotated.rs"]
mod seed_003;
#[path = "../examples/seed_004_blitz_vector_backward.rs"]
mod seed_004;
#[path = "../examples/train_linear_regression.rs"]
mod train_linear_regression;

const TRUE4: &str = "tensor([True, True, True, True])";

#[test]
fn checkpointed_loop_gives_the_recorded_gradient_bit_for_bit() {
    // the example runs 10^7 steps in release; here, enough for 20 blocks and a partial one
    let (checkpointed, recorded) = checkpointed_loop::both(20_050, 1000);
    assert_eq!(checkpointed, recorded);
    assert!(recorded.1 .1 > 0.0 && recorded.1 .2 < 0.0);
}

#[test]
fn quickstart_prints_28_and_4x() {
    let (x, y, dx) = quickstart::run();
    assert_eq!(x.to_string(), "tensor([0., 1., 2., 3.])");
    assert_eq!(y.to_string(), "tensor(28.)");
    assert_eq!(dx.to_string(), "tensor([ 0.,  4.,  8., 12.])");
}

#[test]
fn seed_000_gradient_control_flow_and_exercises() {
    let (nb, ex) = seed_000::run();
    assert_eq!(
        nb.output("In [8]"),
        "tensor([[0.],\n        [1.],\n        [2.],\n        [3.]])"
    );
    assert_eq!(
        nb.output("In [12]"),
        "tensor([[ 0.],\n        [ 4.],\n        [ 8.],\n        [12.]])"
    );
    assert_eq!(nb.output("In [16]"), "tensor([True])");
    // Exercise 1: the gradient is k in every element, k = c / a up to rounding; k·v for any v.
    assert!(ex.vector_check && ex.matrix_check);
    assert_eq!(ex.weighted_check.to_string(), "tensor([True, True, True])");
    let out = nb.output("Exercise 1");
    assert!(
        out.contains("a.grad = tensor([409600., 409600., 409600.])"),
        "{out}"
    );
    assert!(
        out.contains("a.grad = tensor([[512., 512., 512.],\n        [512., 512., 512.]])"),
        "{out}"
    );
    assert_eq!(
        nb.output("Exercise 1b"),
        "k = 409600\ntensor([True, True, True])"
    );
    // Exercise 2: Newton's √a and repeated squaring match their closed-form derivatives.
    assert_eq!(ex.newton.len(), 4);
    for (a, da, expected) in ex.newton {
        assert!(
            (da - expected).abs() <= 1e-12 * expected,
            "d√a/da at {a}: {da} vs {expected}"
        );
    }
    for (x, n, dx, expected) in ex.powers {
        assert!(
            (dx - expected).abs() <= 1e-12 * expected.abs().max(1.0),
            "d(x^n)/dx at {x}, {n}: {dx} vs {expected}"
        );
    }
}

#[test]
fn seed_001_accumulation_backward_v_no_grad_data() {
    let nb = seed_001::run();
    assert_eq!(nb.output("In [2]"), "tensor([[1., 1.],\n        [1., 1.]])");
    let in3 = nb.output("In [3]");
    assert!(
        in3.starts_with("tensor([[3., 3.],\n        [3., 3.]])\n"),
        "{in3}"
    );
    assert!(in3.ends_with("add_two_vjp::{{closure}}"), "{in3}"); // the grad_fn counterpart
    assert_eq!(
        nb.output("In [6]"),
        "tensor([[27., 27.],\n        [27., 27.]])\ntensor(27.)"
    );
    assert!(nb.output("In [7]").ends_with("b_of_vjp::{{closure}}"));
    assert_eq!(
        nb.output("In [10]"),
        "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])"
    );
    // Run once in order: 4.5 + 1; run again (as the notebook did): 1 + 1.
    assert_eq!(
        nb.output("In [15] (first run)"),
        "tensor([[5.5000, 5.5000],\n        [5.5000, 5.5000]])\ntensor([[1., 1.],\n        [1., 1.]])"
    );
    assert_eq!(
        nb.output("In [15]"),
        "tensor([[2., 2.],\n        [2., 2.]])\ntensor([[1., 1.],\n        [1., 1.]])"
    );
    assert_eq!(
        nb.output("In [16]"),
        "tensor([1., 2., 3., 4.])\ntensor([2., 4., 6., 8.])\ntensor([[2., 4.],\n        [6., 8.]])"
    );
    assert_eq!(
        nb.output("In [18]"),
        "tensor([2.0000, 0.2000, 0.0200, 0.0020])"
    );
    // no_grad: y1, y2, y3, then x.grad == 2 (not 5).
    assert_eq!(
        nb.output("In [21]"),
        "tensor(1.)\ntensor(1.)\ntensor(2.)\ntensor(2.)"
    );
    // value_mut (x.data *= 100) changes the value, not the gradient.
    assert_eq!(
        nb.output("In [25]"),
        "tensor([1.])\ntensor([100.])\ntensor([2.])"
    );
}

#[test]
fn seed_002_dot_detach_control_flow() {
    let nb = seed_002::run();
    assert_eq!(nb.output("In [42]"), "tensor([0., 1., 2., 3.])");
    assert_eq!(nb.output("In [43]"), "None");
    assert_eq!(nb.output("In [44]"), "tensor(28.)");
    assert_eq!(nb.output("In [45]"), "tensor([ 0.,  4.,  8., 12.])");
    assert_eq!(nb.output("In [46]"), TRUE4);
    assert_eq!(nb.output("In [47]"), "tensor([0., 1., 2., 3.])");
    assert_eq!(
        nb.output("In [52]"),
        "(tensor([1., 1., 1., 1.]), tensor(6.))"
    );
    assert_eq!(
        nb.output("In [60]"),
        "'x: tensor([0., 1., 2., 3.]), y: tensor([0., 1., 4., 9.]), y.sum: 14.0'"
    );
    assert_eq!(nb.output("In [61]"), "tensor([0., 2., 4., 6.])");
    // detach: x.grad == u, and u has no gradient.
    assert_eq!(
        nb.output("In [65]"),
        format!("({TRUE4}, tensor([0., 1., 4., 9.]), None)")
    );
    assert_eq!(nb.output("In [51]"), TRUE4);
    // Seeded a (the notebook's was random): d = k·a, and the gradient is d / a.
    assert_eq!(
        nb.output("In [74]"),
        "(tensor(-143597.9844), tensor(-0.0055))"
    );
    assert_eq!(nb.output("In [73]"), "tensor(True)");
}

#[test]
fn seed_003_dot_detach_annotated() {
    let nb = seed_003::run();
    assert_eq!(nb.output("In [14]"), "tensor([0., 1., 2., 3.])");
    assert_eq!(
        nb.output("In [16]"),
        "tensor([0., 1., 2., 3.])\nNone\ntensor(14.)\ntensor(28.)"
    );
    assert_eq!(nb.output("In [18]"), TRUE4);
    assert_eq!(nb.output("In [19]"), "tensor([1., 1., 1., 1.])");
    assert_eq!(
        nb.output("In [20]"),
        "tensor([0., 1., 4., 9.])\ntensor([0., 2., 4., 6.])"
    );
    assert_eq!(nb.output("In [8]"), TRUE4); // detach inside the differentiable function
    assert_eq!(nb.output("In [9]"), TRUE4);
    assert_eq!(
        nb.output("In [22]"),
        "tensor(0.0200)\ntensor(1309.3507)\ntensor(True)"
    );
}

#[test]
fn seed_004_blitz() {
    let (nb, check) = seed_004::run();
    assert_eq!(nb.output("In [2]"), "tensor([[1., 1.],\n        [1., 1.]])");
    assert_eq!(nb.output("In [3]"), "tensor([[3., 3.],\n        [3., 3.]])");
    assert!(nb.output("In [4]").ends_with("add_two_vjp::{{closure}}"));
    assert_eq!(
        nb.output("In [5]"),
        "tensor([[27., 27.],\n        [27., 27.]]) tensor(27.)"
    );
    assert_eq!(
        nb.output("In [7]"),
        "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])"
    );
    assert_eq!(
        nb.output("In [8]"),
        "tensor([-231.8120, 1357.1102, -506.1653])"
    );
    // The notebook's 51.2, 512, 0.0512 (PyTorch today picks scientific notation for them).
    assert_eq!(
        nb.output("In [9]"),
        "tensor([5.1200e+01, 5.1200e+02, 5.1200e-02])\nk = 512; x.grad == k * gradients: tensor([True, True, True])"
    );
    assert!(check.all());
}

#[test]
fn plot_derivative_is_cos_and_writes_svg_and_png() {
    let dir = std::env::temp_dir().join(format!("autodiff-plot-{}", std::process::id()));
    for file in ["plot.svg", "plot.png"] {
        let path = dir.join(file);
        let s = plot_derivative::plot(path.to_str().unwrap()).unwrap();
        assert_eq!(s.x.len(), 401);
        assert!(s.max_error < 1e-5, "max |df/dx - cos x| = {}", s.max_error);
        assert!(std::fs::metadata(&path).unwrap().len() > 1000);
    }
    let svg = std::fs::read_to_string(dir.join("plot.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("df/dx"));
    let png = std::fs::read(dir.join("plot.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn train_linear_regression_converges() {
    let t = train_linear_regression::train(3);
    assert_eq!(t.losses.len(), 3);
    assert!(t.losses.windows(2).all(|w| w[1] < w[0]), "{:?}", t.losses);
    assert!(
        *t.losses.last().unwrap() < train_linear_regression::LOSS_THRESHOLD,
        "{:?}",
        t.losses
    );
    let w = t.w.as_slice();
    for (learned, truth) in w.iter().zip(train_linear_regression::TRUE_W) {
        assert!((learned - truth).abs() < 5e-3, "w = {:?}", w);
    }
    assert!(
        (t.b - train_linear_regression::TRUE_B).abs() < 5e-3,
        "b = {}",
        t.b
    );
}
