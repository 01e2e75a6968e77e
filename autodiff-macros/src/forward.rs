//! `#[differentiable(jvp)]` and `#[differentiable(hvp)]`: forward mode and Hessian-vector
//! products for functions generic over one `T: Float`, by instantiating the function (for
//! `NAME_jvp`) or its generated `NAME_grad` (for `NAME_hvp`, forward over reverse) at the dual
//! number `autodiff::forward::Dual<T>`. Exact, with no transform of their own: every construct
//! the reverse mode supports, the dual numbers carry through.

use crate::ctxt::Ctxt;
use crate::diagnostics as diag;
use crate::names;
use crate::parse::{Options, Signature};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{ItemFn, Type};

/// `NAME_jvp` / `NAME_hvp` as requested, or an error when the function is not of the form
/// they need.
pub fn generate(f: &ItemFn, opts: &Options, sig: &Signature, cx: &mut Ctxt) -> TokenStream {
    // what callers' `hvp` copies call (`__ad_NAME_hvp_dual_vjp`)
    let mut out = crate::forward_dual::marker_items(f, sig);
    out.extend(crate::forward_hvp::callee_items(f, opts, sig));
    out.extend(generate_modes(f, opts, sig, cx));
    out
}

fn generate_modes(f: &ItemFn, opts: &Options, sig: &Signature, cx: &mut Ctxt) -> TokenStream {
    let Some(span) = opts.forward_span else {
        // what a caller's copy at dual numbers calls (`__ad_NAME_dual`)
        return crate::forward_dual::callee_items(f, sig);
    };
    let Some(t) = scalar_param(f, sig) else {
        if let Some(ts) = crate::forward_tensor::generate(f, opts, sig, cx, span) {
            return ts;
        }
        if !cx.has_errors() {
            cx.push(diag::forward_mode_needs_generic(span));
        }
        return TokenStream::new();
    };
    let mut out = crate::forward_dual::callee_items(f, sig);
    if opts.jvp {
        out.extend(jvp(f, sig, &t));
    }
    if opts.hvp {
        out.extend(hvp(f, sig, &t));
    }
    out
}

/// The one `T: Float` type parameter, when the differentiated parameters and the result are
/// all `T`.
fn scalar_param(f: &ItemFn, sig: &Signature) -> Option<syn::Ident> {
    if sig.type_params.len() != 1 || sig.float_params.len() != 1 || sig.in_impl {
        return None;
    }
    let t = sig.float_params[0].clone();
    let is_t = |ty: &Type| matches!(ty, Type::Path(p) if p.path.is_ident(&t));
    // (data of the element type, `&[T]`, `Vec<T>`, `[T; N]`, enters as constants here; a struct
    // holding `T` that is not differentiated is rebuilt at `Dual<T>`: `forward_generic.rs`)
    let ok = sig.output.as_ref().is_some_and(is_t)
        && sig.wrt_params().all(|(_, p)| is_t(&p.ty))
        && sig.params.iter().all(|p| {
            p.wrt
                || is_t(&p.ty)
                || holds_elements(&p.ty, &t).is_some()
                || !crate::forward_tensor::mentions_ident(&p.ty, &t)
        })
        && f.sig.receiver().is_none();
    ok.then_some(t)
}

