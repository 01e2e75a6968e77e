//! Parsing of `#[differentiable(...)]` arguments: `wrt(a, b)`, `associated`, `float = T`, `jvp`,
//! `hvp` and `debug`.

use crate::diagnostics;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Token};

/// The attribute's options.
#[derive(Default)]
pub struct Options {
    /// `wrt(..)`: the arguments to differentiate, or `None` for "every differentiable type".
    pub wrt: Option<Vec<Ident>>,
    /// `debug`: print the generated code at compile time.
    pub debug: bool,
    /// `associated`: an associated function without `self` that does not mention `Self` (the
    /// macro cannot see the `impl` around it); the generated functions call each other through
    /// `Self::`.
    pub associated: bool,
    /// `jvp`: also generate `NAME_jvp` (forward mode).
    pub jvp: bool,
    /// `hvp`: also generate `NAME_hvp` (Hessian-vector products, forward over reverse).
    pub hvp: bool,
    /// `float = T` (repeatable): a float type parameter of the `impl` block around a method,
    /// which the macro cannot see.
    pub floats: Vec<Ident>,
    /// Where `jvp` / `hvp` were written (for errors).
    pub forward_span: Option<proc_macro2::Span>,
}

impl Parse for Options {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut opts = Options::default();
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            match key.to_string().as_str() {
                "wrt" => {
                    if opts.wrt.is_some() {
                        return Err(diagnostics::wrt_twice(key.span()));
                    }
                    let content;
                    syn::parenthesized!(content in input);
                    let names: Punctuated<Ident, Token![,]> =
                        content.parse_terminated(syn::ext::IdentExt::parse_any, Token![,])?;
                    if names.is_empty() {
                        return Err(diagnostics::wrt_empty(key.span()));
                    }
                    opts.wrt = Some(names.into_iter().collect());
                }
                "debug" => opts.debug = true,
                "float" => {
                    input.parse::<Token![=]>()?;
                    opts.floats.push(input.parse()?);
                }
                "associated" => opts.associated = true,
                "jvp" => {
                    opts.jvp = true;
                    opts.forward_span = Some(key.span());
                }
                "hvp" => {
                    opts.hvp = true;
                    opts.forward_span = Some(key.span());
                }
                other => return Err(diagnostics::unknown_option(key.span(), other)),
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(opts)
    }
}
