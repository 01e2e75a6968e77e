//! The VJP rules of the model operations (selection, joining, reductions, activations,
//! losses, batched products) against central finite differences in f64, on random inputs of
//! random shapes (proptest), and each f32 rule against the f64 one.
//!
//! For `y = f(x)` and a random cotangent `v`, the pullback must equal the gradient of
//! `<v, f(x)>`, estimated by central differences with step `H`.

use autodiff_runtime::tensor::{
    binary_cross_entropy_with_logits, cross_entropy, mse_loss, IndexTensor, Mask,
};
use autodiff_runtime::vjp::{
    self, ActivationVjp, BatchedVjp, JoinVjp, NormaliseVjp, Pullback, ReduceExtVjp, SelectVjp,
};
use autodiff_runtime::Tensor;
use proptest::prelude::*;

const H: f64 = 1e-6;

fn dot(a: &Tensor<f64>, b: &Tensor<f64>) -> f64 {
    assert_eq!(a.shape(), b.shape());
    let terms = a.as_slice().iter().zip(b.as_slice());
    terms.map(|(x, y)| x * y).sum()
}

/// Central-difference gradient of `x -> <v, f(x)>`.
fn fd_vjp(
    f: &dyn Fn(&Tensor<f64>) -> Tensor<f64>,
    x: &Tensor<f64>,
    v: &Tensor<f64>,
) -> Tensor<f64> {
    let base = x.to_vec();
    let g = (0..base.len())
        .map(|i| {
            let mut p = base.clone();
            p[i] += H;
            let mut m = base.clone();
            m[i] -= H;
            let fp = dot(v, &f(&Tensor::from_vec(p, x.shape())));
            let fm = dot(v, &f(&Tensor::from_vec(m, x.shape())));
            (fp - fm) / (2.0 * H)
        })
        .collect();
    Tensor::from_vec(g, x.shape())
}

/// Element-wise `|a - b| <= tol * max(1, |a|, |b|)`, with equal shapes.
#[track_caller]
fn close(a: &Tensor<f64>, b: &Tensor<f64>, tol: f64) {
    assert_eq!(a.shape(), b.shape(), "shapes");
    for (x, y) in a.as_slice().iter().zip(b.as_slice()) {
        let scale = 1f64.max(x.abs()).max(y.abs());
        assert!((x - y).abs() <= tol * scale, "{a}\nvs\n{b}");
    }
}

fn to_f32(t: &Tensor<f64>) -> Tensor<f32> {
    Tensor::from_vec(t.as_slice().iter().map(|&v| v as f32).collect(), t.shape())
}

fn to_f64(t: &Tensor<f32>) -> Tensor<f64> {
    Tensor::from_vec(t.as_slice().iter().map(|&v| v as f64).collect(), t.shape())
}

/// A tensor of 1 to 3 dimensions of sizes 1 to 4, elements uniform in `[lo, hi)`.
fn arb_tensor(lo: f64, hi: f64) -> impl Strategy<Value = Tensor<f64>> {
    proptest::collection::vec(1usize..=4, 1..=3).prop_flat_map(move |shape| {
        let n: usize = shape.iter().product();
        proptest::collection::vec(lo..hi, n).prop_map(move |v| Tensor::from_vec(v, &shape))
    })
}

/// A tensor of the given shape, elements uniform in `[lo, hi)`.
fn tensor_of(shape: Vec<usize>, lo: f64, hi: f64) -> impl Strategy<Value = Tensor<f64>> {
    let n: usize = shape.iter().product();
    proptest::collection::vec(lo..hi, n).prop_map(move |v| Tensor::from_vec(v, &shape))
}

