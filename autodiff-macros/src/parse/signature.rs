//! The function's signature as data: which parameters are differentiated, the output and
//! gradient types, and the generic parameters the generated functions repeat.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{FnArg, GenericParam, Ident, ItemFn, Pat, ReturnType, Type};

/// One parameter of the user's function (a plain identifier pattern, or the receiver `self`
/// with type `Self` / `&Self`).
pub struct Param {
    pub ident: Ident,
    pub ty: Type,
    /// Differentiated (named in `wrt`, or of a differentiable type when there is no `wrt`)?
    pub wrt: bool,
    /// A differentiated struct, container or tuple (named in `wrt(..)`): its gradient is its
    /// `Differentiable::Tangent`, and the body may read its fields and elements.
    pub structured: bool,
}

/// What the generator needs to know about the signature.
pub struct Signature {
    pub params: Vec<Param>,
    /// The declared return type (`None` for `-> ()` by omission).
    pub output: Option<Type>,
    /// Type and const parameter names (for `use<..>` and turbofish).
    pub type_params: Vec<Ident>,
    /// Type parameters bounded by `Float`/`Element`, which count as differentiable scalars
    /// (the method's own, and those of the `impl` block in `impl_floats`).
    pub float_params: Vec<Ident>,
    /// Float type parameters of the `impl` block around a method: named with `float = T`, or
    /// a single capital letter that the method uses as a parameter or result type without
    /// declaring it.
    pub impl_floats: Vec<Ident>,
    /// The function has a `self` receiver or mentions `Self`: it is an associated function, and
    /// the generated functions call each other through `Self::`.
    pub in_impl: bool,
    /// The output is a struct, tuple or array: the pullback takes its `Differentiable::Tangent`.
    pub structured_output: bool,
    /// The output is a named type the macro cannot see through (a struct, or an alias such as
    /// `type T64 = Tensor<f64>`): `NAME_grad` exists and seeds it through `OutputSeed`, which
    /// scalars and tensors implement and structs answer with a panic naming `NAME_vjp`.
    pub named_output: bool,
}

