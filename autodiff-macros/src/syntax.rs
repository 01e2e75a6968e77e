//! Syntactic helpers shared by the stages: classifying expressions and patterns, and the one
//! rewrite the forward code needs (`return` into a `break` out of the body block).

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit::Visit;
use syn::{BinOp, Expr, Ident, Pat};

/// Rewrites `return e` (outside closures and nested items) into a break out of the body block.
pub struct ReturnRewriter {
    pub label: syn::Lifetime,
}

impl syn::visit_mut::VisitMut for ReturnRewriter {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Return(r) = e {
            if let Some(x) = &mut r.expr {
                self.visit_expr_mut(x);
            }
            let label = &self.label;
            let v = r.expr.as_ref().map(|x| quote!(#x)).unwrap_or(quote!(()));
            *e = syn::parse_quote_spanned!(r.return_token.span=> break #label #v);
            return;
        }
        if matches!(e, Expr::Closure(_) | Expr::Async(_)) {
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// Does the expression contain a jump out of it (`return`, `break`, `continue`, `?`), outside
/// closures and nested items?
pub fn contains_jump(e: &Expr) -> bool {
    jumps(e, true)
}

/// Does the expression jump out of itself other than from inside nested control flow (`if`,
/// `match`, blocks, loops), which the lowering hoists and lowers structurally?
pub fn contains_unstructured_jump(e: &Expr) -> bool {
    jumps(e, false)
}

fn jumps(e: &Expr, into_control_flow: bool) -> bool {
    struct J(bool, bool);
    impl<'ast> Visit<'ast> for J {
        fn visit_expr(&mut self, e: &'ast Expr) {
            if !self.1 && is_structured(e) {
                return;
            }
            syn::visit::visit_expr(self, e);
        }
        fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
            self.0 = true;
        }
        fn visit_expr_break(&mut self, _: &'ast syn::ExprBreak) {
            self.0 = true;
        }
        fn visit_expr_continue(&mut self, _: &'ast syn::ExprContinue) {
            self.0 = true;
        }
        fn visit_expr_try(&mut self, _: &'ast syn::ExprTry) {
            self.0 = true;
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            // `panic!`-like macros diverge but do not jump; look inside argument lists.
            if let Ok(args) = m.parse_body_with(
                syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated,
            ) {
                for a in &args {
                    self.visit_expr(a);
                }
            }
        }
    }
    let mut j = J(false, into_control_flow);
    if !into_control_flow && is_structured(e) {
        return false;
    }
    syn::visit::visit_expr(&mut j, e);
    j.0
}

pub fn is_compound(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::AddAssign(_)
            | BinOp::SubAssign(_)
            | BinOp::MulAssign(_)
            | BinOp::DivAssign(_)
            | BinOp::RemAssign(_)
            | BinOp::BitAndAssign(_)
            | BinOp::BitOrAssign(_)
            | BinOp::BitXorAssign(_)
            | BinOp::ShlAssign(_)
            | BinOp::ShrAssign(_)
    )
}

pub fn is_structured(e: &Expr) -> bool {
    matches!(
        e,
        Expr::If(_)
            | Expr::Match(_)
            | Expr::Block(_)
            | Expr::Loop(_)
            | Expr::While(_)
            | Expr::ForLoop(_)
            | Expr::Unsafe(_)
    )
}

pub fn strip_parens(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip_parens(&p.expr),
        Expr::Group(g) => strip_parens(&g.expr),
        other => other,
    }
}

pub fn is_no_grad(f: &Expr) -> bool {
    matches!(strip_parens(f), Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "no_grad"))
}

pub fn is_float_type(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.is_ident("f32") || p.path.is_ident("f64"))
}

pub fn macro_name(m: &syn::Macro) -> String {
    m.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// `x`, `mut x`, `x: T`, `mut x: T`.
pub fn simple_pat(p: &Pat) -> Option<(Ident, Option<&syn::Type>, Option<syn::Token![mut]>)> {
    match p {
        Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
            Some((pi.ident.clone(), None, pi.mutability))
        }
        Pat::Type(pt) => match &*pt.pat {
            Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
                Some((pi.ident.clone(), Some(&*pt.ty), pi.mutability))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Every identifier a pattern binds.
pub fn pat_idents(p: &Pat) -> Vec<Ident> {
    struct C(Vec<Ident>);
    impl<'ast> Visit<'ast> for C {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.push(p.ident.clone());
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_expr(&mut self, _: &'ast Expr) {}
    }
    let mut c = C(Vec::new());
    c.visit_pat(p);
    c.0
}

/// `e` with every `return` (outside closures and nested items) turned into a `break` out of the
/// body block labelled `label`.
pub fn rewrite_returns_expr(e: &Expr, label: &syn::Lifetime) -> TokenStream {
    let mut e = e.clone();
    let mut rw = ReturnRewriter {
        label: label.clone(),
    };
    syn::visit_mut::VisitMut::visit_expr_mut(&mut rw, &mut e);
    quote::ToTokens::to_token_stream(&e)
}

/// Does a closure body `return` (or use `?`) from itself, outside nested closures and items?
/// Inlined, that would leave the enclosing function instead.
pub fn contains_return(e: &Expr) -> bool {
    struct R(bool);
    impl<'ast> Visit<'ast> for R {
        fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
            self.0 = true;
        }
        fn visit_expr_try(&mut self, _: &'ast syn::ExprTry) {
            self.0 = true;
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut r = R(false);
    r.visit_expr(e);
    r.0
}

/// The names a block binds with `mut` (in `let`s, patterns and closure parameters).
pub fn mut_bindings(block: &syn::Block) -> std::collections::HashSet<String> {
    struct M(std::collections::HashSet<String>);
    impl<'ast> Visit<'ast> for M {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            if p.mutability.is_some() {
                self.0.insert(p.ident.to_string());
            }
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut m = M(Default::default());
    m.visit_block(block);
    m.0
}

/// The parameters declared `mut` (`mut x: f64`).
pub fn mut_params(f: &syn::ItemFn) -> Vec<String> {
    f.sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            syn::FnArg::Typed(pt) => match &*pt.pat {
                Pat::Ident(p) if p.mutability.is_some() => Some(p.ident.to_string()),
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        })
        .collect()
}

/// `while let` as the `loop` + `match` it stands for (attributes kept).
pub fn while_let_as_loop(e: &Expr) -> Option<Expr> {
    let Expr::While(w) = e else { return None };
    let Expr::Let(l) = strip_parens(&w.cond) else {
        return None;
    };
    let (pat, scrut, body, label) = (&l.pat, &l.expr, &w.body, &w.label);
    let mut lp: syn::ExprLoop = syn::parse_quote_spanned! {w.while_token.span=>
        #label loop {
            match #scrut {
                #pat => #body,
                #[allow(unreachable_patterns)]
                _ => break,
            }
        }
    };
    lp.attrs.clone_from(&w.attrs);
    Some(Expr::Loop(lp))
}