/// Checks the pullback of `|t| call` (a VJP form of a tensor-to-tensor operation) at `x`
/// against finite differences, then its f32 form against the f64 one.
macro_rules! check {
    ($x:expr, $seed:expr, |$t:ident| $call:expr) => {
        check!($x, $seed, [], |$t| $call)
    };
    ($x:expr, $seed:expr, [$($c:ident),*], |$t:ident| $call:expr) => {{
        let x: Tensor<f64> = $x.clone();
        let (y, pb) = {
            let $t = &x;
            $call
        };
        let v = Tensor::<f64>::randn(y.shape(), $seed);
        let g = pb.pull(v.clone());
        let f = |$t: &Tensor<f64>| $call.0;
        close(&g, &fd_vjp(&f, &x, &v), 1e-5);
        let x32 = to_f32(&x);
        let (y32, pb32) = {
            $(let $c = to_f32(&$c);)*
            let $t = &x32;
            $call
        };
        close(&to_f64(&y32), &y, 1e-4);
        close(&to_f64(&pb32.pull(to_f32(&v))), &g, 2e-3);
    }};
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn elementwise_functions(x in arb_tensor(-2.0, 2.0), seed in 0u64..1000) {
        check!(x, seed, |t| t.sign_vjp());
        check!(x, seed, |t| t.exp_m1_vjp());
        check!(x, seed, |t| t.erf_vjp());
        check!(x, seed, |t| t.softplus_vjp());
        check!(x, seed, |t| t.gelu_vjp());
        check!(x, seed, |t| t.gelu_tanh_vjp());
        check!(x, seed, |t| t.silu_vjp());
        check!(x, seed, |t| t.leaky_relu_vjp(0.1));
        check!(x, seed, |t| t.elu_vjp(1.0));
        check!(x, seed, |t| t.clamp_vjp(-0.5, 0.7));
        check!(x.map(|v| 0.7 * v), seed, |t| t.tan_vjp());
    }

    #[test]
    fn logarithms(x in arb_tensor(0.2, 3.0), seed in 0u64..1000) {
        check!(x, seed, |t| t.ln_1p_vjp());
        check!(x, seed, |t| t.log2_vjp());
        check!(x, seed, |t| t.log10_vjp());
    }

    #[test]
    fn maximum_and_minimum_broadcast(a in tensor_of(vec![3, 4], -1.0, 1.0),
                                     b in tensor_of(vec![4], -1.0, 1.0), seed in 0u64..1000) {
        check!(a, seed, [b], |t| t.maximum_vjp_l(&b));
        check!(b, seed, [a], |t| a.maximum_vjp_r(t));
        check!(a, seed, [b], |t| t.minimum_vjp_l(&b));
        check!(b, seed, [a], |t| a.minimum_vjp_r(t));
        let v = Tensor::<f64>::randn(&[3, 4], seed);
        let (ga, gb) = a.maximum_vjp_lr(&b).1.pull(v.clone());
        close(&ga, &a.maximum_vjp_l(&b).1.pull(v.clone()), 0.0);
        close(&gb, &a.maximum_vjp_r(&b).1.pull(v), 0.0);
    }

    #[test]
    fn reductions(x in arb_tensor(0.5, 1.5), dim_seed in 0usize..3, keep: bool,
                  unbiased: bool, seed in 0u64..1000) {
        let dim = dim_seed % x.ndim();
        check!(x, seed, |t| t.max_vjp());
        check!(x, seed, |t| t.min_vjp());
        check!(x, seed, |t| t.max_axis_vjp(dim, keep));
        check!(x, seed, |t| t.min_axis_vjp(dim, keep));
        check!(x, seed, |t| t.prod_vjp());
        check!(x, seed, |t| t.prod_axis_vjp(dim, keep));
        check!(x, seed, |t| t.logsumexp_vjp(dim, keep));
        if x.shape()[dim] > 1 {
            check!(x, seed, |t| t.var_vjp(dim, unbiased, keep));
        }
    }

    #[test]
    fn softmax_family(x in arb_tensor(-3.0, 3.0), dim_seed in 0usize..3, seed in 0u64..1000) {
        let dim = dim_seed % x.ndim();
        check!(x, seed, |t| t.softmax_vjp(dim));
        check!(x, seed, |t| t.log_softmax_vjp(dim));
    }

    #[test]
    fn selection(x in arb_tensor(-2.0, 2.0), dim_seed in 0usize..3, pick in 0usize..16,
                 seed in 0u64..1000) {
        let dim = dim_seed % x.ndim();
        let n = x.shape()[dim];
        check!(x, seed, |t| t.select_vjp(dim, pick % n));
        check!(x, seed, |t| t.narrow_vjp(dim, pick % n, n - pick % n));
        check!(x, seed, |t| t.index_select_vjp(dim, &[pick % n, 0, pick % n]));
        let mut ishape = x.shape().to_vec();
        ishape[dim] = 3;
        let count: usize = ishape.iter().product();
        let idx = IndexTensor::from_vec((0..count).map(|i| (i * 7 + pick) % n).collect(), &ishape);
        check!(x, seed, |t| t.gather_vjp(dim, &idx));
        let mask = x.gt(0.3);
        check!(x, seed, |t| t.masked_fill_vjp(&mask, 1.5));
    }

    #[test]
    fn rearranging(x in arb_tensor(-2.0, 2.0), dim_seed in 0usize..3, seed in 0u64..1000) {
        let dim = dim_seed % x.ndim();
        let mut order: Vec<usize> = (0..x.ndim()).collect();
        order.rotate_left(1);
        check!(x, seed, |t| t.permute_vjp(&order));
        check!(x, seed, |t| t.transpose_vjp(0, dim));
        let mut reps = vec![2];
        reps.extend((0..x.ndim()).map(|d| 1 + (d + dim) % 2));
        check!(x, seed, |t| t.repeat_vjp(&reps));
        let mut sizes = vec![2isize];
        sizes.extend(x.shape().iter().map(|_| -1));
        check!(x, seed, |t| t.expand_vjp(&sizes));
        // split / chunk: the cotangent of the pieces, one of them missing
        let (pieces, pb) = x.split_vjp(2, dim);
        let vs: Vec<Tensor<f64>> = pieces.iter().enumerate()
            .map(|(i, p)| if i != 1 { Tensor::randn(p.shape(), seed + i as u64) } else { p.zeros_like() })
            .collect();
        let g = pb.pull(vs.clone());
        let mut expected = Tensor::zeros(x.shape());
        for (i, v) in vs.iter().enumerate() {
            expected += fd_vjp(&|t| t.split(2, dim)[i].clone(), &x, v);
        }
        close(&g, &expected, 1e-5);
        let (chunks, pb) = x.chunk_vjp(2, dim);
        let all: Vec<Tensor<f64>> = chunks.iter().map(|c| c.ones_like()).collect();
        close(&pb.pull(all), &x.ones_like(), 0.0);
    }

    #[test]
    fn joining(a in tensor_of(vec![2, 3], -1.0, 1.0), b in tensor_of(vec![2, 3], -1.0, 1.0),
               c in tensor_of(vec![2, 1], -1.0, 1.0), seed in 0u64..1000) {
        // cat along 1 of [2,3], [2,3], [2,1]: each input's gradient by finite differences
        let (y, pb) = Tensor::cat_vjp(&[&a, &b, &c], 1);
        let v = Tensor::<f64>::randn(y.shape(), seed);
        let g = pb.pull(v.clone());
        close(&g[0], &fd_vjp(&|t| Tensor::cat(&[t, &b, &c], 1), &a, &v), 1e-6);
        close(&g[1], &fd_vjp(&|t| Tensor::cat(&[&a, t, &c], 1), &b, &v), 1e-6);
        close(&g[2], &fd_vjp(&|t| Tensor::cat(&[&a, &b, t], 1), &c, &v), 1e-6);
        for dim in 0..3 {
            let (y, pb) = Tensor::stack_vjp(&[a.clone(), b.clone()], dim);
            let v = Tensor::<f64>::randn(y.shape(), seed);
            let g = pb.pull(v.clone());
            close(&g[0], &fd_vjp(&|t| Tensor::stack(&[t, &b], dim), &a, &v), 1e-6);
            close(&g[1], &fd_vjp(&|t| Tensor::stack(&[&a, t], dim), &b, &v), 1e-6);
        }
        // where_cond with broadcasting: a [2, 3], c [2, 1]
        let mask = a.gt(&b);
        let (y, pb) = Tensor::where_cond_vjp(&mask, &a, &c);
        let v = Tensor::<f64>::randn(y.shape(), seed);
        let (ga, gc) = pb.pull(v.clone());
        close(&ga, &fd_vjp(&|t| Tensor::where_cond(&mask, t, &c), &a, &v), 1e-6);
        close(&gc, &fd_vjp(&|t| Tensor::where_cond(&mask, &a, t), &c, &v), 1e-6);
    }

    #[test]
    fn get_and_item(x in arb_tensor(-2.0, 2.0), pick in 0usize..64, g in -2.0f64..2.0) {
        let index: Vec<usize> = x.shape().iter().map(|&s| pick % s).collect();
        let (v, pb) = x.get_vjp(&index);
        prop_assert_eq!(v, x.get(&index));
        let s0 = Tensor::scalar(g);
        close(&pb.pull(g), &fd_vjp(&|t| Tensor::scalar(t.get(&index)), &x, &s0), 1e-6);
        let one = Tensor::from_vec(vec![x.as_slice()[0]], &[1, 1]);
        let (v, pb) = one.item_vjp();
        prop_assert_eq!(v, one.item());
        prop_assert_eq!(pb.pull(g).to_vec(), vec![g]);
    }

    #[test]
    fn losses(x in tensor_of(vec![3, 4], -2.0, 2.0), y in tensor_of(vec![3, 4], 0.0, 1.0),
              t0 in 0usize..4, t1 in 0usize..4, t2 in 0usize..4, seed in 0u64..1000) {
        let targets = [t0, t1, t2];
        check!(x, seed, |t| vjp::cross_entropy_vjp(t, &targets));
        let row = x.select(0, 0);
        check!(row, seed, |t| vjp::cross_entropy_vjp(t, &[t1]));
        check!(x, seed, [y], |t| vjp::mse_loss_vjp_l(t, &y));
        check!(y, seed, [x], |t| vjp::mse_loss_vjp_r(&x, t));
        check!(x, seed, [y], |t| vjp::binary_cross_entropy_with_logits_vjp_l(t, &y));
        check!(y, seed, [x], |t| vjp::binary_cross_entropy_with_logits_vjp_r(&x, t));
        let v = Tensor::scalar(0.7);
        let (gx, gy) = vjp::mse_loss_vjp_lr(&x, &y).1.pull(v.clone());
        close(&gx, &fd_vjp(&|t| mse_loss(t, &y), &x, &v), 1e-6);
        close(&gy, &fd_vjp(&|t| mse_loss(&x, t), &y, &v), 1e-6);
        let (gx, gy) = vjp::binary_cross_entropy_with_logits_vjp_lr(&x, &y).1.pull(v.clone());
        close(&gx, &fd_vjp(&|t| binary_cross_entropy_with_logits(t, &y), &x, &v), 1e-6);
        close(&gy, &fd_vjp(&|t| binary_cross_entropy_with_logits(&x, t), &y, &v), 1e-6);
        close(&vjp::cross_entropy_vjp(&x, &targets).0, &cross_entropy(&x, &targets), 0.0);
    }

    #[test]
    fn layer_norm(x in tensor_of(vec![2, 3, 4], -2.0, 2.0), w in tensor_of(vec![3, 4], 0.5, 1.5),
                  b in tensor_of(vec![3, 4], -1.0, 1.0), seed in 0u64..1000) {
        check!(x, seed, |t| {
            let (y, pb) = t.layer_norm_vjp(&[4], None, None, 1e-5);
            (y, LnInput(pb))
        });
        let (y, pb) = x.layer_norm_vjp(&[3, 4], Some(&w), Some(&b), 1e-5);
        let v = Tensor::<f64>::randn(y.shape(), seed);
        let (gx, gw, gb) = pb.pull(v.clone());
        let f = |x: &Tensor<f64>, w: &Tensor<f64>, b: &Tensor<f64>| {
            x.layer_norm(&[3, 4], Some(w), Some(b), 1e-5)
        };
        close(&gx, &fd_vjp(&|t| f(t, &w, &b), &x, &v), 1e-5);
        close(&gw.unwrap(), &fd_vjp(&|t| f(&x, t, &b), &w, &v), 1e-5);
        close(&gb.unwrap(), &fd_vjp(&|t| f(&x, &w, t), &b, &v), 1e-5);
    }

    #[test]
    fn batched_matmul(a in tensor_of(vec![2, 1, 3, 4], -1.0, 1.0),
                      b in tensor_of(vec![3, 4, 2], -1.0, 1.0),
                      w in tensor_of(vec![4, 5], -1.0, 1.0),
                      u in tensor_of(vec![4], -1.0, 1.0), seed in 0u64..1000) {
        // broadcast batch dimensions: [2, 1] against [3]
        check!(a, seed, [b], |t| t.matmul_batched_vjp_l(&b));
        check!(b, seed, [a], |t| a.matmul_batched_vjp_r(t));
        // one matrix for the whole batch, and 1-D operands on either side
        check!(a, seed, [w], |t| t.matmul_batched_vjp_l(&w));
        check!(w, seed, [a], |t| a.matmul_batched_vjp_r(t));
        check!(u, seed, [b], |t| t.matmul_batched_vjp_l(&b));
        check!(u, seed, [a], |t| a.matmul_batched_vjp_r(t));
        let b3 = b.reshape(&[3, 4, 2]);
        let a3 = a.reshape(&[2, 3, 4]).narrow(0, 0, 1).broadcast_to(&[3, 3, 4]);
        check!(a3, seed, [b3], |t| t.bmm_vjp_l(&b3));
        check!(b3, seed, [a3], |t| a3.bmm_vjp_r(t));
        let v = Tensor::<f64>::randn(&[2, 3, 3, 2], seed);
        let (ga, gb) = a.matmul_batched_vjp_lr(&b).1.pull(v.clone());
        close(&ga, &a.matmul_batched_vjp_l(&b).1.pull(v.clone()), 0.0);
        close(&gb, &a.matmul_batched_vjp_r(&b).1.pull(v), 0.0);
    }
}

