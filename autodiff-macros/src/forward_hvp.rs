//! `#[differentiable(hvp)]` on functions that are not generic over their element type (tensor
//! functions, functions of numbers, of structs and containers, methods): forward over reverse.
//!
//! The function's body is copied at dual numbers (`forward_tensor::dual_copy`: tensors of
//! `Dual<E>`, structs as their `Dualize` twins, `self` as `__ad_this`), under the name
//! `__ad_NAME_hvp_dual`, and that copy is differentiated by the same reverse-mode generator as
//! the user's function. The element type of the copy is `autodiff::forward::__AdDualF64` (or
//! `F32`), `Dual<E>` under a name that the copy's where clause declares a `Float`: the generator
//! then treats it like a float type parameter (its scalars are differentiable, element-wise
//! chains are not fused: their closures are written for plain numbers). `NAME_hvp` seeds the
//! arguments with the direction `v` and takes the copy's gradients at dual numbers apart:
//! values are the gradients, tangents the Hessian-vector product.
//!
//! Calls of other functions in the copy go to their own copies' `_vjp`s
//! (`__ad_OTHER_hvp_dual_vjp`, `Self::__ad_m_hvp_dual_vjp` for methods), which every
//! `#[differentiable]` function provides ([`callee_items`]): the real one when it has `hvp`, a
//! forwarder to `OTHER_vjp` when it is generic (it runs at dual numbers as written), and
//! otherwise a stand-in with the same signature whose bound fails at the caller with "add `hvp`
//! to `OTHER`".

use crate::ctxt::Ctxt;
use crate::diagnostics as diag;
use crate::forward_dual::hvp_copy_name;
use crate::forward_tensor::{call_args, conversions, dual_copy, hvp_doc, single_elem, Conv};
use crate::names;
use crate::parse::{Options, Param, Signature};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{ItemFn, Type};

/// `Dual<E>` under the runtime's name for it, for `E` = `f64` / `f32`.
fn dual_alias(elem: &Type) -> Option<Type> {
    match quote!(#elem).to_string().as_str() {
        "f64" => Some(syn::parse_quote!(::autodiff::forward::__AdDualF64)),
        "f32" => Some(syn::parse_quote!(::autodiff::forward::__AdDualF32)),
        _ => None,
    }
}

