//! The analyses of a copy at dual numbers that `forward_rewrite.rs` rewrites by: which names
//! hold dual numbers beyond `forward_dual::locals` (containers filled with them, compound
//! assignments, `vec![..]`, parameters of closures called with them), which closures are
//! called with dual arguments, and which patterns and types name floats.

use crate::forward_dual::mentions;
use crate::syntax::is_float_type;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::collections::{HashMap, HashSet};
use syn::{Expr, Type};

/// The float literal `e` (possibly negated or parenthesised).
pub(crate) fn is_float_literal(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => is_float_literal(&p.expr),
        Expr::Group(g) => is_float_literal(&g.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => is_float_literal(&u.expr),
        Expr::Lit(l) => matches!(l.lit, syn::Lit::Float(_)),
        _ => false,
    }
}

/// The names at dual numbers, with the containers that dual values are pushed into
/// (`v.push(x * 2.0)`, `v.insert(0, x)`, `v.extend(..)`), the locals that compound
/// assignments add dual values to (`s += x * w`), and the names bound from them.
pub(crate) fn with_filled_containers(
    block: &syn::Block,
    dual: &HashSet<String>,
) -> HashSet<String> {
    struct P<'a>(&'a HashSet<String>, HashSet<String>);
    impl<'ast> syn::visit::Visit<'ast> for P<'_> {
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            let filling = ["push", "insert", "extend", "push_back", "push_front"];
            if filling.iter().any(|f| m.method == f) && m.args.iter().any(|a| mentions(a, self.0)) {
                if let Expr::Path(p) = &*m.receiver {
                    if let Some(id) = p.path.get_ident() {
                        self.1.insert(id.to_string());
                    }
                }
            }
            syn::visit::visit_expr_method_call(self, m);
        }
        // `let v = vec![x, 2.0 * x];`
        fn visit_local(&mut self, l: &'ast syn::Local) {
            if let (syn::Pat::Ident(pi), Some(init)) = (&l.pat, &l.init) {
                if let Expr::Macro(m) = &*init.expr {
                    let mut words = Vec::new();
                    collect_idents(m.mac.tokens.clone(), &mut words);
                    if m.mac.path.is_ident("vec") && words.iter().any(|w| self.0.contains(w)) {
                        self.1.insert(pi.ident.to_string());
                    }
                }
            }
            syn::visit::visit_local(self, l);
        }
        // `s += x * w` (an assignment with `=` is followed by `forward_dual::locals`)
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            let compound = matches!(
                b.op,
                syn::BinOp::AddAssign(_)
                    | syn::BinOp::SubAssign(_)
                    | syn::BinOp::MulAssign(_)
                    | syn::BinOp::DivAssign(_)
            );
            if let (true, Expr::Path(p)) = (compound, &*b.left) {
                if let Some(id) = p.path.get_ident() {
                    if mentions(&b.right, self.0) {
                        self.1.insert(id.to_string());
                    }
                }
            }
            syn::visit::visit_expr_binary(self, b);
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut dual = dual.clone();
    loop {
        let mut p = P(&dual, HashSet::new());
        syn::visit::Visit::visit_block(&mut p, block);
        let more = p.1;
        if more.is_subset(&dual) {
            return dual;
        }
        let seeds: HashSet<String> = dual.union(&more).cloned().collect();
        dual = crate::forward_dual::locals(block, &seeds).1;
    }
}

