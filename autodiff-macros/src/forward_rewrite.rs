//! Ordinary Rust forms in a function's copy at dual numbers (`forward_tensor::dual_copy`) that
//! name the plain float type where the copy holds dual numbers (issue 12's forms, for `jvp` and
//! `hvp`). Run before the other rewrites of the copy; `dual`: the names at dual numbers
//! (`forward_dual::locals`).
//!
//! - `let a: f64 = ..` with `a` at dual numbers: the annotation is the dual type, and a float
//!   literal initialising such a local (`let mut acc = 0.0;` assigned dual values later) a
//!   constant dual number.
//! - A closure bound to a local and called with a dual argument (`let sq = |v: f64| v * v;
//!   sq(x)`): its `f32`/`f64` parameter and result annotations are the dual type; in the
//!   forward copy the arguments of its calls pass through `IntoScalar` (plain ones become
//!   constants).
//! - `.sum::<f64>()` / `.product::<f64>()` over dual items: the dual type (forward copy:
//!   `forward::sum_items`, at the items' type).
//! - Forward copy only (the reverse-mode generator of the `hvp` copy takes these as written):
//!   `f64::max(x, y)` and every other `Float` method called through `f64::`/`f32::` as
//!   `num_traits::Float::max` with both operands of one type (`forward::unify`);
//!   `<f64 as Float>::exp(x)` as `<_ as Float>::exp(x)`; `f64::from(x)` as
//!   `forward::float_from::<f64, _>(x)`; `x as f64` as `forward::cast_as::<f64, _>(x)`; a
//!   float literal starting a `fold` whose closure reads a dual value, a constant dual number.

use crate::forward_dual::mentions;
use crate::syntax::is_float_type;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::collections::{HashMap, HashSet};
use syn::visit_mut::VisitMut;
use syn::{Expr, Type};

/// `num_traits::Float` methods with two operands of the float type.
const BINARY_FLOAT: &[&str] = &[
    "max", "min", "powf", "atan2", "hypot", "copysign", "abs_sub",
];

/// `num_traits::Float` methods called through the primitive's path (`f64::sin(x)`).
const FLOAT_FNS: &[&str] = &[
    "abs",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "cbrt",
    "ceil",
    "cos",
    "cosh",
    "exp",
    "exp2",
    "exp_m1",
    "floor",
    "fract",
    "ln",
    "ln_1p",
    "log",
    "log10",
    "log2",
    "mul_add",
    "powi",
    "recip",
    "round",
    "signum",
    "sin",
    "sin_cos",
    "sinh",
    "sqrt",
    "tan",
    "tanh",
    "to_degrees",
    "to_radians",
    "trunc",
];

/// Rewrites the forms of the module documentation in `block`. `reverse`: the copy is the one
/// `hvp` differentiates in reverse mode; `alias`: its name for the dual type.
pub fn rewrite(
    block: &mut syn::Block,
    dual: &HashSet<String>,
    reverse: bool,
    alias: Option<&Type>,
) -> Vec<syn::Error> {
    // closures called with dual arguments take them in their float parameters, which may
    // call other closures with them (to a fixpoint)
    let mut dual = with_filled_containers(block, dual);
    let closures = loop {
        let (closures, params) = dual_called_closures(block, &dual);
        if params.is_subset(&dual) {
            break closures;
        }
        let seeds: HashSet<String> = dual.union(&params).cloned().collect();
        dual = with_filled_containers(block, &crate::forward_dual::locals(block, &seeds).1);
    };
    let dual = &dual;
    let mut r = Rewrite {
        dual,
        closures: &closures,
        reverse,
        alias,
        errors: Vec::new(),
    };
    r.visit_block_mut(block);
    r.errors
}

struct Rewrite<'a> {
    dual: &'a HashSet<String>,
    /// Closures bound to locals and called with a dual argument.
    closures: &'a HashMap<String, Vec<bool>>,
    reverse: bool,
    alias: Option<&'a Type>,
    /// The forms refused (a float pattern inside a tuple or struct pattern of dual values).
    errors: Vec<syn::Error>,
}