/// The copy at dual numbers, with the alias declared a `Float`, and its signature model
/// (differentiated in the parameters the function is; `self` is `__ad_this` in the copy).
fn hvp_copy(
    f: &ItemFn,
    sig: &Signature,
    convs: &[Conv],
    alias: &Type,
) -> (ItemFn, Signature, Vec<syn::Error>) {
    let copy_name = hvp_copy_name(&f.sig.ident);
    let (mut copy, errors) = dual_copy(f, sig, convs, &copy_name, Some(alias));
    copy.sig
        .generics
        .make_where_clause()
        .predicates
        .push(syn::parse_quote!(#alias: ::autodiff::num_traits::Float));
    let wrt: Vec<syn::Ident> = sig
        .wrt_params()
        .map(|(_, p)| {
            if p.ident == "self" {
                syn::Ident::new("__ad_this", p.ident.span())
            } else {
                p.ident.clone()
            }
        })
        .collect();
    let copy_sig = model(&copy, sig, &wrt);
    (copy, copy_sig, errors)
}

fn model(copy: &ItemFn, sig: &Signature, wrt: &[syn::Ident]) -> Signature {
    // (an associated function without `Self` in its signature: `#[differentiable(associated)]`)
    Signature::model(copy, Some(wrt), &[], sig.in_impl)
}

/// `NAME_hvp`: the copy `__ad_NAME_hvp_dual`, its derivatives, and the function that seeds it
/// with the direction `v`.
pub fn hvp(
    f: &ItemFn,
    sig: &Signature,
    convs: &[Conv],
    cx: &mut Ctxt,
    span: Span,
) -> Option<TokenStream> {
    let name = &f.sig.ident;
    // a struct or tuple result: only the copy and its `_vjp`, which callers' `hvp` copies call
    // (`NAME_hvp` is of scalar functions)
    let structured = sig
        .output
        .as_ref()
        .is_some_and(crate::forward_tensor::structured_output);
    let Some(alias) = hvp_elem(sig).as_ref().and_then(dual_alias) else {
        let mixed = crate::forward_scan::hvp_mixed_elements(sig, span);
        cx.push(mixed.unwrap_or_else(|| diag::forward_mode_needs_generic(span)));
        return None;
    };
    let (copy, copy_sig, errors) = hvp_copy(f, sig, convs, &alias);
    if !errors.is_empty() {
        errors.into_iter().for_each(|e| cx.push(e));
        return None;
    }
    let copy_name = copy.sig.ident.clone();
    let (lw, body) = crate::activity::lower_to_fixpoint(&copy_name.to_string(), &copy_sig, &copy);
    let derivatives = crate::generate::derivatives(&copy, &copy_sig, &lw, body);
    cx.append(lw.cx);
    // only the copy's derivatives run; its own body (plain operators between dual and plain
    // numbers) need not compile
    let mut stub = copy;
    stub.block = syn::parse_quote!({
        ::core::unreachable!("the dual copy is only differentiated, never called")
    });
    if structured {
        let refused = hvp_of_structured_result(f, sig);
        return Some(quote! {
            #[doc(hidden)]
            #[allow(dead_code, unused_mut, unused_variables, unused_parens, clippy::all)]
            #stub
            #derivatives
            #refused
        });
    }
    let grad = names::grad_fn(&copy_name);
    let grad = if sig.in_impl {
        quote!(Self::#grad)
    } else {
        quote!(#grad)
    };
    let (prelude, args, tangents) = call_args(sig, convs, "v_");
    let hvp_name = format_ident!("{}_hvp", name);
    let (vis, inputs) = (&f.vis, f.sig.inputs.iter());
    let out_ty = &sig.output;
    let grads_ty = sig.grads_type();
    let fwd = quote!(::autodiff::forward);
    let doc = hvp_doc(name);
    let split = split_gradients(sig, convs);
    Some(quote! {
        #[doc(hidden)]
        #[allow(dead_code, unused_mut, unused_variables, unused_parens, clippy::all)]
        #stub
        #derivatives
        #[doc = #doc]
        #[allow(clippy::too_many_arguments, clippy::type_complexity)]
        #[track_caller]
        #vis fn #hvp_name(#(#inputs,)* #(#tangents),*) -> (#out_ty, #grads_ty, #grads_ty) {
            #fwd::with_tangents(|| {
                #prelude
                let (__ad_y, __ad_g) = #grad(#(#args),*);
                #split
                (#fwd::SplitDual::split_dual(__ad_y).0, __ad_g, __ad_hv)
            })
        }
    })
}

/// `NAME_hvp` of a function with a struct or tuple result: a stand-in with the function's
/// parameters, any directions and any result, whose bound fails at a call with "a
/// Hessian-vector product is that of a scalar function" (its copy at dual numbers, for other
/// functions' `hvp`, is all that `hvp` makes).
fn hvp_of_structured_result(f: &ItemFn, sig: &Signature) -> TokenStream {
    let fwd = quote!(::autodiff::forward);
    let bound = if sig.in_impl {
        quote!(for<'__ad> &'__ad Self: #fwd::MethodHvpNeedsScalarResult<Self>)
    } else {
        let marker = crate::forward_dual::marker_path(&f.sig.ident);
        quote!(for<'__ad> &'__ad (): #fwd::HvpNeedsScalarResult<#marker>)
    };
    let dirs: Vec<syn::Ident> = (0..sig.wrt_params().count())
        .map(|i| format_ident!("__AdV{}", i))
        .collect();
    let name = format_ident!("{}_hvp", f.sig.ident);
    let (vis, inputs) = (&f.vis, f.sig.inputs.iter());
    quote! {
        #[doc(hidden)]
        #[allow(dead_code, unused_variables, clippy::all)]
        #vis fn #name<#(#dirs,)* __AdO>(#(#inputs,)* #(_: #dirs),*) -> __AdO
        where #bound
        {
            ::core::unreachable!()
        }
    }
}

/// The element type of the copy: that of the function's tensors and numbers, `f64` for a
/// function of structs alone (`fn grown(p: &Lin) -> Lin`).
fn hvp_elem(sig: &Signature) -> Option<Type> {
    let numbers = sig.params.iter().map(|p| &p.ty).chain(sig.output.as_ref());
    let none = numbers.clone().all(|t| {
        let inner = crate::forward_tensor::strip_ref(t).0;
        crate::forward_tensor::tensor_elem(inner).is_none() && !crate::syntax::is_float_type(inner)
    });
    single_elem(sig).or_else(|| none.then(|| syn::parse_quote!(f64)))
}

/// `let (__ad_g, __ad_hv) = ..`: the gradients at dual numbers (`__ad_g`) taken apart into the
/// gradients and the Hessian-vector products, a struct's or container's through
/// `Dualize::split_tangent`.
pub(crate) fn split_gradients(sig: &Signature, convs: &[Conv]) -> TokenStream {
    let fwd = quote!(::autodiff::forward);
    let wrt: Vec<(&Param, &Conv)> = sig
        .params
        .iter()
        .zip(convs)
        .filter(|(p, _)| p.wrt)
        .collect();
    let split = |g: TokenStream, p: &Param, c: &Conv| {
        if c.structured() {
            let inner = crate::forward_tensor::strip_ref(&p.ty).0;
            quote!(#fwd::split_dual_gradient::<#inner>(#g))
        } else {
            quote!(#fwd::SplitDual::split_dual(#g))
        }
    };
    if let [(p, c)] = wrt.as_slice() {
        let s = split(quote!(__ad_g), p, c);
        return quote!(let (__ad_g, __ad_hv) = #s;);
    }
    let parts: Vec<syn::Ident> = (0..wrt.len())
        .map(|i| format_ident!("__ad_s{}", i))
        .collect();
    let idx = (0..wrt.len()).map(syn::Index::from);
    let splits = wrt
        .iter()
        .zip(idx)
        .map(|((p, c), i)| split(quote!(__ad_g.#i), p, c));
    quote! {
        #(let #parts = #splits;)*
        let (__ad_g, __ad_hv) = ((#(#parts.0),*), (#(#parts.1),*));
    }
}

/// What other functions' `hvp` copies call for this function (see the module documentation):
/// for a generic function, `__ad_NAME_hvp_dual_vjp` forwarding to `NAME_vjp`;
/// for a non-generic one without `hvp`, stand-ins with the signatures the real ones would have
/// and a bound that fails at the caller. Nothing for functions without parameters, async ones,
/// generic methods, and forms `hvp` does not take.
pub fn callee_items(f: &ItemFn, opts: &Options, sig: &Signature) -> TokenStream {
    if f.sig.inputs.is_empty() || f.sig.asyncness.is_some() {
        return TokenStream::new();
    }
    // a generic function, associated function, or method of a generic `impl<T: Float>` block
    // runs at dual numbers as written (`self` is the struct at `Dual<T>`, `derive/dual_elem.rs`);
    // a generic method of a non-generic type would take the type's twin as `self`: refused
    if !f.sig.generics.params.is_empty() || !sig.float_params.is_empty() {
        if f.sig.receiver().is_some() && sig.impl_floats.is_empty() {
            let fwd = quote!(::autodiff::forward);
            return refusal(f, quote!(#fwd::NoHvpThroughGenericMethod<Self>));
        }
        return hidden(crate::generate::forwarders(
            f,
            sig,
            &hvp_copy_name(&f.sig.ident),
        ));
    }
    if opts.hvp {
        return TokenStream::new();
    }
    if sig
        .output
        .as_ref()
        .is_some_and(crate::forward_tensor::structured_output)
    {
        // (its copy's result type, `<Out as Dualize>::Dual`, is not written: a stand-in with
        // any result, refused at the call with "add `hvp`")
        let fwd = quote!(::autodiff::forward);
        let bound = if sig.in_impl {
            quote!(#fwd::MethodNeedsHvp<Self>)
        } else {
            let marker = crate::forward_dual::marker_path(&f.sig.ident);
            quote!(#fwd::NeedsHvp<#marker>)
        };
        return refusal(f, bound);
    }
    stand_in(f, sig).unwrap_or_default()
}

/// The stand-in `__ad_NAME_hvp_dual_vjp` of a function whose copy at dual numbers `hvp` does
/// not make (a generic method, a method of a generic `impl` block, a non-generic function with
/// a struct or tuple result): any arguments, an `unreachable!()` body, and a bound on the first
/// argument that no type implements, which fails at the caller's call with what is refused.
fn refusal(f: &ItemFn, bound: TokenStream) -> TokenStream {
    let n = f.sig.inputs.len();
    let params: Vec<syn::Ident> = (0..n).map(|i| format_ident!("__AdA{}", i)).collect();
    let first = &params[0];
    let bound = quote!(#first: #bound);
    let name = names::vjp_fn(&hvp_copy_name(&f.sig.ident));
    let vis = &f.vis;
    quote! {
        #[doc(hidden)]
        #[allow(dead_code, clippy::all)]
        #vis fn #name<#(#params,)* __AdO>(#(_: #params),*) -> __AdO
        where #bound
        {
            ::core::unreachable!()
        }
    }
}

/// The types of a method's `hvp` copy's `_vjp` (for `forward_methods.rs`): the copy (its
/// parameters), its value, cotangent and gradient types, and its narrowing mask.
pub(crate) struct CopyTypes {
    pub copy: ItemFn,
    pub out: TokenStream,
    pub cot: TokenStream,
    pub grads: TokenStream,
    pub mask: Option<proc_macro2::Literal>,
}

/// The dual alias of the element of a function with a scalar result (`None` for struct and
/// tuple results, or without one element type).
fn scalar_result_alias(sig: &Signature) -> Option<Type> {
    let alias = dual_alias(&single_elem(sig)?)?;
    let structured = sig
        .output
        .as_ref()
        .is_some_and(crate::forward_tensor::structured_output);
    (!structured).then_some(alias)
}

/// The [`CopyTypes`] of a function with `hvp` (`None` when it has no `hvp` copy).
pub(crate) fn copy_types(f: &ItemFn, sig: &Signature, convs: &[Conv]) -> Option<CopyTypes> {
    let alias = scalar_result_alias(sig)?;
    let (copy, copy_sig, errors) = hvp_copy(f, sig, convs, &alias);
    if !errors.is_empty() {
        return None;
    }
    Some(CopyTypes {
        out: copy_sig.output_type(),
        cot: copy_sig.cotangent_type(),
        grads: copy_sig.grads_type(),
        mask: copy_sig.narrowed_mask(),
        copy,
    })
}

/// The stand-in `__ad_NAME_hvp_dual_vjp` of a non-generic function without `hvp`: the copy's
/// parameters, its value and a boxed pullback as the result, an `unreachable!()` body, and the
/// bound `NeedsHvp` that no type implements, behind a `for<'a>` so that rustc checks it at the
/// call (and only there: no opaque type repeats it).
fn stand_in(f: &ItemFn, sig: &Signature) -> Option<TokenStream> {
    let convs = conversions(f, sig)?;
    let alias = scalar_result_alias(sig)?;
    // only the signature is needed: the body is not copied
    let mut header = f.clone();
    header.block = syn::parse_quote!({});
    let (mut copy, copy_sig, _) = hvp_copy(&header, sig, &convs, &alias);
    // a struct argument's type at dual numbers (`<Model as Dualize>::Dual`) would need
    // `Model: Dualize` where the stand-in is written: a type parameter instead, inferred at the
    // call
    let wrt: Vec<syn::Ident> = copy_sig
        .wrt_params()
        .map(|(_, p)| p.ident.clone())
        .collect();
    let mut k = 0usize;
    for (arg, conv) in copy.sig.inputs.iter_mut().zip(&convs) {
        let syn::FnArg::Typed(pt) = arg else { continue };
        if !conv.structured() {
            continue;
        }
        let tp = format_ident!("__AdS{}", k);
        k += 1;
        *pt.ty = match &*pt.ty {
            Type::Reference(_) => syn::parse_quote!(&#tp),
            _ => syn::parse_quote!(#tp),
        };
        copy.sig.generics.params.push(syn::parse_quote!(#tp));
        copy.sig
            .generics
            .make_where_clause()
            .predicates
            .push(syn::parse_quote!(#tp: ::autodiff::Differentiable));
    }
    let copy_sig = model(&copy, sig, &wrt);
    let fwd = quote!(::autodiff::forward);
    let mut out = TokenStream::new();
    let bound: syn::WherePredicate = if sig.in_impl {
        syn::parse_quote!(for<'__ad> &'__ad Self: #fwd::MethodNeedsHvp<Self>)
    } else {
        let marker = crate::forward_dual::marker_path(&f.sig.ident);
        syn::parse_quote!(for<'__ad> &'__ad (): #fwd::NeedsHvp<#marker>)
    };
    // (the copy's `__AdDualF64: Float`, for the generator, is not needed here)
    let preds = &mut copy.sig.generics.make_where_clause().predicates;
    *preds = preds
        .iter()
        .filter(|p| !matches!(p, syn::WherePredicate::Type(t) if t.bounded_ty == alias))
        .cloned()
        .collect();
    preds.push(bound);
    let name = names::vjp_fn(&copy.sig.ident);
    let (out_ty, cot, grads) = (
        copy_sig.output_type(),
        copy_sig.cotangent_type(),
        copy_sig.grads_type(),
    );
    let (vis, inputs) = (&copy.vis, &copy.sig.inputs);
    let (generics, where_c) = (&copy.sig.generics, &copy.sig.generics.where_clause);
    out.extend(quote! {
        #[doc(hidden)]
        #[allow(dead_code, unused_variables, unused_mut, clippy::all)]
        #vis fn #name #generics (#inputs)
            -> (#out_ty, ::std::boxed::Box<dyn ::core::ops::Fn(#cot) -> #grads>)
        #where_c
        {
            ::core::unreachable!()
        }
    });
    Some(out)
}

/// The `_vjp` function of `items` (callers' copies call nothing else), its documentation
/// (which links to a function that does not exist) replaced by `#[doc(hidden)]`.
fn hidden(items: TokenStream) -> TokenStream {
    let Ok(file) = syn::parse2::<syn::File>(items.clone()) else {
        return items;
    };
    let mut out = TokenStream::new();
    for item in file.items {
        match item {
            syn::Item::Fn(mut f) if f.sig.ident.to_string().ends_with("_vjp") => {
                f.attrs.retain(|a| !a.path().is_ident("doc"));
                f.attrs.push(syn::parse_quote!(#[doc(hidden)]));
                quote::ToTokens::to_tokens(&f, &mut out);
            }
            syn::Item::Fn(_) => {}
            other => quote::ToTokens::to_tokens(&other, &mut out),
        }
    }
    out
}
