//! Struct literals in a copy at dual numbers (`forward_dual.rs`): `Pt { x: a * b, y: 2.0 }`
//! with a field at dual numbers builds `Pt`'s form at dual numbers, named through the literal's
//! own path as `autodiff::forward::LiteralOf::<Pt> { .. }` (`<Pt as DualLiteral>::Dual`, which
//! `#[derive(Differentiable)]` implements). So the literal resolves wherever `Pt` does (a `use`
//! of another module, a path `models::Pt { .. }`, a struct of another crate), and a struct that
//! does not derive `Differentiable` is refused at the literal by `DualLiteral`'s message.
//!
//! A type alias in a struct literal's path must be complete: a generic struct needs its
//! arguments. `Pt::<f64> { .. }` gives them; otherwise the arguments the function writes for
//! that name (`-> Params<f64>`, `p: &Params<f64>`, `let q: Params<f64>`) are used when they are
//! one type. When it writes several, or none and the source file defines the struct as generic
//! (`enclosing.rs`), the literal keeps its own path, which builds a struct generic over its
//! element at `Dual<T>` (`derive/dual_elem.rs`) from its dual fields.
//!
//! Plain values in the literal (`2.0`, a number argument that is not differentiated, arithmetic
//! of them) go through `autodiff::forward::into_field`, a constant where the field holds dual
//! numbers, and a plain `..base` through `Dualize::constant`. In the copy that reverse mode
//! differentiates (`NAME_hvp`) these conversions run inside `no_grad(|| ..)`: constants.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use std::collections::HashSet;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, ExprStruct, PathArguments};

/// The generic arguments a function writes for each type name (`Params<f64>` -> `Params`,
/// `<f64>`), in its signature and body; and the names of its struct literals written without
/// them that the source file defines as generic structs.
#[derive(Default)]
pub struct Written {
    args: Vec<(String, syn::AngleBracketedGenericArguments)>,
    generic_here: HashSet<String>,
}

