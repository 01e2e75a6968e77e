//! Which generic parameters and where-clause predicates the tangent struct keeps.
//!
//! The tangent struct only holds the tangents of the differentiated fields, so a parameter used
//! only by a skipped field (`#[differentiable(skip)] act: A`) must not appear on it (an unused
//! parameter is an error). A parameter is kept when its name occurs in the type of a
//! differentiated field; a where-clause predicate is kept when every parameter it names is.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::HashSet;
use syn::{GenericParam, Generics, WherePredicate};

/// The names of the generic parameters of `generics` (`T`, `N`, and lifetimes as `'a`).
fn param_name(param: &GenericParam) -> String {
    match param {
        GenericParam::Type(t) => t.ident.to_string(),
        GenericParam::Const(c) => c.ident.to_string(),
        GenericParam::Lifetime(l) => l.lifetime.to_string(),
    }
}

/// Collects every identifier and lifetime spelled in `tokens`.
fn collect_names(tokens: TokenStream, out: &mut HashSet<String>) {
    let mut after_quote = false;
    for tt in tokens {
        match tt {
            TokenTree::Group(g) => collect_names(g.stream(), out),
            TokenTree::Ident(i) => {
                let name = i.to_string();
                out.insert(if after_quote {
                    format!("'{name}")
                } else {
                    name
                });
            }
            TokenTree::Punct(p) => {
                after_quote = p.as_char() == '\'';
                continue;
            }
            TokenTree::Literal(_) => {}
        }
        after_quote = false;
    }
}

/// The names (of `all`) that occur in `tokens`.
pub(crate) fn mentioned(tokens: &impl ToTokens, all: &HashSet<String>) -> HashSet<String> {
    let mut names = HashSet::new();
    collect_names(tokens.to_token_stream(), &mut names);
    names.retain(|n| all.contains(n));
    names
}

/// All generic parameter names of the struct.
pub(crate) fn all_params(generics: &Generics) -> HashSet<String> {
    generics.params.iter().map(param_name).collect()
}

/// The generics of the tangent struct: the parameters named by `used_by` (the differentiated
/// fields' types), the predicates that only name those, and `extra` predicates.
pub(crate) fn tangent_generics(
    generics: &Generics,
    used_by: &[&syn::Type],
    extra: Vec<WherePredicate>,
) -> Generics {
    let all = all_params(generics);
    let mut used = HashSet::new();
    for ty in used_by {
        used.extend(mentioned(ty, &all));
    }
    let mut out = generics.clone();
    out.params = generics
        .params
        .iter()
        .filter(|p| used.contains(&param_name(p)))
        .cloned()
        .collect();
    let mut kept: Vec<WherePredicate> = generics
        .where_clause
        .iter()
        .flat_map(|w| w.predicates.iter())
        .filter(|p| mentioned(p, &all).is_subset(&used))
        .cloned()
        .collect();
    kept.extend(extra);
    out.where_clause = if kept.is_empty() {
        None
    } else {
        Some(syn::parse_quote!(where #(#kept),*))
    };
    out
}
