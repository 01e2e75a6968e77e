//! Closure parameters named like other names of the function, in the copies at dual numbers
//! (`NAME_jvp`, `NAME_hvp`). Which names hold dual values is decided per function
//! (`forward_locals.rs`), so in
//!
//! ```text
//! let t = x * y;               // dual
//! let g = |t: usize| t as f64; // a plain parameter under the same name
//! ```
//!
//! the closure's `t` would be taken for the dual local. Before that analysis, the copy renames
//! each closure parameter whose name something else in the function binds (another pattern,
//! or a parameter of the function) to a name of its own (`__ad_c1_t`), in the closure's body
//! too: its patterns, paths, shorthand fields and the identifiers in its macros' tokens.
//!
//! Likewise a `let` that shadows a parameter (`x.powf(p); let p = x * p; ..`): the local is
//! renamed (`__ad_s1_p`) in the statements after it, so the plain parameter before it stays
//! plain. The user's function is untouched.

use proc_macro2::{Group, TokenStream, TokenTree};
use std::collections::HashMap;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

/// Renames the colliding closure parameters of `block` (`params`: the function's parameter
/// names).
pub fn rename(block: &mut syn::Block, params: &[String]) {
    let mut count = Count(HashMap::new());
    count.visit_block(block);
    for p in params {
        *count.0.entry(p.clone()).or_default() += 1;
    }
    let mut r = Closures {
        counts: count.0,
        n: 0,
    };
    r.visit_block_mut(block);
    Shadows { params, n: 0 }.visit_block_mut(block);
}

/// Renames the `let` bindings that shadow a parameter, in the rest of their block.
struct Shadows<'a> {
    params: &'a [String],
    n: usize,
}

impl VisitMut for Shadows<'_> {
    fn visit_block_mut(&mut self, b: &mut syn::Block) {
        syn::visit_mut::visit_block_mut(self, b);
        for k in 0..b.stmts.len() {
            let syn::Stmt::Local(l) = &mut b.stmts[k] else {
                continue;
            };
            let pi = match &mut l.pat {
                syn::Pat::Ident(pi) => pi,
                syn::Pat::Type(pt) => match &mut *pt.pat {
                    syn::Pat::Ident(pi) => pi,
                    _ => continue,
                },
                _ => continue,
            };
            if pi.subpat.is_some() || !self.params.iter().any(|p| pi.ident == p) {
                continue;
            }
            self.n += 1;
            let from = pi.ident.clone();
            let to = syn::Ident::new(&format!("__ad_s{}_{}", self.n, from), from.span());
            pi.ident = to.clone();
            let mut r = Rename {
                from: &from,
                to: &to,
            };
            for st in &mut b.stmts[k + 1..] {
                r.visit_stmt_mut(st);
            }
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// How many patterns bind each name.
struct Count(HashMap<String, usize>);

impl<'ast> Visit<'ast> for Count {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        *self.0.entry(p.ident.to_string()).or_default() += 1;
        syn::visit::visit_pat_ident(self, p);
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

struct Closures {
    counts: HashMap<String, usize>,
    n: usize,
}

impl VisitMut for Closures {
    fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
        syn::visit_mut::visit_expr_closure_mut(self, c);
        let mut names = Vec::new();
        for p in &c.inputs {
            let mut b = Bound(Vec::new());
            b.visit_pat(p);
            names.extend(b.0);
        }
        for name in names {
            if self.counts.get(&name.to_string()).copied().unwrap_or(0) < 2 {
                continue;
            }
            self.n += 1;
            let to = syn::Ident::new(&format!("__ad_c{}_{}", self.n, name), name.span());
            let mut r = Rename {
                from: &name,
                to: &to,
            };
            for p in c.inputs.iter_mut() {
                r.visit_pat_mut(p);
            }
            r.visit_expr_mut(&mut c.body);
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

struct Bound(Vec<syn::Ident>);

impl<'ast> Visit<'ast> for Bound {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.push(p.ident.clone());
        syn::visit::visit_pat_ident(self, p);
    }
}

struct Rename<'a> {
    from: &'a syn::Ident,
    to: &'a syn::Ident,
}

impl Rename<'_> {
    fn tokens(&self, ts: TokenStream) -> TokenStream {
        ts.into_iter()
            .map(|t| match t {
                TokenTree::Ident(i) if i == *self.from => TokenTree::Ident(self.to.clone()),
                TokenTree::Group(g) => {
                    let mut n = Group::new(g.delimiter(), self.tokens(g.stream()));
                    n.set_span(g.span());
                    TokenTree::Group(n)
                }
                other => other,
            })
            .collect()
    }
}

impl VisitMut for Rename<'_> {
    fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
        if p.ident == *self.from {
            p.ident = self.to.clone();
        }
        syn::visit_mut::visit_pat_ident_mut(self, p);
    }
    fn visit_expr_path_mut(&mut self, p: &mut syn::ExprPath) {
        if p.qself.is_none() && p.path.is_ident(self.from) {
            p.path = syn::Path::from(self.to.clone());
        }
    }
    fn visit_field_value_mut(&mut self, f: &mut syn::FieldValue) {
        // `Pt { t }`: the shorthand written out as `Pt { t: __ad_c1_t }`
        if f.colon_token.is_none()
            && matches!(&f.expr, syn::Expr::Path(p) if p.path.is_ident(self.from))
        {
            f.colon_token = Some(Default::default());
        }
        syn::visit_mut::visit_field_value_mut(self, f);
    }
    fn visit_field_pat_mut(&mut self, f: &mut syn::FieldPat) {
        if f.colon_token.is_none() {
            f.colon_token = Some(Default::default());
        }
        syn::visit_mut::visit_field_pat_mut(self, f);
    }
    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        m.tokens = self.tokens(m.tokens.clone());
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
