//! The `#[differentiable]` attribute of the `autodiff` crate (use it through `autodiff`, which
//! re-exports it and the runtime it calls).
//!
//! Pipeline, one module per stage (`expand` wires them):
//! - `parse`: the attribute's options and a model of the signature (no checks);
//! - `check`: every rule about what is accepted, one function per rule;
//! - `activity`: which values carry a gradient, found by running the lowering to a fixpoint;
//! - `lower`: the forward sweep with its records and the per-segment reverse code;
//! - `generate`: `NAME_vjp`, `NAME_grad`, and stand-ins when the function was refused.
//!
//! Shared by all stages: `ctxt` (the one error channel), `diagnostics` (every message),
//! `names` (every generated identifier and runtime path), `methods` (the table of known
//! operations) and `syntax` (syntactic helpers). Every problem becomes a spanned
//! `compile_error!`; the macro never panics (a panic would be caught and reported as an
//! internal error).
#![deny(missing_docs)]

mod activity;
mod check;
mod ctxt;
mod derive;
mod diagnostics;
mod enclosing;
mod expand;
mod forward;
mod forward_branches;
mod forward_closure_names;
mod forward_dual;
mod forward_generic;
mod forward_hvp;
mod forward_literals;
mod forward_locals;
mod forward_methods;
mod forward_rewrite;
mod forward_scan;
mod forward_struct_lit;
mod forward_tensor;
#[cfg(test)]
mod fuzz_tests;
mod generate;
mod lower;
mod methods;
mod names;
mod parse;
mod syntax;
mod trait_impls;

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
    if let Some(header) = trait_impl_around(&item2) {
        let err = diagnostics::method_attr_in_trait_impl(&header).to_compile_error();
        return quote::quote!(#item2 #err).into();
    }
    let result = std::panic::catch_unwind(|| expand::expand(attr2.clone(), item2.clone()));
    match result {
        Ok(ts) => ts.into(),
        Err(_) => {
            let err =
                diagnostics::internal_error(proc_macro2::Span::call_site()).to_compile_error();
            quote::quote!(#item2 #err).into()
        }
    }
}

/// The header of the trait impl around a method given to `#[differentiable]` (which would
/// otherwise add `_vjp` / `_grad` items that are not members of the trait), read from the
/// source file: see `enclosing.rs`. Only for a function without a visibility, as trait impl
/// methods are.
fn trait_impl_around(item: &proc_macro2::TokenStream) -> Option<String> {
    let f = syn::parse2::<syn::ItemFn>(item.clone()).ok()?;
    if !matches!(f.vis, syn::Visibility::Inherited) {
        return None;
    }
    source_around_call_site().and_then(|(text, line)| enclosing::trait_impl_header(&text, line))
}

/// The text of the file the attribute is in, and the attribute's line. Each file is read once
/// per version (the macro's process serves every expansion of a crate, and an IDE's serves
/// them across edits: the cache is keyed by the file's modification time and length), not once
/// per function.
#[cfg(ad_span_file)]
#[allow(clippy::incompatible_msrv)] // only built by compilers that have them (build.rs)
fn source_around_call_site() -> Option<(std::rc::Rc<str>, usize)> {
    use std::collections::HashMap;
    use std::rc::Rc;
    thread_local! {
        static SOURCES: std::cell::RefCell<HashMap<SourceKey, Rc<str>>> =
            std::cell::RefCell::default();
    }
    type SourceKey = (std::path::PathBuf, Option<std::time::SystemTime>, u64);
    let span = proc_macro::Span::call_site();
    let path = span.local_file()?;
    let meta = std::fs::metadata(&path).ok()?;
    let key: SourceKey = (path, meta.modified().ok(), meta.len());
    let cached = SOURCES.with(|s| s.borrow().get(&key).cloned());
    let text = match cached {
        Some(text) => text,
        None => {
            let text: Rc<str> = std::fs::read_to_string(&key.0).ok()?.into();
            SOURCES.with(|s| {
                let mut s = s.borrow_mut();
                s.retain(|k, _| k.0 != key.0); // an older version of the same file
                s.insert(key, Rc::clone(&text));
            });
            text
        }
    };
    Some((text, span.line()))
}

#[cfg(not(ad_span_file))]
fn source_around_call_site() -> Option<(std::rc::Rc<str>, usize)> {
    None
}

/// The text of the file the attribute is in (for `enclosing::struct_is_generic`).
fn source_here() -> Option<std::rc::Rc<str>> {
    source_around_call_site().map(|(text, _)| text)
}

/// Calls every VJP form that the macro's table of known operations promises (for the
/// `autodiff` crate's own test of that table; not a public API).
#[doc(hidden)]
#[proc_macro]
pub fn __known_operations_check(_: TokenStream) -> TokenStream {
    methods::known_operations_check().into()
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
