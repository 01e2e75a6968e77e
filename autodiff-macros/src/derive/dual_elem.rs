//! The form at dual numbers of a struct generic over its element type (`struct Params<T: Float>
//! { w: T, v: Vec<T> }`, `struct Mlp<E: Element> { layers: Vec<Tensor<E>> }`): the same struct
//! at `Dual<T>`, `Params<Dual<T>>`, instead of a twin (`dual.rs`).
//!
//! So a generic function `fn f<T: Float>(p: &Params<T>, x: T) -> T` runs at `T = Dual<T>` as
//! written, on `Params<Dual<T>>` (what `NAME_jvp` / `NAME_hvp` pass it: `Params<T>: Dualize<Dual
//! = Params<Dual<T>>>`), and a non-generic copy at dual numbers that reads `p.w` of a
//! `&Params<f64>` gets the same type as a generic callee takes. The struct qualifies when it has
//! exactly one type parameter bounded by `Float` or `Element` (other parameters stay as they
//! are), and every differentiated field's type names it (a differentiated field of a fixed type, `cfg: Config`,
//! could not carry its tangent in `Params<Dual<T>>`: such structs keep the twin).
//!
//! The impl's bounds name the fields at both element types (`Vec<T>: Dualize<Dual =
//! Vec<Dual<T>>>`, true of `f32`/`f64`, tensors, containers and other such structs); they hold
//! at `T = f64`, and are checked where the impl is used. A skipped field naming the element is
//! a constant at dual numbers; other skipped fields are cloned. A struct literal in a copy at
//! dual numbers (`Params { w, v }`) builds `Params<Dual<T>>` as written, or through
//! `impl DualLiteral` (`LiteralOf::<Params<f64>> { w, v }`, `forward_struct_lit.rs`).

use super::{FieldInfo, StructInfo};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use syn::visit_mut::VisitMut;
use syn::{Member, WherePredicate};

/// The struct's element type parameter, when its form at dual numbers is itself at `Dual<T>`
/// (see the module documentation).
pub(crate) fn element(info: &StructInfo<'_>) -> Option<syn::Ident> {
    // the one type parameter bounded by `Float` or `Element` (`struct Wrap<L> { inner: L }`,
    // generic over a model type, keeps the twin; other parameters stay as they are)
    let generics = &info.input.generics;
    let elems: Vec<&syn::TypeParam> = generics
        .type_params()
        .filter(|t| is_element_bound(t, generics))
        .collect();
    let [t] = elems[..] else {
        return None;
    };
    let active: Vec<&FieldInfo> = info.fields.iter().filter(|f| !f.skip).collect();
    let names = |f: &FieldInfo| mentions(&f.ty, &t.ident);
    (!active.is_empty() && active.iter().all(|f| names(f))).then(|| t.ident.clone())
}

/// Is the type parameter bounded by `Float` or `Element` (in its list or the where clause)?
fn is_element_bound(t: &syn::TypeParam, generics: &syn::Generics) -> bool {
    let elem = |b: &syn::TypeParamBound| {
        matches!(b, syn::TypeParamBound::Trait(tb)
            if tb.path.segments.last().is_some_and(|s| s.ident == "Float" || s.ident == "Element"))
    };
    let in_where = generics
        .where_clause
        .iter()
        .flat_map(|w| &w.predicates)
        .any(|p| {
            matches!(p, WherePredicate::Type(pt)
            if matches!(&pt.bounded_ty, syn::Type::Path(tp) if tp.path.is_ident(&t.ident))
                && pt.bounds.iter().any(elem))
        });
    t.bounds.iter().any(elem) || in_where
}

fn mentions(tokens: &impl ToTokens, id: &syn::Ident) -> bool {
    let all = std::iter::once(id.to_string()).collect();
    !super::generics::mentioned(tokens, &all).is_empty()
}

/// `ty` with the element `T` replaced by `Dual<T>`.
pub(crate) fn at_dual<N: VisitMutWith + Clone>(node: &N, elem: &syn::Ident) -> N {
    struct Sub<'a>(&'a syn::Ident);
    impl VisitMut for Sub<'_> {
        fn visit_type_mut(&mut self, t: &mut syn::Type) {
            if let syn::Type::Path(p) = t {
                if p.qself.is_none() && p.path.is_ident(self.0) {
                    let e = self.0;
                    *t = syn::parse_quote!(::autodiff::forward::Dual<#e>);
                    return;
                }
            }
            syn::visit_mut::visit_type_mut(self, t);
        }
    }
    let mut n = node.clone();
    n.visit_mut_with(&mut Sub(elem));
    n
}

/// A node `visit_mut` can walk (types and where predicates).
pub(crate) trait VisitMutWith {
    fn visit_mut_with(&mut self, v: &mut impl VisitMut);
}

impl VisitMutWith for syn::Type {
    fn visit_mut_with(&mut self, v: &mut impl VisitMut) {
        v.visit_type_mut(self);
    }
}

impl VisitMutWith for WherePredicate {
    fn visit_mut_with(&mut self, v: &mut impl VisitMut) {
        v.visit_where_predicate_mut(self);
    }
}

impl VisitMutWith for syn::TypeParamBound {
    fn visit_mut_with(&mut self, v: &mut impl VisitMut) {
        v.visit_type_param_bound_mut(self);
    }
}

/// How a field enters the struct at dual numbers.
enum Field {
    /// Seeded through `Dualize` (a differentiated field).
    Seeded,
    /// A skipped field naming the element: a constant.
    Constant,
    /// A skipped field of another type: cloned.
    Cloned,
}

