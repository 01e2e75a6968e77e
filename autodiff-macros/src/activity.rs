//! Activity analysis: which values depend on a differentiated argument and carry a gradient.
//!
//! A binding is active when a value depending on a differentiated argument is ever assigned to
//! it. The lowering walk reports every binding that receives an active value; [`lower_to_fixpoint`]
//! repeats the walk with the grown set until nothing new becomes active (the set only grows), so a
//! variable that becomes active late in a loop body is active on every iteration.
//!
//! Expression activity ([`is_active`]) and the token scanner for code the macro does not parse
//! (macro arguments, closure bodies) both ask a [`Scope`] about names, so every stage classifies
//! names the same way.

use crate::lower::Lowerer;
use crate::methods::{is_reading_macro, method_kind, MethodKind};
use crate::parse::Signature;
use crate::syntax::{is_float_type, is_no_grad, is_structured, macro_name};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::{HashMap, HashSet};
use syn::spanned::Spanned;
use syn::{BinOp, Expr, UnOp};

/// Upper bound on rounds of the activity fixpoint (each round activates at least one binding).
const MAX_ROUNDS: usize = 10_000;

/// Name resolution as activity analysis sees it.
pub trait Scope {
    /// Does `name` (a local in scope here) hold an active value?
    fn is_active_name(&self, name: &str) -> bool;
    /// Does `name` hold raw numbers read out of an active value (and where were they read)?
    fn raw_name(&self, name: &str) -> Option<Span>;
    /// Is `e` a differentiated container or a part of one (`ws`, `m.layers`), whose `iter()`
    /// walks differentiable elements rather than reading raw numbers?
    fn is_container(&self, _e: &Expr) -> bool {
        false
    }
}

/// `c.iter()` / `c.into_iter()` over a differentiated container.
fn iterates_container(scope: &impl Scope, m: &syn::ExprMethodCall) -> bool {
    (m.method == "iter" || m.method == "into_iter") && scope.is_container(&m.receiver)
}

/// The names a closure's parameters bind.
pub fn closure_params(c: &syn::ExprClosure) -> HashSet<String> {
    c.inputs
        .iter()
        .flat_map(crate::syntax::pat_idents)
        .map(|i| i.to_string())
        .collect()
}

/// What identifies a binding from one round of the fixpoint to the next.
///
/// Binding ids are handed out in walk order, and an expression is only walked (its closures
/// inlined, its nested blocks lowered) once it is active, so a later round may create bindings an
/// earlier one did not: an id of one round may name another binding in the next. A key counts
/// only the bindings of code every round walks (statements, patterns, loops: the *window* is
/// how many came before), and names a binding created inside an active expression by its name
/// and how many bindings of that name the same window already holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BindingKey {
    window: usize,
    name: String,
    nth: usize,
}

/// Hands out [`BindingKey`]s during one round.
#[derive(Default)]
pub struct KeyGen {
    window: usize,
    /// Depth of active expressions being walked (`Lowerer::lower_leaf`).
    depth: usize,
    seen: HashMap<(usize, String), usize>,
}

impl KeyGen {
    /// The key of the next binding named `name`.
    pub fn key(&mut self, name: &str) -> BindingKey {
        if self.depth == 0 {
            self.window += 1;
        }
        let nth = self
            .seen
            .entry((self.window, name.to_string()))
            .or_default();
        *nth += 1;
        BindingKey {
            window: self.window,
            name: name.to_string(),
            nth: *nth,
        }
    }

    /// Bindings created until [`KeyGen::leave`] are inside an active expression.
    pub fn enter(&mut self) {
        self.depth += 1;
    }

    /// Ends what [`KeyGen::enter`] started.
    pub fn leave(&mut self) {
        self.depth -= 1;
    }
}

