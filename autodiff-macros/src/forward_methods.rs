//! Methods called by method syntax on a field, element or local at dual numbers
//! (`self.layers[i].forward(&h)`, `for l in &self.layers { h = l.forward(&h) }`) in the copies
//! of functions with `jvp` / `hvp`: both sides of `autodiff::forward::DualMethod`.
//!
//! The copy of `forward` is an associated function of its type (`Lin::__ad_forward_dual`), and
//! the caller's macro does not know the receiver's type; a method's own attribute does not see
//! its `impl`'s self type. So `#[differentiable]` on the `impl` block itself (which sees the self
//! type and the methods' attributes, and leaves the block as it is) implements, for the self
//! type's form at dual numbers (`<Lin as Dualize>::Dual`, a nominal type once normalised),
//! `DualMethod<MethodId<H>, (args..), Out>` for each `&self` / `self` method with `jvp` and
//! `DualMethodHvp<..>` (the copy's `_vjp`, pullback boxed) for each with `hvp`, `H` a hash of
//! the method's name. The caller's copy calls `DualMethodCall::<MethodId<H>>::jvp(&recv,
//! (args..))` (or `hvp_N(&recv, args..)`, which reverse mode turns into `hvp_N_vjp`), spanned at
//! the method: rustc picks the impl from the receiver's type, and a missing one is refused
//! there with the traits' messages ("add `#[differentiable]` to the `impl` block ..").

use crate::diagnostics as diag;
use crate::forward_tensor::{conversions, dual_copy};
use crate::parse::{Options, Signature};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::{Expr, ImplItemFn, ItemFn, ItemImpl, Type};

/// The key of a method's name on both sides: 64-bit FNV-1a.
fn method_key(name: &syn::Ident) -> proc_macro2::Literal {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in syn::ext::IdentExt::unraw(name).to_string().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    proc_macro2::Literal::u64_suffixed(h)
}

