//! The pipeline of one `#[differentiable]` expansion: parse -> check -> activity + lowering ->
//! generate. Each stage reports into one [`Ctxt`]; on any error the output is the user's
//! function, the errors, and stand-in `NAME_vjp` / `NAME_grad` with the right signatures.

use crate::ctxt::Ctxt;
use crate::parse::{Options, Signature};
use crate::{activity, check, diagnostics, generate};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::ItemFn;

pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::new();
    let f: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            if let Ok(imp) = syn::parse2::<syn::ItemImpl>(item.clone()) {
                return crate::forward_methods::expand_impl(attr, imp);
            }
            // Point at the item itself (`struct`, `trait fn` without body, ...) when it parses.
            let span = syn::parse2::<syn::Item>(item.clone())
                .map(|i| item_keyword_span(&i))
                .unwrap_or_else(|_| Span::call_site());
            if let Err(e) = syn::parse2::<Options>(attr) {
                cx.push(e);
            }
            cx.push(diagnostics::not_a_function(span));
            let errors = cx.to_compile_errors();
            return quote!(#item #errors);
        }
    };
    let opts = syn::parse2::<Options>(attr).unwrap_or_else(|e| {
        cx.push(e);
        Options::default()
    });
    let sig = Signature::model(&f, opts.wrt.as_deref(), &opts.floats, opts.associated);
    if !cx.has_errors() {
        check::signature(&f, &opts, &sig, &mut cx);
    }
    if cx.has_errors() {
        return refused(&f, &sig, &cx);
    }

    let name = f.sig.ident.to_string();
    let (lw, body) = activity::lower_to_fixpoint(&name, &sig, &f);
    let mut generated = generate::derivatives(&f, &sig, &lw, body);
    cx.append(lw.cx);
    if !cx.has_errors() {
        // (the `hvp` copy of a tensor function is lowered again: its errors would repeat these)
        generated.extend(crate::forward::generate(&f, &opts, &sig, &mut cx));
    }
    if cx.has_errors() {
        let mut out = refused(&f, &sig, &cx);
        out.extend(forward_stubs(&f, &opts, &sig));
        return out;
    }
    if opts.debug || std::env::var("AUTODIFF_DEBUG").is_ok_and(|v| v == "1") {
        generate::print_debug(&generated);
    }
    let f = crate::lower::strip_checkpoint_attrs(&f);
    quote!(#f #generated)
}

fn refused(f: &ItemFn, sig: &Signature, cx: &Ctxt) -> TokenStream {
    let stubs = generate::fallback(f, sig, cx.to_compile_errors());
    // `#[checkpoint]` is ours: rustc would report it as an unknown attribute
    let f = crate::lower::strip_checkpoint_attrs(f);
    quote!(#f #stubs)
}

/// `NAME_jvp` / `NAME_hvp` of a refused function with their signatures and `unreachable!()`
/// bodies, so that callers see only the real error, not "cannot find `NAME_jvp`".
fn forward_stubs(f: &ItemFn, opts: &crate::parse::Options, sig: &Signature) -> TokenStream {
    // the forward-mode code generated as usual; its own errors repeat the ones reported
    let mut scratch = Ctxt::new();
    let generated = crate::forward::generate(f, opts, sig, &mut scratch);
    let Ok(file) = syn::parse2::<syn::File>(generated) else {
        return TokenStream::new();
    };
    let wanted = [
        format!("{}_jvp", f.sig.ident),
        format!("{}_hvp", f.sig.ident),
    ];
    file.items
        .into_iter()
        .filter_map(|item| match item {
            syn::Item::Fn(mut func) if wanted.contains(&func.sig.ident.to_string()) => {
                func.block = syn::parse_quote!({ ::core::unreachable!() });
                func.attrs
                    .push(syn::parse_quote!(#[allow(unused_variables)]));
                Some(quote!(#func))
            }
            _ => None,
        })
        .collect()
}

fn item_keyword_span(item: &syn::Item) -> Span {
    use syn::spanned::Spanned;
    match item {
        syn::Item::Struct(s) => s.struct_token.span,
        syn::Item::Enum(e) => e.enum_token.span,
        syn::Item::Trait(t) => t.trait_token.span,
        syn::Item::Impl(i) => i.impl_token.span,
        syn::Item::Const(c) => c.const_token.span,
        syn::Item::Static(s) => s.static_token.span,
        syn::Item::Mod(m) => m.mod_token.span,
        other => other.span(),
    }
}