/// The locals bound to a closure (`let sq = |v: f64| ..;`) that some call passes a dual
/// argument to, with which of its parameters are annotated `f32` / `f64` or unannotated and
/// passed a dual argument (`|t| ..`); and the names those parameters bind.
pub(crate) fn dual_called_closures(
    block: &syn::Block,
    dual: &HashSet<String>,
) -> (HashMap<String, Vec<bool>>, HashSet<String>) {
    struct C<'a> {
        dual: &'a HashSet<String>,
        /// The closures bound to locals: their parameters.
        closures: HashMap<String, Vec<syn::Pat>>,
        /// For each name called, the positions of its dual arguments.
        called: HashMap<String, HashSet<usize>>,
    }
    impl<'ast> syn::visit::Visit<'ast> for C<'_> {
        fn visit_local(&mut self, l: &'ast syn::Local) {
            if let (syn::Pat::Ident(pi), Some(init)) = (&l.pat, &l.init) {
                if let Expr::Closure(c) = &*init.expr {
                    let inputs = c.inputs.iter().cloned().collect();
                    self.closures.insert(pi.ident.to_string(), inputs);
                }
            }
            syn::visit::visit_local(self, l);
        }
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if let Expr::Path(p) = &*c.func {
                if let Some(id) = p.path.get_ident() {
                    let at = self.called.entry(id.to_string()).or_default();
                    for (k, a) in c.args.iter().enumerate() {
                        if mentions(a, self.dual) {
                            at.insert(k);
                        }
                    }
                }
            }
            syn::visit::visit_expr_call(self, c);
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut c = C {
        dual,
        closures: HashMap::new(),
        called: HashMap::new(),
    };
    syn::visit::Visit::visit_block(&mut c, block);
    let (mut closures, mut params) = (HashMap::new(), HashSet::new());
    for (name, inputs) in c.closures {
        let Some(at) = c.called.get(&name).filter(|at| !at.is_empty()) else {
            continue;
        };
        // a parameter annotated `f32` / `f64`, or an unannotated one (`|t| ..`) that a call
        // passes a dual argument to
        let unannotated = |k: usize, p: &syn::Pat| matches!(p, syn::Pat::Ident(pi) if pi.subpat.is_none() && at.contains(&k));
        let floats = inputs
            .iter()
            .enumerate()
            .map(|(k, p)| match p {
                syn::Pat::Type(pt) => is_float_type(&pt.ty),
                p => unannotated(k, p),
            })
            .collect();
        for (k, p) in inputs.iter().enumerate() {
            match p {
                syn::Pat::Type(pt) if names_float(&pt.ty) => {
                    crate::forward_dual::pat_names(&pt.pat, &mut params)
                }
                p if unannotated(k, p) => crate::forward_dual::pat_names(p, &mut params),
                _ => {}
            }
        }
        closures.insert(name, floats);
    }
    (closures, params)
}

/// `f64::NEG_INFINITY`, `f64::consts::PI`: a constant of a float type.
pub(crate) fn is_float_const(e: &Expr) -> bool {
    let Expr::Path(p) = e else { return false };
    let segs = &p.path.segments;
    p.qself.is_none()
        && segs.len() >= 2
        && segs.iter().any(|s| s.ident == "f64" || s.ident == "f32")
        && segs
            .last()
            .is_some_and(|s| s.ident.to_string().chars().all(|c| !c.is_lowercase()))
}

/// An integer type (`usize`, `i64`, ..): a value cast to it carries no derivative.
pub(crate) fn is_int_type(ty: &Type) -> bool {
    const INTS: &[&str] = &[
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
    ];
    matches!(ty, Type::Path(p) if p.path.get_ident().is_some_and(|i| INTS.iter().any(|t| i == t)))
}

