//! Optimizer steps against hand-computed updates (two steps each, so that momentum and the
//! bias correction both matter), over scalars, tensors and containers, in f32 and f64.

use autodiff_runtime::optim::{Adam, Sgd};
use autodiff_runtime::Tensor;

/// Relative comparison: these values are O(1), the tolerance is relative to their size.
fn close(got: f64, want: f64, rel: f64) {
    assert!(
        (got - want).abs() <= rel * want.abs().max(1.0),
        "got {got}, want {want}"
    );
}

#[test]
fn sgd_momentum_two_steps() {
    // p0 = 1, g1 = 0.5, g2 = -1, lr = 0.1, momentum 0.9:
    // step 1: buf = 0.5,                    p = 1 - 0.1 * 0.5      = 0.95
    // step 2: buf = 0.9 * 0.5 - 1 = -0.55,  p = 0.95 + 0.1 * 0.55  = 1.005
    let mut p = 1.0f64;
    let mut opt = Sgd::new(0.1).momentum(0.9);
    opt.step(&mut p, &0.5);
    close(p, 0.95, 1e-15);
    opt.step(&mut p, &-1.0);
    close(p, 1.005, 1e-15);
    assert_eq!(opt.steps(), 2);
}

#[test]
fn sgd_nesterov_weight_decay_two_steps_on_a_tensor() {
    // p0 = 2, g1 = 1, g2 = 0.5, lr 0.1, momentum 0.9, nesterov, weight decay 0.01:
    // step 1: d = 1 + 0.02 = 1.02, buf = 1.02, d = 1.02 + 0.9 * 1.02 = 1.938, p = 1.8062
    // step 2: d = 0.5 + 0.01 * 1.8062 = 0.518062, buf = 0.9 * 1.02 + d = 1.436062,
    //         d = 0.518062 + 0.9 * 1.436062 = 1.8105178, p = 1.8062 - 0.18105178 = 1.62514822
    // The second element starts at 0 with zero gradients and stays there.
    let mut p = Tensor::<f32>::from_vec(vec![2.0, 0.0], &[2]);
    let mut opt = Sgd::new(0.1)
        .momentum(0.9)
        .nesterov(true)
        .weight_decay(0.01);
    opt.step(&mut p, &Tensor::from_vec(vec![1.0, 0.0], &[2]));
    close(p.as_slice()[0] as f64, 1.8062, 1e-6);
    opt.step(&mut p, &Tensor::from_vec(vec![0.5, 0.0], &[2]));
    close(p.as_slice()[0] as f64, 1.62514822, 1e-6);
    assert_eq!(p.as_slice()[1], 0.0);
}

#[test]
fn adam_bias_correction_two_steps() {
    // p0 = 1, g = 0.5 then -1, lr 0.1, betas (0.9, 0.999), eps 1e-8.
    // step 1: m = 0.05, v = 0.00025, m^ = 0.5, v^ = 0.25, p = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    // step 2: m = -0.055, v = 0.00124975, m^ = -0.055 / 0.19, v^ = 0.00124975 / 0.001999,
    //         p = 0.900000002 + 0.1 * 0.2894736842 / (0.7906880... + 1e-8)
    let mut p = 1.0f64;
    let mut opt = Adam::new(0.1);
    opt.step(&mut p, &0.5);
    close(p, 0.900000002, 1e-14);
    opt.step(&mut p, &-1.0);
    close(p, 0.9366103542405654, 1e-14);
}

#[test]
fn adam_weight_decay_l2_and_decoupled() {
    // L2: the gradient becomes g + 0.1 * p before the moments.
    let mut l2 = vec![1.0f64];
    let mut opt = Adam::new(0.1).weight_decay(0.1);
    opt.step(&mut l2, &vec![0.5]);
    close(l2[0], 0.9000000016666666, 1e-14);
    opt.step(&mut l2, &vec![-1.0]);
    close(l2[0], 0.9252635194456061, 1e-14);
    // AdamW: p = p * (1 - lr * wd) first, the moments see the raw gradient.
    let mut dec = [1.0f64];
    let mut opt = Adam::new(0.1)
        .weight_decay(0.1)
        .decoupled_weight_decay(true);
    opt.step(&mut dec, &[0.5]);
    close(dec[0], 0.890000002, 1e-14);
    opt.step(&mut dec, &[-1.0]);
    close(dec[0], 0.9177103542205653, 1e-14);
}

#[test]
fn adam_keeps_separate_state_per_leaf() {
    // Two leaves with different gradient histories, in a tuple with an f32 tensor: each must
    // follow its own two-step trajectory.
    let mut params = (1.0f64, Tensor::<f32>::from_vec(vec![-2.0], &[1]));
    let mut opt = Adam::new(0.1);
    opt.step(&mut params, &(0.5, Tensor::from_vec(vec![3.0], &[1])));
    opt.step(&mut params, &(-1.0, Tensor::from_vec(vec![0.25], &[1])));
    close(params.0, 0.9366103542405654, 1e-14);
    close(params.1.as_slice()[0] as f64, -2.1729569307288066, 1e-6);
}

#[test]
fn set_lr_changes_the_next_step() {
    let mut p = 1.0f64;
    let mut opt = Sgd::new(0.1);
    opt.set_lr(0.5);
    assert_eq!(opt.lr(), 0.5);
    opt.step(&mut p, &1.0);
    assert_eq!(p, 0.5);
}

#[test]
#[should_panic(expected = "Adam::step: the parameters have 1 leaves but the optimizer state has 2")]
fn a_different_model_is_refused() {
    let mut opt = Adam::new(0.1);
    let mut two = vec![1.0f64, 2.0];
    opt.step(&mut two, &vec![1.0, 1.0]);
    let mut one = vec![1.0f64];
    opt.step(&mut one, &vec![1.0]);
}

#[test]
#[should_panic(
    expected = "gradient of `1` has shape [3] (float32) but the parameter has shape [2] (float32)"
)]
fn a_gradient_of_the_wrong_shape_names_the_leaf() {
    let mut p = vec![Tensor::<f32>::zeros(&[1]), Tensor::zeros(&[2])];
    Sgd::new(0.1).step(&mut p, &vec![Tensor::zeros(&[1]), Tensor::zeros(&[3])]);
}

#[test]
#[should_panic(expected = "Nesterov momentum requires a momentum > 0")]
fn nesterov_without_momentum_is_refused() {
    Sgd::new(0.1).nesterov(true).step(&mut 1.0f64, &1.0);
}
