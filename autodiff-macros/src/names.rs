//! Every identifier the generated code introduces and every path it calls into the runtime.
//!
//! The generated code must not collide with the user's names and must agree with the runtime's
//! trait methods; spelling each name once here keeps the macro's stages (and the runtime test
//! that calls every entry of the operation table) in agreement.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

/// The runtime module generated code calls (`autodiff::__rt`, re-exporting `autodiff_runtime::vjp`).
pub fn rt() -> TokenStream {
    quote!(::autodiff::__rt)
}

/// The `num_traits` crate as the `autodiff` crate re-exports it.
pub fn num_traits() -> TokenStream {
    quote!(::autodiff::num_traits)
}

/// [`rt`] with every token spanned at `span`: a call through it is located (for
/// `#[track_caller]` panics) at the user's operation rather than at the attribute.
pub fn rt_at(span: Span) -> TokenStream {
    quote::quote_spanned!(span=> ::autodiff::__rt)
}

/// The glob import that brings every VJP-form trait (`ScalarVjp`, `TensorVjp`, ..) into scope
/// as `_`, so method-call VJP forms resolve without naming the traits.
pub fn rt_prelude_import() -> TokenStream {
    quote!(
        use ::autodiff::__rt::prelude::*;
    )
}

/// `NAME_vjp`: the forward sweep with its pullback.
pub fn vjp_fn(name: &Ident) -> Ident {
    format_ident!("{}_vjp", name)
}

/// `NAME_grad`: value and gradient for a scalar output.
pub fn grad_fn(name: &Ident) -> Ident {
    format_ident!("{}_grad", name)
}

/// The VJP form of a function or method that is differentiable in the receiver (or in all its
/// arguments, for user functions): `{name}_vjp`, spanned at the user's call.
pub fn vjp_form(name: &str, span: Span) -> Ident {
    Ident::new(&format!("{name}_vjp"), span)
}

/// Which operands of a two-operand operation are active.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Operands {
    /// Only the left operand (the receiver).
    Left,
    /// Only the right operand (the argument).
    Right,
    /// Both.
    Both,
}

impl Operands {
    /// From the activity of the two operands (`None` when neither is active).
    pub fn of(left: bool, right: bool) -> Option<Operands> {
        match (left, right) {
            (true, true) => Some(Operands::Both),
            (true, false) => Some(Operands::Left),
            (false, true) => Some(Operands::Right),
            (false, false) => None,
        }
    }

    /// The runtime's suffix for this combination.
    pub fn suffix(self) -> &'static str {
        match self {
            Operands::Left => "l",
            Operands::Right => "r",
            Operands::Both => "lr",
        }
    }
}

/// A two-operand method's VJP form: `{name}_vjp_{l|r|lr}`.
pub fn binary_method_form(name: &str, which: Operands, span: Span) -> Ident {
    Ident::new(&format!("{name}_vjp_{}", which.suffix()), span)
}

/// An arithmetic operator's VJP form in the runtime: `add_l`, `mul_lr`, ...
pub fn operator_form(op: &str, which: Operands, span: Span) -> Ident {
    Ident::new(&format!("{op}_{}", which.suffix()), span)
}

/// Unary minus in VJP form.
pub fn neg_form(span: Span) -> Ident {
    Ident::new("neg", span)
}

/// A cast to a float type in VJP form (`as_f32` / `as_f64`).
pub fn cast_form(to_f64: bool, span: Span) -> Ident {
    Ident::new(if to_f64 { "as_f64" } else { "as_f32" }, span)
}

/// The record of segment `k` (an `Option` or a `Vec` of pullback tuples).
pub fn record(k: usize) -> Ident {
    format_ident!("__ad_rec{}", k)
}

/// The reverse iterator over the records of loop segment `k`.
pub fn record_iter(k: usize) -> Ident {
    format_ident!("__ad_it{}", k)
}

/// The trace of executed segment ids.
pub fn trace() -> Ident {
    format_ident!("__ad_trace")
}

/// The adjoint of a named binding (`id` disambiguates shadowed names).
pub fn binding_adjoint(id: usize, name: &str) -> Ident {
    format_ident!("__ad_d{}_{}", id, name)
}

