//! The jvp/hvp check of a function of one or two numbers, shared by the forward-mode tests:
//! `NAME_jvp` against central differences of the value and against `<u, J v>` from the vjp
//! (to 1e-12), `NAME_hvp`'s gradient against the vjp and its `H·v` against central differences
//! of the gradient. (Macros, as the functions checked differ in their extra arguments.)

/// Checks `NAME_jvp` and `NAME_hvp` of `f(x, y, extra..)` at `(x, y)` along `(vx, vy)`.
#[macro_export]
macro_rules! check_xy {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident; ($($e:expr),*); $x:expr, $y:expr) => {{
        let (x, y): (f64, f64) = ($x, $y);
        let (vx, vy) = (0.7, -0.4);
        let (val, jv) = $jvp(x, y, $($e,)* vx, vy);
        assert_eq!(val, $f(x, y, $($e),*), "value of {}", stringify!($f));
        let along = |s: f64| $f(x + s * vx, y + s * vy, $($e),*);
        $crate::common::assert_close(jv, (along($crate::common::H) - along(-$crate::common::H)) / (2.0 * $crate::common::H), 1e-6);
        let u = 1.3;
        let (_, pb) = $vjp(x, y, $($e),*);
        let (gx, gy) = pb(u);
        $crate::common::assert_close(u * jv, gx * vx + gy * vy, 1e-12);
        let (v2, g, hv) = $hvp(x, y, $($e,)* vx, vy);
        assert_eq!(v2, val);
        $crate::common::assert_close(g.0, gx / u, 1e-12);
        $crate::common::assert_close(g.1, gy / u, 1e-12);
        let grad_along = |s: f64| $grad(x + s * vx, y + s * vy, $($e),*).1;
        let (gp, gm) = (grad_along($crate::common::H), grad_along(-$crate::common::H));
        $crate::common::assert_close(hv.0, (gp.0 - gm.0) / (2.0 * $crate::common::H), 1e-6);
        $crate::common::assert_close(hv.1, (gp.1 - gm.1) / (2.0 * $crate::common::H), 1e-6);
    }};
}

/// As `check_xy!` for `f(x, extra..)` of one differentiated number.
#[macro_export]
macro_rules! check_x {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $hvp:ident; ($($e:expr),*); $x:expr) => {{
        let x: f64 = $x;
        let vx = 0.7;
        let (val, jv) = $jvp(x, $($e,)* vx);
        assert_eq!(val, $f(x, $($e),*), "value of {}", stringify!($f));
        let along = |s: f64| $f(x + s * vx, $($e),*);
        $crate::common::assert_close(jv, (along($crate::common::H) - along(-$crate::common::H)) / (2.0 * $crate::common::H), 1e-6);
        let u = 1.3;
        let (_, pb) = $vjp(x, $($e),*);
        let gx = pb(u);
        $crate::common::assert_close(u * jv, gx * vx, 1e-12);
        let (v2, g, hv) = $hvp(x, $($e,)* vx);
        assert_eq!(v2, val);
        $crate::common::assert_close(g, gx / u, 1e-12);
        let grad_along = |s: f64| $grad(x + s * vx, $($e),*).1;
        $crate::common::assert_close(hv, (grad_along($crate::common::H) - grad_along(-$crate::common::H)) / (2.0 * $crate::common::H), 1e-6);
    }};
}
