//! Review round 4 of issue 16: checkpointed loops and forward mode of tensor functions in forms
//! the feature tests do not cover. Every checkpointed function has an uncheckpointed twin; the
//! gradients must agree, and both must agree with central finite differences in f64.

mod common;
use autodiff::prelude::*;
#[allow(unused_imports)]
use common::{assert_close, fd, fd_tensor};

// ---- a name moved before the loop and bound again inside it ----------------------------------

#[differentiable(wrt(w, h0))]
fn moved_outer_name(w: &Tensor<f64>, h0: &Tensor<f64>, steps: usize) -> Tensor<f64> {
    let h = h0 * 2.0;
    let mut y = h;
    #[checkpoint(every = 3)]
    for _ in 0..steps {
        let h = w.mm(&y).tanh();
        y = &h * 0.5 + &y;
    }
    y.sum()
}

// ---- shadowing outside the loop --------------------------------------------------------------

#[differentiable]
fn shadowed_before(x0: f64, p: f64, steps: usize) -> f64 {
    let x = x0 * 2.0;
    let mut x = x + p;
    #[checkpoint(every = 4)]
    for _ in 0..steps {
        let p = p * 0.5;
        x = x + 0.01 * (p * x).sin();
    }
    x
}

// ---- tuple state ------------------------------------------------------------------------------

#[differentiable]
fn tuple_state(x0: f64, v0: f64, k: f64, steps: usize) -> f64 {
    let mut s = (x0, v0);
    #[checkpoint(every = 5)]
    for _ in 0..steps {
        let a = -k * s.0.sin();
        s = (s.0 + 0.01 * s.1, s.1 + 0.01 * a);
    }
    s.0 + s.1
}

// ---- Vec state ------------------------------------------------------------------------------

#[differentiable]
fn vec_history(x0: f64, p: f64, steps: usize) -> f64 {
    let mut x = x0;
    let mut hist = Vec::new();
    #[checkpoint(every = 3)]
    for _ in 0..steps {
        x = x + 0.1 * (p * x).sin();
        hist.push(x);
    }
    let mut s = 0.0;
    for h in hist.iter() {
        s += *h * *h;
    }
    s
}

// ---- labels, nested match --------------------------------------------------------------------

#[differentiable]
fn labelled(x0: f64, p: f64, steps: usize) -> f64 {
    let mut x = x0;
    #[checkpoint(every = 3)]
    'outer: for i in 0..steps {
        for j in 0..3 {
            match (i + j) % 4 {
                0 => continue 'outer,
                1 => {
                    if i > 20 {
                        break 'outer;
                    }
                    x = x * 1.01 + p * 0.01;
                }
                _ => x = x + 0.01 * (x * p).cos(),
            }
        }
    }
    x
}

// ---- mut parameter ---------------------------------------------------------------------------

#[differentiable]
fn mut_param(mut x: f64, p: f64, steps: usize) -> f64 {
    #[checkpoint(every = 2)]
    for _ in 0..steps {
        x = x + 0.1 * (p * x).sin();
    }
    x
}

// ---- outer closure ---------------------------------------------------------------------------

#[differentiable]
fn outer_closure(x0: f64, p: f64, steps: usize) -> f64 {
    let f = |y: f64| p * y.sin();
    let mut x = x0;
    #[checkpoint(every = 3)]
    for _ in 0..steps {
        x = x + 0.1 * f(x);
    }
    x
}

// ---- two loops ---------------------------------------------------------------------------------

#[differentiable]
fn two_loops(x0: f64, p: f64, steps: usize) -> f64 {
    let mut x = x0;
    #[checkpoint(every = 3)]
    for _ in 0..steps {
        x = x + 0.1 * (p * x).sin();
    }
    let mut y = x * x;
    #[checkpoint(every = 2)]
    while y < 10.0 {
        y = y * 1.5 + p;
    }
    y + x
}

// ---- do-while condition ----------------------------------------------------------------------

#[differentiable]
fn do_while(x0: f64, data: &[f64]) -> f64 {
    let mut x = x0;
    let mut i = 0;
    #[checkpoint(every = 2)]
    while {
        i += 1;
        i < data.len()
    } {
        x = x * data[i] + (x * 0.1).sin();
    }
    x
}

