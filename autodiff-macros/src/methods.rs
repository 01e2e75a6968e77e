//! The table of known operations: which methods have a derivative and on which receivers the
//! runtime provides their VJP forms. It is the single source of truth for the macro (how a call
//! is lowered) and for the runtime's names: `known_operations_check` expands to code calling
//! every VJP form the table promises, which the facade's test suite compiles and runs, so a
//! missing or misnamed runtime form is a test failure, not a user's compile error.

use crate::names::{self, Operands};
use proc_macro2::{Span, TokenStream};
use quote::quote;

/// How a method call on a differentiable value is differentiated.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MethodKind {
    /// Differentiable in the receiver only; other arguments are configuration (`powi(2)`,
    /// `sum_axis(0, false)`, `reshape(..)`).
    Unary,
    /// Differentiable in the receiver and the first argument (`mm`, `dot`, `powf`, `max`).
    Binary,
    /// Its result carries no gradient (`item`, `shape`, `detach`, comparisons, rounding).
    Inactive,
    /// The identity (`clone`).
    Identity,
    /// Reads raw numbers out of the value (`as_slice`, `to_vec`, `iter`): allowed for
    /// conditions, bounds, indices and printing, refused where the numbers reach the output.
    RawRead,
}

/// A sample call the runtime test makes: receiver and argument expressions over the test's
/// values `x, y: f64`, `m, n: Tensor` (2x2), `v, w: Tensor` (length 2), `r: Tensor` (1x2).
#[derive(Clone, Copy)]
pub struct Sample {
    pub recv: &'static str,
    pub args: &'static str,
}

/// One known operation.
pub struct Op {
    pub name: &'static str,
    pub kind: MethodKind,
    /// The scalar (`f32`/`f64`/`T: Float`) VJP forms exist; how to call them in the test.
    pub scalar: Option<Sample>,
    /// The tensor VJP forms exist; how to call them in the test.
    pub tensor: Option<Sample>,
}

const fn s(recv: &'static str, args: &'static str) -> Option<Sample> {
    Some(Sample { recv, args })
}

const fn unary(name: &'static str, scalar: Option<Sample>, tensor: Option<Sample>) -> Op {
    Op {
        name,
        kind: MethodKind::Unary,
        scalar,
        tensor,
    }
}

const fn binary(name: &'static str, scalar: Option<Sample>, tensor: Option<Sample>) -> Op {
    Op {
        name,
        kind: MethodKind::Binary,
        scalar,
        tensor,
    }
}

const fn plain(name: &'static str, kind: MethodKind) -> Op {
    Op {
        name,
        kind,
        scalar: None,
        tensor: None,
    }
}

const X: Option<Sample> = s("x", "");
const M: Option<Sample> = s("m", "");

