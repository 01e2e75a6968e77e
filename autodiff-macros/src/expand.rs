//! Assembly of the three functions from the lowered body.

use crate::attr::Options;
use crate::lower::{Lowerer, RET};
use crate::signature::Signature;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use std::collections::HashSet;
use syn::ItemFn;

/// Upper bound on rounds of the activity fixpoint (each round activates at least one binding).
const MAX_ROUNDS: usize = 10_000;

pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let opts: Options = match syn::parse2(attr) {
        Ok(o) => o,
        Err(e) => return with_errors(item, vec![e]),
    };
    let f: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            // Point at the item itself (`struct`, `trait fn` without body, ...) when it parses.
            let span = syn::parse2::<syn::Item>(item.clone())
                .map(|i| item_keyword_span(&i))
                .unwrap_or_else(|_| Span::call_site());
            let e = syn::Error::new(
                span,
                "`#[differentiable]` can only be applied to ordinary functions with a body",
            );
            return with_errors(item, vec![e]);
        }
    };
    let mut errors = Vec::new();
    let sig = Signature::analyse(&f, opts.wrt.as_deref(), &mut errors);
    if !errors.is_empty() {
        return with_errors(item, errors);
    }
    let name = f.sig.ident.to_string();

    // Activity fixpoint: lower the body, see which bindings received active values, repeat.
    let mut active: HashSet<usize> = HashSet::new();
    let mut rounds = 0;
    let (lw, body) = loop {
        rounds += 1;
        let mut lw = Lowerer::new(&active, name.clone());
        for p in &sig.params {
            let id = lw.bind(&p.ident.to_string());
            if p.wrt {
                lw.assigned_active.insert(id);
            }
        }
        let body = lw.lower_body(&f.block);
        let new: HashSet<usize> = lw.assigned_active.clone();
        if new.is_subset(&active) || rounds > MAX_ROUNDS {
            break (lw, body);
        }
        active.extend(new);
    };
    if !lw.errors.is_empty() {
        return with_errors(item, lw.errors);
    }
    let constant_output = !lw.assigned_active.contains(&RET);
    let mut generated = generate(&f, &sig, &lw, body);
    if constant_output {
        generated.extend(constant_output_warning(&f));
    }
    if opts.debug || std::env::var("AUTODIFF_DEBUG").is_ok_and(|v| v == "1") {
        print_debug(&generated);
    }
    quote!(#f #generated)
}