/// The adjoint of temporary `n`.
pub fn temp_adjoint(n: usize) -> Ident {
    format_ident!("__ad_dt{}", n)
}

/// The forward value of temporary `n`.
pub fn temp_value(n: usize) -> Ident {
    format_ident!("__ad_t{}", n)
}

/// The pullback of the operation that produced temporary `n`.
pub fn temp_pullback(n: usize) -> Ident {
    format_ident!("__ad_pb{}", n)
}

/// What a differentiated parameter's zero gradient is built from (its shape).
pub fn zero_meta(id: usize) -> Ident {
    format_ident!("__ad_zm{}", id)
}

/// The label of the body block (early `return` becomes `break` to it).
pub fn body_label() -> syn::Lifetime {
    syn::Lifetime::new("'__ad_body", Span::call_site())
}

/// The marker struct whose deprecation warns about a constant output.
pub fn constant_output_marker(name: &Ident) -> Ident {
    format_ident!("__ad_constant_output_{}", name)
}

/// Locals of the generated wrappers: forward output, cotangent, record being replayed, ...
pub mod local {
    use proc_macro2::Ident;
    use quote::format_ident;

    /// The forward sweep's result.
    pub fn out() -> Ident {
        format_ident!("__ad_out")
    }
    /// The function item a call requests its arguments' activity from (`vjp::Callee`).
    pub fn callee() -> Ident {
        format_ident!("__ad_callee")
    }
    /// Which parameters the caller needs gradients for (`vjp::take_call_activity`).
    pub fn want() -> Ident {
        format_ident!("__ad_want")
    }
    /// The pullback's argument.
    pub fn cotangent() -> Ident {
        format_ident!("__ad_dy")
    }
    /// One entry of the trace while replaying it.
    pub fn step() -> Ident {
        format_ident!("__ad_s")
    }
    /// A gradient flowing through one reverse step.
    pub fn grad() -> Ident {
        format_ident!("__g")
    }
    /// The gradients an operation's pullback returned.
    pub fn grads() -> Ident {
        format_ident!("__gs")
    }
    /// The `i`th of several gradients.
    pub fn grad_part(i: usize) -> Ident {
        format_ident!("__g{}", i)
    }
    /// A record borrowed while replaying it.
    pub fn record_ref() -> Ident {
        format_ident!("__r")
    }
    /// The value `dbg!` prints and passes on.
    pub fn dbg_value() -> Ident {
        format_ident!("__ad_dbg")
    }
    /// The output's shape, remembered to check the cotangent.
    pub fn out_meta() -> Ident {
        format_ident!("__ad_om")
    }
}

/// Which positions (parameters of a function, or arguments of a call) are differentiated, as the
/// bitmask `vjp::Narrowed` and `vjp::CallProbe` compare: bit `i` for position `i`.
pub fn position_mask(differentiated: impl IntoIterator<Item = bool>) -> proc_macro2::Literal {
    let mask = differentiated
        .into_iter()
        .enumerate()
        .filter(|(_, d)| *d)
        .fold(0u64, |m, (i, _)| m | (1u64 << i.min(63)));
    proc_macro2::Literal::u64_unsuffixed(mask)
}

/// A forward local holding an index used to read a part of a differentiable value (recorded so
/// the pullback sends the gradient to the same element).
pub fn place_index(n: usize) -> Ident {
    format_ident!("__ad_ix{}", n)
}

/// A zero of a local structured value, recorded where a part of it is read.
pub fn place_zero(n: usize) -> Ident {
    format_ident!("__ad_z{}", n)
}

/// The hidden accessor `#[derive(Differentiable)]` writes on a tangent struct for each named
/// field (`__ad_field_w`), through which reverse code reaches the field's gradient.
pub fn field_accessor(field: &Ident) -> Ident {
    format_ident!(
        "__ad_field_{}",
        syn::ext::IdentExt::unraw(field),
        span = field.span()
    )
}

/// The adjoint being filled while a part of a structured value receives its gradient.
pub fn place_slot() -> Ident {
    format_ident!("__ad_slot")
}
