//! `Display` exactly like PyTorch's default `repr` (`torch/_tensor_str.py` with the default
//! print options: precision 4, line width 80, summarised above 1000 elements with 3 edge
//! items), and `Debug`, which adds the shape and dtype.

use super::{Element, Tensor};
use std::fmt;

/// PyTorch's default `PRINT_OPTS`.
const THRESHOLD: usize = 1000;
const EDGE_ITEMS: usize = 3;
const LINE_WIDTH: usize = 80;
const DEFAULT_PRECISION: usize = 4;

/// How every element of one tensor is printed (PyTorch's `_Formatter`): integer mode, fixed
/// point or scientific, all padded to a common width.
struct Formatter {
    int_mode: bool,
    sci_mode: bool,
    max_width: usize,
    precision: usize,
}

impl Formatter {
    /// Chooses the mode from the values that will be displayed.
    fn new(values: &[f64], precision: usize) -> Self {
        let mut f = Formatter {
            int_mode: true,
            sci_mode: false,
            max_width: 1,
            precision,
        };
        let finite: Vec<f64> = values
            .iter()
            .copied()
            .filter(|v| v.is_finite() && *v != 0.0)
            .collect();
        if finite.is_empty() {
            return f;
        }
        let max = finite.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let min = finite.iter().fold(f64::INFINITY, |m, v| m.min(v.abs()));
        f.int_mode = finite.iter().all(|v| *v == v.ceil());
        let wide_range = max / min > 1000.0 || max > 1.0e8;
        f.sci_mode = if f.int_mode {
            wide_range
        } else {
            wide_range || min < 1.0e-4
        };
        for &v in &finite {
            let width = if f.sci_mode {
                f.sci(v).len()
            } else if f.int_mode {
                format!("{v:.0}").len() + 1
            } else {
                format!("{v:.p$}", p = precision).len()
            };
            f.max_width = f.max_width.max(width);
        }
        f
    }

    /// Python's `f"{v:.{p}e}"`: a signed exponent of at least two digits.
    fn sci(&self, v: f64) -> String {
        if !v.is_finite() {
            return non_finite(v);
        }
        let s = format!("{v:.p$e}", p = self.precision);
        let (mantissa, exp) = s.split_once('e').expect("exponent");
        let exp: i32 = exp.parse().expect("exponent");
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }

    /// One element, right-aligned to the common width.
    fn format(&self, v: f64) -> String {
        let s = if self.sci_mode {
            self.sci(v)
        } else if !v.is_finite() {
            non_finite(v)
        } else if self.int_mode {
            format!("{v:.0}.")
        } else {
            format!("{v:.p$}", p = self.precision)
        };
        format!("{s:>w$}", w = self.max_width)
    }
}

/// Python's spelling of non-finite floats.
fn non_finite(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}

/// A row-major block of values with its shape (a sub-tensor being printed).
#[derive(Clone, Copy)]
struct Block<'a> {
    data: &'a [f64],
    shape: &'a [usize],
}