// ---- inner loop pushing to an outer Vec ------------------------------------------------------

#[differentiable]
fn inner_push(x0: f64, p: f64, steps: usize) -> f64 {
    let mut x = x0;
    let mut out = Vec::new();
    #[checkpoint(every = 2)]
    for _ in 0..steps {
        for j in 0..2 {
            out.push(x * (j as f64 + 1.0));
        }
        x = (x * p).sin() + x;
    }
    let mut s = x;
    for v in &out {
        s += *v;
    }
    s
}


#[differentiable]
fn do_while_plain(x0: f64, data: &[f64]) -> f64 {
    let mut x = x0;
    let mut i = 0;
    while {
        i += 1;
        i < data.len()
    } {
        x = x * data[i] + (x * 0.1).sin();
    }
    x
}

#[derive(Clone, Differentiable)]
struct Phase {
    x: f64,
    v: f64,
}

#[differentiable]
fn struct_state(x0: f64, v0: f64, k: f64, steps: usize) -> f64 {
    let mut st = Phase { x: x0, v: v0 };
    #[checkpoint(every = 3)]
    for _ in 0..steps {
        let v = st.v - 0.1 * k * st.x.sin();
        st = Phase {
            x: st.x + 0.1 * v,
            v,
        };
    }
    st.x * st.v
}

#[differentiable]
fn local_vec_read(x0: f64, p: f64, steps: usize) -> f64 {
    let v = vec![x0 * 2.0, p, p * p];
    let mut x = x0;
    #[checkpoint(every = 2)]
    for i in 0..steps {
        x = x * 0.9 + v[i % 3] * 0.1 * x.sin();
    }
    x
}

#[differentiable]
fn zero_trips(x0: f64, p: f64, steps: usize) -> f64 {
    let mut x = x0 * p;
    #[checkpoint(every = 1000)]
    while x < -1.0e9 {
        x = x * p;
    }
    #[checkpoint(every = 1000)]
    for _ in 0..steps {
        x = x * p;
    }
    x
}


// ---- forward mode of tensor functions --------------------------------------------------------

fn dot(a: &Tensor<f64>, b: &Tensor<f64>) -> f64 {
    a.to_vec().iter().zip(b.to_vec()).map(|(x, y)| x * y).sum()
}

#[differentiable(jvp, hvp)]
fn erf_loss(x: &Tensor<f64>) -> Tensor<f64> {
    (x.erf() * x).sum()
}

#[differentiable(jvp, hvp)]
fn gelu_loss(x: &Tensor<f64>) -> Tensor<f64> {
    x.gelu().powi(2).sum()
}

#[differentiable(jvp, hvp)]
fn f32_loss(x: &Tensor<f32>) -> Tensor<f32> {
    (x.tanh() * x).sum()
}

#[differentiable(jvp)]
fn untyped(x: &Tensor) -> Tensor {
    x.exp() * 2.0
}

#[differentiable(jvp, hvp)]
fn scalar_out(x: &Tensor<f64>) -> f64 {
    let s = x.sum().item();
    s * s + x.get(&[0]).sin()
}

#[differentiable(wrt(x), jvp, hvp)]
fn with_match(x: &Tensor<f64>, mode: usize) -> Tensor<f64> {
    let y = match mode {
        0 => x.exp(),
        1 => x.sin() * 2.0,
        _ => x * x,
    };
    if y.sum().item() > 100.0 {
        return y.sum() * 0.5;
    }
    let mut acc = y.sum();
    for i in 0..3 {
        acc = acc + y.get(&[i % 2]) * (i as f64);
    }
    acc
}

#[differentiable(wrt(x), jvp, hvp)]
fn with_slice_data(x: &Tensor<f64>, data: &[Tensor<f64>]) -> Tensor<f64> {
    let mut acc = x.sum() * 0.0;
    for d in data {
        acc = acc + (x * d).tanh().sum();
    }
    acc
}

#[differentiable(jvp)]
fn with_closure(x: &Tensor<f64>) -> Tensor<f64> {
    let f = |k: f64| (x * k).sin().sum();
    f(2.0) + f(0.5) * x.sum()
}