/// The input-gradient part of a layer-norm pullback, so `check!` can treat it as unary.
struct LnInput<E: autodiff_runtime::Element>(vjp::LayerNormPb<E>);

impl<E: autodiff_runtime::Element> Pullback for LnInput<E> {
    type Cot = Tensor<E>;
    type Grads = Tensor<E>;
    fn pull(&self, g: Tensor<E>) -> Tensor<E> {
        self.0.pull(g).0
    }
}

/// The tie rules, as PyTorch 2.15 prints them for the same inputs (`x.max().backward(3.0)` gives
/// `[[0, 1, 1], [0, 1, 0]]`, `x.max(1)` values backward `[1, 2]` gives `[[0, 1, 0], [0, 2, 0]]`).
#[test]
fn max_ties_share_and_max_axis_picks_the_first() {
    let x = Tensor::from_vec(vec![2.0f64, 5.0, 5.0, 1.0, 5.0, 0.0], &[2, 3]);
    let (_, pb) = x.max_vjp();
    let g = pb.pull(Tensor::scalar(3.0)).to_vec();
    assert_eq!(g, vec![0.0, 1.0, 1.0, 0.0, 1.0, 0.0]);
    let (_, pb) = x.max_axis_vjp(1, false);
    let g = pb.pull(Tensor::from_vec(vec![1.0, 2.0], &[2])).to_vec();
    assert_eq!(g, vec![0.0, 1.0, 0.0, 0.0, 2.0, 0.0]);
    let (_, pb) = x.min_vjp();
    assert_eq!(
        pb.pull(Tensor::scalar(1.0)).to_vec(),
        vec![0., 0., 0., 0., 0., 1.]
    );
}