impl<'a> Block<'a> {
    fn row(&self, i: usize) -> Block<'a> {
        let len = self.data.len() / self.shape[0];
        Block {
            data: &self.data[i * len..(i + 1) * len],
            shape: &self.shape[1..],
        }
    }

    /// The indices of the first dimension that are shown.
    fn shown_rows(&self, summarize: bool) -> (Vec<usize>, bool) {
        let n = self.shape[0];
        if summarize && n > 2 * EDGE_ITEMS {
            ((0..EDGE_ITEMS).chain(n - EDGE_ITEMS..n).collect(), true)
        } else {
            ((0..n).collect(), false)
        }
    }

    /// PyTorch's `get_summarized_data`: the values that will be printed.
    fn shown_values(&self, summarize: bool, out: &mut Vec<f64>) {
        if self.shape.is_empty() {
            out.extend_from_slice(self.data);
            return;
        }
        let (rows, _) = self.shown_rows(summarize);
        if self.shape.len() == 1 {
            out.extend(rows.iter().map(|&i| self.data[i]));
        } else {
            for i in rows {
                self.row(i).shown_values(summarize, out);
            }
        }
    }

    /// PyTorch's `_tensor_str_with_formatter`.
    fn render(&self, indent: usize, summarize: bool, fmt: &Formatter) -> String {
        match self.shape.len() {
            0 => fmt.format(self.data[0]),
            1 => self.render_vector(indent, summarize, fmt),
            ndim => {
                let (rows, cut) = self.shown_rows(summarize);
                let mut slices: Vec<String> = rows
                    .iter()
                    .map(|&i| self.row(i).render(indent + 1, summarize, fmt))
                    .collect();
                if cut {
                    slices.insert(EDGE_ITEMS, "...".into());
                }
                let sep = format!(",{}{}", "\n".repeat(ndim - 1), " ".repeat(indent + 1));
                format!("[{}]", slices.join(&sep))
            }
        }
    }

    /// PyTorch's `_vector_str`.
    fn render_vector(&self, indent: usize, summarize: bool, fmt: &Formatter) -> String {
        let element_length = fmt.max_width + 2;
        let per_line = (LINE_WIDTH.saturating_sub(indent) / element_length).max(1);
        let (rows, cut) = self.shown_rows(summarize);
        let mut items: Vec<String> = rows.iter().map(|&i| fmt.format(self.data[i])).collect();
        if cut {
            items.insert(EDGE_ITEMS, " ...".into());
        }
        let lines: Vec<String> = items.chunks(per_line).map(|line| line.join(", ")).collect();
        format!(
            "[{}]",
            lines.join(&format!(",\n{}", " ".repeat(indent + 1)))
        )
    }
}

/// PyTorch's `_add_suffixes`: `, suffix` on the last line, or on a new line past 80 columns.
fn add_suffixes(mut s: String, suffixes: &[String], indent: usize) -> String {
    // Python: len(s) - s.rfind("\n") + 1, where rfind gives -1 when there is no newline.
    let mut last_line_len = match s.rfind('\n') {
        Some(pos) => s.chars().count() - s[..pos].chars().count() + 1,
        None => s.chars().count() + 2,
    };
    for suffix in suffixes {
        let len = suffix.chars().count();
        if last_line_len + len + 2 > LINE_WIDTH {
            s.push_str(&format!(",\n{}{suffix}", " ".repeat(indent)));
            last_line_len = indent + len;
        } else {
            s.push_str(&format!(", {suffix}"));
            last_line_len += len + 2;
        }
    }
    s.push(')');
    s
}

/// `tensor(...)` with PyTorch's layout; `debug` adds the shape and dtype.
fn repr<T: Element>(t: &Tensor<T>, precision: usize, debug: bool) -> String {
    const PREFIX: &str = "tensor(";
    let indent = PREFIX.len();
    let shape = t.shape();
    let mut suffixes = Vec::new();
    let body = if t.numel() == 0 {
        if shape.len() != 1 && !debug {
            let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            let comma = if dims.len() == 1 { "," } else { "" };
            suffixes.push(format!("size=({}{comma})", dims.join(", ")));
        }
        "[]".to_string()
    } else {
        let data: Vec<f64> = t.as_slice().iter().map(|v| v.into_f64()).collect();
        let block = Block { data: &data, shape };
        let summarize = t.numel() > THRESHOLD;
        let fmt = if summarize {
            let mut shown = Vec::new();
            block.shown_values(true, &mut shown);
            Formatter::new(&shown, precision)
        } else {
            Formatter::new(&data, precision)
        };
        block.render(indent, summarize, &fmt)
    };
    if debug {
        suffixes.push(format!("shape={shape:?}"));
        suffixes.push(format!("dtype={}", T::NAME));
    } else if T::NAME != "float32" {
        suffixes.push(format!("dtype=torch.{}", T::NAME));
    }
    add_suffixes(format!("{PREFIX}{body}"), &suffixes, indent)
}

impl<T: Element> fmt::Display for Tensor<T> {
    /// Prints like PyTorch's default `repr`; a precision (`{:.2}`) replaces PyTorch's 4 digits.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::from_vec(vec![2.0f32, 0.2, 0.02, 0.002], &[4]);
    /// assert_eq!(x.to_string(), "tensor([2.0000, 0.2000, 0.0200, 0.0020])");
    /// assert_eq!(format!("{x:.2}"), "tensor([2.00, 0.20, 0.02, 0.00])");
    /// assert_eq!(Tensor::full(&[2, 2], 4.5f32).to_string(),
    ///            "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&repr(
            self,
            f.precision().unwrap_or(DEFAULT_PRECISION),
            false,
        ))
    }
}