impl Signature {
    /// Builds the model; parameters that are not plain identifiers are left out (`check`
    /// reports them). `floats` are the `impl` block's float parameters named by `float = T`;
    /// `associated` says the function is in an `impl` block although it does not show it.
    pub fn model(
        f: &ItemFn,
        wrt: Option<&[Ident]>,
        floats: &[Ident],
        associated: bool,
    ) -> Signature {
        let in_impl = associated || f.sig.receiver().is_some() || mentions_self_type(f);
        let impl_floats = impl_float_params(f, floats, in_impl);
        let mut float_params = float_params(f);
        float_params.extend(impl_floats.iter().cloned());
        let named = |ident: &Ident| wrt.is_none_or(|names| names.contains(ident));
        let explicit = |ident: &Ident| wrt.is_some_and(|names| names.contains(ident));
        let params = f
            .sig
            .inputs
            .iter()
            .filter_map(|arg| match arg {
                FnArg::Typed(pt) => plain_ident(&pt.pat).map(|ident| {
                    let ty = (*pt.ty).clone();
                    let leaf = is_differentiable_type(&ty, &float_params);
                    let structured = !leaf && explicit(&ident) && is_structured_type(&ty);
                    let wrt = named(&ident) && !is_mut_ref(&ty) && (leaf || structured);
                    Param {
                        ident,
                        ty,
                        wrt,
                        structured,
                    }
                }),
                FnArg::Receiver(r) => {
                    let ident = Ident::new("self", r.self_token.span);
                    let structured = explicit(&ident) && receiver_type_ok(r);
                    Some(Param {
                        ident,
                        ty: (*r.ty).clone(),
                        wrt: structured,
                        structured,
                    })
                }
            })
            .collect::<Vec<Param>>();
        let mut params = params;
        if wrt.is_none() && !params.iter().any(|p| p.wrt) {
            // Nothing is differentiable by its spelling: a parameter of a named type the macro
            // cannot see through (`x: &T64` with `type T64 = Tensor<f64>`, a struct) is
            // differentiated through `Differentiable`.
            for p in params.iter_mut() {
                if p.ident != "self" && !is_mut_ref(&p.ty) && is_named_type(&p.ty) {
                    p.wrt = true;
                    p.structured = true;
                }
            }
        }
        let output = match &f.sig.output {
            ReturnType::Type(_, ty) => Some((**ty).clone()),
            ReturnType::Default => None,
        };
        let structured_output = output
            .as_ref()
            .is_some_and(|t| !is_differentiable_type(t, &float_params) && is_structured_type(t));
        let named_output = structured_output && output.as_ref().is_some_and(is_named_type);
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
            impl_floats,
            in_impl,
            structured_output,
            named_output,
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

    /// The type of the output's cotangent (what the pullback takes).
    pub fn cotangent_type(&self) -> TokenStream {
        match &self.output {
            Some(t) if self.structured_output => structured_tangent(t),
            _ => self.output_type(),
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

    /// For a function that does not differentiate every parameter: the bitmask of the ones it
    /// does (bit `i` for parameter `i`, the receiver first), which its pullback's type carries
    /// (`Narrowed<_, MASK>`) so that calls can check it.
    pub fn narrowed_mask(&self) -> Option<proc_macro2::Literal> {
        let wrt = self.params.iter().map(|p| p.wrt);
        self.params
            .iter()
            .any(|p| !p.wrt)
            .then(|| crate::names::position_mask(wrt))
    }

    /// The gradient type: one tangent, or a tuple in parameter order.
    pub fn grads_type(&self) -> TokenStream {
        let tys: Vec<TokenStream> = self
            .wrt_params()
            .map(|(_, p)| {
                if p.structured {
                    structured_tangent(&p.ty)
                } else {
                    tangent_type(&p.ty)
                }
            })
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

/// The float type parameters of the `impl` block around a method: the ones named with
/// `float = T`, and (in a method) each single capital letter that is the type of a parameter or
/// of the result (`x: T`, `x: &T`, `-> T`) and is not declared on the method. The macro sees
/// only the method, not `impl<T: Float> Quad<T>`, so this is how it learns that `T` is a
/// float.
fn impl_float_params(f: &ItemFn, named: &[Ident], in_impl: bool) -> Vec<Ident> {
    let mut out: Vec<Ident> = Vec::new();
    for id in named {
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    if !in_impl {
        return out;
    }
    let declared = |id: &Ident| {
        f.sig.generics.params.iter().any(|g| match g {
            GenericParam::Type(t) => t.ident == *id,
            GenericParam::Const(c) => c.ident == *id,
            GenericParam::Lifetime(_) => false,
        })
    };
    let typed = f.sig.inputs.iter().filter_map(|a| match a {
        FnArg::Typed(pt) => Some(&*pt.ty),
        FnArg::Receiver(_) => None,
    });
    let output = match &f.sig.output {
        ReturnType::Type(_, ty) => Some(&**ty),
        ReturnType::Default => None,
    };
    for ty in typed.chain(output) {
        let inner = match ty {
            Type::Reference(r) if r.mutability.is_none() => &*r.elem,
            other => other,
        };
        let Type::Path(p) = inner else { continue };
        let Some(id) = p.path.get_ident() else {
            continue;
        };
        let name = id.to_string();
        let single_capital = name.len() == 1 && name.chars().all(|c| c.is_ascii_uppercase());
        if p.qself.is_none() && single_capital && !declared(id) && !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

/// Is a parameter of this type differentiable by default?
pub fn is_differentiable_type(ty: &Type, floats: &[Ident]) -> bool {
    match ty {
        // `&Tensor`, and `&f64` / `&T` (`T: Float`) like the number itself
        Type::Reference(r) => {
            r.mutability.is_none()
                && !matches!(&*r.elem, Type::Reference(_))
                && is_differentiable_type(&r.elem, floats)
        }
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

/// `<T as Differentiable>::Tangent` for a parameter of type `T` or `&T`, spanned at the type so
/// that a type that is not `Differentiable` is reported there.
pub fn structured_tangent(ty: &Type) -> TokenStream {
    let inner = tangent_type(ty);
    let rt = crate::names::rt();
    quote::quote_spanned!(syn::spanned::Spanned::span(ty)=> <#inner as #rt::Differentiable>::Tangent)
}

/// A type that can only be data: integers, `bool`, `char`, strings, `()` and the never type.
pub fn is_data_type(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => is_data_type(&r.elem),
        Type::Paren(p) => is_data_type(&p.elem),
        Type::Group(g) => is_data_type(&g.elem),
        Type::Tuple(t) => t.elems.is_empty(),
        Type::Never(_) => true,
        Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            let id = p.path.segments[0].ident.to_string();
            matches!(
                id.as_str(),
                "bool"
                    | "char"
                    | "str"
                    | "String"
                    | "usize"
                    | "isize"
                    | "u8"
                    | "u16"
                    | "u32"
                    | "u64"
                    | "u128"
                    | "i8"
                    | "i16"
                    | "i32"
                    | "i64"
                    | "i128"
            )
        }
        _ => false,
    }
}

/// A type whose gradient goes through `Differentiable` (a struct, `Vec`, slice, array, tuple,
/// `Box`, `Option`, or a name the macro cannot see through, such as a type alias).
pub fn is_structured_type(ty: &Type) -> bool {
    let inner = match ty {
        Type::Reference(r) if r.mutability.is_none() => &*r.elem,
        Type::Reference(_) => return false,
        other => other,
    };
    !is_data_type(inner)
        && matches!(
            inner,
            Type::Path(_) | Type::Tuple(_) | Type::Array(_) | Type::Slice(_) | Type::Paren(_)
        )
}

/// `self` or `&self` (`Self` / `&Self`); `&mut self` and `self: Box<Self>` are refused by `check`.
pub fn receiver_type_ok(r: &syn::Receiver) -> bool {
    r.mutability.is_none() && is_self_type(&r.ty)
}

fn is_self_type(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => r.mutability.is_none() && is_self_type(&r.elem),
        Type::Path(p) => p.qself.is_none() && p.path.is_ident("Self"),
        _ => false,
    }
}

/// Does the function mention `Self` (so that it must be an associated function)?
fn mentions_self_type(f: &ItemFn) -> bool {
    fn scan(ts: TokenStream) -> bool {
        ts.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(i) => i == "Self",
            proc_macro2::TokenTree::Group(g) => scan(g.stream()),
            _ => false,
        })
    }
    scan(f.sig.to_token_stream()) || scan(f.block.to_token_stream())
}

/// A single-name type (`T64`, `Model`, `&Model`) that is not a standard container or data: an
/// alias or a user struct.
fn is_named_type(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => is_named_type(&r.elem),
        Type::Paren(p) => is_named_type(&p.elem),
        Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            let id = p.path.segments[0].ident.to_string();
            !is_data_type(ty) && !matches!(id.as_str(), "Vec" | "Option" | "Box" | "Self")
        }
        _ => false,
    }
}