#[cfg(any())]
#[differentiable(hvp)]
fn with_closure_h(x: &Tensor<f64>) -> Tensor<f64> {
    let f = |k: f64| (x * k).sin().sum();
    f(2.0) + f(0.5) * x.sum()
}

#[differentiable(jvp, hvp)]
fn softmax_var(x: &Tensor<f64>) -> Tensor<f64> {
    let p = x.softmax(0);
    (p.clone() * x.log_softmax(0)).sum() + x.var(0, true, false).sum()
}

#[test]
fn scratch() {
    let g = |name: &str, a: f64, b: f64| { let ok = (a-b).abs() <= 1e-6 * 1f64.max(a.abs()); println!("{name}: {a} vs {b} {}", if ok {"ok"} else {"WRONG"}); };
    let (_, (gx, gp)) = shadowed_before_grad(0.3, 0.7, 13);
    g("shadowed x", gx, fd(|x| shadowed_before(x, 0.7, 13), 0.3));
    g("shadowed p", gp, fd(|p| shadowed_before(0.3, p, 13), 0.7));
    let (_, (gx, gv, gk)) = tuple_state_grad(0.3, 0.1, 2.0, 17);
    g("tuple x", gx, fd(|x| tuple_state(x, 0.1, 2.0, 17), 0.3));
    g("tuple v", gv, fd(|v| tuple_state(0.3, v, 2.0, 17), 0.1));
    g("tuple k", gk, fd(|k| tuple_state(0.3, 0.1, k, 17), 2.0));
    let (_, (gx, gp)) = vec_history_grad(0.3, 0.7, 10);
    g("vec x", gx, fd(|x| vec_history(x, 0.7, 10), 0.3));
    g("vec p", gp, fd(|p| vec_history(0.3, p, 10), 0.7));
    let (_, (gx, gp)) = labelled_grad(0.3, 0.7, 30);
    g("labelled x", gx, fd(|x| labelled(x, 0.7, 30), 0.3));
    g("labelled p", gp, fd(|p| labelled(0.3, p, 30), 0.7));
    let (_, (gx, gp)) = mut_param_grad(0.3, 0.7, 9);
    g("mutparam x", gx, fd(|x| mut_param(x, 0.7, 9), 0.3));
    g("mutparam p", gp, fd(|p| mut_param(0.3, p, 9), 0.7));
    let (_, (gx, gp)) = outer_closure_grad(0.3, 0.7, 9);
    g("closure x", gx, fd(|x| outer_closure(x, 0.7, 9), 0.3));
    g("closure p", gp, fd(|p| outer_closure(0.3, p, 9), 0.7));
    let (_, (gx, gp)) = two_loops_grad(0.3, 0.7, 9);
    g("two x", gx, fd(|x| two_loops(x, 0.7, 9), 0.3));
    g("two p", gp, fd(|p| two_loops(0.3, p, 9), 0.7));
    let data = [1.1, 0.9, 1.2, 0.8, 1.05, 0.95, 1.3];
    let (_, gx) = do_while_grad(0.3, &data);
    g("dowhile x", gx, fd(|x| do_while(x, &data), 0.3));
    let (_, (gx, gp)) = inner_push_grad(0.3, 0.7, 7);
    g("innerpush x", gx, fd(|x| inner_push(x, 0.7, 7), 0.3));
    g("innerpush p", gp, fd(|p| inner_push(0.3, p, 7), 0.7));

    let _ = assert_close;
    let w = Tensor::<f64>::randn_scaled(&[3, 3], 1, 0.5);
    let h0 = Tensor::<f64>::randn(&[3, 1], 2);
    let (_, (gw, _gh)) = moved_outer_name_grad(&w, &h0, 7);
    let fdw = fd_tensor(|w| moved_outer_name(w, &h0, 7).item(), &w);
    g("moved", gw.get(&[1, 2]), fdw.get(&[1, 2]));
    let x = Tensor::from_vec(vec![0.3, -0.8, 1.1], &[3]);
    let v = Tensor::from_vec(vec![1.0, 0.5, -2.0], &[3]);
    let (_, ge) = erf_loss_grad(&x);
    let (_, jv) = erf_loss_jvp(&x, &v);
    g("erf jvp vs grad", jv.item(), dot(&ge, &v));
    let fdg = fd_tensor(|x| erf_loss(x).item(), &x);
    g("erf grad vs fd", dot(&ge, &v), dot(&fdg, &v));
    let (_, _, hv) = erf_loss_hvp(&x, &v);
    let along = |t: f64| erf_loss_grad(&(&x + &v * t)).1;
    let h = 1e-6;
    let fdh = (along(h) - along(-h)) * (1.0 / (2.0 * h));
    g("erf hvp", hv.get(&[0]), fdh.get(&[0]));
    let (_, g2) = gelu_loss_grad(&x);
    let (_, jv) = gelu_loss_jvp(&x, &v);
    g("gelu jvp vs grad", jv.item(), dot(&g2, &v));
    let (_, _, hv) = gelu_loss_hvp(&x, &v);
    let along = |t: f64| gelu_loss_grad(&(&x + &v * t)).1;
    let fdh = (along(h) - along(-h)) * (1.0 / (2.0 * h));
    g("gelu hvp", hv.get(&[1]), fdh.get(&[1]));
    let (_, _, hv) = scalar_out_hvp(&x, &v);
    let along = |t: f64| scalar_out_grad(&(&x + &v * t)).1;
    let fdh = (along(h) - along(-h)) * (1.0 / (2.0 * h));
    g("scalar out hvp", hv.get(&[0]), fdh.get(&[0]));
    let (_, gs) = scalar_out_grad(&x);
    let (_, jv) = scalar_out_jvp(&x, &v);
    g("scalar out jvp", jv, dot(&gs, &v));
    for mode in 0..3 {
        let (_, gm) = with_match_grad(&x, mode);
        let (_, jv) = with_match_jvp(&x, mode, &v);
        g("match jvp", jv.item(), dot(&gm, &v));
        let (_, _, hv) = with_match_hvp(&x, mode, &v);
        let along = |t: f64| with_match_grad(&(&x + &v * t), mode).1;
        let fdh = (along(h) - along(-h)) * (1.0 / (2.0 * h));
        g("match hvp", hv.get(&[2]), fdh.get(&[2]));
    }
    let tdata: Vec<Tensor<f64>> = (0..3).map(|s| Tensor::randn(&[3], 40 + s)).collect();
    let (_, gd) = with_slice_data_grad(&x, &tdata);
    let (_, jv) = with_slice_data_jvp(&x, &tdata, &v);
    g("slice jvp", jv.item(), dot(&gd, &v));
    let (_, gc) = with_closure_grad(&x);
    let (_, jv) = with_closure_jvp(&x, &v);
    g("closure jvp", jv.item(), dot(&gc, &v));
    let (_, gsm) = softmax_var_grad(&x);
    let (_, jv) = softmax_var_jvp(&x, &v);
    g("softmax jvp", jv.item(), dot(&gsm, &v));
    let fdg = fd_tensor(|x| softmax_var(x).item(), &x);
    g("softmax grad fd", dot(&gsm, &v), dot(&fdg, &v));
    let (_, gx) = do_while_plain_grad(0.3, &data);
    g("dowhile plain x", gx, fd(|x| do_while_plain(x, &data), 0.3));
    let (_, (gx, gv, gk)) = struct_state_grad(0.3, 0.1, 2.0, 17);
    g("struct x", gx, fd(|x| struct_state(x, 0.1, 2.0, 17), 0.3));
    g("struct v", gv, fd(|v| struct_state(0.3, v, 2.0, 17), 0.1));
    g("struct k", gk, fd(|k| struct_state(0.3, 0.1, k, 17), 2.0));
    let (_, (gx, gp)) = local_vec_read_grad(0.3, 0.7, 11);
    g("vecread x", gx, fd(|x| local_vec_read(x, 0.7, 11), 0.3));
    g("vecread p", gp, fd(|p| local_vec_read(0.3, p, 11), 0.7));
    for n in [0, 3] {
        let (_, (gx, gp)) = zero_trips_grad(0.3, 0.7, n);
        g("zero x", gx, fd(|x| zero_trips(x, 0.7, n), 0.3));
        g("zero p", gp, fd(|p| zero_trips(0.3, p, n), 0.7));
    }
}