impl<T: Element> fmt::Debug for Tensor<T> {
    /// The `Display` form with the shape and dtype appended.
    ///
    /// ```
    /// use autodiff_runtime::Tensor;
    /// let x = Tensor::<f64>::arange(3);
    /// assert_eq!(format!("{x:?}"), "tensor([0., 1., 2.], shape=[3], dtype=float64)");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&repr(
            self,
            f.precision().unwrap_or(DEFAULT_PRECISION),
            true,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(data: &[f32], shape: &[usize]) -> Tensor {
        Tensor::from_vec(data.to_vec(), shape)
    }

    #[test]
    fn integer_valued_tensors() {
        // Printed by PyTorch in the seed notebooks.
        assert_eq!(
            t(&[0., 4., 8., 12.], &[4, 1]).to_string(),
            "tensor([[ 0.],\n        [ 4.],\n        [ 8.],\n        [12.]])"
        );
        assert_eq!(
            t(&[1., 2., 3., 4.], &[4]).to_string(),
            "tensor([1., 2., 3., 4.])"
        );
        assert_eq!(
            t(&[0., 4., 8., 12.], &[4]).to_string(),
            "tensor([ 0.,  4.,  8., 12.])"
        );
        assert_eq!(Tensor::scalar(28.0f32).to_string(), "tensor(28.)");
        assert_eq!(
            t(&[0., 1., 2., 3.], &[4, 1]).to_string(),
            "tensor([[0.],\n        [1.],\n        [2.],\n        [3.]])"
        );
        assert_eq!(t(&[-0.0], &[1]).to_string(), "tensor([-0.])");
        assert_eq!(t(&[0.0, 0.0], &[2]).to_string(), "tensor([0., 0.])");
        assert_eq!(t(&[-1.0, 2.0], &[2]).to_string(), "tensor([-1.,  2.])");
    }

    #[test]
    fn fixed_point_tensors() {
        assert_eq!(
            t(&[4.5, 4.5, 4.5, 4.5], &[2, 2]).to_string(),
            "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])"
        );
        assert_eq!(
            t(&[2.0, 0.2, 0.02, 0.002], &[4]).to_string(),
            "tensor([2.0000, 0.2000, 0.0200, 0.0020])"
        );
        assert_eq!(
            t(&[-1.5, 10.25], &[2]).to_string(),
            "tensor([-1.5000, 10.2500])"
        );
        assert_eq!(Tensor::scalar(0.5f32).to_string(), "tensor(0.5000)");
        // randn(&[4], 1), as PyTorch prints those float32 values
        assert_eq!(
            Tensor::<f32>::randn(&[4], 1).to_string(),
            "tensor([-0.0282, -0.2279,  0.1031, -0.5062])"
        );
    }

    #[test]
    fn scientific_notation() {
        assert_eq!(
            t(&[1e-5, 1.0], &[2]).to_string(),
            "tensor([1.0000e-05, 1.0000e+00])"
        );
        assert_eq!(Tensor::scalar(1e-5f32).to_string(), "tensor(1.0000e-05)");
        assert_eq!(
            t(&[1.0, 2000.0], &[2]).to_string(),
            "tensor([1.0000e+00, 2.0000e+03])"
        );
        assert_eq!(
            t(&[1e9, 1.0], &[2]).to_string(),
            "tensor([1.0000e+09, 1.0000e+00])"
        );
        assert_eq!(t(&[1.5e9], &[1]).to_string(), "tensor([1.5000e+09])");
        assert_eq!(
            t(&[0.5, -2000.0], &[2]).to_string(),
            "tensor([ 5.0000e-01, -2.0000e+03])"
        );
        // ratio exactly 1000 stays fixed-point (the test is `>`)
        assert_eq!(
            t(&[1.0, 1000.0], &[2]).to_string(),
            "tensor([   1., 1000.])"
        );
    }

