//! `+ - * /` with PyTorch broadcasting for every combination of `Tensor`, `&Tensor` and a scalar
//! on either side, unary `-`, and the `op=` forms.
//!
//! Fast paths handle equal shapes and one-element operands over plain slices; the general
//! broadcast case walks contiguous runs ([`Walk`]). An operator that consumes a tensor whose
//! buffer is not shared writes its result into that buffer, so `&y * &y * 3.0` allocates one
//! buffer, and `grad += &g` adds in place (copy-on-write: a shared buffer is never mutated).

use super::broadcast::{broadcast_shapes_for, broadcasts_to, Walk};
use super::storage::Dims;
use super::{Element, Tensor};
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// The broadcast shape of `a op b`, panicking with PyTorch's message.
#[track_caller]
fn result_shape<T: Element>(op: &'static str, a: &Tensor<T>, b: &Tensor<T>) -> Option<Vec<usize>> {
    if a.shape() == b.shape() {
        return None; // same shape: the common case needs no new shape at all
    }
    match broadcast_shapes_for(op, a.shape(), b.shape()) {
        Ok(shape) => Some(shape),
        Err(e) => panic!("{e}"),
    }
}

/// `f(a, b)` element-wise with broadcasting into a new tensor.
#[inline]
#[track_caller]
pub(crate) fn binary<T: Element>(
    op: &'static str,
    a: &Tensor<T>,
    b: &Tensor<T>,
    f: impl Fn(T, T) -> T,
) -> Tensor<T> {
    let Some(shape) = result_shape(op, a, b) else {
        if let ([x], [y]) = (a.as_slice(), b.as_slice()) {
            return a.one_like(f(*x, *y));
        }
        let it = a.as_slice().iter().zip(b.as_slice());
        let data = super::pool::collect(a.numel(), it.map(|(&x, &y)| f(x, y)));
        return a.with_same_shape(data);
    };
    binary_broadcast(&shape, a, b, f)
}

/// The broadcasting case of [`binary`], given the result shape.
fn binary_broadcast<T: Element>(
    shape: &[usize],
    a: &Tensor<T>,
    b: &Tensor<T>,
    f: impl Fn(T, T) -> T,
) -> Tensor<T> {
    let (xs, ys) = (a.as_slice(), b.as_slice());
    // One operand is a single element that does not add dimensions: a map.
    if ys.len() == 1 && shape == a.shape() {
        let y = ys[0];
        return a.map(|x| f(x, y));
    }
    if xs.len() == 1 && shape == b.shape() {
        let x = xs[0];
        return b.map(|y| f(x, y));
    }
    let walk = Walk::new(shape, [a.shape(), b.shape()]);
    let n = walk.len;
    let mut out = super::pool::with_capacity(super::storage::numel_of(shape));
    walk.for_each(|[i, j]| match walk.inner {
        [1, 1] => out.extend(
            xs[i..i + n]
                .iter()
                .zip(&ys[j..j + n])
                .map(|(&x, &y)| f(x, y)),
        ),
        [1, _] => {
            let y = ys[j];
            out.extend(xs[i..i + n].iter().map(|&x| f(x, y)));
        }
        [_, 1] => {
            let x = xs[i];
            out.extend(ys[j..j + n].iter().map(|&y| f(x, y)));
        }
        _ => out.extend(std::iter::repeat_n(f(xs[i], ys[j]), n)),
    });
    Tensor::from_parts(out, Dims::new(shape))
}