/// Does the type name `f32` or `f64`?
pub(crate) fn names_float(ty: &Type) -> bool {
    let mut w = Vec::new();
    collect_idents(quote!(#ty), &mut w);
    w.iter().any(|w| w == "f32" || w == "f64")
}

/// Does the pattern hold a float literal (`2.5`, `0.0..=1.0`)?
pub(crate) fn float_pattern(p: &syn::Pat) -> bool {
    match p {
        syn::Pat::Lit(l) => is_float_literal(&Expr::Lit(l.clone())),
        syn::Pat::Range(r) => {
            let lit = |e: &Option<Box<Expr>>| e.as_deref().is_some_and(is_float_literal);
            lit(&r.start) || lit(&r.end)
        }
        syn::Pat::Or(o) => o.cases.iter().any(float_pattern),
        syn::Pat::Paren(p) => float_pattern(&p.pat),
        syn::Pat::Ident(i) => i.subpat.as_ref().is_some_and(|(_, p)| float_pattern(p)),
        _ => false,
    }
}

/// Does the pattern hold a float literal anywhere?
pub(crate) fn has_float_literal(p: &syn::Pat) -> bool {
    struct F(bool);
    impl<'ast> syn::visit::Visit<'ast> for F {
        fn visit_pat(&mut self, p: &'ast syn::Pat) {
            self.0 |= float_pattern(p) && !matches!(p, syn::Pat::Ident(_));
            syn::visit::visit_pat(self, p);
        }
    }
    let mut f = F(false);
    syn::visit::Visit::visit_pat(&mut f, p);
    f.0
}

/// `hvp` of a function whose numbers and tensors are of both float types (`fn f(x: f32) ->
/// f64`): the error at `span` saying so, or `None` for other functions.
pub fn hvp_mixed_elements(sig: &crate::parse::Signature, span: Span) -> Option<syn::Error> {
    let words = |ty: &Type| {
        let mut w = Vec::new();
        collect_idents(quote!(#ty), &mut w);
        w
    };
    let all: Vec<String> = sig
        .params
        .iter()
        .map(|p| &p.ty)
        .chain(sig.output.as_ref())
        .flat_map(words)
        .collect();
    let has = |f: &str| all.iter().any(|w| w == f);
    (has("f32") && has("f64")).then(|| {
        syn::Error::new(
            span,
            "`hvp` runs the function at one dual element type, and this function has numbers \
             or tensors of both `f32` and `f64`\n\
             help: write the function at one float type (convert at the call), or use `jvp`, \
             which takes conversions between `f32` and `f64`",
        )
    })
}

pub(crate) fn collect_idents(ts: TokenStream, out: &mut Vec<String>) {
    for t in ts {
        match t {
            proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
            proc_macro2::TokenTree::Group(g) => collect_idents(g.stream(), out),
            _ => {}
        }
    }
}

/// Is `name` an argument of an `f64::` / `f32::` function in `body` (`f64::max(t, x)`)?
pub(crate) fn float_fn_arg(body: &Expr, name: &syn::Ident) -> bool {
    struct F<'a>(&'a syn::Ident, bool);
    impl<'ast> syn::visit::Visit<'ast> for F<'_> {
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if let Expr::Path(p) = &*c.func {
                let segs = &p.path.segments;
                let float = segs.len() == 2 && (segs[0].ident == "f64" || segs[0].ident == "f32");
                let arg = |a: &Expr| matches!(a, Expr::Path(q) if q.path.is_ident(self.0));
                self.1 |= float && c.args.iter().any(arg);
            }
            syn::visit::visit_expr_call(self, c);
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut f = F(name, false);
    syn::visit::Visit::visit_expr(&mut f, body);
    f.1
}

/// `f64::max(t, x)` / `f32::exp(t)` with a dual argument in `body` as
/// `::autodiff::num_traits::Float::max(t, x)` (not `from`, a conversion).
pub(crate) fn float_paths_to_float_trait(body: &mut Expr, dual: &HashSet<String>) {
    struct R<'a>(&'a HashSet<String>);
    impl syn::visit_mut::VisitMut for R<'_> {
        fn visit_expr_call_mut(&mut self, c: &mut syn::ExprCall) {
            syn::visit_mut::visit_expr_call_mut(self, c);
            let Expr::Path(p) = &mut *c.func else { return };
            let segs = &p.path.segments;
            let float = p.qself.is_none()
                && p.path.leading_colon.is_none()
                && segs.len() == 2
                && (segs[0].ident == "f64" || segs[0].ident == "f32")
                && segs[1].ident != "from";
            if float && c.args.iter().any(|a| mentions(a, self.0)) {
                let name = &segs[1].ident;
                p.path = syn::parse_quote!(::autodiff::num_traits::Float::#name);
            }
        }
        fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    }
    syn::visit_mut::VisitMut::visit_expr_mut(&mut R(dual), body);
}