/// Lowers the body until the set of active bindings is stable and returns the final round's
/// lowering (its errors, segments and adjoints) with the forward tokens of the body.
pub fn lower_to_fixpoint(
    fn_name: &str,
    sig: &Signature,
    f: &syn::ItemFn,
) -> (Lowerer, TokenStream) {
    let body = &f.block;
    let mut active: HashSet<BindingKey> = HashSet::new();
    let mut raw: HashMap<BindingKey, Span> = HashMap::new();
    let mut rounds = 0;
    loop {
        rounds += 1;
        let mut lw = Lowerer::new(active.clone(), raw.clone(), fn_name.to_string());
        lw.set_float_types(sig.float_params.iter().map(|t| t.to_string()).collect());
        lw.set_self_pullback(sig.cotangent_type(), sig.grads_type());
        lw.set_scalar_fn(crate::lower::scalar_signature(sig));
        for p in &sig.params {
            lw.bind_param(&p.ident.to_string(), p.wrt, p.structured);
        }
        lw.add_mut_params(crate::syntax::mut_params(f));
        lw.set_param_reach(sig, f);
        let tokens = lw.lower_body(body);
        let assigned: HashSet<BindingKey> = lw
            .assigned_active()
            .iter()
            .filter_map(|&id| lw.binding_key(id))
            .collect();
        let new_raw: HashMap<BindingKey, Span> = lw
            .assigned_raw()
            .iter()
            .filter_map(|(&id, &span)| Some((lw.binding_key(id)?, span)))
            .collect();
        let stable = assigned.is_subset(&active) && new_raw.keys().all(|k| raw.contains_key(k));
        if stable || rounds > MAX_ROUNDS {
            return (lw, tokens);
        }
        active.extend(assigned);
        for (k, v) in new_raw {
            raw.entry(k).or_insert(v);
        }
    }
}

/// Does this expression's value depend on a differentiated argument (and carry a gradient)?
pub fn is_active(scope: &impl Scope, e: &Expr) -> bool {
    let active = |x: &Expr| is_active(scope, x);
    match e {
        Expr::Path(p) => p
            .path
            .get_ident()
            .is_some_and(|id| scope.is_active_name(&id.to_string())),
        Expr::Lit(_) => false,
        Expr::Paren(p) => active(&p.expr),
        Expr::Group(g) => active(&g.expr),
        Expr::Reference(r) => active(&r.expr),
        Expr::Binary(b) => match b.op {
            BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_) | BinOp::Div(_) | BinOp::Rem(_) => {
                active(&b.left) || active(&b.right)
            }
            _ => false,
        },
        Expr::Unary(u) => match u.op {
            UnOp::Not(_) => false,
            _ => active(&u.expr),
        },
        Expr::MethodCall(m) if iterates_container(scope, m) => true,
        Expr::MethodCall(m) => match method_kind(&m.method.to_string()) {
            Some(MethodKind::Inactive | MethodKind::RawRead) => false,
            _ => active(&m.receiver) || m.args.iter().any(active),
        },
        // a closure is active when it captures an active value
        Expr::Closure(c) => {
            first_active_ident(scope, &c.body.to_token_stream(), &closure_params(c)).is_some()
        }
        Expr::Call(c) => !is_no_grad(&c.func) && (c.args.iter().any(active) || active(&c.func)),
        Expr::Cast(c) => is_float_type(&c.ty) && active(&c.expr),
        Expr::Field(f) => active(&f.base),
        Expr::Index(i) => active(&i.expr),
        Expr::Tuple(t) => t.elems.iter().any(active),
        Expr::Array(a) => a.elems.iter().any(active),
        Expr::Struct(s) => s.fields.iter().any(|f| active(&f.expr)),
        Expr::Macro(m) => {
            let name = macro_name(&m.mac);
            (name == "dbg" || !is_reading_macro(&name)) && mentions_active(scope, &m.mac.tokens)
        }
        // control flow: active when its code mentions an active local
        e if is_structured(e) => mentions_active(scope, &e.to_token_stream()),
        Expr::Try(t) => active(&t.expr),
        _ => false,
    }
}

/// Does unparsed code mention an active local (an identifier not preceded by `.`, so field and
/// method names do not count)?
pub fn mentions_active(scope: &impl Scope, ts: &TokenStream) -> bool {
    first_active_ident(scope, ts, &HashSet::new()).is_some()
}

/// The first active local that unparsed code mentions, ignoring the names in `shadowed` (a
/// closure's own parameters).
pub fn first_active_ident(
    scope: &impl Scope,
    ts: &TokenStream,
    shadowed: &HashSet<String>,
) -> Option<proc_macro2::Ident> {
    let mut hit = None;
    scan_idents(ts, &mut false, &mut |id| {
        if hit.is_none() {
            let name = id.to_string();
            if !shadowed.contains(&name) && scope.is_active_name(&name) {
                hit = Some(id.clone());
            }
        }
    });
    hit
}

