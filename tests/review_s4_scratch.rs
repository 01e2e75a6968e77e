mod common;
use autodiff::prelude::*;
use common::{fd};

#[differentiable]
fn uninit_last(x0: f64, p: f64) -> f64 {
    let mut x = x0;
    let last;
    #[checkpoint(every = 2)]
    loop {
        x = x + 0.1 * (p * x).sin();
        if x > 2.0 {
            last = x * 2.0;
            break;
        }
    }
    last + x
}

#[differentiable]
fn cond_only_env(x0: f64, p: f64, t_end: f64) -> f64 {
    let mut x = x0;
    let mut t = 0.0;
    #[checkpoint(every = 3)]
    while t < t_end {
        x = x + 0.1 * (p * x).sin();
        t += 0.1;
    }
    x
}

#[differentiable]
fn inner_closure(x0: f64, p: f64, steps: usize) -> f64 {
    let mut x = x0;
    #[checkpoint(every = 3)]
    for _ in 0..steps {
        let f = |y: f64| y * p + x;
        x = f(x.sin());
    }
    x
}

struct Sys {
    damping: f64,
}

impl Sys {
    #[differentiable(wrt(x0, p))]
    fn run(&self, x0: f64, p: f64, steps: usize) -> f64 {
        let d = self.damping;
        let mut x = x0;
        #[checkpoint(every = 3)]
        for _ in 0..steps {
            x = x * d + (p * x).sin();
        }
        x
    }
}

#[differentiable]
fn generic_ck<T: Float>(x0: T, p: T, steps: usize) -> T {
    let mut x = x0;
    let mut acc = x0 * p;
    #[checkpoint(every = 3)]
    for i in 0..steps {
        x = x + (p * x).sin() * T::from(0.1).unwrap();
        if i % 2 == 0 {
            acc = acc + x * x;
        }
    }
    acc + x
}

#[differentiable(jvp, hvp)]
fn ref_scalar(x: &Tensor<f64>, s: &f64) -> Tensor<f64> {
    (x * *s).sum()
}

#[differentiable(wrt(x), jvp, hvp)]
fn plain_param_cmp(x: &Tensor<f64>, threshold: f64) -> Tensor<f64> {
    let s = x.sum().item();
    if s > threshold {
        x.sum() * 2.0
    } else {
        x.sum()
    }
}

#[differentiable(wrt(x), jvp, hvp)]
fn plain_param_method(x: &Tensor<f64>, lo: f64, p: f64) -> Tensor<f64> {
    x.clamp(lo, 10.0).powf(p).sum()
}

#[differentiable(jvp, hvp)]
fn iter_chain(x: &Tensor<f64>) -> Tensor<f64> {
    let s = (0..3).map(|i| x.get(&[i]).sin()).fold(x.get(&[0]) * 0.0, |acc, b| acc + b);
    x.sum() * s
}

#[cfg(any())]
#[differentiable]
fn generic_vec<T: Float>(x0: T, p: T, steps: usize) -> T {
    let mut x = x0;
    let mut hist: Vec<T> = Vec::new();
    for _ in 0..steps {
        x = x * p;
        hist.push(x);
    }
    let mut s = x;
    for h in &hist {
        s = s + *h;
    }
    s
}

#[test]
fn scratch2() {
    let g = |name: &str, a: f64, b: f64| { let ok = (a-b).abs() <= 1e-6 * 1f64.max(a.abs()); println!("{name}: {a} vs {b} {}", if ok {"ok"} else {"WRONG"}); };
    let (_, (gx, gp)) = uninit_last_grad(0.3, 0.7);
    g("uninit x", gx, fd(|x| uninit_last(x, 0.7), 0.3));
    g("uninit p", gp, fd(|p| uninit_last(0.3, p), 0.7));
    let (_, (gx, gp, _)) = cond_only_env_grad(0.3, 0.7, 1.05);
    g("cond x", gx, fd(|x| cond_only_env(x, 0.7, 1.05), 0.3));
    g("cond p", gp, fd(|p| cond_only_env(0.3, p, 1.05), 0.7));
    let (_, (gx, gp)) = inner_closure_grad(0.3, 0.7, 7);
    g("inner closure x", gx, fd(|x| inner_closure(x, 0.7, 7), 0.3));
    g("inner closure p", gp, fd(|p| inner_closure(0.3, p, 7), 0.7));
    let sys = Sys { damping: 0.9 };
    let (_, (gx, gp)) = sys.run_grad(0.3, 0.7, 7);
    g("method x", gx, fd(|x| sys.run(x, 0.7, 7), 0.3));
    g("method p", gp, fd(|p| sys.run(0.3, p, 7), 0.7));
    let (_, (gx, gp)) = generic_ck_grad(0.3, 0.7, 8);
    g("generic x", gx, fd(|x| generic_ck(x, 0.7, 8), 0.3));
    g("generic p", gp, fd(|p| generic_ck(0.3, p, 8), 0.7));
}

