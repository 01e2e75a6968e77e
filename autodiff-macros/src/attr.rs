//! Parsing of `#[differentiable(...)]` arguments: `wrt(a, b)` and `debug`.

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
}

impl Parse for Options {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut opts = Options::default();
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            match key.to_string().as_str() {
                "wrt" => {
                    if opts.wrt.is_some() {
                        return Err(syn::Error::new(key.span(), "`wrt` given twice"));
                    }
                    let content;
                    syn::parenthesized!(content in input);
                    let names: Punctuated<Ident, Token![,]> =
                        content.parse_terminated(Ident::parse, Token![,])?;
                    if names.is_empty() {
                        return Err(syn::Error::new(
                            key.span(),
                            "`wrt()` names no argument\n\
                             help: list the arguments to differentiate, e.g. `wrt(x, w)`",
                        ));
                    }
                    opts.wrt = Some(names.into_iter().collect());
                }
                "debug" => opts.debug = true,
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown option `{other}` for `#[differentiable]`\n\
                             help: the options are `wrt(arg, ..)` and `debug`"
                        ),
                    ))
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(opts)
    }
}
