//! Ordinary Rust forms in a function's copy at dual numbers (`forward_tensor::dual_copy`) that
//! name the plain float type where the copy holds dual numbers (issue 12's forms, for `jvp` and
//! `hvp`). Runs before the other rewrites of the copy; which names hold dual numbers comes from
//! `forward_dual::locals` and `forward_scan.rs`. A constant is `Dual::constant(..)` in the
//! forward copy, `no_grad(|| ..)` around it in the copy `hvp` differentiates in reverse mode.
//!
//! - `let a: f64 = ..`, `let w: Vec<f64> = ..` with `a` at dual numbers: the annotation names
//!   the dual type, and a float literal initialising such a local (`let mut acc = 0.0;`
//!   assigned dual values later) is a constant.
//! - A closure bound to a local and called with a dual argument (`let sq = |v: f64| v * v;
//!   sq(x)`), and a closure passed to an adapter of dual items (`a.iter().map(|v: &f64| ..)`):
//!   its float parameter and result annotations name the dual type; the plain arguments of its
//!   calls at those parameters are constants (`IntoScalar`). `fold`'s accumulator likewise,
//!   and a float literal or constant starting a `fold` of dual values is a constant.
//! - `.sum::<f64>()` / `.product::<f64>()` over dual items: at the items' type (forward copy:
//!   `forward::sum_items`; `hvp` copy: the turbofish names the dual type).
//! - `match` on a dual value with float literal or range patterns: the patterns read the
//!   primal value, a binding of the whole value is the dual value in its arm; a float pattern
//!   inside a tuple, struct or slice pattern is refused (the returned errors).
//! - `f64::max(x, y)` and the other `Float` methods called through `f64::` / `f32::`: in the
//!   forward copy `num_traits::Float::max` with both operands of one type (`forward::unify`),
//!   `<f64 as Float>::exp(x)` as `<_ as Float>::exp(x)`, `f64::max` passed to `fold` as
//!   `Float::max`; in the `hvp` copy (whose generator takes the call as written) the plain
//!   operands as constants.
//! - An integer cast of a dual value (`(x * 3.0).floor() as usize`) casts its primal value
//!   (`no_grad` around it in the `hvp` copy): an integer carries no derivative, as in reverse
//!   mode, and `forward_dual::mentions` does not count names read under such a cast.
//! - Conversions: in the forward copy `f64::from(x)` as `forward::float_from::<f64, _>(x)` and
//!   `x as f64` as `forward::cast_as::<f64, _>(x)` (dual values of either float type); in the
//!   `hvp` copy (one element type) a dual value converted to its own element type is itself,
//!   and cast to the other float type is refused (the returned errors).

use crate::forward_dual::mentions;
use crate::forward_scan::{
    collect_idents, dual_called_closures, float_pattern, has_float_literal, is_float_const,
    is_float_literal, is_int_type, names_float, with_filled_containers,
};
use crate::syntax::is_float_type;
use proc_macro2::TokenStream;
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
    crate::forward_branches::rewrite(block, dual, reverse);
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
            } else if let (false, syn::Pat::Ident(pi)) = (self.reverse, &*p) {
                // `|t| f64::max(t, x)` called with a dual value: `t` is a float in the
                // function, a dual number in the copy (whose body does not fix its type)
                let dual = self.dual.contains(&pi.ident.to_string());
                if dual && crate::forward_scan::float_fn_arg(&c.body, &pi.ident) {
                    let pi = pi.clone();
                    *p = syn::parse_quote!(#pi: ::autodiff::forward::Dual<_>);
                }
            }
        }
        if let syn::ReturnType::Type(_, t) = &mut c.output {
            if let Some(d) = self.dual_ty(t) {
                **t = d;
            }
        }
        if self.reverse {
            // reverse mode keeps the closure's definition beside its inlined calls: there
            // `f64::max(t, x)` would take the dual values as `f64`s, `Float::max` takes them
            crate::forward_scan::float_paths_to_float_trait(&mut c.body, self.dual);
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
                        // only plain numbers convert: a dual value missed by the analysis
                        // is a compile error, not detached
                        *a = syn::parse_quote!(::autodiff::no_grad(
                            || #fwd::ConstantScalar::<#alias>::constant_scalar(#a)
                        ));
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
                Some(t) => syn::parse_quote!(::autodiff::no_grad(
                    || #fwd::ConstantScalar::<#t>::constant_scalar(#a)
                )),
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
                    self.errors.push(syn::Error::new_spanned(
                        &*c,
                        "`hvp` runs the function at one dual element type, and this casts a \
                         value derived from a differentiated argument to the other float type\n\
                         help: compute at one float type, or use `jvp`, which takes \
                         conversions between `f32` and `f64`",
                    ));
                    None
                }
            }
            // an integer cast of a dual value: of its primal value, as in reverse mode
            Expr::Cast(c) if is_int_type(&c.ty) && mentions(&c.expr, self.dual) => {
                let (to, x) = (&c.ty, &c.expr);
                let primal = quote!(::autodiff::forward::primal(&(#x)));
                let primal = match self.reverse {
                    true => quote!(::autodiff::no_grad(|| #primal)),
                    false => primal,
                };
                syn::parse2(quote!((#primal as #to))).ok()
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
