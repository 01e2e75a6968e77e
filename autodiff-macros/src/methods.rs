//! What the transform knows about method calls: which have a derivative, which are inactive
//! uses of a differentiable value, and which macros may see differentiable values.

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
}

/// The method table. Anything else called on a differentiable value is a compile error that
/// names the method and says how to provide a derivative.
pub fn method_kind(name: &str) -> Option<MethodKind> {
    use MethodKind::*;
    Some(match name {
        "exp" | "exp2" | "exp_m1" | "ln" | "ln_1p" | "log2" | "log10" | "sqrt" | "cbrt"
        | "powi" | "sin" | "cos" | "tan" | "asin" | "acos" | "atan" | "sinh" | "cosh" | "tanh"
        | "abs" | "recip" | "sigmoid" | "relu" | "sum" | "mean" | "norm" | "sum_axis"
        | "mean_axis" | "reshape" | "view" | "t" | "flatten" | "unsqueeze" | "squeeze"
        | "broadcast_to" | "sum_to" => Unary,
        "powf" | "max" | "min" | "hypot" | "atan2" | "dot" | "mm" | "mv" | "matmul" => Binary,
        "clone" | "to_owned" => Identity,
        "item" | "shape" | "ndim" | "numel" | "to_vec" | "as_slice" | "detach" | "len"
        | "is_empty" | "is_nan" | "is_finite" | "is_infinite" | "is_normal"
        | "is_sign_positive" | "is_sign_negative" | "signum" | "floor" | "ceil" | "round"
        | "trunc" | "fract" | "partial_cmp" | "total_cmp" | "eq" | "ne" | "lt" | "le" | "gt"
        | "ge" | "allclose" | "to_string" | "to_bits" | "classify" | "iter" | "into_iter" => {
            Inactive
        }
        _ => return None,
    })
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
