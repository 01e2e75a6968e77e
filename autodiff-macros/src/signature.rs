//! The function's signature: which parameters are differentiated, the output and gradient
//! types, and the generic parameters the generated functions repeat.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::{FnArg, GenericParam, Ident, ItemFn, Pat, ReturnType, Type};

/// One parameter of the user's function.
pub struct Param {
    pub ident: Ident,
    pub ty: Type,
    /// Differentiated (in `wrt`)?
    pub wrt: bool,
}

/// What the generator needs to know about the signature.
pub struct Signature {
    pub params: Vec<Param>,
    pub output: Type,
    /// Type and const parameter names (for `use<..>` and turbofish).
    pub type_params: Vec<Ident>,
}

fn last_ident(ty: &Type) -> Option<&Ident> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| &s.ident),
        Type::Paren(p) => last_ident(&p.elem),
        Type::Group(g) => last_ident(&g.elem),
        _ => None,
    }
}

/// Type parameters bounded by `Float` (directly or in the where clause).
fn float_params(f: &ItemFn) -> Vec<Ident> {
    let mut out = Vec::new();
    let has_float = |bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>| {
        bounds.iter().any(|b| match b {
            syn::TypeParamBound::Trait(t) => t
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "Float" || s.ident == "Element"),
            _ => false,
        })
    };
    for g in &f.sig.generics.params {
        if let GenericParam::Type(t) = g {
            if has_float(&t.bounds) {
                out.push(t.ident.clone());
            }
        }
    }
    if let Some(w) = &f.sig.generics.where_clause {
        for p in &w.predicates {
            if let syn::WherePredicate::Type(pt) = p {
                if let Some(id) = last_ident(&pt.bounded_ty) {
                    if has_float(&pt.bounds) {
                        out.push(id.clone());
                    }
                }
            }
        }
    }
    out
}

/// Is a parameter of this type differentiable by default?
fn is_differentiable_type(ty: &Type, floats: &[Ident]) -> bool {
    match ty {
        Type::Reference(r) => r.mutability.is_none() && is_tensor(&r.elem),
        Type::Paren(p) => is_differentiable_type(&p.elem, floats),
        Type::Group(g) => is_differentiable_type(&g.elem, floats),
        _ => {
            is_tensor(ty)
                || last_ident(ty)
                    .is_some_and(|id| id == "f32" || id == "f64" || floats.iter().any(|f| f == id))
        }
    }
}

fn is_tensor(ty: &Type) -> bool {
    last_ident(ty).is_some_and(|id| id == "Tensor")
}

/// The gradient type of a differentiable parameter: the type with any reference removed.
pub fn tangent_type(ty: &Type) -> TokenStream {
    match ty {
        Type::Reference(r) => r.elem.to_token_stream(),
        Type::Paren(p) => tangent_type(&p.elem),
        Type::Group(g) => tangent_type(&g.elem),
        _ => ty.to_token_stream(),
    }
}