/// Every known operation (methods only; operators and casts are fixed in `names`).
pub const OPS: &[Op] = &[
    // element-wise, on scalars and tensors
    unary("exp", X, M),
    unary("ln", X, M),
    unary("sqrt", X, M),
    unary("powi", s("x", "2"), s("m", "2")),
    unary("sin", X, M),
    unary("cos", X, M),
    unary("tanh", X, M),
    unary("abs", X, M),
    // element-wise, scalars only
    unary("exp2", X, None),
    unary("cbrt", X, None),
    unary("asin", s("y", ""), None),
    unary("acos", s("y", ""), None),
    unary("atan", X, None),
    unary("sinh", X, None),
    unary("cosh", X, None),
    unary("recip", X, None),
    unary("fract", X, None),
    unary("clamp", s("x", "0.0, 1.0"), s("m", "-0.5, 0.5")),
    // tensors only
    unary("sigmoid", None, M),
    unary("relu", None, M),
    unary("sum", None, M),
    unary("mean", None, M),
    unary("norm", None, M),
    unary("sum_axis", None, s("m", "0, false")),
    unary("mean_axis", None, s("m", "1, true")),
    unary("reshape", None, s("m", "&[4usize]")),
    unary("view", None, s("m", "&[4usize]")),
    unary("t", None, M),
    unary("flatten", None, M),
    unary("unsqueeze", None, s("v", "0")),
    unary("squeeze", None, s("r", "0")),
    unary("broadcast_to", None, s("v", "&[3, 2]")),
    // element-wise, added for models
    unary("ln_1p", X, M),
    unary("exp_m1", X, M),
    unary("log2", X, M),
    unary("log10", X, M),
    unary("tan", X, M),
    unary("sign", None, M),
    unary("erf", None, M),
    unary("softplus", None, M),
    unary("gelu", None, M),
    unary("gelu_tanh", None, M),
    unary("silu", None, M),
    unary("leaky_relu", None, s("m", "0.01")),
    unary("elu", None, s("m", "1.0")),
    unary("softmax", None, s("m", "1")),
    unary("log_softmax", None, s("m", "1")),
    // selection, joining and reshaping
    unary("select", None, s("m", "1, 0")),
    unary("narrow", None, s("m", "0, 1, 1")),
    unary("index_select", None, s("m", "0, &[1, 0]")),
    unary("permute", None, s("m", "&[1, 0]")),
    unary("transpose", None, s("m", "0, 1")),
    unary("repeat", None, s("m", "&[2, 1]")),
    // a `Vec` of pieces; its pullback takes a `Vec` of cotangents
    unary("split", None, s("m", "1, 0")),
    unary("chunk", None, s("m", "2, 0")),
    unary("expand", None, s("r", "&[3, -1]")),
    // reductions
    unary("prod", None, M),
    unary("prod_axis", None, s("m", "0, false")),
    unary("max_axis", None, s("m", "1, false")),
    unary("min_axis", None, s("m", "1, true")),
    unary("var", None, s("m", "1, true, false")),
    unary("logsumexp", None, s("m", "1, true")),
    // one element as a differentiable scalar
    unary("item", None, s("m.sum()", "")),
    unary("get", None, s("m", "&[1, 0]")),
    unary("sum_to", None, s("m", "&[2]")),
    // two differentiable operands
    binary("powf", s("x", "y"), s("m", "y")),
    // `x.max(y)` on scalars; `t.max()` (no argument) is the tensor reduction
    binary("max", s("x", "y"), s("m", "")),
    binary("min", s("x", "y"), s("m", "")),
    binary("maximum", None, s("m", "&n")),
    binary("minimum", None, s("m", "&n")),
    binary("hypot", s("x", "y"), None),
    binary("atan2", s("x", "y"), None),
    binary("rem_euclid", s("x", "y"), None),
    binary("copysign", s("x", "y"), None),
    binary("dot", None, s("v", "&w")),
    binary("mm", None, s("m", "&n")),
    binary("mv", None, s("m", "&v")),
    binary("matmul", None, s("m", "&n")),
    // the identity
    plain("clone", MethodKind::Identity),
    plain("to_owned", MethodKind::Identity),
    // raw numbers out of a differentiable value
    plain("as_slice", MethodKind::RawRead),
    plain("to_vec", MethodKind::RawRead),
    plain("iter", MethodKind::RawRead),
    plain("into_iter", MethodKind::RawRead),
    plain("data", MethodKind::RawRead),
    plain("to_bits", MethodKind::RawRead),
    plain("to_string", MethodKind::RawRead),
    // no gradient flows through the result (flags, shapes, explicit cuts, piecewise constants)
    plain("shape", MethodKind::Inactive),
    plain("ndim", MethodKind::Inactive),
    plain("numel", MethodKind::Inactive),
    plain("detach", MethodKind::Inactive),
    // a tensor of the same shape whose values do not depend on the input's: derivative zero
    plain("zeros_like", MethodKind::Inactive),
    plain("ones_like", MethodKind::Inactive),
    plain("len", MethodKind::Inactive),
    plain("is_empty", MethodKind::Inactive),
    plain("is_nan", MethodKind::Inactive),
    plain("is_finite", MethodKind::Inactive),
    plain("is_infinite", MethodKind::Inactive),
    plain("is_normal", MethodKind::Inactive),
    plain("is_sign_positive", MethodKind::Inactive),
    plain("is_sign_negative", MethodKind::Inactive),
    plain("signum", MethodKind::Inactive),
    plain("floor", MethodKind::Inactive),
    plain("ceil", MethodKind::Inactive),
    plain("round", MethodKind::Inactive),
    plain("trunc", MethodKind::Inactive),
    plain("partial_cmp", MethodKind::Inactive),
    plain("total_cmp", MethodKind::Inactive),
    plain("eq", MethodKind::Inactive),
    plain("ne", MethodKind::Inactive),
    plain("lt", MethodKind::Inactive),
    plain("le", MethodKind::Inactive),
    plain("gt", MethodKind::Inactive),
    plain("ge", MethodKind::Inactive),
    plain("allclose", MethodKind::Inactive),
    plain("classify", MethodKind::Inactive),
];