/// `dst[k] = f(dst[k], src[..])` where `src` broadcasts to `dst`'s shape.
fn apply_into<T: Element>(
    dst: &mut [T],
    dst_shape: &[usize],
    src: &Tensor<T>,
    f: impl Fn(T, T) -> T,
) {
    let ys = src.as_slice();
    if dst_shape == src.shape() {
        dst.iter_mut().zip(ys).for_each(|(d, &y)| *d = f(*d, y));
        return;
    }
    if let [y] = *ys {
        dst.iter_mut().for_each(|d| *d = f(*d, y));
        return;
    }
    let walk = Walk::new(dst_shape, [dst_shape, src.shape()]);
    let n = walk.len;
    walk.for_each(|[i, j]| {
        let run = &mut dst[i..i + n];
        if walk.inner[1] == 1 {
            run.iter_mut()
                .zip(&ys[j..j + n])
                .for_each(|(d, &y)| *d = f(*d, y));
        } else {
            let y = ys[j];
            run.iter_mut().for_each(|d| *d = f(*d, y));
        }
    });
}

/// `a op b` consuming `a`: in `a`'s buffer when it is unique and already has the result shape.
#[track_caller]
fn binary_lhs_owned<T: Element>(
    op: &'static str,
    mut a: Tensor<T>,
    b: &Tensor<T>,
    f: impl Fn(T, T) -> T,
) -> Tensor<T> {
    let shape = result_shape(op, &a, b);
    let fits = shape.as_deref().is_none_or(|s| s == a.shape());
    if fits && a.is_unique() {
        let dims = a.dims.clone();
        if let Some(dst) = a.unique_slice_mut() {
            apply_into(dst, dims.as_slice(), b, f);
            return a;
        }
    }
    match shape {
        None => binary(op, &a, b, f),
        Some(shape) => binary_broadcast(&shape, &a, b, f),
    }
}

/// `a op b` consuming `b`: in `b`'s buffer when it is unique and already has the result shape.
#[track_caller]
fn binary_rhs_owned<T: Element>(
    op: &'static str,
    a: &Tensor<T>,
    mut b: Tensor<T>,
    f: impl Fn(T, T) -> T,
) -> Tensor<T> {
    let shape = result_shape(op, a, &b);
    let fits = shape.as_deref().is_none_or(|s| s == b.shape());
    if fits && b.is_unique() {
        let dims = b.dims.clone();
        if let Some(dst) = b.unique_slice_mut() {
            apply_into(dst, dims.as_slice(), a, |y, x| f(x, y));
            return b;
        }
    }
    match shape {
        None => binary(op, a, &b, f),
        Some(shape) => binary_broadcast(&shape, a, &b, f),
    }
}

/// `a op b` consuming both: reuses whichever unique buffer already has the result shape.
#[track_caller]
fn binary_both_owned<T: Element>(
    op: &'static str,
    a: Tensor<T>,
    b: Tensor<T>,
    f: impl Fn(T, T) -> T + Copy,
) -> Tensor<T> {
    let a_fits = a.is_unique() && broadcasts_to(b.shape(), a.shape());
    if a_fits || !b.is_unique() {
        binary_lhs_owned(op, a, &b, f)
    } else {
        binary_rhs_owned(op, &a, b, f)
    }
}

/// `a op= b`: in place when `a`'s buffer is unique, otherwise `a` gets a new buffer (the old
/// one may be shared with a saved value, which must not change).
#[track_caller]
fn assign<T: Element>(op: &'static str, a: &mut Tensor<T>, b: &Tensor<T>, f: impl Fn(T, T) -> T) {
    if let Some(shape) = result_shape(op, a, b) {
        if shape != a.shape() {
            panic!(
                "{op}: output with shape {:?} doesn't match the broadcast shape {shape:?}",
                a.shape()
            );
        }
    }
    let dims = a.dims.clone();
    match a.unique_slice_mut() {
        Some(dst) => apply_into(dst, dims.as_slice(), b, f),
        None => *a = binary(op, a, b, f),
    }
}

/// `a op= s` for a scalar `s`, in place when `a`'s buffer is unique.
fn assign_scalar<T: Element>(a: &mut Tensor<T>, s: T, f: impl Fn(T, T) -> T) {
    match a.unique_slice_mut() {
        Some(dst) => dst.iter_mut().for_each(|d| *d = f(*d, s)),
        None => *a = a.map(|x| f(x, s)),
    }
}