/// The caller's side: `recv.m(args)` (a user's method on a receiver whose type the macro does
/// not know) as a call through `DualMethod` (`hvp`: `DualMethodHvp`, whose `hvp_N` reverse
/// mode differentiates like a user function). `None` when `hvp` takes too many arguments.
pub fn dispatch(m: &syn::ExprMethodCall, recv: &Expr, hvp: bool) -> Option<Expr> {
    let span = m.method.span();
    let key = method_key(&m.method);
    let fwd = quote_spanned!(span=> ::autodiff::forward);
    let call = quote_spanned!(span=> #fwd::DualMethodCall::<#fwd::MethodId<#key>>);
    let args = m.args.iter();
    let tokens = if hvp {
        if m.args.len() > 6 {
            return None;
        }
        let f = format_ident!("hvp_{}", m.args.len(), span = span);
        quote_spanned!(span=> #call::#f(&#recv, #(#args),*))
    } else {
        quote_spanned!(span=> #call::jvp(&#recv, (#(#args,)*)))
    };
    syn::parse2(tokens).ok()
}

/// `#[differentiable]` on an `impl` block: the block unchanged (its methods' attributes expand
/// as usual), and the `DualMethod` / `DualMethodHvp` impls of its methods with `jvp` / `hvp`.
pub fn expand_impl(attr: TokenStream, imp: ItemImpl) -> TokenStream {
    let mut errors = Vec::new();
    if let Err(e) = syn::parse2::<Options>(attr) {
        errors.push(e);
    }
    if imp.trait_.is_some() {
        if errors.is_empty() {
            return crate::trait_impls::expand_trait_impl(imp);
        }
    } else if !imp.generics.params.is_empty() {
        errors.push(diag::impl_attr_on_generic_impl(imp.impl_token.span));
    }
    let mut out = TokenStream::new();
    if errors.is_empty() {
        for item in &imp.items {
            if let syn::ImplItem::Fn(m) = item {
                out.extend(method_impls(&imp.self_ty, m));
            }
        }
    }
    let errors = errors.iter().map(syn::Error::to_compile_error);
    quote!(#imp #(#errors)* #out)
}

/// The options of a method's `#[differentiable(..)]`, if it has one.
fn method_options(m: &ImplItemFn) -> Option<Options> {
    let a = m
        .attrs
        .iter()
        .find(|a| crate::trait_impls::is_differentiable_attr(a))?;
    match &a.meta {
        syn::Meta::Path(_) => Some(Options::default()),
        syn::Meta::List(l) => syn::parse2::<Options>(l.tokens.clone()).ok(),
        syn::Meta::NameValue(_) => None,
    }
}

/// The impls for one method (nothing for methods without `jvp` / `hvp`, without a receiver, or
/// of a form whose copy is not made: their callers are refused by the traits' bounds).
pub fn method_impls(self_ty: &Type, m: &ImplItemFn) -> TokenStream {
    let Some(opts) = method_options(m) else {
        return TokenStream::new();
    };
    let Some(recv) = m.sig.receiver() else {
        return TokenStream::new();
    };
    if !(opts.jvp || opts.hvp) || !m.sig.generics.params.is_empty() {
        return TokenStream::new();
    }
    let by_ref = recv.reference.is_some();
    let header = ItemFn {
        attrs: Vec::new(),
        vis: m.vis.clone(),
        sig: m.sig.clone(),
        block: Box::new(syn::parse_quote!({})),
    };
    let sig = Signature::model(&header, opts.wrt.as_deref(), &opts.floats, opts.associated);
    let Some(convs) = conversions(&header, &sig) else {
        return TokenStream::new();
    };
    let key = method_key(&m.sig.ident);
    let fwd = quote!(::autodiff::forward);
    let twin = quote!(<#self_ty as #fwd::Dualize>::Dual);
    let this = if by_ref {
        quote!(__ad_this)
    } else {
        quote!(::core::clone::Clone::clone(__ad_this))
    };
    let mut out = TokenStream::new();
    if opts.jvp {
        let name = crate::forward_dual::copy_name(&m.sig.ident);
        let (copy, _) = dual_copy(&header, &sig, &convs, &name, None);
        let (tys, names) = arg_types(&copy, self_ty);
        let out_ty = match &copy.sig.output {
            syn::ReturnType::Type(_, t) => subst_self(&t.to_token_stream(), self_ty),
            syn::ReturnType::Default => quote!(()),
        };
        let lt = lifetime(&tys);
        out.extend(quote! {
            #[automatically_derived]
            #[allow(clippy::all, unused_parens)]
            impl #lt #fwd::DualMethod<#fwd::MethodId<#key>, (#(#tys,)*), #out_ty> for #twin {
                #[inline]
                fn call(__ad_this: &Self, (#(#names,)*): (#(#tys,)*)) -> #out_ty {
                    <#self_ty>::#name(#this, #(#names),*)
                }
            }
        });
    }
    if opts.hvp {
        if let Some(h) = crate::forward_hvp::copy_types(&header, &sig, &convs) {
            let name = crate::names::vjp_fn(&crate::forward_dual::hvp_copy_name(&m.sig.ident));
            let (tys, names) = arg_types(&h.copy, self_ty);
            let (out_ty, cot, grads) = (
                subst_self(&h.out, self_ty),
                subst_self(&h.cot, self_ty),
                subst_self(&h.grads, self_ty),
            );
            let rt = crate::names::rt();
            let boxed = quote!(::std::boxed::Box<dyn ::core::ops::Fn(#cot) -> #grads>);
            let (pb_ty, pb) = match h.mask {
                Some(mask) => (
                    quote!(#rt::Narrowed<#boxed, #mask>),
                    quote!(#rt::Narrowed::new(::std::boxed::Box::new(__ad_pb.into_inner()))),
                ),
                None => (boxed, quote!(::std::boxed::Box::new(__ad_pb))),
            };
            let lt = lifetime(&tys);
            out.extend(quote! {
                #[automatically_derived]
                #[allow(clippy::all, unused_parens)]
                impl #lt #fwd::DualMethodHvp<#fwd::MethodId<#key>, (#(#tys,)*), #out_ty, #pb_ty>
                for #twin
                {
                    #[inline]
                    fn call_vjp(
                        __ad_this: &Self,
                        (#(#names,)*): (#(#tys,)*),
                    ) -> (#out_ty, #pb_ty) {
                        let (__ad_y, __ad_pb) = <#self_ty>::#name(#this, #(#names),*);
                        (__ad_y, #pb)
                    }
                }
            });
        }
    }
    out
}

/// The copy's parameter types after the receiver (`Self` -> the impl's self type, elided
/// lifetimes -> `'__ad`) and names for them.
fn arg_types(copy: &ItemFn, self_ty: &Type) -> (Vec<TokenStream>, Vec<syn::Ident>) {
    let tys: Vec<TokenStream> = copy
        .sig
        .inputs
        .iter()
        .skip(1)
        .filter_map(|a| match a {
            syn::FnArg::Typed(pt) => {
                let mut ty = (*pt.ty).clone();
                syn::visit_mut::VisitMut::visit_type_mut(&mut NameLifetimes, &mut ty);
                Some(subst_self(&ty.to_token_stream(), self_ty))
            }
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let names = (0..tys.len())
        .map(|i| format_ident!("__ad_a{}", i))
        .collect();
    (tys, names)
}

/// `<'__ad>` when the argument types borrow.
fn lifetime(tys: &[TokenStream]) -> TokenStream {
    let uses = tys.iter().any(|t| t.to_string().contains("'__ad"));
    if uses {
        quote!(<'__ad>)
    } else {
        TokenStream::new()
    }
}

/// Elided and `'_` lifetimes of references -> `'__ad`.
struct NameLifetimes;

impl syn::visit_mut::VisitMut for NameLifetimes {
    fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
        if r.lifetime.as_ref().is_none_or(|l| l.ident == "_") {
            r.lifetime = Some(syn::Lifetime::new("'__ad", Span::call_site()));
        }
        syn::visit_mut::visit_type_reference_mut(self, r);
    }
}

/// `Self` -> the impl's self type (inside the impl for the twin, `Self` is the twin).
fn subst_self(ts: &TokenStream, self_ty: &Type) -> TokenStream {
    ts.clone()
        .into_iter()
        .map(|t| match t {
            TokenTree::Ident(i) if i == "Self" => self_ty.to_token_stream(),
            TokenTree::Group(g) => {
                let mut ng =
                    proc_macro2::Group::new(g.delimiter(), subst_self(&g.stream(), self_ty));
                ng.set_span(g.span());
                TokenTree::Group(ng).into_token_stream()
            }
            other => other.into_token_stream(),
        })
        .collect()
}
