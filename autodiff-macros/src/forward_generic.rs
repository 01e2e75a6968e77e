//! `NAME_jvp` / `NAME_hvp` of a function generic over its element `T` (`fn f<T: Element>(x:
//! &Tensor<T>) -> Tensor<T>`, `fn f<T: Float>(p: &Params<T>, x: T) -> T`): the function itself
//! (for `jvp`) and its generated `NAME_grad` (for `hvp`, forward over reverse) at `T = Dual<T>`.
//! No copy and no rewrite: generic code writes its constants as `T` already.
//!
//! A struct, container or tuple argument holding `T` (`&Params<T>`, `Vec<T>`) enters as its form
//! at dual numbers, which must be the same type at `Dual<T>`: the generated functions require
//! `Params<T>: DualizeAs<Params<Dual<T>>>` (that is, `Dualize<Dual = Params<Dual<T>>>`, with a
//! message of its own when not), true at `T = f32`/`f64` of numbers, tensors, containers, tuples
//! and structs generic over their element alone (`derive/dual_elem.rs`). A struct or tuple
//! result holding `T` (`jvp` only) is taken apart the same way.

use crate::ctxt::Ctxt;
use crate::derive::dual_elem::at_dual;
use crate::forward_tensor::{
    call_args, hvp_doc, jvp_doc, mentions_ident, strip_ref, structured_output, Conv,
};
use crate::names;
use crate::parse::{Options, Signature};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{ItemFn, Type};

/// `P: DualizeAs<P at Dual<T>>`, for a struct, container or tuple type holding `T`.
fn same_at_dual(ty: &Type, t: &syn::Ident) -> syn::WherePredicate {
    let inner = strip_ref(ty).0;
    let dual = at_dual(inner, t);
    syn::parse_quote!(#inner: ::autodiff::forward::DualizeAs<#dual>)
}

/// See the module documentation; `None` after reporting a form it does not take (`hvp` of a
/// struct result).
pub(crate) fn instantiated(
    f: &ItemFn,
    opts: &Options,
    sig: &Signature,
    convs: &[Conv],
    t: &syn::Ident,
    cx: &mut Ctxt,
    span: Span,
) -> Option<TokenStream> {
    let name = &f.sig.ident;
    let (vis, generics) = (&f.vis, &f.sig.generics);
    let inputs = f.sig.inputs.iter().collect::<Vec<_>>();
    let out_ty = sig.output.as_ref()?;
    let is_t = matches!(out_ty, Type::Path(p) if p.path.is_ident(t));
    let structured_out = structured_output(out_ty) && !is_t && mentions_ident(out_ty, t);
    if opts.hvp && structured_out {
        cx.push(crate::diagnostics::hvp_generic_needs_scalar_output(span));
        return None;
    }
    let fwd = quote!(::autodiff::forward);
    let dual = quote!(#fwd::Dual<#t>);
    let mut where_clause = generics
        .where_clause
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(where));
    let preds = &mut where_clause.predicates;
    if mentions_element(generics) {
        preds.push(syn::parse_quote!(#dual: ::autodiff::Element));
    }
    for (p, c) in sig.params.iter().zip(convs) {
        if c.structured() {
            preds.push(same_at_dual(&p.ty, t));
        }
    }
    if structured_out {
        preds.push(same_at_dual(out_ty, t));
    }
    let mut out = TokenStream::new();
    if opts.jvp {
        let (prelude, args, tangents) = call_args(sig, convs, "d_");
        let jvp_name = format_ident!("{}_jvp", name);
        let doc = jvp_doc(name);
        let (split, tan_ty) = if structured_out {
            let tan = crate::parse::structured_tangent(out_ty);
            (quote!(<#out_ty as #fwd::Dualize>::split), tan)
        } else {
            (quote!(#fwd::SplitDual::split_dual), quote!(#out_ty))
        };
        out.extend(quote! {
            #[doc = #doc]
            #[allow(clippy::too_many_arguments, clippy::type_complexity)]
            #[track_caller]
            #vis fn #jvp_name #generics (#(#inputs,)* #(#tangents),*) -> (#out_ty, #tan_ty)
            #where_clause
            {
                #fwd::with_tangents(|| {
                    #prelude
                    #split(#name::<#dual>(#(#args),*))
                })
            }
        });
    }
    if opts.hvp {
        // `NAME_grad` at `Dual<T>` wants `Dual<T>: Differentiable`, whose tangent is `Debug`
        // when `T` is, and `'static` when the function calls others
        where_clause
            .predicates
            .push(syn::parse_quote!(#t: ::core::fmt::Debug + 'static));
        let (prelude, args, tangents) = call_args(sig, convs, "v_");
        let (hvp_name, grad) = (format_ident!("{}_hvp", name), names::grad_fn(name));
        let grads_ty = sig.grads_type();
        let doc = hvp_doc(name);
        let split = crate::forward_hvp::split_gradients(sig, convs);
        out.extend(quote! {
            #[doc = #doc]
            #[allow(
                clippy::too_many_arguments,
                clippy::type_complexity,
                clippy::multiple_bound_locations
            )]
            #[track_caller]
            #vis fn #hvp_name #generics (#(#inputs,)* #(#tangents),*)
                -> (#out_ty, #grads_ty, #grads_ty)
            #where_clause
            {
                #fwd::with_tangents(|| {
                    #prelude
                    let (__ad_y, __ad_g) = #grad::<#dual>(#(#args),*);
                    #split
                    (#fwd::SplitDual::split_dual(__ad_y).0, __ad_g, __ad_hv)
                })
            }
        });
    }
    Some(out)
}

/// Is a type parameter bounded by `Element` (then `Dual<T>` must be one too)?
fn mentions_element(generics: &syn::Generics) -> bool {
    let wc = &generics.where_clause;
    let all = quote!(#generics #wc).to_string();
    all.split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|w| w == "Element")
}