    #[test]
    fn non_finite_values() {
        assert_eq!(t(&[f32::NAN, 1.0], &[2]).to_string(), "tensor([nan, 1.])");
        assert_eq!(
            t(&[f32::INFINITY, f32::NEG_INFINITY, 0.5], &[3]).to_string(),
            "tensor([   inf,   -inf, 0.5000])"
        );
        assert_eq!(Tensor::scalar(f32::NAN).to_string(), "tensor(nan)");
    }

    #[test]
    fn float64_and_empty_tensors() {
        let x = Tensor::from_vec(vec![1.0f64, 2.5], &[2]);
        assert_eq!(
            x.to_string(),
            "tensor([1.0000, 2.5000], dtype=torch.float64)"
        );
        assert_eq!(Tensor::<f32>::zeros(&[0]).to_string(), "tensor([])");
        assert_eq!(
            Tensor::<f32>::zeros(&[2, 0]).to_string(),
            "tensor([], size=(2, 0))"
        );
        assert_eq!(
            Tensor::<f64>::zeros(&[0]).to_string(),
            "tensor([], dtype=torch.float64)"
        );
        // A long last line pushes the dtype onto its own line.
        let long = Tensor::<f64>::arange(16) / 3.0;
        assert_eq!(
            long.to_string(),
            "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n        \
             3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000],\n       \
             dtype=torch.float64)"
        );
    }

    #[test]
    fn long_rows_wrap_at_80_columns() {
        let x = Tensor::<f32>::arange(30) / 7.0;
        assert_eq!(
            x.to_string(),
            "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n        \
             1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n        \
             2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,\n        \
             3.8571, 4.0000, 4.1429])"
        );
    }

    #[test]
    fn summarised_output_above_1000_elements() {
        let v = Tensor::<f32>::arange(1001);
        assert_eq!(
            v.to_string(),
            "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])"
        );
        let m = Tensor::<f32>::arange(2000).reshape(&[40, 50]) / 100.0 + 1.0;
        assert_eq!(
            m.to_string(),
            "tensor([[ 1.0000,  1.0100,  1.0200,  ...,  1.4700,  1.4800,  1.4900],\n        \
             [ 1.5000,  1.5100,  1.5200,  ...,  1.9700,  1.9800,  1.9900],\n        \
             [ 2.0000,  2.0100,  2.0200,  ...,  2.4700,  2.4800,  2.4900],\n        \
             ...,\n        \
             [19.5000, 19.5100, 19.5200,  ..., 19.9700, 19.9800, 19.9900],\n        \
             [20.0000, 20.0100, 20.0200,  ..., 20.4700, 20.4800, 20.4900],\n        \
             [20.5000, 20.5100, 20.5200,  ..., 20.9700, 20.9800, 20.9900]])"
        );
        // Only the displayed values choose the format: the hidden 0.01 would switch to 4 decimals.
        let mut data = vec![1.0f32; 1001];
        data[500] = 0.01;
        assert_eq!(
            Tensor::from_vec(data, &[1001]).to_string(),
            "tensor([1., 1., 1.,  ..., 1., 1., 1.])"
        );
        // 1000 elements exactly are printed in full
        assert!(!Tensor::<f32>::zeros(&[1000]).to_string().contains("..."));
    }

    #[test]
    fn three_dimensional_tensors_separate_blocks_with_blank_lines() {
        let x = Tensor::<f32>::arange(8).reshape(&[2, 2, 2]);
        assert_eq!(
            x.to_string(),
            "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])"
        );
    }

    #[test]
    fn debug_adds_shape_and_dtype() {
        let x = t(&[1.0, 2.0], &[2]);
        assert_eq!(
            format!("{x:?}"),
            "tensor([1., 2.], shape=[2], dtype=float32)"
        );
        assert_eq!(
            format!("{:?}", Tensor::scalar(1.5f64)),
            "tensor(1.5000, shape=[], dtype=float64)"
        );
        assert_eq!(
            format!("{:?}", Tensor::<f32>::zeros(&[2, 0])),
            "tensor([], shape=[2, 0], dtype=float32)"
        );
    }
}