macro_rules! binary_operator {
    ($Op:ident, $method:ident, $OpAssign:ident, $assign_method:ident, $name:literal, $op:tt) => {
        impl<T: Element> $Op<&Tensor<T>> for &Tensor<T> {
            type Output = Tensor<T>;
            #[track_caller]
            fn $method(self, rhs: &Tensor<T>) -> Tensor<T> {
                binary($name, self, rhs, |x, y| x $op y)
            }
        }

        impl<T: Element> $Op<Tensor<T>> for &Tensor<T> {
            type Output = Tensor<T>;
            #[track_caller]
            fn $method(self, rhs: Tensor<T>) -> Tensor<T> {
                binary_rhs_owned($name, self, rhs, |x, y| x $op y)
            }
        }

        impl<T: Element> $Op<&Tensor<T>> for Tensor<T> {
            type Output = Tensor<T>;
            #[track_caller]
            fn $method(self, rhs: &Tensor<T>) -> Tensor<T> {
                binary_lhs_owned($name, self, rhs, |x, y| x $op y)
            }
        }

        impl<T: Element> $Op<Tensor<T>> for Tensor<T> {
            type Output = Tensor<T>;
            #[track_caller]
            fn $method(self, rhs: Tensor<T>) -> Tensor<T> {
                binary_both_owned($name, self, rhs, |x, y| x $op y)
            }
        }

        impl<T: Element> $Op<T> for Tensor<T> {
            type Output = Tensor<T>;
            fn $method(self, rhs: T) -> Tensor<T> {
                self.map_inplace(move |x| x $op rhs)
            }
        }

        impl<T: Element> $Op<T> for &Tensor<T> {
            type Output = Tensor<T>;
            fn $method(self, rhs: T) -> Tensor<T> {
                self.map(move |x| x $op rhs)
            }
        }

        binary_operator!(@scalar_left $Op, $method, $op, f32);
        binary_operator!(@scalar_left $Op, $method, $op, f64);

        impl<T: Element> $OpAssign<&Tensor<T>> for Tensor<T> {
            #[track_caller]
            fn $assign_method(&mut self, rhs: &Tensor<T>) {
                assign(concat!($name, "_"), self, rhs, |x, y| x $op y)
            }
        }

        impl<T: Element> $OpAssign<Tensor<T>> for Tensor<T> {
            #[track_caller]
            fn $assign_method(&mut self, rhs: Tensor<T>) {
                assign(concat!($name, "_"), self, &rhs, |x, y| x $op y)
            }
        }

        impl<T: Element> $OpAssign<T> for Tensor<T> {
            fn $assign_method(&mut self, rhs: T) {
                assign_scalar(self, rhs, |x, y| x $op y)
            }
        }
    };
    // A scalar on the left needs one impl per concrete type (orphan rules).
    (@scalar_left $Op:ident, $method:ident, $op:tt, $t:ty) => {
        impl $Op<Tensor<$t>> for $t {
            type Output = Tensor<$t>;
            fn $method(self, rhs: Tensor<$t>) -> Tensor<$t> {
                rhs.map_inplace(move |y| self $op y)
            }
        }

        impl $Op<&Tensor<$t>> for $t {
            type Output = Tensor<$t>;
            fn $method(self, rhs: &Tensor<$t>) -> Tensor<$t> {
                rhs.map(move |y| self $op y)
            }
        }
    };
}

binary_operator!(Add, add, AddAssign, add_assign, "add", +);
binary_operator!(Sub, sub, SubAssign, sub_assign, "sub", -);
binary_operator!(Mul, mul, MulAssign, mul_assign, "mul", *);
binary_operator!(Div, div, DivAssign, div_assign, "div", /);