/// PyTorch 2.15 prints `[0, 6, 0]` for `[2, 0, 3].prod().backward()`.
#[test]
fn prod_gradient_is_exact_with_zeros() {
    let x = Tensor::from_vec(vec![2.0f64, 0.0, 3.0], &[3]);
    let (_, pb) = x.prod_vjp();
    assert_eq!(pb.pull(Tensor::scalar(1.0)).to_vec(), vec![0.0, 6.0, 0.0]);
    let x = Tensor::from_vec(vec![0.0f64, 0.0, 3.0], &[3]);
    assert_eq!(
        x.prod_vjp().1.pull(Tensor::scalar(1.0)).to_vec(),
        vec![0.0; 3]
    );
}

#[test]
fn maximum_splits_ties_and_clamp_blocks_at_the_bounds() {
    let a = Tensor::from_vec(vec![1.0f64, 2.0], &[2]);
    let b = Tensor::from_vec(vec![1.0f64, 3.0], &[2]);
    let (ga, gb) = a.maximum_vjp_lr(&b).1.pull(Tensor::ones(&[2]));
    assert_eq!((ga.to_vec(), gb.to_vec()), (vec![0.5, 0.0], vec![0.5, 1.0]));
    // PyTorch 2.15 prints [0.0, 0.0, 1.0, 0.0] for clamp(-1, 1).sum().backward() here
    let x = Tensor::from_vec(vec![-1.0f64, 1.0, 0.5, 1.5], &[4]);
    let g = x.clamp_vjp(-1.0, 1.0).1.pull(Tensor::ones(&[4]));
    assert_eq!(g.to_vec(), vec![0.0, 0.0, 1.0, 0.0]);
}