/// Calls `f` on every identifier of unparsed code that is not a field or method name.
pub fn scan_free_idents(ts: &TokenStream, f: &mut impl FnMut(&proc_macro2::Ident)) {
    scan_idents(ts, &mut false, f);
}

/// Calls `f` on every identifier that is not a field or method name.
fn scan_idents(ts: &TokenStream, prev_dot: &mut bool, f: &mut impl FnMut(&proc_macro2::Ident)) {
    for tt in ts.clone() {
        match &tt {
            TokenTree::Ident(id) => {
                if !*prev_dot {
                    f(id);
                }
                *prev_dot = false;
            }
            TokenTree::Group(g) => {
                scan_idents(&g.stream(), prev_dot, f);
                *prev_dot = false;
            }
            TokenTree::Punct(p) => *prev_dot = p.as_char() == '.',
            TokenTree::Literal(_) => *prev_dot = false,
        }
    }
}

/// Where an expression reads raw numbers out of an active value without their derivative
/// (`x.as_slice()`, `x.to_vec()`, `x.iter()`, `x[i]`, `x.to_bits()`), directly or through
/// a binding that holds such numbers. Such a value may decide conditions, bounds, indices and
/// what is printed, but must not reach the output: the lowering refuses it there.
pub fn raw_read(scope: &impl Scope, e: &Expr) -> Option<Span> {
    let raw = |x: &Expr| raw_read(scope, x);
    match e {
        Expr::Path(p) => p
            .path
            .get_ident()
            .and_then(|id| scope.raw_name(&id.to_string())),
        Expr::Paren(p) => raw(&p.expr),
        Expr::Group(g) => raw(&g.expr),
        Expr::Reference(r) => raw(&r.expr),
        Expr::Unary(u) if !matches!(u.op, UnOp::Not(_)) => raw(&u.expr),
        Expr::Binary(b) => match b.op {
            BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_) | BinOp::Div(_) | BinOp::Rem(_) => {
                raw(&b.left).or_else(|| raw(&b.right))
            }
            _ => None,
        },
        // a cast to an integer is piecewise constant (derivative 0, like `trunc`)
        Expr::Cast(c) if is_float_type(&c.ty) => raw(&c.expr),
        Expr::Index(i) if is_active(scope, &i.expr) => Some(i.span()),
        Expr::Index(i) => raw(&i.expr),
        Expr::Field(f) => raw(&f.base),
        Expr::MethodCall(m) => {
            let name = m.method.to_string();
            match method_kind(&name) {
                Some(MethodKind::RawRead)
                    if is_active(scope, &m.receiver) && !iterates_container(scope, m) =>
                {
                    Some(m.method.span())
                }
                // flags, shapes, explicit cuts and rounding: piecewise constant
                Some(MethodKind::Inactive) => None,
                _ => raw(&m.receiver).or_else(|| m.args.iter().find_map(raw)),
            }
        }
        Expr::Call(c) if !is_no_grad(&c.func) => c.args.iter().find_map(raw),
        Expr::Tuple(t) => t.elems.iter().find_map(raw),
        Expr::Array(a) => a.elems.iter().find_map(raw),
        Expr::Struct(s) => s.fields.iter().find_map(|f| raw(&f.expr)),
        Expr::Macro(m) if !is_reading_macro(&macro_name(&m.mac)) || macro_name(&m.mac) == "dbg" => {
            first_raw_ident(scope, &m.mac.tokens)
        }
        Expr::If(_) | Expr::Match(_) | Expr::Block(_) | Expr::Loop(_) => {
            first_raw_ident(scope, &e.to_token_stream())
        }
        _ => None,
    }
}

/// The read behind the first raw local that unparsed code mentions.
fn first_raw_ident(scope: &impl Scope, ts: &TokenStream) -> Option<Span> {
    let mut hit = None;
    scan_idents(ts, &mut false, &mut |id| {
        if hit.is_none() {
            hit = scope.raw_name(&id.to_string());
        }
    });
    hit
}