impl Signature {
    pub fn analyse(f: &ItemFn, wrt: Option<&[Ident]>, errors: &mut Vec<syn::Error>) -> Signature {
        let sig = &f.sig;
        let attr_span = Span::call_site();
        if let Some(a) = &sig.asyncness {
            errors.push(syn::Error::new(
                a.span(),
                "`#[differentiable]` cannot be applied to an `async fn`\n\
                 help: make the computation a plain `fn` and call it from async code",
            ));
        }
        if let Some(c) = &sig.constness {
            errors.push(syn::Error::new(
                c.span(),
                "`#[differentiable]` cannot be applied to a `const fn`\n\
                 help: remove `const`; the generated `_vjp` function records values at run time",
            ));
        }
        if let Some(u) = &sig.unsafety {
            errors.push(syn::Error::new(
                u.span(),
                "`#[differentiable]` cannot be applied to an `unsafe fn`",
            ));
        }
        if let Some(v) = &sig.variadic {
            errors.push(syn::Error::new(
                v.span(),
                "variadic functions are not differentiable",
            ));
        }
        let floats = float_params(f);
        let mut params = Vec::new();
        for arg in &sig.inputs {
            match arg {
                FnArg::Receiver(r) => errors.push(syn::Error::new(
                    r.span(),
                    "`self` receivers are not supported by `#[differentiable]`\n\
                     help: write a free function that takes the value as an argument",
                )),
                FnArg::Typed(pt) => {
                    let ident = match &*pt.pat {
                        Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
                            pi.ident.clone()
                        }
                        other => {
                            errors.push(syn::Error::new(
                                other.span(),
                                "parameters of a `#[differentiable]` function must be plain identifiers\n\
                                 help: destructure the argument inside the body instead",
                            ));
                            continue;
                        }
                    };
                    if let Type::ImplTrait(it) = &*pt.ty {
                        errors.push(syn::Error::new(
                            it.span(),
                            "`impl Trait` parameters are not supported by `#[differentiable]`\n\
                             help: use a named generic parameter instead",
                        ));
                    }
                    params.push(Param {
                        ident,
                        ty: (*pt.ty).clone(),
                        wrt: false,
                    });
                }
            }
        }
        match wrt {
            Some(names) => {
                for n in names {
                    match params.iter_mut().find(|p| p.ident == *n) {
                        None => errors.push(syn::Error::new(
                            n.span(),
                            format!(
                                "`wrt({n})` names no parameter of this function\n\
                                 help: the parameters are: {}",
                                list(&params)
                            ),
                        )),
                        Some(p) => {
                            if let Type::Reference(r) = &p.ty {
                                if r.mutability.is_some() {
                                    errors.push(mut_ref_error(&p.ty));
                                    continue;
                                }
                            }
                            if !is_differentiable_type(&p.ty, &floats) {
                                errors.push(syn::Error::new(
                                    n.span(),
                                    format!(
                                        "`{n}` cannot be differentiated: its type `{}` is not differentiable\n\
                                         help: differentiable parameters are `f32`, `f64`, `T: Float`, `Tensor<..>` and `&Tensor<..>`",
                                        p.ty.to_token_stream()
                                    ),
                                ));
                            } else {
                                p.wrt = true;
                            }
                        }
                    }
                }
            }
            None => {
                for p in &mut params {
                    if let Type::Reference(r) = &p.ty {
                        if r.mutability.is_some() && is_tensor(&r.elem) {
                            errors.push(mut_ref_error(&p.ty));
                            continue;
                        }
                    }
                    p.wrt = is_differentiable_type(&p.ty, &floats);
                }
                if errors.is_empty() && !params.iter().any(|p| p.wrt) {
                    let span = if sig.inputs.is_empty() {
                        sig.ident.span()
                    } else {
                        sig.inputs.span()
                    };
                    errors.push(syn::Error::new(
                        span,
                        format!(
                            "no differentiation parameters could be inferred for `{}`\n\
                             note: differentiable parameters are `f32`, `f64`, `T: Float`, `Tensor<..>` and `&Tensor<..>`\n\
                             help: add such a parameter, or name one with `#[differentiable(wrt(..))]`",
                            sig.ident
                        ),
                    ));
                }
            }
        }
        let output = match &sig.output {
            ReturnType::Type(_, ty) => {
                if !is_differentiable_type(ty, &floats) || matches!(**ty, Type::Reference(_)) {
                    errors.push(syn::Error::new(
                        ty.span(),
                        format!(
                            "the return type `{}` is not differentiable\n\
                             note: a `#[differentiable]` function returns `f32`, `f64`, `T: Float` or `Tensor<..>`",
                            ty.to_token_stream()
                        ),
                    ));
                }
                (**ty).clone()
            }
            ReturnType::Default => {
                errors.push(syn::Error::new(
                    sig.paren_token.span.join(),
                    "a `#[differentiable]` function must return a value\n\
                     help: return the quantity to differentiate, e.g. `-> Tensor` or `-> f64`",
                ));
                syn::parse_quote_spanned!(attr_span=> f32)
            }
        };
        let type_params = sig
            .generics
            .params
            .iter()
            .filter_map(|g| match g {
                GenericParam::Type(t) => Some(t.ident.clone()),
                GenericParam::Const(c) => Some(c.ident.clone()),
                GenericParam::Lifetime(_) => None,
            })
            .collect();
        Signature {
            params,
            output,
            type_params,
        }
    }

    /// The gradient type: one tangent, or a tuple in parameter order.
    pub fn grads_type(&self) -> TokenStream {
        let tys: Vec<TokenStream> = self
            .params
            .iter()
            .filter(|p| p.wrt)
            .map(|p| tangent_type(&p.ty))
            .collect();
        if tys.len() == 1 {
            tys[0].clone()
        } else {
            quote!((#(#tys),*))
        }
    }
}

fn mut_ref_error(ty: &Type) -> syn::Error {
    syn::Error::new(
        ty.span(),
        "`&mut` parameters cannot be differentiated: mutating a differentiable value in place is not supported\n\
         help: take `&Tensor` (or the value) and return the new value instead",
    )
}

fn list(params: &[Param]) -> String {
    if params.is_empty() {
        return "(none)".into();
    }
    params
        .iter()
        .map(|p| format!("`{}`", p.ident))
        .collect::<Vec<_>>()
        .join(", ")
}