#[test]
fn masked_fill_blocks_the_gradient_where_filled() {
    let x = Tensor::from_vec(vec![-1.0f64, 2.0, -3.0, 4.0], &[2, 2]);
    let row = Mask::from_vec(vec![true, false], &[2]);
    let (y, pb) = x.masked_fill_vjp(&row, 0.0);
    assert_eq!(y.to_vec(), vec![0.0, 2.0, 0.0, 4.0]);
    assert_eq!(
        pb.pull(Tensor::ones(&[2, 2])).to_vec(),
        vec![0.0, 1.0, 0.0, 1.0]
    );
}

#[test]
fn constructors_pull_back_to_scalars() {
    let (t, pb) = Tensor::full_vjp(&[2, 3], 1.5f64);
    assert_eq!(t.sum().item(), 9.0);
    assert_eq!(pb.pull(Tensor::arange(6).reshape(&[2, 3])), 15.0);
    let (_, pb) = Tensor::scalar_vjp(1.0f32);
    assert_eq!(pb.pull(Tensor::scalar(4.0)), 4.0);
    let (_, pb) = Tensor::from_vec_vjp(vec![1.0f64, 2.0, 3.0], &[3, 1]);
    assert_eq!(
        pb.pull(Tensor::arange(3).reshape(&[3, 1])),
        vec![0.0, 1.0, 2.0]
    );
}