impl<T: Element> Neg for Tensor<T> {
    type Output = Tensor<T>;
    fn neg(self) -> Tensor<T> {
        self.map_inplace(|x| -x)
    }
}

impl<T: Element> Neg for &Tensor<T> {
    type Output = Tensor<T>;
    fn neg(self) -> Tensor<T> {
        self.map(|x| -x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(data: &[f32], shape: &[usize]) -> Tensor {
        Tensor::from_vec(data.to_vec(), shape)
    }

    #[test]
    fn every_operand_combination() {
        let x = t(&[1.0, 2.0, 3.0], &[3]);
        let y = t(&[4.0, 5.0, 6.0], &[3]);
        assert_eq!((&x + &y).to_vec(), vec![5.0, 7.0, 9.0]);
        assert_eq!((x.clone() - &y).to_vec(), vec![-3.0, -3.0, -3.0]);
        assert_eq!((&x * y.clone()).to_vec(), vec![4.0, 10.0, 18.0]);
        assert_eq!((y.clone() / x.clone()).to_vec(), vec![4.0, 2.5, 2.0]);
        assert_eq!((2.0 * &x).to_vec(), vec![2.0, 4.0, 6.0]);
        assert_eq!((&y * &y * 3.0).to_vec(), vec![48.0, 75.0, 108.0]);
        assert_eq!((x.clone() + 2.0).to_vec(), vec![3.0, 4.0, 5.0]);
        assert_eq!((1.0 - &x).to_vec(), vec![0.0, -1.0, -2.0]);
        assert_eq!((6.0 / x.clone()).to_vec(), vec![6.0, 3.0, 2.0]);
        assert_eq!((&x / 2.0).to_vec(), vec![0.5, 1.0, 1.5]);
        assert_eq!((-&x).to_vec(), vec![-1.0, -2.0, -3.0]);
        assert_eq!((-x.clone()).to_vec(), vec![-1.0, -2.0, -3.0]);
        let d = Tensor::from_vec(vec![1.0f64, 2.0], &[2]);
        assert_eq!((2.0 * &d + 1.0).to_vec(), vec![3.0, 5.0]);
        assert_eq!((2.0 - d).to_vec(), vec![1.0, 0.0]);
        // the operands are untouched
        assert_eq!(x.to_vec(), vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn broadcasting_follows_pytorch() {
        let m = t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
        let row = t(&[10.0, 20.0, 30.0], &[3]);
        let col = t(&[100.0, 200.0], &[2, 1]);
        assert_eq!(
            (&m + &row).to_vec(),
            vec![11.0, 22.0, 33.0, 14.0, 25.0, 36.0]
        );
        assert_eq!(
            (&row + &m).to_vec(),
            vec![11.0, 22.0, 33.0, 14.0, 25.0, 36.0]
        );
        assert_eq!(
            (&m - &col).to_vec(),
            vec![-99.0, -98.0, -97.0, -196.0, -195.0, -194.0]
        );
        assert_eq!(
            (&col - &m).to_vec(),
            vec![99.0, 98.0, 97.0, 196.0, 195.0, 194.0]
        );
        let outer = &col * &row;
        assert_eq!(outer.shape(), &[2, 3]);
        assert_eq!(
            outer.to_vec(),
            vec![1000.0, 2000.0, 3000.0, 2000.0, 4000.0, 6000.0]
        );
        let s = Tensor::scalar(2.0f32);
        assert_eq!((&m * &s).shape(), &[2, 3]);
        assert_eq!((&s / &m).to_vec()[1], 1.0);
        let one = t(&[3.0], &[1, 1, 1]);
        assert_eq!((&row * &one).shape(), &[1, 1, 3]);
        let a = Tensor::<f32>::arange(4).reshape(&[2, 1, 2]);
        let b = Tensor::<f32>::arange(3).reshape(&[3, 1]);
        let c = &a + &b;
        assert_eq!(c.shape(), &[2, 3, 2]);
        assert_eq!(
            c.to_vec(),
            vec![0., 1., 1., 2., 2., 3., 2., 3., 3., 4., 4., 5.]
        );
        let e = &Tensor::<f32>::zeros(&[0, 3]) + &row;
        assert_eq!(e.shape(), &[0, 3]);
    }

    #[test]
    fn owned_operands_reuse_unique_buffers_only() {
        let x = t(&[1.0, 2.0], &[2]);
        let tmp = &x * 2.0;
        let ptr = tmp.as_slice().as_ptr();
        let r = tmp * &x;
        assert_eq!(r.as_slice().as_ptr(), ptr);
        let r2 = &x + r;
        assert_eq!(r2.as_slice().as_ptr(), ptr);
        assert_eq!(r2.to_vec(), vec![3.0, 10.0]);
        // A shared buffer is never written.
        let saved = r2.clone();
        let r3 = r2 + 1.0;
        assert_eq!(saved.to_vec(), vec![3.0, 10.0]);
        assert_eq!(r3.to_vec(), vec![4.0, 11.0]);
        // The right operand's buffer, with a non-commutative op.
        let m = t(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
        let b = t(&[1.0, 1.0], &[2]);
        assert_eq!(
            (b.clone() - m.clone()).to_vec(),
            vec![0.0, -1.0, -2.0, -3.0]
        );
        let m2 = &m * 1.0;
        let p = m2.as_slice().as_ptr();
        let d = &t(&[8.0, 8.0], &[2]) / m2;
        assert_eq!(d.as_slice().as_ptr(), p);
        assert_eq!(d.to_vec(), vec![8.0, 4.0, 8.0 / 3.0, 2.0]);
        // Both owned: the operand with the result's shape is reused, whichever side it is on.
        let big = &m * 1.0;
        let p = big.as_slice().as_ptr();
        let r = (&b * 1.0) + big;
        assert_eq!(r.as_slice().as_ptr(), p);
    }

    #[test]
    fn assignment_is_copy_on_write() {
        let mut acc = Tensor::<f32>::zeros(&[2, 2]);
        let ptr = acc.as_slice().as_ptr();
        acc += &Tensor::ones(&[2, 2]);
        acc += Tensor::from_vec(vec![1.0, 2.0], &[2]);
        acc *= 2.0;
        acc -= 1.0;
        acc /= &Tensor::scalar(2.0);
        assert_eq!(
            acc.as_slice().as_ptr(),
            ptr,
            "unique buffer must be updated in place"
        );
        assert_eq!(acc.to_vec(), vec![1.5, 2.5, 1.5, 2.5]);
        let snapshot = acc.clone();
        acc += 1.0;
        acc *= &snapshot;
        assert_eq!(snapshot.to_vec(), vec![1.5, 2.5, 1.5, 2.5]);
        assert_eq!(acc.to_vec(), vec![3.75, 8.75, 3.75, 8.75]);
        let mut alias = snapshot.clone();
        alias += &snapshot;
        assert_eq!(alias.to_vec(), vec![3.0, 5.0, 3.0, 5.0]);
        assert_eq!(snapshot.to_vec(), vec![1.5, 2.5, 1.5, 2.5]);
    }

    #[test]
    #[should_panic(
        expected = "add_: output with shape [3] doesn't match the broadcast shape [2, 3]"
    )]
    fn assignment_cannot_grow_the_left_operand() {
        let mut a = Tensor::<f32>::zeros(&[3]);
        a += &Tensor::zeros(&[2, 3]);
    }

    #[test]
    #[should_panic(
        expected = "mul: the size of tensor a (3) must match the size of tensor b (4) \
                               at non-singleton dimension 1; shapes are [2, 3] and [4]"
    )]
    fn mismatched_shapes_panic_like_pytorch() {
        let _ = &Tensor::<f32>::zeros(&[2, 3]) * &Tensor::zeros(&[4]);
    }
}
