//! Float literals beside dual values in the copies at dual numbers (`NAME_jvp`, `NAME_hvp`):
//! a branch of an `if` / `match` whose other branches are dual (`if c { x * y } else { 0.0 }`,
//! `match o { Some(v) => v * x, None => 0.0 }`), and an element of an array or `vec![..]`
//! whose other elements are dual (`[x, y, 0.5]`). Such a literal goes through
//! `autodiff::forward::into_field`, which makes it a constant of the other branches' type
//! (`Dual<f64>`) and leaves it a plain number where they are plain; in the copy that reverse
//! mode differentiates (`hvp`) inside `no_grad`, so the generator sees the constant it is (a
//! value that is not a literal through `forward::ConstantScalar` there, which dual numbers do
//! not implement: a dual value the analysis missed is a compile error, not a lost derivative).
//!
//! The same for a plain number computed there from plain values (`{ let t = 0.5; t * 2.0 }`).
//! A branch's value is its block's tail, through nested `if` / `match` / blocks: in
//! `if a { x * y } else if b { 1.0 } else { 0.0 }` both literals become constants.

use crate::forward_dual::mentions;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use std::collections::HashSet;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Lit, UnOp};

/// Rewrites the literal branches and elements of `block` (see the module documentation).
/// `dual`: the names holding dual values; `reverse`: the copy is differentiated by reverse mode.
pub fn rewrite(block: &mut syn::Block, dual: &HashSet<String>, reverse: bool) {
    Branches { dual, reverse }.visit_block_mut(block);
}

struct Branches<'a> {
    dual: &'a HashSet<String>,
    reverse: bool,
}

/// A float literal, possibly negated or parenthesised.
fn is_float_literal(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => is_float_literal(&p.expr),
        Expr::Group(g) => is_float_literal(&g.expr),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => is_float_literal(&u.expr),
        Expr::Lit(l) => matches!(l.lit, Lit::Float(_)),
        _ => false,
    }
}

/// The value expressions of `e`: its tail through blocks and the branches of `if` / `match`.
fn leaves_mut<'e>(e: &'e mut Expr, out: &mut Vec<&'e mut Expr>) {
    let branching = match &*e {
        Expr::Block(b) => b.label.is_none(),
        Expr::If(i) => i.else_branch.is_some(),
        Expr::Match(_) | Expr::Paren(_) => true,
        _ => false,
    };
    if !branching {
        out.push(e);
        return;
    }
    match e {
        Expr::Block(b) => block_tail(&mut b.block, out),
        Expr::If(i) => {
            block_tail(&mut i.then_branch, out);
            if let Some((_, els)) = &mut i.else_branch {
                leaves_mut(els, out);
            }
        }
        Expr::Match(m) => {
            for arm in &mut m.arms {
                leaves_mut(&mut arm.body, out);
            }
        }
        Expr::Paren(p) => leaves_mut(&mut p.expr, out),
        _ => {}
    }
}

fn block_tail<'e>(b: &'e mut syn::Block, out: &mut Vec<&'e mut Expr>) {
    if let Some(syn::Stmt::Expr(e, None)) = b.stmts.last_mut() {
        leaves_mut(e, out);
    }
}