/// How a method is differentiated; `None` for a method the table does not know (an error when
/// called on a differentiable value).
pub fn method_kind(name: &str) -> Option<MethodKind> {
    OPS.iter().find(|op| op.name == name).map(|op| op.kind)
}

/// Associated functions of `Tensor` with a runtime VJP form `Tensor::NAME_vjp`: the constructors
/// `scalar(s)` and `full(&shape, s)` (differentiable in `s`), `cat` and `stack` of a list of
/// tensors, and `where_cond(&mask, &a, &b)`.
pub fn is_tensor_function(name: &str) -> bool {
    matches!(name, "scalar" | "full" | "cat" | "stack" | "where_cond")
}

/// Macros that may mention differentiable values: they only read them (printing, assertions),
/// so their uses are inactive.
pub fn is_reading_macro(name: &str) -> bool {
    matches!(
        name,
        "println"
            | "print"
            | "eprintln"
            | "eprint"
            | "format"
            | "write"
            | "writeln"
            | "assert"
            | "assert_eq"
            | "assert_ne"
            | "debug_assert"
            | "debug_assert_eq"
            | "debug_assert_ne"
            | "panic"
            | "unreachable"
            | "todo"
            | "unimplemented"
            | "dbg"
    )
}

/// Code that calls every VJP form the table promises (each operand combination of the binary
/// ones) and pulls a cotangent back through it; for the runtime's test of the table.
pub fn known_operations_check() -> TokenStream {
    let rt = names::rt();
    let prelude = names::rt_prelude_import();
    let mut calls = Vec::new();
    for op in OPS {
        for sample in [op.scalar, op.tensor].into_iter().flatten() {
            let recv: TokenStream = sample.recv.parse().expect("sample receiver");
            let args: TokenStream = sample.args.parse().expect("sample arguments");
            let forms = match op.kind {
                MethodKind::Binary if sample.args.is_empty() => {
                    vec![names::vjp_form(op.name, Span::call_site())]
                }
                MethodKind::Unary => vec![names::vjp_form(op.name, Span::call_site())],
                MethodKind::Binary => [Operands::Left, Operands::Right, Operands::Both]
                    .into_iter()
                    .map(|w| names::binary_method_form(op.name, w, Span::call_site()))
                    .collect(),
                _ => Vec::new(),
            };
            for f in forms {
                calls.push(quote! {
                    let (out, pb) = (#recv).#f(#args);
                    let _ = #rt::Pullback::pull(&pb, ::core::clone::Clone::clone(&out));
                });
            }
        }
    }
    quote! {{
        #prelude
        let (x, y): (f64, f64) = (0.7, 0.4);
        let m = ::autodiff::Tensor::<f64>::from_vec(vec![0.7, -0.4, 0.2, 0.9], &[2, 2]);
        let n = ::autodiff::Tensor::<f64>::from_vec(vec![0.3, 0.5, -0.6, 0.1], &[2, 2]);
        let v = ::autodiff::Tensor::<f64>::from_vec(vec![0.8, -0.2], &[2]);
        let w = ::autodiff::Tensor::<f64>::from_vec(vec![0.1, 0.6], &[2]);
        let r = ::autodiff::Tensor::<f64>::from_vec(vec![0.5, 0.25], &[1, 2]);
        let _ = (&x, &y, &m, &n, &v, &w, &r);
        let (out, pb) = ::autodiff::Tensor::<f64>::scalar_vjp(x);
        let _ = #rt::Pullback::pull(&pb, out);
        let (out, pb) = ::autodiff::Tensor::<f64>::full_vjp(&[2, 3], x);
        let _ = #rt::Pullback::pull(&pb, out);
        #(#calls)*
    }}
}
