//! The `#[differentiable]` attribute of the `autodiff` crate (use it through `autodiff`, which
//! re-exports it and the runtime it calls).
//!
//! Pipeline: `attr` parses the options, `signature` decides what is differentiated, `lower`
//! walks the body once per round of the activity fixpoint and writes the forward sweep plus the
//! per-segment reverse code, and `expand` assembles `NAME` (untouched), `NAME_vjp` and
//! `NAME_grad`. Every problem becomes a spanned `compile_error!`; the macro never panics (a panic
//! would be caught and reported as an internal error).
#![deny(missing_docs)]

mod attr;
mod derive;
mod expand;
#[cfg(test)]
mod fuzz_tests;
mod lower;
mod methods;
mod signature;

use proc_macro::TokenStream;

/// Generates reverse-mode derivatives of an ordinary Rust function at compile time.
///
/// Next to the untouched function `NAME` it writes:
/// - `NAME_vjp(same args) -> (Out, impl Fn(Out) -> Grads)`: the forward sweep and its pullback;
/// - `NAME_grad(same args) -> (Out, Grads)`: value and gradient for a scalar output.
///
/// Options: `#[differentiable(wrt(x, w))]` differentiates only the named arguments;
/// `#[differentiable(debug)]` (or the environment variable `AUTODIFF_DEBUG=1` at build time)
/// prints the generated code. See the `autodiff` crate documentation for examples.
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    let attr2: proc_macro2::TokenStream = attr.into();
    let item2: proc_macro2::TokenStream = item.into();
    let result = std::panic::catch_unwind(|| expand::expand(attr2.clone(), item2.clone()));
    match result {
        Ok(ts) => ts.into(),
        Err(_) => {
            let err = syn::Error::new(
                proc_macro2::Span::call_site(),
                "internal error in `#[differentiable]`; please report it with this function",
            )
            .to_compile_error();
            quote::quote!(#item2 #err).into()
        }
    }
}

/// Derives `autodiff::Differentiable` for a struct (named or tuple fields, generics included)
/// and generates its tangent struct `NameTangent`, with the same field names.
///
/// Mark configuration or data fields `#[differentiable(skip)]`: they are carried, never
/// differentiated, and need not implement the trait. Enums and unions are refused. See
/// `autodiff::Differentiable` for examples.
#[proc_macro_derive(Differentiable, attributes(differentiable))]
pub fn derive_differentiable(item: TokenStream) -> TokenStream {
    derive::expand(item.into()).into()
}