fn dot(a: &Tensor<f64>, b: &Tensor<f64>) -> f64 {
    a.to_vec().iter().zip(b.to_vec()).map(|(x, y)| x * y).sum()
}

#[test]
fn scratch3() {
    let g = |name: &str, a: f64, b: f64| { let ok = (a-b).abs() <= 1e-6 * 1f64.max(a.abs()); println!("{name}: {a} vs {b} {}", if ok {"ok"} else {"WRONG"}); };
    let x = Tensor::from_vec(vec![0.3, 0.8, 1.1], &[3]);
    let v = Tensor::from_vec(vec![1.0, 0.5, -2.0], &[3]);
    let h = 1e-6;
    let (_, (gx, gs)) = ref_scalar_grad(&x, &1.5);
    let (_, jv) = ref_scalar_jvp(&x, &1.5, &v, &0.7);
    g("ref jvp", jv.item(), dot(&gx, &v) + 0.7 * gs);
    let (_, _, (hx, hs)) = ref_scalar_hvp(&x, &1.5, &v, &0.7);
    let along = |t: f64| ref_scalar_grad(&(&x + &v * t), &(1.5 + 0.7 * t)).1;
    let (a1, a2) = (along(h), along(-h));
    g("ref hvp s", hs, (a1.1 - a2.1) / (2.0 * h));
    g("ref hvp x", hx.get(&[0]), (a1.0.get(&[0]) - a2.0.get(&[0])) / (2.0 * h));
    for th in [0.0, 100.0] {
        let (_, gx) = plain_param_cmp_grad(&x, th);
        let (_, jv) = plain_param_cmp_jvp(&x, th, &v);
        g("cmp jvp", jv.item(), dot(&gx, &v));
    }
    let (_, gx) = plain_param_method_grad(&x, 0.5, 2.5);
    let (_, jv) = plain_param_method_jvp(&x, 0.5, 2.5, &v);
    g("method jvp", jv.item(), dot(&gx, &v));
    let (_, _, hv) = plain_param_method_hvp(&x, 0.5, 2.5, &v);
    let along = |t: f64| plain_param_method_grad(&(&x + &v * t), 0.5, 2.5).1;
    g("method hvp", hv.get(&[2]), (along(h).get(&[2]) - along(-h).get(&[2])) / (2.0 * h));
    let (_, gx) = iter_chain_grad(&x);
    let (_, jv) = iter_chain_jvp(&x, &v);
    g("iter jvp", jv.item(), dot(&gx, &v));
    let (_, _, hv) = iter_chain_hvp(&x, &v);
    let along = |t: f64| iter_chain_grad(&(&x + &v * t)).1;
    g("iter hvp", hv.get(&[1]), (along(h).get(&[1]) - along(-h).get(&[1])) / (2.0 * h));
}

#[differentiable(jvp)]
fn detached(x: &Tensor<f64>) -> Tensor<f64> {
    (x * x.detach()).sum()
}

#[differentiable(jvp)]
fn no_grad_scale(x: &Tensor<f64>) -> Tensor<f64> {
    let s = autodiff::no_grad(|| x.sum());
    (x * s.item()).sum()
}

