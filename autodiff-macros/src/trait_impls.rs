//! `#[differentiable]` on a trait `impl` block (`#[differentiable] impl Layer for Dense { .. }`).
//!
//! A method's `#[differentiable]` adds `NAME_vjp`, `NAME_grad` (and the forward-mode copies)
//! next to the method, which in a trait impl are not members of the trait (rustc's E0407). On
//! the block, the attribute expands each marked method itself: the method stays in the trait
//! impl as written, and everything generated for it goes to an inherent `impl` of the self type
//! with the trait impl's generics, where callers find `self.layer.apply_vjp(..)` as usual.
//! Methods with `jvp` / `hvp` of a non-generic block also get the `DualMethod` impls that
//! forward mode calls by method syntax (`forward_methods.rs`).

use crate::diagnostics as diag;
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{ImplItem, ItemImpl};

/// Whether an attribute is `#[differentiable]` / `#[differentiable(..)]` (any path ending so).
pub fn is_differentiable_attr(a: &syn::Attribute) -> bool {
    a.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "differentiable")
}

/// The trait impl with its marked methods expanded, and the inherent impl of what they generate.
pub fn expand_trait_impl(mut imp: ItemImpl) -> TokenStream {
    if let Some(p) = unconstrained_param(&imp) {
        let e = diag::trait_impl_param_not_in_self_type(p).to_compile_error();
        // the methods as written, without their attributes' follow-up errors
        for item in &mut imp.items {
            if let ImplItem::Fn(m) = item {
                m.attrs.retain(|a| !is_differentiable_attr(a));
            }
        }
        return quote!(#imp #e);
    }
    let non_generic = imp.generics.params.is_empty();
    let mut generated = TokenStream::new();
    let mut dual_methods = TokenStream::new();
    for item in &mut imp.items {
        let ImplItem::Fn(m) = item else { continue };
        let Some(pos) = m.attrs.iter().position(is_differentiable_attr) else {
            continue;
        };
        if non_generic {
            dual_methods.extend(crate::forward_methods::method_impls(&imp.self_ty, m));
        }
        let attr = m.attrs.remove(pos);
        let args = match attr.meta {
            syn::Meta::List(l) => l.tokens,
            _ => TokenStream::new(),
        };
        // expanded as an inherent method (public, like the trait's methods are to its users)
        let mut as_inherent = m.clone();
        as_inherent.vis = syn::parse_quote!(pub);
        let expanded = crate::expand::expand(args, as_inherent.to_token_stream());
        let Ok(items) = syn::parse2::<ItemImpl>(quote!(impl __AdItems { #expanded })) else {
            continue; // not reached: the expansion of a method is a list of impl items
        };
        for it in items.items {
            match it {
                // the method itself, as the expansion returns it (`#[checkpoint]` removed)
                ImplItem::Fn(f) if f.sig.ident == m.sig.ident => {
                    m.block = f.block;
                }
                other => other.to_tokens(&mut generated),
            }
        }
    }
    let (impl_generics, _, where_clause) = imp.generics.split_for_impl();
    let self_ty = &imp.self_ty;
    quote! {
        #imp
        #[allow(clippy::all)]
        impl #impl_generics #self_ty #where_clause {
            #generated
        }
        #dual_methods
    }
}

/// A type parameter of the trait impl that the self type does not mention: the inherent impl of
/// the generated functions could not constrain it (rustc's E0207).
fn unconstrained_param(imp: &ItemImpl) -> Option<&syn::Ident> {
    let mentioned = idents(imp.self_ty.to_token_stream());
    imp.generics
        .type_params()
        .map(|p| &p.ident)
        .find(|p| !mentioned.contains(p))
}

fn idents(ts: TokenStream) -> Vec<proc_macro2::Ident> {
    let mut out = Vec::new();
    for t in ts {
        match t {
            proc_macro2::TokenTree::Ident(i) => out.push(i),
            proc_macro2::TokenTree::Group(g) => out.extend(idents(g.stream())),
            _ => {}
        }
    }
    out
}
