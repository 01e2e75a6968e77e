//! The error function, which `num_traits::Float` lacks: evaluated in `f64` (and rounded for
//! `f32`) by a series for small arguments and a continued fraction for large ones, both with
//! all-positive terms, to about 1e-15 relative accuracy.

use super::Element;

/// `2/√π`.
pub(crate) const TWO_OVER_SQRT_PI: f64 = std::f64::consts::FRAC_2_SQRT_PI;

/// The error function `erf(x) = 2/√π ∫₀ˣ e^{-t²} dt`.
/// Plain numbers are evaluated in `f64`; dual numbers carry their tangent ([`Element::erf_kernel`]).
pub(crate) fn erf<T: Element>(x: T) -> T {
    x.erf_kernel()
}

pub(crate) fn erf_f64(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let a = x.abs();
    let y = if a < 2.5 {
        // erf(a) = 2/√π e^{-a²} Σ 2ⁿ a^{2n+1} / (1·3·…·(2n+1)): positive terms, no cancellation.
        let mut term = a;
        let mut sum = a;
        let mut n = 0.0;
        while term > sum * 1e-17 {
            n += 1.0;
            term *= 2.0 * a * a / (2.0 * n + 1.0);
            sum += term;
        }
        TWO_OVER_SQRT_PI * (-a * a).exp() * sum
    } else if a < 6.5 {
        // erfc(a) = e^{-a²}/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated backwards.
        let mut f = a;
        for k in (1..=60).rev() {
            f = a + (k as f64 / 2.0) / f;
        }
        1.0 - (-a * a).exp() / (std::f64::consts::PI.sqrt() * f)
    } else {
        1.0
    };
    y.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_published_values() {
        // Abramowitz & Stegun table 7.1 / standard references, 16 digits.
        for (x, want) in [
            (0.0f64, 0.0f64),
            (0.1, 0.1124629160182849),
            (0.5, 0.5204998778130465),
            (1.0, 0.8427007929497149),
            (2.0, 0.9953222650189527),
            (2.5, 0.999593047982555),
            (3.0, 0.9999779095030014),
            (4.0, 0.9999999845827421),
        ] {
            assert!((erf(x) - want).abs() < 8e-16, "erf({x}) = {}", erf(x));
            assert!((erf(-x) + want).abs() < 8e-16);
        }
        assert_eq!(erf(10.0f32), 1.0);
        assert!(erf(f64::NAN).is_nan());
    }
}
