//! Straight-line expressions: each active operation becomes one call of its VJP form, whose
//! pullback the current segment records.

use super::tape::Operand;
use super::Lowerer;
use crate::diagnostics as diag;
use crate::methods::{is_tensor_function, method_kind, MethodKind};
use crate::names::{self, Operands};
use crate::syntax::strip_parens;

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{BinOp, Expr, UnOp};

/// Kept equal to `autodiff_runtime::vjp::MAX_CALL_GRADS` (the tuples `CallGrads` is implemented for).
const MAX_CALL_GRADS: usize = 16;

impl Lowerer {
    // ----- leaves: straight-line expressions, lowered to one VJP call per operation -------------

    pub(super) fn lower_leaf(&mut self, e: &Expr) -> Operand {
        // bindings created while walking an active expression (inlined closures, hoisted
        // blocks) are keyed apart: an earlier round may not have walked it (`activity::KeyGen`)
        self.keys.enter();
        let op = self.lower_active_leaf(e);
        self.keys.leave();
        op
    }

    fn lower_active_leaf(&mut self, e: &Expr) -> Operand {
        if !self.is_active(e) {
            // an operand of a differentiable operation
            if let Some(read) = self.raw_read(e) {
                self.cx.push(diag::raw_read_reaches_output(read));
            }
            self.check_verbatim(e);
            return Operand {
                tokens: self.verbatim_tokens(e),
                adj: None,
            };
        }
        if let Some(fused) = self.try_fuse(e) {
            return fused; // an element-wise chain in one pass (fuse.rs)
        }
        match e {
            Expr::Path(p) if self.is_alias_path(p) => self.lower_place_read(e),
            Expr::Path(p) if self.closure_named(e).is_some() => {
                self.cx
                    .push(diag::closure_as_value(p.span(), &p.to_token_stream()));
                self.poisoned(e)
            }
            Expr::Path(p) => {
                let id = p
                    .path
                    .get_ident()
                    .and_then(|i| self.resolve(&i.to_string()));
                Operand {
                    tokens: p.to_token_stream(),
                    adj: id,
                }
            }
            Expr::Paren(p) => self.lower_leaf(&p.expr),
            Expr::Group(g) => self.lower_leaf(&g.expr),
            Expr::Reference(r) => {
                if r.mutability.is_some() {
                    self.cx.push(diag::mut_borrow_active(r.span()));
                }
                let inner = self.lower_leaf(&r.expr);
                let and = r.and_token;
                let t = inner.tokens;
                Operand {
                    tokens: quote!(#and #t),
                    adj: inner.adj,
                }
            }
            Expr::Binary(b) => {
                let name = match b.op {
                    BinOp::Add(_) => "add",
                    BinOp::Sub(_) => "sub",
                    BinOp::Mul(_) => "mul",
                    BinOp::Div(_) => "div",
                    _ => {
                        self.cx.push(diag::operator_not_differentiable(
                            b.op.span(),
                            &b.op.to_token_stream(),
                        ));
                        return self.poisoned(e);
                    }
                };
                if name == "mul" && same_binding(&b.left, &b.right) && self.is_active(&b.left) {
                    // `x * x`, `&x * &x`: one fused pullback instead of two gradients summed
                    let x = self.lower_leaf(&b.left);
                    let (t, span) = (&x.tokens, b.op.span());
                    let f = names::vjp_form("square", span);
                    return self.emit_call(quote_spanned!(span=> (#t).#f()), &[x.adj], span, false);
                }
                let l = self.lower_leaf(&b.left);
                let r = self.lower_leaf(&b.right);
                self.binary_op(name, l, r, b.op.span())
            }
            Expr::Unary(u) => self.lower_unary(u, e),
            Expr::Cast(c) => self.lower_cast(c),
            Expr::MethodCall(m) => match self.lower_iter_chain(m) {
                Some(op) => op,
                None => self.lower_method(m),
            },
            Expr::Call(c) => self.lower_call(c),
            Expr::Field(_) | Expr::Index(_) => self.lower_place_read(e),
            Expr::Tuple(_) | Expr::Array(_) | Expr::Struct(_) => self.lower_aggregate(e),
            Expr::Macro(m) if crate::syntax::macro_name(&m.mac) == "dbg" => self.lower_dbg(m),
            Expr::Macro(m) if crate::syntax::macro_name(&m.mac) == "vec" => self.lower_vec_macro(m),
            Expr::Macro(m) => {
                self.check_macro(&m.mac);
                self.poisoned(e)
            }
            Expr::If(_) | Expr::Match(_) | Expr::Block(_) | Expr::Loop(_) => self.hoist(e),
            Expr::Closure(_) => {
                self.check_verbatim(e);
                self.poisoned(e)
            }
            Expr::Try(t) => {
                self.cx.push(diag::try_operator(t.question_token.span()));
                self.poisoned(e)
            }
            _ => {
                self.cx.push(diag::unsupported_expression(e.span()));
                self.poisoned(e)
            }
        }
    }

    /// `-x` (a VJP form) and `*x` (the same value and adjoint).
    fn lower_unary(&mut self, u: &syn::ExprUnary, e: &Expr) -> Operand {
        match u.op {
            UnOp::Neg(_) => {
                let x = self.lower_leaf(&u.expr);
                let span = u.op.span();
                let (rt, neg) = (names::rt_at(span), names::neg_form(span));
                self.emit_op(quote_spanned!(span=> #rt::#neg), vec![x], span, false)
            }
            UnOp::Deref(_) => {
                let x = self.lower_leaf(&u.expr);
                let t = x.tokens;
                Operand {
                    tokens: quote!(*#t),
                    adj: x.adj,
                }
            }
            _ => self.poisoned(e),
        }
    }

    /// `x as f32` / `x as f64`.
    fn lower_cast(&mut self, c: &syn::ExprCast) -> Operand {
        let x = self.lower_leaf(&c.expr);
        let to_f64 = matches!(&*c.ty, syn::Type::Path(p) if p.path.is_ident("f64"));
        let f = names::cast_form(to_f64, c.ty.span());
        let rt = names::rt_at(c.span());
        self.emit_op(quote_spanned!(c.span()=> #rt::#f), vec![x], c.span(), false)
    }

    /// After an error: keep the tokens so rustc reports nothing more confusing.
    pub(super) fn poisoned(&mut self, e: &Expr) -> Operand {
        Operand {
            tokens: e.to_token_stream(),
            adj: None,
        }
    }

    pub(super) fn binary_op(&mut self, name: &str, l: Operand, r: Operand, span: Span) -> Operand {
        let Some(which) = Operands::of(l.adj.is_some(), r.adj.is_some()) else {
            // Both constant (can happen for `x += c` on an active `x` that is not yet
            // active in this round of the fixpoint): keep the plain operator.
            let (lt, rt_) = (&l.tokens, &r.tokens);
            let op: TokenStream = match name {
                "add" => quote!(+),
                "sub" => quote!(-),
                "mul" => quote!(*),
                _ => quote!(/),
            };
            return Operand {
                tokens: quote!((#lt #op #rt_)),
                adj: None,
            };
        };
        // an element reference (`w` of `ws.iter()`) enters arithmetic by value
        let by_value = |s: &Self, o: Operand| match o.adj {
            Some(a) if s.alias_reads.contains(&a) => {
                let t = &o.tokens;
                Operand {
                    tokens: quote!((#t).clone()),
                    adj: o.adj,
                }
            }
            _ => o,
        };
        let (l, r) = (by_value(self, l), by_value(self, r));
        let f = names::operator_form(name, which, span);
        let rt = names::rt_at(span);
        // The pullback returns gradients for the active operands only, in operand order.
        self.emit_op(quote_spanned!(span=> #rt::#f), vec![l, r], span, false)
    }

    pub(super) fn lower_method(&mut self, m: &syn::ExprMethodCall) -> Operand {
        let name = m.method.to_string();
        let kind = method_kind(&name);
        let span = m.method.span();
        if let (None, Some(recv)) = (kind, self.pushed_vec(m)) {
            return self.lower_push(m, recv);
        }
        if name == "layer_norm" {
            return self.lower_layer_norm(m);
        }
        if name == "mul_add" && kind.is_none() && m.args.len() == 2 {
            return self.lower_mul_add(m);
        }
        if let Some(op) = self.lower_numcast(m) {
            return op;
        }
        if name == "into" && m.args.is_empty() {
            // `x.into()` of an active float is `f64::from(x)`: the only `From` between floats
            let x = self.lower_leaf(&m.receiver);
            let (rt, f) = (names::rt(), names::cast_form(true, span));
            return self.emit_op(quote!(#rt::#f), vec![x], span, false);
        }
        match kind {
            None if self.is_user_method_receiver(&m.receiver) || self.is_user_method_on_data(m) => {
                self.lower_user_method(m)
            }
            None => {
                self.cx.push(diag::unknown_method(span, &name));
                self.poisoned(&Expr::MethodCall(m.clone()))
            }
            Some(MethodKind::Inactive | MethodKind::RawRead) => Operand {
                tokens: self.verbatim_tokens(&Expr::MethodCall(m.clone())),
                adj: None,
            },
            Some(MethodKind::Identity) => {
                let recv = self.lower_leaf(&m.receiver);
                let out = self.temp();
                let t = self.temp_ident(out);
                let r = &recv.tokens;
                self.emit(quote_spanned!(span=> let #t = (#r).clone();));
                // the copy's gradient flows to the original
                self.alias(Some(out), &recv);
                Operand {
                    tokens: t.to_token_stream(),
                    adj: Some(out),
                }
            }
            Some(MethodKind::Binary)
                if m.args.len() == 1 && name == "dot" && same_binding(&m.receiver, &m.args[0]) =>
            {
                // `x.dot(&x)`: one fused pullback instead of two gradients summed
                let recv = self.lower_leaf(&m.receiver);
                let r = &recv.tokens;
                let f = names::vjp_form("dot_self", span);
                self.emit_call(quote_spanned!(span=> (#r).#f()), &[recv.adj], span, false)
            }
            // `t.max()` on a tensor: the reduction, differentiable in the receiver only
            Some(MethodKind::Unary) | Some(MethodKind::Binary)
                if m.args.is_empty() || kind == Some(MethodKind::Unary) =>
            {
                for a in &m.args {
                    if self.is_active(a) {
                        self.cx.push(diag::active_config_argument(a.span(), &name));
                    }
                }
                let recv = self.lower_leaf(&m.receiver);
                let f = names::vjp_form(&name, span);
                let (r, args) = (&recv.tokens, &m.args);
                self.emit_call(
                    quote_spanned!(span=> (#r).#f(#args)),
                    &[recv.adj],
                    span,
                    false,
                )
            }
            Some(MethodKind::Binary | MethodKind::Unary) => {
                if m.args.len() != 1 {
                    self.cx.push(diag::binary_method_arity(span, &name));
                    return self.poisoned(&Expr::MethodCall(m.clone()));
                }
                let recv = self.lower_leaf(&m.receiver);
                let arg = self.lower_leaf(&m.args[0]);
                let which =
                    Operands::of(recv.adj.is_some(), arg.adj.is_some()).unwrap_or(Operands::Right);
                let f = names::binary_method_form(&name, which, span);
                let (r, a) = (&recv.tokens, &arg.tokens);
                let inputs: Vec<Option<usize>> = [recv.adj, arg.adj]
                    .into_iter()
                    .flatten()
                    .map(Some)
                    .collect();
                self.emit_call(quote_spanned!(span=> (#r).#f(#a)), &inputs, span, false)
            }
        }
    }

    fn lower_call(&mut self, c: &syn::ExprCall) -> Operand {
        let Expr::Path(fp) = strip_parens(&c.func) else {
            self.cx.push(diag::unnamed_callee(c.func.span()));
            return self.poisoned(&Expr::Call(c.clone()));
        };
        if let Some(id) = self.closure_named(&c.func) {
            return self.lower_closure_call(c, id);
        }
        if let Some(op) = self.lower_special_call(c, fp) {
            return op;
        }
        if let Some(list) = super::aggregates::join_literal(fp, c) {
            return self.lower_join_literal(c, fp, list);
        }
        if fp.path.is_ident("Some") && c.args.len() == 1 {
            return self.lower_some(c);
        }
        if fp.path.segments.last().is_some_and(|s| {
            s.ident
                .to_string()
                .starts_with(|c: char| c.is_ascii_uppercase())
        }) {
            self.cx.push(diag::variant_of_active(c.span()));
            return self.poisoned(&Expr::Call(c.clone()));
        }
        let mut path = fp.path.clone();
        let single = path.segments.len() == 1;
        let last = path.segments.last_mut().expect("path segment");
        let name = last.ident.to_string();
        let recursive = name == self.fn_name && single;
        // `Tensor::scalar(s)`, `Tensor::full(&shape, s)`: runtime forms with a pullback struct
        let tensor_fn = single_path_prefix(&fp.path, "Tensor");
        if tensor_fn && !is_tensor_function(&name) {
            self.cx
                .push(diag::unsupported_tensor_function(last.ident.span(), &name));
            return self.poisoned(&Expr::Call(c.clone()));
        }
        last.ident = names::vjp_form(&name, last.ident.span());
        let args: Vec<Operand> = c.args.iter().map(|a| self.lower_leaf(a)).collect();
        if tensor_fn && name == "where_cond" && args.len() == 3 {
            // the pullback returns both branches' gradients, whichever are active
            let inputs = [args[1].adj, args[2].adj];
            let toks = args.iter().map(|a| &a.tokens);
            return self.emit_call(quote!(#path(#(#toks),*)), &inputs, c.span(), false);
        }
        let active = args.iter().filter(|a| a.adj.is_some()).count();
        if active > MAX_CALL_GRADS {
            self.cx
                .push(diag::too_many_call_gradients(c.span(), active));
            return self.poisoned(&Expr::Call(c.clone()));
        }
        let qself = &fp.qself;
        let f = if qself.is_some() {
            Expr::Path(syn::ExprPath {
                attrs: vec![],
                qself: qself.clone(),
                path,
            })
            .to_token_stream()
        } else {
            path.to_token_stream()
        };
        if recursive {
            return self.recursive_call(f, args, c.span());
        }
        self.emit_op(f, args, c.span(), !tensor_fn)
    }

    /// A direct recursive call: its pullback is boxed, so that the pullback's type does not
    /// contain itself.
    fn recursive_call(&mut self, f: TokenStream, args: Vec<Operand>, span: Span) -> Operand {
        let (cot, grads) = self.self_pullback.clone();
        let inputs: Vec<Option<usize>> = args.iter().filter_map(|a| a.adj.map(Some)).collect();
        let active: Vec<bool> = args.iter().map(|a| a.adj.is_some()).collect();
        let call = self.user_fn_call(&f, &args, span);
        let rp = quote::format_ident!("__ad_rp");
        let check = super::tape::wrt_check(&rp, &active, span);
        // a narrowed function's boxed pullback keeps its `Narrowed` type, through which a call
        // with some of its parameters inactive picks the gradients it needs
        let rt = names::rt();
        let narrowed = self
            .narrowed_mask()
            .map(|m| quote!(let __ad_rp = #rt::Narrowed::<_, #m>::new(__ad_rp);));
        let call = quote_spanned! {span=> {
            let (__ad_ry, __ad_rp) = #call;
            #check
            let __ad_rp: ::std::boxed::Box<dyn ::core::ops::Fn(#cot) -> #grads> =
                ::std::boxed::Box::new(move |__ad_c| (__ad_rp)(__ad_c));
            #narrowed
            (__ad_ry, __ad_rp)
        }};
        self.emit_user_call(call, &inputs, span, &active)
    }

    /// `dbg!(e)` is the identity for differentiation: it prints `e` as the macro would and
    /// passes its value (and gradient) through.
    fn lower_dbg(&mut self, m: &syn::ExprMacro) -> Operand {
        let span = m.mac.path.span();
        let args = m
            .mac
            .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated);
        let arg = match args {
            Ok(args) if args.len() == 1 => args.into_iter().next().expect("one argument"),
            _ => {
                self.cx.push(diag::dbg_several_values(span));
                return self.poisoned(&Expr::Macro(m.clone()));
            }
        };
        let inner = self.lower_leaf(&arg);
        let out = self.temp();
        let t = self.temp_ident(out);
        let v = &inner.tokens;
        let text = arg.to_token_stream().to_string();
        let tmp = names::local::dbg_value();
        self.emit(quote_spanned! {span=>
            let #t = {
                let #tmp = #v;
                ::std::eprintln!(
                    "[{}:{}:{}] {} = {:#?}",
                    ::core::file!(), ::core::line!(), ::core::column!(), #text, &#tmp
                );
                #tmp
            };
        });
        self.alias(Some(out), &inner);
        Operand {
            tokens: t.to_token_stream(),
            adj: Some(out),
        }
    }
}

impl Lowerer {
    /// `v.push(x)` on a local with an active `x` (or on an active local): the local binding.
    fn pushed_vec(&self, m: &syn::ExprMethodCall) -> Option<usize> {
        if m.method != "push" || m.args.len() != 1 {
            return None;
        }
        let Expr::Path(p) = strip_parens(&m.receiver) else {
            return None;
        };
        let id = self.resolve(&p.path.get_ident()?.to_string())?;
        let active = self.is_active(&m.args[0]) || self.is_active_binding(id);
        (active && !self.is_structured_root(id)).then_some(id)
    }
}

/// `Tensor::name` or `Tensor::<E>::name`.
fn single_path_prefix(path: &syn::Path, ty: &str) -> bool {
    path.segments.len() == 2 && path.segments[0].ident == ty
}

impl Lowerer {
    /// Control flow inside an expression (`a + if c { x } else { 2.0 * x }`): its value is
    /// computed first into a temporary, exactly as `let t = if ..;` would, and the temporary is
    /// the operand.
    fn hoist(&mut self, e: &Expr) -> Operand {
        let out = self.temp();
        let t = self.temp_ident(out);
        match self.lower_value(e, Some(out)) {
            Some(v) => self.emit(quote!(let #t = #v;)),
            // it diverges: the rest of the expression is unreachable
            None => self.emit(quote!(let #t = loop {};)),
        }
        Operand {
            tokens: t.to_token_stream(),
            adj: Some(out),
        }
    }
}

impl Lowerer {
    /// `if let PAT = e { A } else { B }` with an active `e`: the `match e { PAT => A, _ => B }`
    /// it stands for, whose arms carry the gradient (`None` for any other `if`).
    pub(super) fn if_let_on_active(&self, i: &syn::ExprIf) -> Option<syn::ExprMatch> {
        let Expr::Let(l) = &*i.cond else {
            return None;
        };
        if !self.is_active(&l.expr) {
            return None;
        }
        let (pat, scrut, then) = (&l.pat, &l.expr, &i.then_branch);
        let els = match &i.else_branch {
            Some((_, e)) => quote!(#e),
            None => quote!({}),
        };
        let mut m: syn::ExprMatch = syn::parse_quote_spanned! {i.if_token.span=>
            match #scrut {
                #pat => #then,
                // rustc already warns about an irrefutable `if let`
                #[allow(unreachable_patterns)]
                _ => #els,
            }
        };
        m.attrs.clone_from(&i.attrs);
        Some(m)
    }

    /// `'l: while let PAT = e { body }` with an active `e`: the
    /// `'l: loop { match e { PAT => body, _ => break } }` it stands for (`None` otherwise).
    pub(super) fn while_let_on_active(&self, e: &Expr) -> Option<Expr> {
        let Expr::While(w) = e else {
            return None;
        };
        let Expr::Let(l) = &*w.cond else {
            return None;
        };
        if !self.is_active(&l.expr) {
            return None;
        }
        crate::syntax::while_let_as_loop(e)
    }
}

/// `x` and `x`, or `&x` and `&x`: the same local on both sides of an operation.
fn same_binding(a: &Expr, b: &Expr) -> bool {
    fn ident(e: &Expr) -> Option<(bool, &syn::Ident)> {
        match strip_parens(e) {
            Expr::Path(p) => p.path.get_ident().map(|i| (false, i)),
            Expr::Reference(r) if r.mutability.is_none() => match strip_parens(&r.expr) {
                Expr::Path(p) => p.path.get_ident().map(|i| (true, i)),
                _ => None,
            },
            _ => None,
        }
    }
    matches!((ident(a), ident(b)), (Some(x), Some(y)) if x == y)
}