/// `impl DualLiteral` and `impl Dualize` with `Dual = NAME<Dual<T>>`.
pub(crate) fn emit(info: &StructInfo<'_>, elem: &syn::Ident) -> TokenStream {
    let input = info.input;
    let name = &input.ident;
    let dualize = quote!(::autodiff::forward::Dualize);
    let kinds: Vec<Field> = info
        .fields
        .iter()
        .map(|f| match (f.skip, mentions(&f.ty, elem)) {
            (false, _) => Field::Seeded,
            (true, true) => Field::Constant,
            (true, false) => Field::Cloned,
        })
        .collect();

    let mut generics = input.generics.clone();
    let mut preds: Vec<WherePredicate> = Vec::new();
    // the struct at `Dual<T>` is well formed: the element's bounds and the where clause, at
    // `Dual<T>`
    let dual_elem: syn::Type = syn::parse_quote!(::autodiff::forward::Dual<#elem>);
    if let Some(t) = input.generics.type_params().find(|t| t.ident == *elem) {
        if !t.bounds.is_empty() {
            let bounds = t.bounds.iter().map(|b| at_dual(b, elem));
            preds.push(syn::parse_quote!(#dual_elem: #(#bounds)+*));
        }
    }
    if let Some(w) = &input.generics.where_clause {
        preds.extend(w.predicates.iter().map(|p| at_dual(p, elem)));
    }
    for (f, k) in info.fields.iter().zip(&kinds) {
        let ty = &f.ty;
        let dty = at_dual(ty, elem);
        match k {
            Field::Seeded => {
                preds.push(syn::parse_quote!(#ty: ::autodiff::Differentiable));
                preds.push(syn::parse_quote!(#dty: ::autodiff::Differentiable));
                preds.push(syn::parse_quote!(#ty: #dualize<Dual = #dty>));
            }
            Field::Constant => preds.push(syn::parse_quote!(#ty: #dualize<Dual = #dty>)),
            Field::Cloned => preds.push(syn::parse_quote!(for<'__ad> #ty: ::core::clone::Clone)),
        }
    }
    let (_, plain_g, _) = input.generics.split_for_impl();
    let self_dual: syn::Type = {
        let t: syn::Type = syn::parse_quote!(#name #plain_g);
        at_dual(&t, elem)
    };
    preds.push(syn::parse_quote!(#self_dual: ::core::clone::Clone));
    generics.make_where_clause().predicates.extend(preds);
    let (impl_g, ty_g, where_c) = generics.split_for_impl();

    let build = |value: &dyn Fn(&Field, &Member) -> TokenStream| {
        let fields = info.fields.iter().zip(&kinds).map(|(f, k)| {
            let m = &f.member;
            let v = value(k, m);
            quote!(#m: #v)
        });
        quote!(#name { #(#fields),* })
    };
    let seed = build(&|k, m| match k {
        Field::Seeded => quote!(#dualize::seed(&self.#m, &t.#m)),
        Field::Constant => quote!(#dualize::constant(&self.#m)),
        Field::Cloned => quote!(::core::clone::Clone::clone(&self.#m)),
    });
    let constant = build(&|k, m| match k {
        Field::Seeded | Field::Constant => quote!(#dualize::constant(&self.#m)),
        Field::Cloned => quote!(::core::clone::Clone::clone(&self.#m)),
    });
    let split = split_body(info, &kinds);
    let split_tangent =
        super::dual::split_tangent_body(info, &format_ident!("{}Tangent", info.input.ident));
    let dualize_impl = super::dual::dualize_impl(
        name,
        &generics,
        &self_dual.to_token_stream(),
        [seed, constant, split, split_tangent],
    );
    quote! {
        // a struct literal `Name { .. }` in a copy at dual numbers (`forward_struct_lit.rs`)
        #[automatically_derived]
        impl #impl_g ::autodiff::forward::DualLiteral for #name #ty_g #where_c {
            type Dual = #self_dual;
        }
        // a plain value of the struct in a field of such a literal: a constant
        #[automatically_derived]
        impl #impl_g ::autodiff::forward::IntoField<#self_dual> for #name #ty_g #where_c {
            fn into_field(self) -> #self_dual {
                #dualize::constant(&self)
            }
        }
        #[automatically_derived]
        impl #impl_g ::autodiff::forward::DualizeAs<#self_dual> for #name #ty_g #where_c {}
        #dualize_impl

    }
}

/// The struct at dual numbers taken apart into the struct and its tangent struct.
fn split_body(info: &StructInfo<'_>, kinds: &[Field]) -> TokenStream {
    let name = &info.input.ident;
    let tangent = format_ident!("{}Tangent", name);
    let dualize = quote!(::autodiff::forward::Dualize);
    let (mut pats, mut splits, mut values, mut tangents) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, (f, k)) in info.fields.iter().zip(kinds).enumerate() {
        let (m, ty) = (&f.member, &f.ty);
        let l = format_ident!("__ad_f{}", i);
        let (v, t) = (format_ident!("{}_v", l), format_ident!("{}_t", l));
        pats.push(quote!(#m: #l));
        match k {
            Field::Seeded => {
                splits.push(quote!(let (#v, #t) = <#ty as #dualize>::split(#l);));
                values.push(quote!(#m: #v));
                tangents.push(quote!(#m: #t));
            }
            Field::Constant => {
                splits.push(quote!(let #v = <#ty as #dualize>::split(#l).0;));
                values.push(quote!(#m: #v));
            }
            Field::Cloned => values.push(quote!(#m: #l)),
        }
        if f.skip && info.tuple {
            tangents.push(quote!(#m: ()));
        }
    }
    quote! {
        let #name { #(#pats),* } = d;
        #(#splits)*
        (#name { #(#values),* }, #tangent { #(#tangents),* })
    }
}