impl Branches<'_> {
    /// `lit` as a value of its siblings' type.
    fn constant(&self, lit: &Expr) -> Expr {
        let span = lit.span();
        let fwd = quote_spanned!(span=> ::autodiff::forward);
        let ts = if !self.reverse {
            quote_spanned!(span=> #fwd::into_field(#lit))
        } else if literals_only(lit) {
            quote_spanned!(span=> ::autodiff::no_grad(|| #fwd::into_field(#lit)))
        } else {
            // a value the analysis takes for plain: a dual one would be a compile error
            // (`ConstantScalar`), not a derivative dropped by `no_grad`
            quote_spanned!(span=> ::autodiff::no_grad(|| #fwd::ConstantScalar::constant_scalar(#lit)))
        };
        syn::parse2(ts).expect("a call parses")
    }

    /// A value that is a plain number whatever its siblings' type: a float literal, or a
    /// number computed from plain values (not `None`, not a call whose result type is inferred).
    fn plain(&self, v: &Expr) -> bool {
        let variant = matches!(v, Expr::Path(p) if p.path.get_ident()
            .is_some_and(|i| i.to_string().starts_with(|c: char| c.is_ascii_uppercase())));
        is_float_literal(v)
            || (!variant
                && !matches!(v, Expr::Lit(_))
                && !mentions(v, self.dual)
                && crate::forward_struct_lit::plain_number(v))
    }

    /// Makes the plain numbers of `values` constants when another one is dual.
    fn unify(&self, values: Vec<&mut Expr>) {
        if !values
            .iter()
            .any(|v| !self.plain(v) && mentions(v, self.dual))
        {
            return;
        }
        for v in values {
            if self.plain(v) {
                *v = self.constant(v);
            }
        }
    }

    /// `vec![a, b, ..]` (not `vec![a; n]`) with its literal elements made constants.
    fn vec_macro(&self, m: &mut syn::Macro) {
        if !m.path.is_ident("vec") {
            return;
        }
        let parser = Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        let Ok(mut elems) = syn::parse::Parser::parse2(parser, m.tokens.clone()) else {
            return;
        };
        self.unify(elems.iter_mut().collect());
        let tokens: TokenStream = elems.to_token_stream();
        m.tokens = quote!(#tokens);
    }
}

impl VisitMut for Branches<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        match e {
            Expr::If(i) if i.else_branch.is_some() => {
                let mut out = Vec::new();
                leaves_mut(e, &mut out);
                self.unify(out);
            }
            Expr::Match(_) => {
                let mut out = Vec::new();
                leaves_mut(e, &mut out);
                self.unify(out);
            }
            Expr::Array(a) => self.unify(a.elems.iter_mut().collect()),
            Expr::Macro(m) => self.vec_macro(&mut m.mac),
            _ => {}
        }
    }
    fn visit_stmt_macro_mut(&mut self, m: &mut syn::StmtMacro) {
        self.vec_macro(&mut m.mac);
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// A number argument whose type the call decides: float literals and plain names, negated,
/// parenthesised or combined by arithmetic (`0.5`, `-t`, `2.0 * k`), none of them dual.
fn plain_arg(e: &Expr, dual: &HashSet<String>) -> bool {
    match e {
        Expr::Lit(l) => matches!(l.lit, Lit::Float(_)),
        Expr::Path(p) => p.path.get_ident().is_some_and(|i| {
            let s = i.to_string();
            s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') && !dual.contains(&s)
        }),
        Expr::Paren(p) => plain_arg(&p.expr, dual),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => plain_arg(&u.expr, dual),
        Expr::Binary(b) => {
            crate::forward_literals::arith(&b.op).is_some()
                && plain_arg(&b.left, dual)
                && plain_arg(&b.right, dual)
                && (is_float_literal(&b.left) || is_float_literal(&b.right))
        }
        // the jvp copy's arithmetic of them (`forward_literals.rs`)
        Expr::Call(c) => mixed(c) && c.args.iter().all(|a| plain_arg(a, dual)),
        _ => false,
    }
}

/// The float arguments of a call of a function's copy at dual numbers (`Self::at(&r, 0.5)`,
/// `helper(x * y, 2.0)`) through `into_field`: constants where the copy's parameter is dual,
/// unchanged where it is plain. `reverse`: the call is in the copy `hvp` differentiates.
pub(crate) fn plain_arguments(
    args: &mut Punctuated<Expr, syn::Token![,]>,
    dual: &HashSet<String>,
    reverse: bool,
) {
    let b = Branches { dual, reverse };
    for a in args.iter_mut() {
        let float = is_float_literal(a)
            || matches!(a, Expr::Binary(_))
            || matches!(a, Expr::Call(c) if mixed(c));
        // (in the reverse copy only literals: a name may be a plain parameter of the callee)
        if float && plain_arg(a, dual) && (!reverse || literals_only(a)) {
            *a = b.constant(a);
        }
    }
}

/// `::autodiff::forward::mixed_mul(a, b)` and the like.
fn mixed(c: &syn::ExprCall) -> bool {
    matches!(&*c.func, Expr::Path(p) if p.path.segments.iter().any(|s| s.ident == "forward")
        && p.path.segments.last().is_some_and(|s| s.ident.to_string().starts_with("mixed_")))
}

/// Literals only (`0.5`, `-2.0 * 1.5`), which carry no derivative whatever the analysis says.
fn literals_only(e: &Expr) -> bool {
    match e {
        Expr::Lit(l) => matches!(l.lit, Lit::Float(_) | Lit::Int(_)),
        Expr::Paren(p) => literals_only(&p.expr),
        Expr::Group(g) => literals_only(&g.expr),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => literals_only(&u.expr),
        Expr::Binary(b) => literals_only(&b.left) && literals_only(&b.right),
        Expr::Call(c) => mixed(c) && c.args.iter().all(literals_only),
        _ => false,
    }
}