/// The float literal `e` (possibly negated or parenthesised).
fn is_float_literal(e: &Expr) -> bool {
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
fn with_filled_containers(block: &syn::Block, dual: &HashSet<String>) -> HashSet<String> {
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
/// argument to, with which of its parameters are annotated `f32` / `f64`; and the names
/// those parameters bind.
fn dual_called_closures(
    block: &syn::Block,
    dual: &HashSet<String>,
) -> (HashMap<String, Vec<bool>>, HashSet<String>) {
    struct C<'a> {
        dual: &'a HashSet<String>,
        closures: HashMap<String, Vec<bool>>,
        params: HashMap<String, HashSet<String>>,
        called: HashSet<String>,
    }
    impl<'ast> syn::visit::Visit<'ast> for C<'_> {
        fn visit_local(&mut self, l: &'ast syn::Local) {
            if let (syn::Pat::Ident(pi), Some(init)) = (&l.pat, &l.init) {
                if let Expr::Closure(c) = &*init.expr {
                    let floats = c
                        .inputs
                        .iter()
                        .map(|p| matches!(p, syn::Pat::Type(pt) if is_float_type(&pt.ty)))
                        .collect();
                    let mut names = HashSet::new();
                    for p in &c.inputs {
                        if let syn::Pat::Type(pt) = p {
                            if names_float(&pt.ty) {
                                crate::forward_dual::pat_names(&pt.pat, &mut names);
                            }
                        }
                    }
                    self.closures.insert(pi.ident.to_string(), floats);
                    self.params.insert(pi.ident.to_string(), names);
                }
            }
            syn::visit::visit_local(self, l);
        }
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if let Expr::Path(p) = &*c.func {
                if let Some(id) = p.path.get_ident() {
                    if c.args.iter().any(|a| mentions(a, self.dual)) {
                        self.called.insert(id.to_string());
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
        params: HashMap::new(),
        called: HashSet::new(),
    };
    syn::visit::Visit::visit_block(&mut c, block);
    let called = &c.called;
    let params = c
        .params
        .into_iter()
        .filter(|(name, _)| called.contains(name))
        .flat_map(|(_, names)| names)
        .collect();
    let closures = c
        .closures
        .into_iter()
        .filter(|(name, _)| called.contains(name))
        .collect();
    (closures, params)
}

impl Rewrite<'_> {
    /// A type naming `f32` / `f64` (`f64`, `&f64`, `Vec<f64>`, `(f64, usize)`) with them as
    /// the copy's dual type; `None` for other types and for tensor types (whose element the
    /// copy infers: `forward_literals::InferTensorElements`).
    fn dual_ty(&self, ty: &Type) -> Option<Type> {
        let mut words = Vec::new();
        collect_idents(quote!(#ty), &mut words);
        let tensor = words.iter().any(|w| w == "Tensor");
        (names_float(ty) && !tensor).then(|| crate::forward_tensor::dual_type(ty, self.alias))
    }

    /// In the `hvp` copy: is `ty` the element type of its dual numbers (`__AdDualF64`:
    /// `f64`)?
    fn is_elem(&self, ty: &Type) -> bool {
        matches!(ty, Type::Path(p) if p.path.get_ident().is_some_and(|i| self.is_elem_ident(i)))
    }

    fn is_elem_ident(&self, id: &syn::Ident) -> bool {
        let Some(alias) = self.alias else {
            return false;
        };
        let alias = quote!(#alias).to_string();
        (id == "f64" && alias.ends_with("F64")) || (id == "f32" && alias.ends_with("F32"))
    }

    /// A float literal as a constant dual number.
    fn constant(&self, lit: &Expr) -> Expr {
        match self.alias {
            Some(a) => syn::parse_quote!(::autodiff::no_grad(|| <#a>::constant(#lit))),
            None => syn::parse_quote!(::autodiff::forward::Dual::constant(#lit)),
        }
    }

    fn closure(&self, c: &mut syn::ExprClosure) {
        for p in c.inputs.iter_mut() {
            if let syn::Pat::Type(pt) = p {
                if let Some(t) = self.dual_ty(&pt.ty) {
                    *pt.ty = t;
                }
            }
        }
        if let syn::ReturnType::Type(_, t) = &mut c.output {
            if let Some(d) = self.dual_ty(t) {
                **t = d;
            }
        }
    }

    /// `f64::sin(x)`, `f64::max(x, y)`, `f64::from(x)`, `<f64 as Float>::exp(x)` (forward
    /// copy).
    fn path_call(&self, c: &mut syn::ExprCall) -> Option<Expr> {
        let Expr::Path(p) = &mut *c.func else {
            return None;
        };
        if !c.args.iter().any(|a| mentions(a, self.dual)) {
            return None;
        }
        if let Some(q) = &mut p.qself {
            if is_float_type(&q.ty) {
                *q.ty = syn::parse_quote!(_);
            }
            return None;
        }
        let segs = &p.path.segments;
        if segs.len() != 2 || p.path.leading_colon.is_some() {
            return None;
        }
        let prim = &segs[0].ident;
        if prim != "f64" && prim != "f32" {
            return None;
        }
        let name = &segs[1].ident;
        let s = name.to_string();
        if self.reverse && s == "from" && c.args.len() == 1 && self.is_elem_ident(prim) {
            // a dual value converted to its own element type: itself
            let a = &c.args[0];
            return syn::parse2(quote!((#a))).ok();
        }
        if self.reverse {
            // the generator takes the call as written, its plain operands (literals, plain
            // parameters) as constants
            if BINARY_FLOAT.contains(&s.as_str()) || s == "mul_add" {
                let fwd = quote!(::autodiff::forward);
                let alias = self.alias?;
                for a in c.args.iter_mut() {
                    if is_float_literal(a) || !mentions(a, self.dual) {
                        *a = syn::parse_quote!(
                            ::autodiff::no_grad(|| #fwd::IntoScalar::<#alias>::into_scalar(#a))
                        );
                    }
                }
            }
            return None;
        }
        let args: Vec<&Expr> = c.args.iter().collect();
        let float = quote!(::autodiff::num_traits::Float);
        let fwd = quote!(::autodiff::forward);
        let ts: TokenStream = match (s.as_str(), args.as_slice()) {
            ("from", [a]) => quote!(#fwd::float_from::<#prim, _>(#a)),
            (m, [a, b]) if BINARY_FLOAT.contains(&m) => quote!({
                let (__ad_u0, __ad_u1) = #fwd::unify(#a, #b);
                #float::#name(__ad_u0, __ad_u1)
            }),
            (m, _) if FLOAT_FNS.contains(&m) => quote!(#float::#name(#(#args),*)),
            _ => return None,
        };
        syn::parse2(ts).ok()
    }

    /// Calls of a closure whose parameters became dual: each argument through `IntoScalar`
    /// (forward copy).
    fn closure_call(&self, c: &mut syn::ExprCall) {
        let Expr::Path(p) = &*c.func else { return };
        let Some(id) = p.path.get_ident() else { return };
        let Some(floats) = self.closures.get(&id.to_string()) else {
            return;
        };
        let fwd = quote!(::autodiff::forward);
        for (a, _) in c.args.iter_mut().zip(floats).filter(|(_, f)| **f) {
            if !is_float_literal(a) && mentions(a, self.dual) {
                continue;
            }
            *a = match self.alias {
                Some(t) => syn::parse_quote!(
                    ::autodiff::no_grad(|| #fwd::IntoScalar::<#t>::into_scalar(#a))
                ),
                None => syn::parse_quote!(#fwd::IntoScalar::<#fwd::Dual<_>>::into_scalar(#a)),
            };
        }
    }

    /// Closures passed to an adapter of dual items (`a.iter().map(|v: &f64| v * v)`): their
    /// float annotations are the dual type; `fold`'s accumulator (its first parameter) when
    /// it starts from or accumulates dual values.
    fn adapter_closures(&self, m: &mut syn::ExprMethodCall) {
        let dual_items = mentions(&m.receiver, self.dual);
        let fold = m.method == "fold" && m.args.len() == 2;
        let dual_acc = fold && (mentions(&m.args[0], self.dual) || mentions(&m.args[1], self.dual));
        for (k, a) in m.args.iter_mut().enumerate() {
            let Expr::Closure(c) = a else { continue };
            if dual_items {
                self.closure(c);
            } else if fold && k == 1 && dual_acc {
                if let Some(syn::Pat::Type(pt)) = c.inputs.first_mut() {
                    if let Some(t) = self.dual_ty(&pt.ty) {
                        *pt.ty = t;
                    }
                }
                if let syn::ReturnType::Type(_, t) = &mut c.output {
                    if let Some(d) = self.dual_ty(t) {
                        **t = d;
                    }
                }
            }
        }
    }

    fn method(&self, m: &mut syn::ExprMethodCall) -> Option<Expr> {
        self.adapter_closures(m);
        let name = m.method.to_string();
        if name == "fold" && m.args.len() == 2 {
            let dual_fold = mentions(&m.args[1], self.dual) || mentions(&m.receiver, self.dual);
            let init = &m.args[0];
            if dual_fold && (is_float_literal(init) || is_float_const(init)) {
                m.args[0] = self.constant(init);
            }
            // `fold(.., f64::max)`: the `Float` method, at the items' type
            if let (false, Expr::Path(p)) = (self.reverse, &mut m.args[1]) {
                float_fn_path(p);
            }
            return None;
        }
        if name != "sum" && name != "product" {
            return None;
        }
        if !mentions(&m.receiver, self.dual) {
            return None;
        }
        let tf = m.turbofish.as_mut()?;
        if tf.args.len() != 1 {
            return None;
        }
        let Some(syn::GenericArgument::Type(t)) = tf.args.first_mut() else {
            return None;
        };
        if !is_float_type(t) {
            return None;
        }
        if self.reverse {
            *t = crate::forward_tensor::dual_type(t, self.alias);
            return None;
        }
        let f = syn::Ident::new(&format!("{name}_items"), m.method.span());
        let recv = &m.receiver;
        syn::parse2(quote!(::autodiff::forward::#f(#recv))).ok()
    }
}

/// `f64::NEG_INFINITY`, `f64::consts::PI`: a constant of a float type.
fn is_float_const(e: &Expr) -> bool {
    let Expr::Path(p) = e else { return false };
    let segs = &p.path.segments;
    p.qself.is_none()
        && segs.len() >= 2
        && segs.iter().any(|s| s.ident == "f64" || s.ident == "f32")
        && segs
            .last()
            .is_some_and(|s| s.ident.to_string().chars().all(|c| !c.is_lowercase()))
}

/// `f64::max` passed as a function: `num_traits::Float::max`, for plain and dual numbers.
fn float_fn_path(p: &mut syn::ExprPath) {
    let segs = &p.path.segments;
    let prim = segs.len() == 2 && (segs[0].ident == "f64" || segs[0].ident == "f32");
    if !prim || p.qself.is_some() {
        return;
    }
    let name = segs[1].ident.to_string();
    if FLOAT_FNS.contains(&name.as_str()) || BINARY_FLOAT.contains(&name.as_str()) {
        let id = &segs[1].ident;
        p.path = syn::parse_quote!(::autodiff::num_traits::Float::#id);
    }
}

/// Does the type name `f32` or `f64`?
fn names_float(ty: &Type) -> bool {
    let mut w = Vec::new();
    collect_idents(quote!(#ty), &mut w);
    w.iter().any(|w| w == "f32" || w == "f64")
}

/// Does the pattern hold a float literal (`2.5`, `0.0..=1.0`)?
fn float_pattern(p: &syn::Pat) -> bool {
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
fn has_float_literal(p: &syn::Pat) -> bool {
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

impl Rewrite<'_> {
    /// `match x * y { 0.0..=1.0 => .., v => .. }` on a dual value: the patterns read its
    /// primal value, and a binding of the whole value (`v`, `v @ ..`) is the dual value again
    /// in its arm (its guard reads the primal value, as comparisons do).
    fn float_match(&mut self, m: &mut syn::ExprMatch) -> Option<Expr> {
        if !mentions(&m.expr, self.dual) {
            return None;
        }
        if let Some(arm) = m
            .arms
            .iter()
            .find(|a| !float_pattern(&a.pat) && has_float_literal(&a.pat))
        {
            self.errors.push(syn::Error::new_spanned(
                &arm.pat,
                "forward mode (`jvp`, `hvp`) cannot match float literals inside a tuple, struct \
                 or slice pattern of dual values\n\
                 help: match each value on its own (`match (a, b) { (0.0, v) => .. }` -> `if a \
                 == 0.0 { let v = b; .. }`); literals and ranges matched against the whole value \
                 (`match x * y { 0.0..=1.0 => .., v => .. }`) are supported",
            ));
            return None;
        }
        if !m.arms.iter().any(|a| float_pattern(&a.pat)) {
            return None;
        }
        let scrut = syn::Ident::new("__ad_scrutinee", proc_macro2::Span::call_site());
        let mut arms = Vec::new();
        for arm in &m.arms {
            let mut arm = arm.clone();
            let top = match &arm.pat {
                syn::Pat::Ident(i) => Some((i.ident.clone(), i.mutability)),
                _ => None,
            };
            if top.is_none() && !float_pattern(&arm.pat) && !matches!(arm.pat, syn::Pat::Wild(_)) {
                return None; // a pattern with bindings inside: not rewritten
            }
            if let Some((v, mutability)) = top {
                let body = &arm.body;
                *arm.body = syn::parse_quote!({
                    #[allow(unused_variables)]
                    let #mutability #v = #scrut;
                    #body
                });
            }
            arms.push(arm);
        }
        let e = &m.expr;
        let primal = match self.alias {
            Some(_) => quote!(::autodiff::no_grad(|| ::autodiff::forward::primal(&#scrut))),
            None => quote!(::autodiff::forward::primal(&#scrut)),
        };
        syn::parse2(quote!({
            let #scrut = #e;
            match #primal { #(#arms)* }
        }))
        .ok()
    }
}

impl VisitMut for Rewrite<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Closure(c) = e {
            // only closures bound to a local called with a dual argument (`visit_local_mut`)
            syn::visit_mut::visit_expr_closure_mut(self, c);
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
        let new = match e {
            Expr::Call(c) => {
                self.closure_call(c);
                self.path_call(c)
            }
            Expr::Cast(c) if mentions(&c.expr, self.dual) && is_float_type(&c.ty) => {
                let (to, x) = (&c.ty, &c.expr);
                if !self.reverse {
                    syn::parse2(quote!(::autodiff::forward::cast_as::<#to, _>(#x))).ok()
                } else if self.is_elem(to) {
                    // a dual value cast to its own element type: itself
                    syn::parse2(quote!((#x))).ok()
                } else {
                    None
                }
            }
            Expr::MethodCall(m) => self.method(m),
            Expr::Match(m) => self.float_match(m),
            _ => None,
        };
        if let Some(new) = new {
            *e = new;
        }
    }

    fn visit_local_mut(&mut self, l: &mut syn::Local) {
        syn::visit_mut::visit_local_mut(self, l);
        let (pat, ty) = match &mut l.pat {
            syn::Pat::Type(pt) => (&*pt.pat, Some(&mut pt.ty)),
            p => (&*p, None),
        };
        let syn::Pat::Ident(pi) = pat else { return };
        let name = pi.ident.to_string();
        if let Some(init) = &mut l.init {
            if let Expr::Closure(c) = &mut *init.expr {
                if self.closures.contains_key(&name) {
                    self.closure(c);
                }
                return;
            }
        }
        if !self.dual.contains(&name) {
            return;
        }
        if let Some(ty) = ty {
            match self.dual_ty(ty) {
                Some(d) => **ty = d,
                None => return,
            }
        }
        if let Some(init) = &mut l.init {
            if is_float_literal(&init.expr) {
                *init.expr = self.constant(&init.expr);
            }
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
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

fn collect_idents(ts: TokenStream, out: &mut Vec<String>) {
    for t in ts {
        match t {
            proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
            proc_macro2::TokenTree::Group(g) => collect_idents(g.stream(), out),
            _ => {}
        }
    }
}
