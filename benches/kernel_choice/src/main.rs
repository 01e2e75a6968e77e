//! matrixmultiply vs gemm for the W5/W6 shapes (f32, row-major), 1 and 2 threads.
use std::time::Instant;

fn randv(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time(mut f: impl FnMut()) -> f64 {
    for _ in 0..3 {
        f();
    }
    let start = Instant::now();
    let mut samples = vec![];
    while samples.len() < 7 || start.elapsed().as_secs_f64() < 1.0 {
        let t = Instant::now();
        f();
        samples.push(t.elapsed().as_secs_f64() * 1e6);
    }
    median(samples)
}

/// C(m x n) = op(A) op(B), row-major; ta: A stored k x m.
fn mm_mmul(
    ta: bool,
    tb: bool,
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    threads: usize,
) {
    let (rsa, csa) = if ta { (1, m as isize) } else { (k as isize, 1) };
    let (rsb, csb) = if tb { (1, k as isize) } else { (n as isize, 1) };
    if threads == 1 || m * n * k < (1 << 22) {
        unsafe {
            matrixmultiply::sgemm(
                m,
                k,
                n,
                1.0,
                a.as_ptr(),
                rsa,
                csa,
                b.as_ptr(),
                rsb,
                csb,
                0.0,
                c.as_mut_ptr(),
                n as isize,
                1,
            )
        }
    } else {
        // split rows of C like autodiff's kernels module
        let half = (m / 2 + 7) / 8 * 8;
        let (c1, c2) = c.split_at_mut(half * n);
        std::thread::scope(|s| {
            s.spawn(|| unsafe {
                matrixmultiply::sgemm(
                    half,
                    k,
                    n,
                    1.0,
                    a.as_ptr(),
                    rsa,
                    csa,
                    b.as_ptr(),
                    rsb,
                    csb,
                    0.0,
                    c1.as_mut_ptr(),
                    n as isize,
                    1,
                )
            });
            let a2 = unsafe { a.as_ptr().offset(half as isize * rsa) };
            unsafe {
                matrixmultiply::sgemm(
                    m - half,
                    k,
                    n,
                    1.0,
                    a2,
                    rsa,
                    csa,
                    b.as_ptr(),
                    rsb,
                    csb,
                    0.0,
                    c2.as_mut_ptr(),
                    n as isize,
                    1,
                )
            }
        });
    }
}

fn mm_gemm(
    ta: bool,
    tb: bool,
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    threads: usize,
) {
    let (rsa, csa) = if ta { (1, m as isize) } else { (k as isize, 1) };
    let (rsb, csb) = if tb { (1, k as isize) } else { (n as isize, 1) };
    let par = if threads == 1 {
        gemm::Parallelism::None
    } else {
        gemm::Parallelism::Rayon(threads)
    };
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            n as isize,
            false,
            a.as_ptr(),
            csa,
            rsa,
            b.as_ptr(),
            csb,
            rsb,
            0.0f32,
            1.0f32,
            false,
            false,
            false,
            par,
        )
    }
}

fn main() {
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build_global()
        .ok();
    // (label, ta, tb, m, n, k)
    let shapes = [
        ("W5 X@W1", false, false, 64, 256, 784),
        ("W5 H@W2", false, false, 64, 10, 256),
        ("W5 Ht@dR", true, false, 256, 10, 64),
        ("W5 dR@W2t", false, true, 64, 256, 10),
        ("W5 Xt@dA", true, false, 784, 256, 64),
        ("W6 A@B", false, false, 1024, 1024, 1024),
        ("W6 dP@Bt", false, true, 1024, 1024, 1024),
        ("W6 At@dP", true, false, 1024, 1024, 1024),
    ];
    for threads in [1, 2] {
        for &(label, ta, tb, m, n, k) in &shapes {
            let a = randv(m * k, 1);
            let b = randv(k * n, 2);
            let mut c1 = vec![0.0f32; m * n];
            let mut c2 = vec![0.0f32; m * n];
            let t1 = time(|| mm_mmul(ta, tb, m, n, k, &a, &b, &mut c1, threads));
            let t2 = time(|| mm_gemm(ta, tb, m, n, k, &a, &b, &mut c2, threads));
            let err = c1
                .iter()
                .zip(&c2)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0f32, f32::max);
            println!("{label:10} {m}x{n}x{k} t={threads}: matrixmultiply {t1:9.1} us  gemm {t2:9.1} us  gemm/mm {:.3}  maxdiff {err:.1e}", t2 / t1);
        }
    }
}