#[test]
fn scratch4() {
    let g = |name: &str, a: f64, b: f64| { let ok = (a-b).abs() <= 1e-6 * 1f64.max(a.abs()); println!("{name}: {a} vs {b} {}", if ok {"ok"} else {"WRONG"}); };
    let x = Tensor::from_vec(vec![0.3, 0.8, 1.1], &[3]);
    let v = Tensor::from_vec(vec![1.0, 0.5, -2.0], &[3]);
    let (_, gx) = detached_grad(&x);
    let (_, jv) = detached_jvp(&x, &v);
    g("detach jvp", jv.item(), dot(&gx, &v));
    let (_, gx) = no_grad_scale_grad(&x);
    let (_, jv) = no_grad_scale_jvp(&x, &v);
    g("no_grad jvp", jv.item(), dot(&gx, &v));
}

#[differentiable(jvp)]
fn scalar_no_grad<T: Float>(x: T) -> T {
    let s = autodiff::no_grad(|| x * x);
    x * s
}

#[test]
fn scratch5() {
    let g = |name: &str, a: f64, b: f64| { let ok = (a-b).abs() <= 1e-6 * 1f64.max(a.abs()); println!("{name}: {a} vs {b} {}", if ok {"ok"} else {"WRONG"}); };
    let (_, gx) = scalar_no_grad_grad(0.7);
    let (_, jv) = scalar_no_grad_jvp(0.7, 1.0);
    g("scalar no_grad jvp", jv, gx);
}

#[differentiable]
fn step_fn(x: f64, p: f64) -> f64 {
    x + 0.1 * (p * x).sin()
}

#[differentiable]
fn calls_user(x0: f64, p: f64, steps: usize) -> f64 {
    let mut x = x0;
    #[checkpoint(every = 3)]
    for _ in 0..steps {
        x = step_fn(x, p);
    }
    x
}

#[differentiable]
fn fib_like(a0: f64, b0: f64, steps: usize) -> f64 {
    let mut a = a0;
    let mut b = b0;
    #[checkpoint(every = 3)]
    for _ in 0..steps {
        let c = (a + b) * 0.5;
        a = b;
        b = c;
    }
    a * b
}

#[test]
fn scratch6() {
    let g = |name: &str, a: f64, b: f64| { let ok = (a-b).abs() <= 1e-6 * 1f64.max(a.abs()); println!("{name}: {a} vs {b} {}", if ok {"ok"} else {"WRONG"}); };
    let (_, (gx, gp)) = calls_user_grad(0.3, 0.7, 8);
    g("user x", gx, fd(|x| calls_user(x, 0.7, 8), 0.3));
    g("user p", gp, fd(|p| calls_user(0.3, p, 8), 0.7));
    let (_, (ga, gb)) = fib_like_grad(0.3, 0.7, 8);
    g("fib a", ga, fd(|x| fib_like(x, 0.7, 8), 0.3));
    g("fib b", gb, fd(|p| fib_like(0.3, p, 8), 0.7));
    let x = Tensor::from_vec(vec![0.3f32, 0.8, 1.1], &[3]);
    let v = Tensor::from_vec(vec![1.0f32, 0.5, -2.0], &[3]);
    let (_, gx) = f32_loss_grad(&x);
    let (_, jv) = f32_loss_jvp(&x, &v);
    let d: f32 = gx.to_vec().iter().zip(v.to_vec()).map(|(a, b)| a * b).sum();
    println!("f32 jvp {} vs {}", jv.item(), d);
    let (_, _, hv) = f32_loss_hvp(&x, &v);
    println!("f32 hvp {:?}", hv.to_vec());
    let (_, jv) = untyped_jvp(&x, &v);
    println!("untyped jvp {:?} vs {:?}", jv.to_vec(), x.exp().to_vec().iter().zip(v.to_vec()).map(|(a,b)| 2.0*a*b).collect::<Vec<f32>>());
}
#[differentiable(jvp, hvp)]
fn f32_loss(x: &Tensor<f32>) -> Tensor<f32> {
    (x.tanh() * x).sum()
}

#[differentiable(jvp)]
fn untyped(x: &Tensor) -> Tensor {
    x.exp() * 2.0
}
