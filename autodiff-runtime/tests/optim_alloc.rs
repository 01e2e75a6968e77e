//! After the first step, an optimizer step allocates nothing for tensors whose buffers are not
//! shared (counted by `allocation-counter`'s global allocator, on this thread only, so tests
//! running in parallel do not disturb the count).

use autodiff_runtime::optim::{Adam, Sgd};
use autodiff_runtime::Tensor;
type Model = (Vec<(Tensor<f32>, Tensor<f32>)>, f64, [Tensor<f64>; 2]);

fn model() -> (Model, Model) {
    let layer = |n: usize| (Tensor::<f32>::ones(&[n, n]), Tensor::<f32>::zeros(&[n]));
    let params = (
        vec![layer(8), layer(4)],
        1.0,
        [Tensor::<f64>::ones(&[3]), Tensor::ones(&[2, 2, 2])],
    );
    let grads = (
        vec![
            (Tensor::full(&[8, 8], 0.1), Tensor::full(&[8], 0.2)),
            (Tensor::full(&[4, 4], 0.3), Tensor::full(&[4], 0.4)),
        ],
        0.5,
        [Tensor::full(&[3], 0.6), Tensor::full(&[2, 2, 2], 0.7)],
    );
    (params, grads)
}

#[test]
fn steps_after_the_first_do_not_allocate() {
    let (mut params, grads) = model();
    let mut sgd = Sgd::new(0.1)
        .momentum(0.9)
        .nesterov(true)
        .weight_decay(1e-4);
    let mut adam = Adam::new(0.01)
        .weight_decay(0.01)
        .decoupled_weight_decay(true);
    sgd.step(&mut params, &grads);
    adam.step(&mut params, &grads);
    let info = allocation_counter::measure(|| {
        for _ in 0..5 {
            sgd.step(&mut params, &grads);
            adam.step(&mut params, &grads);
        }
    });
    assert_eq!(info.count_total, 0, "optimizer steps allocated");
    // and the first step of a fresh optimizer does allocate its state (the count is live)
    let info =
        allocation_counter::measure(|| Sgd::new(0.1).momentum(0.9).step(&mut params, &grads));
    assert!(info.count_total > 0);
}

#[test]
fn a_shared_parameter_buffer_is_copied_not_mutated() {
    let mut p = Tensor::<f32>::ones(&[4]);
    let alias = p.clone();
    Sgd::new(0.5).step(&mut p, &Tensor::ones(&[4]));
    assert_eq!(alias.to_vec(), vec![1.0; 4]);
    assert_eq!(p.to_vec(), vec![0.5; 4]);
    assert!(!p.shares_storage_with(&alias));
}
