//! Blocks, statements and control flow: the forward code keeps the user's structure, and each
//! construct ends the current segment where the executed path can diverge.

use super::tape::Operand;
use super::{LoopCtx, Lowerer, RET};
use crate::check;
use crate::diagnostics as diag;
use crate::syntax::{
    contains_jump, contains_unstructured_jump, is_compound, is_structured, simple_pat, strip_parens,
};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{BinOp, Block, Expr, Local, Stmt};

impl Lowerer {
    // ----- statements and blocks ---------------------------------------------------------------

    /// Lowers a block in its own scope and output buffer; the block's value flows to `dest`.
    pub(super) fn lower_block(&mut self, block: &Block, dest: Option<usize>) -> TokenStream {
        self.push_scope();
        self.out.push(Vec::new());
        let n = block.stmts.len();
        let mut tail = None;
        for (i, stmt) in block.stmts.iter().enumerate() {
            let last = i + 1 == n;
            match stmt {
                Stmt::Expr(e, None) if last => {
                    tail = self.lower_value(e, dest);
                }
                _ => self.lower_stmt(stmt),
            }
        }
        if n == 0
            || matches!(
                block.stmts.last(),
                Some(Stmt::Expr(_, Some(_)))
                    | Some(Stmt::Local(_))
                    | Some(Stmt::Item(_))
                    | Some(Stmt::Macro(_))
            )
        {
            // A block without a tail has no differentiable value.
            if let Some(d) = dest {
                if self.is_active_binding(d) && d != RET {
                    let adj = self.adj_ident(d);
                    self.cur_rev
                        .push(quote!(#adj = ::core::option::Option::None;));
                }
            }
        }
        self.flush();
        let stmts = self.out.pop().expect("buffer");
        self.pop_scope();
        let brace = block.brace_token;
        let mut ts = TokenStream::new();
        brace.surround(&mut ts, |ts| {
            for s in stmts {
                ts.extend(s);
            }
            if let Some(t) = tail {
                ts.extend(t);
            }
        });
        ts
    }

    fn lower_stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Local(local) => self.lower_local(local),
            Stmt::Item(item) => {
                self.check(|_, cx| check::item(item, cx));
                self.emit(item.to_token_stream());
            }
            Stmt::Macro(m) => {
                self.check_macro(&m.mac);
                if contains_jump(&Expr::Macro(syn::ExprMacro {
                    attrs: vec![],
                    mac: m.mac.clone(),
                })) {
                    self.flush();
                }
                self.emit(m.to_token_stream());
            }
            Stmt::Expr(e, semi) => {
                let v = self.lower_value(e, None);
                if let Some(v) = v {
                    if semi.is_some() || !is_structured(e) {
                        self.emit(quote!(#v;));
                    } else {
                        self.emit(v);
                    }
                }
            }
        }
    }

    fn lower_local(&mut self, local: &Local) {
        let Some(init) = &local.init else {
            // `let x;` (initialised later) or `let x: T;`
            self.bind_pattern_inactive(&local.pat);
            self.emit(local.to_token_stream());
            return;
        };
        if let Some((else_token, diverge)) = &init.diverge {
            if self.is_active(&init.expr) {
                self.lower_destructure_else(local, &init.expr, Some((else_token, diverge)));
                return;
            }
            let raw = self.raw_read(&init.expr);
            let value = self.rewrite_returns_expr(&init.expr);
            let els = self.lower_else_block(diverge);
            self.bind_pattern_from(&local.pat, raw);
            let (attrs, pat) = (&local.attrs, &local.pat);
            self.emit(quote!(#(#attrs)* let #pat = #value #else_token #els;));
            return;
        }
        let (ident, ty, mutability) = match simple_pat(&local.pat) {
            Some(x) => x,
            None if self.is_active(&init.expr) => {
                self.lower_destructure(local, &init.expr);
                return;
            }
            None => {
                let v = self.lower_value(&init.expr, None);
                let raw = self.raw_read(&init.expr);
                self.bind_pattern_from(&local.pat, raw);
                let pat = &local.pat;
                let attrs = &local.attrs;
                self.emit(quote!(#(#attrs)* let #pat = #v;));
                return;
            }
        };
        if let Expr::Closure(c) = strip_parens(&init.expr) {
            // `let f = |x| ..;`: inlined where it is called with active values
            let init = self.rewrite_returns_expr(&init.expr);
            self.register_closure(&ident, c);
            let ty = ty.map(|t| quote!(: #t));
            let attrs = &local.attrs;
            self.emit(quote!(#(#attrs)* let #mutability #ident #ty = #init;));
            return;
        }
        if local.attrs.is_empty() && self.try_alias_let(&ident, &init.expr) {
            // `let layer = &m.layers[i];`: reads of `layer` go to that part of `m`
            let init = self.rewrite_returns_expr(&init.expr);
            let ty = ty.map(|t| quote!(: #t));
            self.emit(quote!(let #mutability #ident #ty = #init;));
            return;
        }
        // The new binding is not in scope while its initialiser runs.
        let name = ident.to_string();
        let id = self.declare(&name);
        let v = self.lower_value(&init.expr, Some(id));
        self.enter(&name, id);
        if is_aggregate(&init.expr) || ty.is_some_and(is_container_type) {
            self.structured_locals.insert(id);
        }
        let attrs = &local.attrs;
        let ty = ty.map(|t| quote!(: #t));
        let v = v.unwrap_or_else(|| quote!(loop {}));
        self.emit(quote!(#(#attrs)* let #mutability #ident #ty = #v;));
    }

    /// The `else` block of a `let .. else`. It diverges, so the segment before it ends first
    /// (its records are kept); it is lowered like any block, so a value it returns carries its
    /// gradient.
    pub(super) fn lower_else_block(&mut self, block: &Expr) -> TokenStream {
        self.flush();
        self.lower_value(block, None)
            .unwrap_or_else(|| quote!({ loop {} }))
    }

    // ----- values --------------------------------------------------------------------------------

    /// Lowers an expression whose value flows to `dest` (a binding, the return slot, or nowhere)
    /// and returns the forward tokens for that value (`None` if it diverges).
    pub(super) fn lower_value(&mut self, e: &Expr, dest: Option<usize>) -> Option<TokenStream> {
        match e {
            Expr::Block(b) if b.label.is_none() => {
                self.flush();
                let attrs = &b.attrs;
                let blk = self.lower_block(&b.block, dest);
                Some(quote!(#(#attrs)* #blk))
            }
            Expr::Block(b) => {
                self.flush();
                let label = b.label.as_ref().expect("label");
                self.loops.push(LoopCtx {
                    label: Some(label.name.ident.to_string()),
                    dest,
                    is_block: true,
                });
                let blk = self.lower_block(&b.block, dest);
                self.loops.pop();
                Some(quote!(#label #blk))
            }
            Expr::Unsafe(u) => {
                self.cx.push(diag::unsafe_block(u.unsafe_token.span));
                None
            }
            Expr::If(i) => Some(self.lower_if(i, dest)),
            Expr::Match(m) => Some(self.lower_match(m, dest)),
            Expr::While(_) | Expr::ForLoop(_) | Expr::Loop(_) => Some(self.lower_loop(e, dest)),
            Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => {
                self.lower_jump(e);
                None
            }
            Expr::Assign(a) => {
                self.lower_assign(&a.left, None, &a.right, a.span());
                None
            }
            Expr::Binary(b) if is_compound(&b.op) => {
                self.lower_assign(&b.left, Some(&b.op), &b.right, b.span());
                None
            }
            Expr::Paren(p) if is_structured(&p.expr) => self.lower_value(&p.expr, dest),
            Expr::Try(t) if self.is_active(e) => {
                self.cx.push(diag::try_operator(t.question_token.span()));
                None
            }
            _ => {
                let active = self.is_active(e);
                let unstructured = contains_unstructured_jump(e);
                if active && unstructured {
                    self.cx.push(diag::jump_in_expression(e.span()));
                }
                if contains_jump(e) && (!active || unstructured) {
                    self.flush();
                    let e = self.rewrite_returns_expr(e);
                    return Some(e);
                }
                if !self.is_active(e) {
                    if let Some(read) = self.raw_read(e) {
                        self.raw_flows_to(dest, read);
                    }
                    self.check_verbatim(e);
                    let op = Operand {
                        tokens: self.verbatim_tokens(e),
                        adj: None,
                    };
                    self.alias(dest, &op);
                    return Some(op.tokens);
                }
                let op = self.lower_leaf(e);
                self.alias(dest, &op);
                Some(op.tokens)
            }
        }
    }

    /// `while`, `for` and `loop`: the body is lowered once; its segments record per iteration.
    fn lower_loop(&mut self, e: &Expr, dest: Option<usize>) -> TokenStream {
        if let Some(l) = self.while_let_on_active(e) {
            return self.lower_loop(&l, dest); // `loop { match e { PAT => body, _ => break } }`
        }
        if let Expr::ForLoop(f) = e {
            if let Some(l) = self.hoist_loop_containers(f) {
                return self.lower_loop(&l, dest); // `let c = vec![..]; for y in c ..` (hoist.rs)
            }
        }
        self.flush();
        let (label, attrs) = match e {
            Expr::While(w) => (w.label.as_ref(), &w.attrs),
            Expr::ForLoop(f) => (f.label.as_ref(), &f.attrs),
            Expr::Loop(l) => (l.label.as_ref(), &l.attrs),
            _ => unreachable!("lower_loop is called on loops"),
        };
        if let Some(attr) = super::checkpoint::checkpoint_attr(attrs) {
            return self.lower_checkpointed_loop(e, attr);
        }
        if let Expr::While(w) = e {
            self.check_inactive_cond(&w.cond, "a `while` condition");
        }
        if let Expr::ForLoop(f) = e {
            if self.is_active(&f.expr) && !self.is_container_loop(f) {
                self.cx.push(diag::iterate_active(f.expr.span()));
            }
        }
        self.loops.push(LoopCtx {
            label: label.map(|l| l.name.ident.to_string()),
            // only `loop` can produce a value with `break value`
            dest: if matches!(e, Expr::Loop(_)) {
                dest
            } else {
                None
            },
            is_block: false,
        });
        let ts = match e {
            Expr::While(w) => {
                self.push_scope();
                let cond = self.cond_tokens(&w.cond);
                let body = self.lower_block(&w.body, None);
                self.pop_scope();
                quote!(#(#attrs)* #label while #cond #body)
            }
            Expr::ForLoop(f) if self.is_container_loop(f) => self
                .container_loop(f)
                .expect("a loop over parts of an argument"),
            Expr::ForLoop(f) => {
                let iter = self.rewrite_returns_expr(&f.expr);
                let raw = self.raw_read(&f.expr);
                let first = self.segments.len();
                self.push_scope();
                self.bind_pattern_from(&f.pat, raw);
                let body = self.lower_block(&f.body, None);
                self.pop_scope();
                let pat = &f.pat;
                // the records of the body's segments, reserved for the iterations the iterator
                // announces (one growth instead of a doubling chain)
                // (not those of checkpointed loops inside: the pullback declares theirs)
                let nested = super::checkpointed_segments(&self.segments[first..]);
                let records: Vec<_> = (first..self.segments.len())
                    .filter(|k| !self.segments[*k].pbs.is_empty() && !nested.contains(k))
                    .map(crate::names::record)
                    .collect();
                if records.is_empty() {
                    quote!(#(#attrs)* #label for #pat in #iter #body)
                } else {
                    let it = format_ident!("__ad_iter{}", self.fresh());
                    quote!({
                        let #it = ::core::iter::IntoIterator::into_iter(#iter);
                        let __ad_hint = ::core::iter::Iterator::size_hint(&#it).0;
                        #(#records.reserve(__ad_hint);)*
                        #(#attrs)* #label for #pat in #it #body
                    })
                }
            }
            Expr::Loop(l) => {
                let body = self.lower_block(&l.body, None);
                quote!(#(#attrs)* #label loop #body)
            }
            _ => unreachable!("lower_loop is called on loops"),
        };
        self.loops.pop();
        ts
    }

    /// `return`, `break` and `continue`: the value (if any) flows to its destination, then the
    /// segment ends before the jump.
    fn lower_jump(&mut self, e: &Expr) {
        match e {
            Expr::Return(r) => {
                let v = match &r.expr {
                    Some(x) => self.lower_value(x, Some(RET)),
                    None => Some(quote!(())),
                };
                self.flush();
                let label = &self.body_label;
                if let Some(v) = v {
                    self.emit(quote_spanned!(r.return_token.span=> break #label #v;));
                }
            }
            Expr::Break(b) => {
                let ctx = self.find_loop(b.label.as_ref());
                let dest = ctx.and_then(|i| self.loops[i].dest);
                let v = match &b.expr {
                    Some(x) => match self.lower_value(x, dest) {
                        Some(v) => Some(v),
                        None => return,
                    },
                    None => None,
                };
                self.flush();
                let label = &b.label;
                self.emit(quote_spanned!(b.break_token.span=> break #label #v;));
            }
            Expr::Continue(c) => {
                self.flush();
                self.emit(c.to_token_stream().into_iter().chain(quote!(;)).collect());
            }
            _ => unreachable!("lower_jump is called on jumps"),
        }
    }
    fn find_loop(&self, label: Option<&syn::Lifetime>) -> Option<usize> {
        match label {
            Some(l) => {
                let name = l.ident.to_string();
                self.loops
                    .iter()
                    .rposition(|c| c.label.as_deref() == Some(name.as_str()))
            }
            None => self.loops.iter().rposition(|c| !c.is_block),
        }
    }

    pub(super) fn check_inactive_cond(&mut self, cond: &Expr, what: &str) {
        let (e, is_let) = match cond {
            Expr::Let(l) => (&*l.expr, true),
            other => (other, false),
        };
        if is_let && self.is_active(e) {
            self.cx.push(diag::pattern_on_active(e.span(), what));
        }
    }

    fn cond_tokens(&mut self, cond: &Expr) -> TokenStream {
        if let Expr::Let(l) = cond {
            let e = self.rewrite_returns_expr(&l.expr);
            let raw = self.raw_read(&l.expr);
            self.bind_pattern_from(&l.pat, raw);
            let pat = &l.pat;
            quote!(let #pat = #e)
        } else {
            self.rewrite_returns_expr(cond)
        }
    }

    fn lower_if(&mut self, i: &syn::ExprIf, dest: Option<usize>) -> TokenStream {
        if let Some(m) = self.if_let_on_active(i) {
            return self.lower_match(&m, dest); // `if let` on an active value: a `match` (ops.rs)
        }
        self.flush();
        self.check_inactive_cond(&i.cond, "an `if let`");
        self.push_scope();
        let cond = self.cond_tokens(&i.cond);
        let then = self.lower_block(&i.then_branch, dest);
        self.pop_scope();
        let els = match &i.else_branch {
            Some((_, e)) => {
                let e = match &**e {
                    Expr::If(inner) => self.lower_if(inner, dest),
                    Expr::Block(b) => self.lower_block(&b.block, dest),
                    other => self.lower_value(other, dest).unwrap_or_default(),
                };
                quote!(else #e)
            }
            None => TokenStream::new(),
        };
        let attrs = &i.attrs;
        quote!(#(#attrs)* if #cond #then #els)
    }

    fn lower_match(&mut self, m: &syn::ExprMatch, dest: Option<usize>) -> TokenStream {
        // An active scrutinee is evaluated (and recorded) before the arms; the arms' patterns
        // read its value, and a variable an arm binds it to carries its gradient.
        // Patterns that bind nothing (`Act::Relu`, `0.0`, `_`) only choose an arm: no value, so
        // no gradient, flows out of the scrutinee, which is then evaluated as it is.
        let binds = m.arms.iter().any(|a| {
            crate::syntax::pat_idents(&a.pat)
                .iter()
                .any(|i| !i.to_string().starts_with(char::is_uppercase))
        });
        let active = if binds && self.is_active(&m.expr) {
            for arm in &m.arms {
                let mut parts = Vec::new();
                if !reads_value_only(&arm.pat)
                    && !super::aggregates::pattern_parts(&arm.pat, Vec::new(), &mut parts)
                {
                    self.cx
                        .push(diag::pattern_binds_active_part(arm.pat.span()));
                }
            }
            Some(self.lower_leaf(&m.expr))
        } else {
            None
        };
        // Arms that take the value apart (`Some(v)`, `(a, b)`) reassemble their gradient from
        // a zero of the scrutinee's shape.
        let zero = match &active {
            Some(op) if m.arms.iter().any(|a| !reads_value_only(&a.pat)) => {
                let z = crate::names::place_zero(self.fresh());
                let (rt, t) = (crate::names::rt(), &op.tokens);
                self.emit(quote!(let #z = #rt::zero_tangent_of(&#t);));
                Some(z)
            }
            _ => None,
        };
        self.flush();
        let scrut = match &active {
            Some(op) => op.tokens.clone(),
            None => self.rewrite_returns_expr(&m.expr),
        };
        let scrut_raw = self.raw_read(&m.expr);
        let mut arms = Vec::new();
        for arm in &m.arms {
            self.push_scope();
            self.out.push(Vec::new());
            match (&active, &arm.pat) {
                (Some(op), syn::Pat::Ident(pi))
                    if !pi.ident.to_string().starts_with(char::is_uppercase) =>
                {
                    let id = self.bind(&pi.ident.to_string());
                    self.alias(Some(id), op);
                }
                (Some(op), pat) if !reads_value_only(pat) => {
                    let mut parts = Vec::new();
                    super::aggregates::pattern_parts(pat, Vec::new(), &mut parts);
                    let z = zero.as_ref().expect("a zero for destructuring arms");
                    let za = crate::names::place_zero(self.fresh());
                    self.emit(quote!(let #za = ::core::clone::Clone::clone(&#z);));
                    self.reassemble(&parts, &za, op.adj);
                }
                _ => self.bind_pattern_from(&arm.pat, scrut_raw),
            }
            let guard = arm.guard.as_ref().map(|(i, g)| {
                let g = self.rewrite_returns_expr(g);
                quote!(#i #g)
            });
            let v = match &*arm.body {
                Expr::Block(b) if b.label.is_none() && b.attrs.is_empty() => {
                    Some(self.lower_block(&b.block, dest))
                }
                body => self.lower_value(body, dest),
            };
            self.flush();
            let stmts = self.out.pop().expect("buffer");
            self.pop_scope();
            let pat = &arm.pat;
            let attrs = &arm.attrs;
            arms.push(quote!(#(#attrs)* #pat #guard => { #(#stmts)* #v }));
        }
        let attrs = &m.attrs;
        quote!(#(#attrs)* match #scrut { #(#arms)* })
    }

    fn lower_assign(&mut self, left: &Expr, op: Option<&BinOp>, right: &Expr, span: Span) {
        let target = match strip_parens(left) {
            Expr::Path(p) => p.path.get_ident().cloned(),
            _ => None,
        };
        let Some(target) = target else {
            if self.is_active(left) || self.is_active(right) {
                self.cx.push(diag::in_place_mutation(left.span()));
            }
            let l = self.rewrite_returns_expr(left);
            let r = self.rewrite_returns_expr(right);
            let op = op.map(|o| o.to_token_stream()).unwrap_or_else(|| quote!(=));
            self.emit(quote!(#l #op #r;));
            return;
        };
        let Some(id) = self.resolve(&target.to_string()) else {
            self.cx.push(diag::global_write(target.span(), &target));
            return;
        };
        if self.aliases.contains_key(&id) {
            self.cx.push(diag::reassign_alias(target.span(), &target));
            return;
        }
        let active = self.is_active_binding(id);
        match op {
            None => {
                if !active && !self.is_active(right) && !is_structured(right) {
                    if let Some(read) = self.raw_read(right) {
                        self.raw_flows_to(Some(id), read);
                    }
                    let r = self.rewrite_returns_expr(right);
                    self.emit(quote!(#target = #r;));
                    return;
                }
                let v = self.lower_value(right, Some(id));
                if let Some(v) = v {
                    self.emit(quote!(#target = #v;));
                }
            }
            Some(op) => {
                if !active && !self.is_active(right) {
                    if let Some(read) = self.raw_read(right) {
                        self.raw_flows_to(Some(id), read);
                    }
                    let r = self.rewrite_returns_expr(right);
                    self.emit(quote!(#target #op #r;));
                    return;
                }
                let name = match op {
                    BinOp::AddAssign(_) => "add",
                    BinOp::SubAssign(_) => "sub",
                    BinOp::MulAssign(_) => "mul",
                    BinOp::DivAssign(_) => "div",
                    _ => {
                        self.cx.push(diag::compound_not_differentiable(
                            op.span(),
                            &op.to_token_stream(),
                        ));
                        return;
                    }
                };
                let res = match self.try_fuse_compound(left, op, right) {
                    Some(fused) => fused, // `x += chain` as one fused chain (fuse.rs)
                    None => {
                        let lhs = Operand {
                            tokens: target.to_token_stream(),
                            adj: active.then_some(id),
                        };
                        let rhs = self.lower_leaf(right);
                        self.binary_op(name, lhs, rhs, span)
                    }
                };
                let t = res.tokens.clone();
                self.emit(quote!(#target = #t;));
                self.alias(Some(id), &res);
            }
        }
    }
}

/// Patterns that only read a matched number: `_`, literals, ranges, a plain binding, and `|`
/// of those.
fn reads_value_only(p: &syn::Pat) -> bool {
    match p {
        syn::Pat::Wild(_) | syn::Pat::Lit(_) | syn::Pat::Range(_) => true,
        syn::Pat::Ident(pi) => pi.subpat.is_none() && pi.by_ref.is_none(),
        syn::Pat::Or(o) => o
            .cases
            .iter()
            .all(|c| !matches!(c, syn::Pat::Ident(_)) && reads_value_only(c)),
        syn::Pat::Paren(pp) => reads_value_only(&pp.pat),
        _ => false,
    }
}

/// `Vec<_>`, `[_; N]` or a tuple, as a `let` is annotated (`let v: Vec<f64> = f(x);`): a local
/// container, whatever computes it.
fn is_container_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Array(_) => true,
        syn::Type::Tuple(t) => !t.elems.is_empty(),
        syn::Type::Paren(p) => is_container_type(&p.elem),
        syn::Type::Path(p) => {
            p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Vec")
        }
        _ => false,
    }
}

/// A tuple, array, struct literal or `vec![..]`: a local bound to one may be indexed.
fn is_aggregate(e: &Expr) -> bool {
    match strip_parens(e) {
        Expr::Tuple(_) | Expr::Array(_) | Expr::Struct(_) => true,
        Expr::Macro(m) => crate::syntax::macro_name(&m.mac) == "vec",
        Expr::MethodCall(m) => {
            matches!(m.method.to_string().as_str(), "collect" | "split" | "chunk")
        }
        _ => false,
    }
}