/// Stable Rust has no custom warnings; a deprecated item used at the function's name produces a
/// warning that says what is wrong, where the user looks.
fn constant_output_warning(f: &ItemFn) -> TokenStream {
    let name = &f.sig.ident;
    let note = format!(
        "the result of `{name}` does not depend on any differentiated argument: its gradient is always zero"
    );
    let marker = format_ident!("__ad_constant_output_{}", name);
    let use_it = quote::quote_spanned!(name.span()=> let _ = #marker;);
    quote! {
        #[deprecated(note = #note)]
        #[allow(non_camel_case_types, dead_code)]
        #[doc(hidden)]
        struct #marker;
        #[allow(dead_code, non_snake_case)]
        const _: () = {
            fn __ad_warn() {
                #use_it
            }
        };
    }
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

fn with_errors(item: TokenStream, errors: Vec<syn::Error>) -> TokenStream {
    let mut iter = errors.into_iter();
    let mut first = iter.next().expect("at least one error");
    for e in iter {
        first.combine(e);
    }
    let err = first.to_compile_error();
    quote!(#item #err)
}

fn print_debug(ts: &TokenStream) {
    match syn::parse2::<syn::File>(ts.clone()) {
        Ok(file) => eprintln!("{}", prettyplease::unparse(&file)),
        Err(_) => eprintln!("{ts}"),
    }
}

fn generate(f: &ItemFn, sig: &Signature, lw: &Lowerer, body: TokenStream) -> TokenStream {
    let vis = &f.vis;
    let name = &f.sig.ident;
    let vjp_name = format_ident!("{}_vjp", name);
    let grad_name = format_ident!("{}_grad", name);
    let generics = &f.sig.generics;
    let where_clause = &f.sig.generics.where_clause;
    let inputs = &f.sig.inputs;
    let out_ty = &sig.output;
    let grads_ty = sig.grads_type();
    let tps = &sig.type_params;
    let rt = quote!(::autodiff::__rt);
    let label = &lw.body_label;

    // Bindings of parameters are ids 1..=n in order (0 is the return slot).
    let wrt: Vec<(usize, &crate::signature::Param)> = sig
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.wrt)
        .map(|(i, p)| (i + 1, p))
        .collect();
    let zero_metas: Vec<TokenStream> = wrt
        .iter()
        .map(|(id, p)| {
            let zm = format_ident!("__ad_zm{}", id);
            let x = &p.ident;
            quote!(let #zm = #rt::ArgZero::zero_meta(&#x);)
        })
        .collect();
    let finishes: Vec<TokenStream> = wrt
        .iter()
        .map(|(id, p)| {
            let zm = format_ident!("__ad_zm{}", id);
            let adj = lw.adj_ident(*id);
            let ty = &p.ty;
            let ty = if let syn::Type::Reference(r) = ty {
                let elem = &r.elem;
                quote!(&#elem)
            } else {
                ty.to_token_stream()
            };
            quote!(#rt::finish::<#ty>(#adj, &#zm))
        })
        .collect();
    let grads_value = if finishes.len() == 1 {
        finishes[0].clone()
    } else {
        quote!((#(#finishes),*))
    };

    let nseg = lw.segments.len();
    let trace_ty = if nseg <= 256 {
        quote!(u8)
    } else if nseg <= 65536 {
        quote!(u16)
    } else {
        quote!(u32)
    };
    let mut recs = Vec::new();
    let mut iters = Vec::new();
    let mut arms = Vec::new();
    for (k, seg) in lw.segments.iter().enumerate() {
        let kk = proc_macro2::Literal::usize_unsuffixed(k);
        let rev = &seg.rev;
        if seg.pbs.is_empty() {
            arms.push(quote!(#kk => { #rev }));
        } else {
            let rec = format_ident!("__ad_rec{}", k);
            let it = format_ident!("__ad_it{}", k);
            let pbs = &seg.pbs;
            if !seg.in_loop {
                recs.push(quote!(let mut #rec = ::core::option::Option::None;));
                arms.push(quote! {
                    #kk => {
                        let (#(#pbs,)*) = match &#rec {
                            ::core::option::Option::Some(__r) => __r,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                        #rev
                    }
                });
                continue;
            }
            // a few iterations' worth up front: most loops run more than once, and growing from
            // empty costs a reallocation at 4, 8 and 16 records
            recs.push(quote!(let mut #rec = ::std::vec::Vec::with_capacity(16);));
            iters.push(quote!(let mut #it = #rec.iter().rev();));
            arms.push(quote! {
                #kk => {
                    let (#(#pbs,)*) = match ::core::iter::Iterator::next(&mut #it) {
                        ::core::option::Option::Some(__r) => __r,
                        ::core::option::Option::None => ::core::unreachable!(),
                    };
                    #rev
                }
            });
        }
    }
    let adjoints = lw.adjoints();
    let ret_adj = lw.adj_ident(RET);
    let adjoint_decls = adjoints
        .iter()
        .filter(|a| **a != ret_adj)
        .map(|a| quote!(let mut #a = ::core::option::Option::None;));
    let turbofish = if tps.is_empty() {
        TokenStream::new()
    } else {
        quote!(::<#(#tps),*>)
    };
    let arg_names: Vec<&syn::Ident> = sig.params.iter().map(|p| &p.ident).collect();
    let fn_name = name.to_string();
    let vjp_doc = format!(
        "Forward sweep of [`{fn_name}`] with its pullback (generated by `#[differentiable]`).\n\n\
         Returns the value and a pullback mapping the output's cotangent to the gradients of the \
         differentiated arguments."
    );
    let grad_doc = format!(
        "Value and gradient of [`{fn_name}`] for a scalar output (generated by `#[differentiable]`)."
    );
    let allow = quote! {
        #[allow(
            dead_code,
            unused_mut,
            unused_variables,
            unused_assignments,
            unused_labels,
            unused_parens,
            unused_braces,
            unreachable_code,
            non_snake_case,
            clippy::all,
            clippy::pedantic,
            clippy::nursery
        )]
    };
    quote! {
        #[doc = #vjp_doc]
        #allow
        #vis fn #vjp_name #generics (#inputs)
            -> (#out_ty, impl ::core::ops::Fn(#out_ty) -> #grads_ty + use<#(#tps),*>)
            #where_clause
        {
            #[allow(unused_imports)]
            use ::autodiff::__rt::{ScalarVjp as _, TensorVjp as _};
            // the primal counts as used when its derivative is
            let _ = #name #turbofish;
            #(#zero_metas)*
            let mut __ad_trace: ::std::vec::Vec<#trace_ty> = ::std::vec::Vec::with_capacity(64);
            #(#recs)*
            let __ad_out = #label: #body;
            (__ad_out, move |__ad_dy: #out_ty| {
                let mut #ret_adj = ::core::option::Option::Some(__ad_dy);
                #(#adjoint_decls)*
                #(#iters)*
                for __ad_s in __ad_trace.iter().rev() {
                    match *__ad_s {
                        #(#arms)*
                        _ => ::core::unreachable!(),
                    }
                }
                #grads_value
            })
        }

        #[doc = #grad_doc]
        #allow
        #vis fn #grad_name #generics (#inputs) -> (#out_ty, #grads_ty) #where_clause {
            let (__ad_y, __ad_pb) = #vjp_name #turbofish (#(#arg_names),*);
            let __ad_seed = #rt::Seed::seed_one(&__ad_y);
            let __ad_g = __ad_pb(__ad_seed);
            (__ad_y, __ad_g)
        }
    }
}