impl Written {
    /// Collects them from `f`.
    pub fn of(f: &syn::ItemFn) -> Self {
        struct W(Vec<(String, syn::AngleBracketedGenericArguments)>);
        impl<'ast> Visit<'ast> for W {
            fn visit_path_segment(&mut self, s: &'ast syn::PathSegment) {
                if let PathArguments::AngleBracketed(a) = &s.arguments {
                    let mut a = a.clone();
                    a.colon2_token = None;
                    let key = quote!(#a).to_string();
                    let name = syn::ext::IdentExt::unraw(&s.ident).to_string();
                    if !self
                        .0
                        .iter()
                        .any(|(n, b)| *n == name && quote!(#b).to_string() == key)
                    {
                        self.0.push((name, a));
                    }
                }
                syn::visit::visit_path_segment(self, s);
            }
            fn visit_item(&mut self, _: &'ast syn::Item) {}
        }
        let mut w = W(Vec::new());
        w.visit_item_fn(f);
        struct L(HashSet<String>);
        impl<'ast> Visit<'ast> for L {
            fn visit_expr_struct(&mut self, st: &'ast ExprStruct) {
                if let Some(last) = st.path.segments.last() {
                    if last.arguments.is_none() && last.ident != "Self" {
                        self.0
                            .insert(syn::ext::IdentExt::unraw(&last.ident).to_string());
                    }
                }
                syn::visit::visit_expr_struct(self, st);
            }
            fn visit_item(&mut self, _: &'ast syn::Item) {}
        }
        let mut lits = L(HashSet::new());
        lits.visit_block(&f.block);
        // only literals whose arguments the function does not write need the file
        let unwritten: Vec<String> = lits
            .0
            .into_iter()
            .filter(|n| !w.0.iter().any(|(m, _)| m == n))
            .collect();
        let text = if unwritten.is_empty() {
            None
        } else {
            crate::source_here()
        };
        let generic_here = match text {
            Some(text) => unwritten
                .into_iter()
                .filter(|n| crate::enclosing::struct_is_generic(&text, n) == Some(true))
                .collect(),
            None => HashSet::new(),
        };
        Written {
            args: w.0,
            generic_here,
        }
    }

    /// The arguments written for `name`, when they are one list.
    fn only(&self, name: &syn::Ident) -> Result<Option<&syn::AngleBracketedGenericArguments>, ()> {
        let name = syn::ext::IdentExt::unraw(name).to_string();
        let mut found = self.args.iter().filter(|(n, _)| *n == name).map(|(_, a)| a);
        match (found.next(), found.next()) {
            (None, _) => Ok(None),
            (Some(a), None) => Ok(Some(a)),
            _ => Err(()),
        }
    }
}

/// Rewrites a struct literal with a field (or `..base`) at dual numbers (see the module
/// documentation). `dual`: the names bound to dual values; `reverse`: the copy is `NAME_hvp`'s.
pub fn rewrite(st: &mut ExprStruct, dual: &HashSet<String>, written: &Written, reverse: bool) {
    let is_dual = |e: &Expr| crate::forward_dual::mentions(e, dual);
    if st.qself.is_some() {
        return;
    }
    let rest_dual = st.rest.as_deref().map(is_dual);
    if !st.fields.iter().any(|f| is_dual(&f.expr)) && rest_dual != Some(true) {
        return;
    }
    let fwd = quote!(::autodiff::forward);
    if st.path.is_ident("Self") {
        let span = st.path.segments[0].ident.span();
        st.path = syn::parse_quote_spanned!(span=> ::autodiff::forward::DualOf::<Self>);
    } else {
        let Some(last) = st.path.segments.last() else {
            return;
        };
        // at the struct's name: rustc's messages about the literal point there
        let span = last.ident.span();
        let mut ty = st.path.clone();
        let own = match &last.arguments {
            PathArguments::AngleBracketed(_) => false,
            PathArguments::Parenthesized(_) => return,
            PathArguments::None => match written.only(&last.ident) {
                Ok(Some(args)) => {
                    if let Some(l) = ty.segments.last_mut() {
                        l.arguments = PathArguments::AngleBracketed(args.clone());
                    }
                    false
                }
                // a generic struct defined in this file: as written
                Ok(None) => written
                    .generic_here
                    .contains(&syn::ext::IdentExt::unraw(&last.ident).to_string()),
                // several instances written: the struct generic over its element, as written
                Err(()) => true,
            },
        };
        if !own {
            if let Some(PathArguments::AngleBracketed(a)) =
                ty.segments.last_mut().map(|l| &mut l.arguments)
            {
                a.colon2_token = None;
            }
            st.path = syn::parse_quote_spanned!(span=> ::autodiff::forward::LiteralOf::<#ty>);
        }
    }
    let constant = |conv: TokenStream, span| {
        if reverse {
            quote_spanned!(span=> ::autodiff::no_grad(|| #conv))
        } else {
            conv
        }
    };
    for f in st.fields.iter_mut() {
        if !is_dual(&f.expr) && plain_number(&f.expr) {
            let (e, span) = (&f.expr, f.expr.span());
            let conv = constant(quote_spanned!(span=> #fwd::into_field(#e)), span);
            f.expr = syn::parse_quote!(#conv);
        }
    }
    if let (Some(rest), Some(false)) = (&mut st.rest, rest_dual) {
        let span = rest.span();
        let conv = constant(
            quote_spanned!(span=> #fwd::Dualize::constant(&(#rest))),
            span,
        );
        **rest = syn::parse_quote!(#conv);
    }
}

/// A number written in the literal or computed there from plain values (literals, variables,
/// fields, arithmetic, casts, methods of numbers), whose type does not depend on the field's.
pub(crate) fn plain_number(e: &Expr) -> bool {
    match e {
        Expr::Lit(l) => matches!(l.lit, syn::Lit::Float(_) | syn::Lit::Int(_)),
        Expr::Path(p) => p.qself.is_none(),
        Expr::Field(f) => plain_number(&f.base),
        Expr::Paren(p) => plain_number(&p.expr),
        Expr::Group(g) => plain_number(&g.expr),
        Expr::Unary(u) => plain_number(&u.expr),
        Expr::Binary(b) => plain_number(&b.left) && plain_number(&b.right),
        Expr::Cast(c) => plain_number(&c.expr),
        Expr::MethodCall(m) => plain_number(&m.receiver) && m.args.iter().all(plain_number),
        // the copy's arithmetic of plain numbers (`forward_literals.rs`)
        Expr::Call(c) => {
            matches!(&*c.func, Expr::Path(p) if p.path.segments.iter().any(|s| s.ident == "forward")
                && p.path.segments.last().is_some_and(|s| s.ident.to_string().starts_with("mixed_")))
                && c.args.iter().all(plain_number)
        }
        _ => false,
    }
}
