//! The function's signature as data: which parameters are differentiated, the output and
//! gradient types, and the generic parameters the generated functions repeat.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{FnArg, GenericParam, Ident, ItemFn, Pat, ReturnType, Type};

/// One parameter of the user's function (a plain identifier pattern).
pub struct Param {
    pub ident: Ident,
    pub ty: Type,
    /// Differentiated (named in `wrt`, or of a differentiable type when there is no `wrt`)?
    pub wrt: bool,
}

/// What the generator needs to know about the signature.
pub struct Signature {
    pub params: Vec<Param>,
    /// The declared return type (`None` for `-> ()` by omission).
    pub output: Option<Type>,
    /// Type and const parameter names (for `use<..>` and turbofish).
    pub type_params: Vec<Ident>,
    /// Type parameters bounded by `Float`/`Element`, which count as differentiable scalars.
    pub float_params: Vec<Ident>,
}

impl Signature {
    /// Builds the model; parameters that are not plain identifiers are left out (`check`
    /// reports them).
    pub fn model(f: &ItemFn, wrt: Option<&[Ident]>) -> Signature {
        let float_params = float_params(f);
        let params = f
            .sig
            .inputs
            .iter()
            .filter_map(|arg| match arg {
                FnArg::Typed(pt) => plain_ident(&pt.pat).map(|ident| {
                    let ty = (*pt.ty).clone();
                    let named = wrt.is_none_or(|names| names.contains(&ident));
                    let wrt =
                        named && !is_mut_ref(&ty) && is_differentiable_type(&ty, &float_params);
                    Param { ident, ty, wrt }
                }),
                FnArg::Receiver(_) => None,
            })
            .collect();
        let output = match &f.sig.output {
            ReturnType::Type(_, ty) => Some((**ty).clone()),
            ReturnType::Default => None,
        };
        let type_params = f
            .sig
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
            float_params,
        }
    }

    /// The output type as generated code spells it (`()` when the function returns nothing,
    /// which `check` has already reported).
    pub fn output_type(&self) -> TokenStream {
        match &self.output {
            Some(t) => t.to_token_stream(),
            None => quote!(()),
        }
    }

    /// The differentiated parameters with their binding ids (parameters are bindings `1..=n` in
    /// order; 0 is the return slot).
    pub fn wrt_params(&self) -> impl Iterator<Item = (usize, &Param)> {
        self.params
            .iter()
            .enumerate()
            .filter(|(_, p)| p.wrt)
            .map(|(i, p)| (i + 1, p))
    }

    /// The gradient type: one tangent, or a tuple in parameter order.
    pub fn grads_type(&self) -> TokenStream {
        let tys: Vec<TokenStream> = self
            .wrt_params()
            .map(|(_, p)| tangent_type(&p.ty))
            .collect();
        if tys.len() == 1 {
            tys[0].clone()
        } else {
            quote!((#(#tys),*))
        }
    }
}

/// `x` or `mut x`: the identifier a parameter pattern binds.
pub fn plain_ident(pat: &Pat) -> Option<Ident> {
    match pat {
        Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => Some(pi.ident.clone()),
        _ => None,
    }
}

pub fn is_mut_ref(ty: &Type) -> bool {
    matches!(ty, Type::Reference(r) if r.mutability.is_some())
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
pub fn is_differentiable_type(ty: &Type, floats: &[Ident]) -> bool {
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

pub fn is_tensor(ty: &Type) -> bool {
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