/// The arguments of the instantiated call: each differentiated `x` as `Dual::new(x, dx)`, each
/// other argument of type `T` as a constant, the rest unchanged. Returns the call arguments and
/// the tangent parameters `dx: T` to add to the signature.
fn dual_args(
    sig: &Signature,
    t: &syn::Ident,
    prefix: &str,
) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let dual = quote!(::autodiff::forward::Dual);
    let mut args = Vec::new();
    let mut tangents = Vec::new();
    for p in &sig.params {
        let x = &p.ident;
        let is_t = matches!(&p.ty, Type::Path(tp) if tp.path.is_ident(t));
        if p.wrt {
            let d = format_ident!("{}{}", prefix, x);
            args.push(quote!(#dual::new(#x, #d)));
            tangents.push(quote!(#d: #t));
        } else if is_t {
            args.push(quote!(#dual::constant(#x)));
        } else if let Some(by_ref) = holds_elements(&p.ty, t) {
            // data of the element type (`ws: &[T]`, `Vec<T>`, `[T; N]`): constants
            let c = quote!(::autodiff::forward::constant_duals);
            args.push(if by_ref {
                quote!(&#c(#x))
            } else {
                quote!(#c(&#x))
            });
        } else {
            args.push(quote!(#x));
        }
    }
    (args, tangents)
}

/// `[T]`, `Vec<T>` or `[T; N]`, behind at most one shared reference: `Some(by_ref)`.
fn holds_elements(ty: &Type, t: &syn::Ident) -> Option<bool> {
    let (inner, by_ref) = match ty {
        Type::Reference(r) if r.mutability.is_none() => (&*r.elem, true),
        other => (other, false),
    };
    let is_t = |ty: &Type| matches!(ty, Type::Path(tp) if tp.path.is_ident(t));
    let holds = match inner {
        Type::Slice(s) => is_t(&s.elem),
        Type::Array(a) => is_t(&a.elem),
        Type::Path(p) => p.path.segments.last().is_some_and(|seg| {
            seg.ident == "Vec"
                && matches!(&seg.arguments, syn::PathArguments::AngleBracketed(a)
                    if a.args.len() == 1
                        && matches!(&a.args[0], syn::GenericArgument::Type(e) if is_t(e)))
        }),
        _ => false,
    };
    holds.then_some(by_ref)
}

fn jvp(f: &ItemFn, sig: &Signature, t: &syn::Ident) -> TokenStream {
    let name = &f.sig.ident;
    let jvp_name = format_ident!("{}_jvp", name);
    let (args, tangents) = dual_args(sig, t, "d_");
    let (vis, generics, where_c) = (&f.vis, &f.sig.generics, &f.sig.generics.where_clause);
    let inputs = f.sig.inputs.iter();
    let doc = format!(
        "Value and directional derivative of [`{name}`] (forward mode, generated by \
         `#[differentiable(jvp)]`): one tangent per differentiated argument, in order, and \
         the output's tangent `J·v`."
    );
    let dual = quote!(::autodiff::forward::Dual);
    quote! {
        #[doc = #doc]
        #[allow(clippy::too_many_arguments)]
        #vis fn #jvp_name #generics (#(#inputs,)* #(#tangents),*) -> (#t, #t) #where_c {
            ::autodiff::forward::with_tangents(|| {
                let __ad_r: #dual<#t> = #name::<#dual<#t>>(#(#args),*);
                (__ad_r.value, __ad_r.tangent)
            })
        }
    }
}

fn hvp(f: &ItemFn, sig: &Signature, t: &syn::Ident) -> TokenStream {
    let name = &f.sig.ident;
    let hvp_name = format_ident!("{}_hvp", name);
    let grad_name = names::grad_fn(name);
    let (args, tangents) = dual_args(sig, t, "v_");
    let (vis, generics) = (&f.vis, &f.sig.generics);
    // `NAME_grad` wants `Dual<T>: Differentiable`, whose tangent (`Dual<T>`) is `Debug` when
    // `T` is, and `'static` when the function calls others
    let mut where_c = f.sig.generics.where_clause.clone();
    where_c
        .get_or_insert_with(|| syn::parse_quote!(where))
        .predicates
        .push(syn::parse_quote!(#t: ::core::fmt::Debug + 'static));
    let inputs = f.sig.inputs.iter();
    let n = sig.wrt_params().count();
    let dual = quote!(::autodiff::forward::Dual);
    let (grads_ty, grads, hv) = if n == 1 {
        (quote!(#t), quote!(__ad_g.value), quote!(__ad_g.tangent))
    } else {
        let idx = (0..n).map(syn::Index::from);
        let idx2 = (0..n).map(syn::Index::from);
        let ts = (0..n).map(|_| t);
        (
            quote!((#(#ts),*)),
            quote!((#(__ad_g.#idx.value),*)),
            quote!((#(__ad_g.#idx2.tangent),*)),
        )
    };
    let doc = format!(
        "Value, gradient and Hessian-vector product `H·v` of [`{name}`] (exact, forward over \
         reverse; generated by `#[differentiable(hvp)]`): one direction per differentiated \
         argument, in order."
    );
    quote! {
        #[doc = #doc]
        #[allow(
            clippy::too_many_arguments,
            clippy::type_complexity,
            clippy::multiple_bound_locations
        )]
        #vis fn #hvp_name #generics (#(#inputs,)* #(#tangents),*) -> (#t, #grads_ty, #grads_ty) #where_c {
            ::autodiff::forward::with_tangents(|| {
                let (__ad_y, __ad_g) = #grad_name::<#dual<#t>>(#(#args),*);
                (__ad_y.value, #grads, #hv)
            })
        }
    }
}
