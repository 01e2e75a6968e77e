//! The transform proper: one walk over the body that writes the forward sweep (the user's code
//! with each active operation replaced by its VJP form and a record push at the end of each
//! straight-line segment) and collects, per segment, the reverse code the pullback runs.
//!
//! # How control flow is reversed
//! The forward code keeps the user's structure (`if`, `match`, loops, labels, `break`,
//! `continue`, early `return`), so borrows and moves behave exactly as written. The body is cut
//! into *segments*: maximal straight-line runs of active operations inside one block. When a
//! segment ends (before any nested control flow, a jump, or the end of its block) the forward
//! sweep pushes the segment's pullbacks as one tuple onto that segment's own `Vec`, and the
//! segment's id onto one trace `Vec<u8|u16|u32>`. The pullback walks the trace backwards and runs
//! each segment's reverse code with the tuple popped (by reference) from its `Vec`. The trace is
//! exactly the executed order of segments, so every combination of branches, nested loops,
//! `break`/`continue` with labels and early `return` is reversed by the same mechanism, and no
//! condition is evaluated again.
//!
//! # Adjoints
//! One `Option<_>` adjoint per binding (after resolving shadowing, so `let x = x * 2.0` gets two),
//! declared at the top of the pullback. A definition or assignment *takes* its target's adjoint
//! (resetting it, which is what makes loop-carried variables and constant-initialised
//! accumulators correct) and passes it through the operation's pullback into the inputs'
//! adjoints, where values used several times sum.
//!
//! # Activity
//! A binding is active when a value depending on a differentiated argument is ever assigned to
//! it. That is found by running this walk to a fixpoint (the set only grows), so a variable that
//! becomes active late in a loop body is active on every iteration.

use crate::methods::{is_reading_macro, method_kind, MethodKind};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use std::collections::HashSet;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{BinOp, Block, Expr, Ident, Local, Pat, Stmt, UnOp};

pub struct BindingInfo {
    pub name: String,
    /// Temporaries and the return slot are active by construction.
    pub always: bool,
}

pub struct Segment {
    pub pbs: Vec<Ident>,
    pub rev: TokenStream,
    /// Inside a loop the segment may run many times (its records go in a `Vec`); outside, at
    /// most once per call (an `Option` is enough and allocates nothing).
    pub in_loop: bool,
}

struct LoopCtx {
    label: Option<String>,
    dest: Option<usize>,
    /// A labelled block (`'a: { .. }`), which `continue` cannot target.
    is_block: bool,
}

/// An operand of an operation: how the forward code names it, and whose adjoint receives its
/// gradient (`None` for constants and other inactive values).
struct Operand {
    tokens: TokenStream,
    adj: Option<usize>,
}

pub struct Lowerer<'a> {
    active: &'a HashSet<usize>,
    /// Bindings that received an active value during this walk.
    pub assigned_active: HashSet<usize>,
    pub bindings: Vec<BindingInfo>,
    scopes: Vec<Vec<(String, usize)>>,
    pub errors: Vec<syn::Error>,
    out: Vec<Vec<TokenStream>>,
    cur_rev: Vec<TokenStream>,
    cur_pbs: Vec<Ident>,
    pub segments: Vec<Segment>,
    loops: Vec<LoopCtx>,
    fn_name: String,
    ntemps: usize,
    pub body_label: syn::Lifetime,
}

pub const RET: usize = 0;
/// Temporaries get ids from here on, so that the ids of real bindings do not depend on how many
/// operations earlier rounds of the activity fixpoint lowered.
const TEMP_BASE: usize = 1 << 24;

fn rt() -> TokenStream {
    quote!(::autodiff::__rt)
}

impl<'a> Lowerer<'a> {
    pub fn new(active: &'a HashSet<usize>, fn_name: String) -> Self {
        Lowerer {
            active,
            assigned_active: HashSet::new(),
            bindings: vec![BindingInfo {
                name: "ret".into(),
                always: true,
            }],
            scopes: vec![Vec::new()],
            errors: Vec::new(),
            out: vec![Vec::new()],
            cur_rev: Vec::new(),
            cur_pbs: Vec::new(),
            segments: Vec::new(),
            loops: Vec::new(),
            fn_name,
            ntemps: 0,
            body_label: syn::Lifetime::new("'__ad_body", Span::call_site()),
        }
    }

    // ----- bindings and scopes -------------------------------------------------------------

    pub fn bind(&mut self, name: &str) -> usize {
        let id = self.bindings.len();
        self.bindings.push(BindingInfo {
            name: name.to_string(),
            always: false,
        });
        self.scopes
            .last_mut()
            .expect("scope")
            .push((name.to_string(), id));
        id
    }

    fn temp(&mut self) -> usize {
        self.ntemps += 1;
        TEMP_BASE + self.ntemps
    }

    /// Every adjoint slot the pullback must declare.
    pub fn adjoints(&self) -> Vec<Ident> {
        let mut v: Vec<Ident> = (0..self.bindings.len())
            .filter(|&i| self.is_active_binding(i))
            .map(|i| self.adj_ident(i))
            .collect();
        v.extend((1..=self.ntemps).map(|n| self.adj_ident(TEMP_BASE + n)));
        v
    }

    fn resolve(&self, name: &str) -> Option<usize> {
        for scope in self.scopes.iter().rev() {
            if let Some((_, id)) = scope.iter().rev().find(|(n, _)| n == name) {
                return Some(*id);
            }
        }
        None
    }

    pub fn is_active_binding(&self, id: usize) -> bool {
        id >= TEMP_BASE || self.bindings[id].always || self.active.contains(&id)
    }

    pub fn adj_ident(&self, id: usize) -> Ident {
        if id >= TEMP_BASE {
            format_ident!("__ad_dt{}", id - TEMP_BASE)
        } else {
            format_ident!("__ad_d{}_{}", id, self.bindings[id].name)
        }
    }

    fn temp_ident(&self, id: usize) -> Ident {
        format_ident!("__ad_t{}", id - TEMP_BASE)
    }

    fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    fn bind_pattern_inactive(&mut self, pat: &Pat) {
        for id in pat_idents(pat) {
            self.bind(&id.to_string());
        }
    }

    // ----- output ----------------------------------------------------------------------------

    fn emit(&mut self, ts: TokenStream) {
        self.out.last_mut().expect("buffer").push(ts);
    }

    fn error(&mut self, span: Span, msg: impl Into<String>) {
        self.errors.push(syn::Error::new(span, msg.into()));
    }

    /// Ends the current segment: its pullbacks are pushed as one record and its id onto the
    /// trace, so the pullback can replay it.
    fn flush(&mut self) {
        if self.cur_rev.is_empty() {
            return;
        }
        let k = self.segments.len();
        let in_loop = self.loops.iter().any(|c| !c.is_block);
        let pbs = std::mem::take(&mut self.cur_pbs);
        let mut rev = TokenStream::new();
        for r in std::mem::take(&mut self.cur_rev).into_iter().rev() {
            rev.extend(r);
        }
        let rec = format_ident!("__ad_rec{}", k);
        if !pbs.is_empty() {
            if in_loop {
                self.emit(quote!(#rec.push((#(#pbs,)*));));
            } else {
                self.emit(quote!(#rec = ::core::option::Option::Some((#(#pbs,)*));));
            }
        }
        let kk = proc_macro2::Literal::usize_unsuffixed(k);
        self.emit(quote!(__ad_trace.push(#kk);));
        self.segments.push(Segment { pbs, rev, in_loop });
    }

    /// Reverse code that moves the adjoint of `dest` into `src` (a move, a copy, a block's value).
    fn alias(&mut self, dest: Option<usize>, src: &Operand) {
        let Some(dest) = dest else { return };
        if src.adj.is_some() {
            self.assigned_active.insert(dest);
        }
        if !self.is_active_binding(dest) {
            return;
        }
        let d = self.adj_ident(dest);
        let rt = rt();
        match src.adj {
            Some(s) if self.is_active_binding(s) => {
                let s = self.adj_ident(s);
                self.cur_rev.push(quote! {
                    if let ::core::option::Option::Some(__g) = ::core::option::Option::take(&mut #d) {
                        #rt::acc(&mut #s, __g);
                    }
                });
            }
            _ => self
                .cur_rev
                .push(quote!(#d = ::core::option::Option::None;)),
        }
    }

    /// Records an operation whose pullback is a runtime struct (`pull`) or a user closure.
    fn record_op(
        &mut self,
        out: usize,
        pb: Ident,
        inputs: &[Option<usize>],
        call_span: Option<Span>,
    ) {
        let d = self.adj_ident(out);
        let rt = rt();
        let call = match call_span {
            // A user function's pullback: check its gradients against this call's arguments.
            Some(span) => {
                let n = proc_macro2::Literal::usize_unsuffixed(inputs.len());
                quote_spanned!(span=> #rt::CallGrads::<#n>::split((#pb)(__g)))
            }
            None => quote!(#rt::Pullback::pull(#pb, __g)),
        };
        let live: Vec<Option<Ident>> = inputs
            .iter()
            .map(|i| {
                i.filter(|&i| self.is_active_binding(i))
                    .map(|i| self.adj_ident(i))
            })
            .collect();
        let distribute = if live.len() == 1 {
            match &live[0] {
                Some(a) => quote!(#rt::acc(&mut #a, __gs);),
                None => quote!(let _ = __gs;),
            }
        } else {
            let names: Vec<Ident> = (0..live.len()).map(|i| format_ident!("__g{}", i)).collect();
            let accs = live.iter().zip(&names).map(|(a, n)| match a {
                Some(a) => quote!(#rt::acc(&mut #a, #n);),
                None => quote!(let _ = #n;),
            });
            let span = call_span.unwrap_or_else(Span::call_site);
            let destructure = quote_spanned!(span=> let (#(#names),*) = __gs;);
            quote!(#destructure #(#accs)*)
        };
        self.cur_rev.push(quote! {
            if let ::core::option::Option::Some(__g) = ::core::option::Option::take(&mut #d) {
                let __gs = #call;
                #distribute
            }
        });
        self.cur_pbs.push(pb);
    }

    // ----- activity ----------------------------------------------------------------------------

    /// Does this expression's value depend on a differentiated argument (and carry a gradient)?
    fn is_active(&self, e: &Expr) -> bool {
        match e {
            Expr::Path(p) => p
                .path
                .get_ident()
                .and_then(|id| self.resolve(&id.to_string()))
                .is_some_and(|b| self.is_active_binding(b)),
            Expr::Lit(_) => false,
            Expr::Paren(p) => self.is_active(&p.expr),
            Expr::Group(g) => self.is_active(&g.expr),
            Expr::Reference(r) => self.is_active(&r.expr),
            Expr::Binary(b) => match b.op {
                BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_) | BinOp::Div(_) | BinOp::Rem(_) => {
                    self.is_active(&b.left) || self.is_active(&b.right)
                }
                _ => false,
            },
            Expr::Unary(u) => match u.op {
                UnOp::Not(_) => false,
                _ => self.is_active(&u.expr),
            },
            Expr::MethodCall(m) => match method_kind(&m.method.to_string()) {
                Some(MethodKind::Inactive) => false,
                _ => self.is_active(&m.receiver) || m.args.iter().any(|a| self.is_active(a)),
            },
            Expr::Call(c) => {
                if is_no_grad(&c.func) {
                    false
                } else {
                    c.args.iter().any(|a| self.is_active(a))
                }
            }
            Expr::Cast(c) => is_float_type(&c.ty) && self.is_active(&c.expr),
            Expr::Field(f) => self.is_active(&f.base),
            Expr::Index(i) => self.is_active(&i.expr),
            Expr::Tuple(t) => t.elems.iter().any(|x| self.is_active(x)),
            Expr::Array(a) => a.elems.iter().any(|x| self.is_active(x)),
            Expr::Struct(s) => s.fields.iter().any(|f| self.is_active(&f.expr)),
            Expr::Macro(m) => {
                let name = macro_name(&m.mac);
                !is_reading_macro(&name) && self.tokens_mention_active(&m.mac.tokens)
            }
            Expr::If(_)
            | Expr::Match(_)
            | Expr::Block(_)
            | Expr::Loop(_)
            | Expr::While(_)
            | Expr::ForLoop(_)
            | Expr::Unsafe(_) => self.tokens_mention_active(&e.to_token_stream()),
            Expr::Try(t) => self.is_active(&t.expr),
            _ => false,
        }
    }

    fn tokens_mention_active(&self, ts: &TokenStream) -> bool {
        let mut prev_dot = false;
        for tt in ts.clone() {
            match &tt {
                TokenTree::Ident(id) => {
                    if !prev_dot {
                        if let Some(b) = self.resolve(&id.to_string()) {
                            if self.is_active_binding(b) {
                                return true;
                            }
                        }
                    }
                    prev_dot = false;
                }
                TokenTree::Group(g) => {
                    if self.tokens_mention_active(&g.stream()) {
                        return true;
                    }
                    prev_dot = false;
                }
                TokenTree::Punct(p) => prev_dot = p.as_char() == '.',
                TokenTree::Literal(_) => prev_dot = false,
            }
        }
        false
    }

    // ----- statements and blocks ---------------------------------------------------------------

    /// Lowers a block in its own scope and output buffer; the block's value flows to `dest`.
    fn lower_block(&mut self, block: &Block, dest: Option<usize>) -> TokenStream {
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

    /// Lowers the function body; its value flows to the return slot.
    pub fn lower_body(&mut self, block: &Block) -> TokenStream {
        self.lower_block(block, Some(RET))
    }

    fn lower_stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Local(local) => self.lower_local(local),
            Stmt::Item(item) => {
                if let syn::Item::Static(s) = item {
                    if matches!(s.mutability, syn::StaticMutability::Mut(_)) {
                        self.error(
                            s.span(),
                            "`static mut` is not supported in differentiable functions\n\
                             help: pass the value in as an argument",
                        );
                    }
                }
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
        if let Some((_, diverge)) = &init.diverge {
            if self.is_active(&init.expr) {
                self.error(
                    local.span(),
                    "`let ... else` cannot bind a differentiable value\n\
                     help: bind the value with a plain `let` and test it with `if` or `match`",
                );
            }
            let _ = diverge;
            // The `else` block diverges: end the segment first so its records are kept.
            self.flush();
            let l = self.rewrite_returns_local(local);
            self.bind_pattern_inactive(&local.pat);
            self.emit(l);
            return;
        }
        let (ident, ty, mutability) = match simple_pat(&local.pat) {
            Some(x) => x,
            None => {
                if self.is_active(&init.expr) {
                    self.error(
                        local.pat.span(),
                        "destructuring a differentiable value is not supported yet\n\
                         help: bind each value with its own `let`",
                    );
                }
                let v = self.lower_value(&init.expr, None);
                self.bind_pattern_inactive(&local.pat);
                let pat = &local.pat;
                let attrs = &local.attrs;
                self.emit(quote!(#(#attrs)* let #pat = #v;));
                return;
            }
        };
        // The new binding is not in scope while its initialiser runs.
        let id = self.bindings.len();
        self.bindings.push(BindingInfo {
            name: ident.to_string(),
            always: false,
        });
        let v = self.lower_value(&init.expr, Some(id));
        self.scopes
            .last_mut()
            .expect("scope")
            .push((ident.to_string(), id));
        let attrs = &local.attrs;
        let ty = ty.map(|t| quote!(: #t));
        let v = v.unwrap_or_else(|| quote!(loop {}));
        self.emit(quote!(#(#attrs)* let #mutability #ident #ty = #v;));
    }

    fn rewrite_returns_local(&mut self, local: &Local) -> TokenStream {
        let mut l = local.clone();
        let mut rw = ReturnRewriter {
            label: self.body_label.clone(),
        };
        syn::visit_mut::VisitMut::visit_local_mut(&mut rw, &mut l);
        l.to_token_stream()
    }

    fn check_macro(&mut self, mac: &syn::Macro) {
        let name = macro_name(mac);
        if name == "asm" || name == "global_asm" || name == "naked_asm" {
            self.error(
                mac.path.span(),
                "inline assembly is not supported in differentiable functions",
            );
        } else if !is_reading_macro(&name) && self.tokens_mention_active(&mac.tokens) {
            self.error(
                mac.path.span(),
                format!(
                    "cannot differentiate through macro `{name}!`: its expansion is not visible to `#[differentiable]`\n\
                     help: write the computation as ordinary code, or in a function with its own `_vjp`\n\
                     note: printing and assertion macros (`println!`, `assert!`, `dbg!`, ..) may read differentiable values"
                ),
            );
        }
    }

    // ----- values --------------------------------------------------------------------------------

    /// Lowers an expression whose value flows to `dest` (a binding, the return slot, or nowhere)
    /// and returns the forward tokens for that value (`None` if it diverges).
    fn lower_value(&mut self, e: &Expr, dest: Option<usize>) -> Option<TokenStream> {
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
                self.error(
                    u.unsafe_token.span,
                    "`unsafe` blocks are not supported in differentiable functions\n\
                     help: move the unsafe code into a function with its own `_vjp`, or out of the differentiable function",
                );
                None
            }
            Expr::If(i) => Some(self.lower_if(i, dest)),
            Expr::Match(m) => Some(self.lower_match(m, dest)),
            Expr::While(w) => {
                self.flush();
                self.check_inactive_cond(&w.cond, "a `while` condition");
                let label = w.label.as_ref();
                self.loops.push(LoopCtx {
                    label: label.map(|l| l.name.ident.to_string()),
                    dest: None,
                    is_block: false,
                });
                self.push_scope();
                let cond = self.cond_tokens(&w.cond);
                let body = self.lower_block(&w.body, None);
                self.pop_scope();
                self.loops.pop();
                let attrs = &w.attrs;
                Some(quote!(#(#attrs)* #label while #cond #body))
            }
            Expr::ForLoop(f) => {
                self.flush();
                if self.is_active(&f.expr) {
                    self.error(
                        f.expr.span(),
                        "iterating over a differentiable value is not supported yet\n\
                         help: iterate over indices (`for i in 0..n`) and index inactive data, or use tensor operations",
                    );
                }
                let label = f.label.as_ref();
                self.loops.push(LoopCtx {
                    label: label.map(|l| l.name.ident.to_string()),
                    dest: None,
                    is_block: false,
                });
                let iter = self.rewrite_returns_expr(&f.expr);
                self.push_scope();
                self.bind_pattern_inactive(&f.pat);
                let body = self.lower_block(&f.body, None);
                self.pop_scope();
                self.loops.pop();
                let pat = &f.pat;
                let attrs = &f.attrs;
                Some(quote!(#(#attrs)* #label for #pat in #iter #body))
            }
            Expr::Loop(l) => {
                self.flush();
                let label = l.label.as_ref();
                self.loops.push(LoopCtx {
                    label: label.map(|l| l.name.ident.to_string()),
                    dest,
                    is_block: false,
                });
                let body = self.lower_block(&l.body, None);
                self.loops.pop();
                let attrs = &l.attrs;
                Some(quote!(#(#attrs)* #label loop #body))
            }
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
                None
            }
            Expr::Break(b) => {
                let ctx = self.find_loop(b.label.as_ref());
                let dest = ctx.and_then(|i| self.loops[i].dest);
                let v = match &b.expr {
                    Some(x) => match self.lower_value(x, dest) {
                        Some(v) => Some(v),
                        None => return None,
                    },
                    None => None,
                };
                self.flush();
                let label = &b.label;
                self.emit(quote_spanned!(b.break_token.span=> break #label #v;));
                None
            }
            Expr::Continue(c) => {
                self.flush();
                self.emit(c.to_token_stream().into_iter().chain(quote!(;)).collect());
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
                self.error(
                    t.question_token.span(),
                    "the `?` operator is not supported on differentiable values\n\
                     help: handle the error before the differentiable computation, or use `match`/`if let` on an inactive value",
                );
                None
            }
            _ => {
                if contains_jump(e) {
                    if self.is_active(e) {
                        self.error(
                            e.span(),
                            "not supported yet: a jump (`return`, `break`, `continue`, `?`) inside a differentiable expression\n\
                             help: compute the value in its own `let` statement first",
                        );
                    }
                    self.flush();
                    let e = self.rewrite_returns_expr(e);
                    return Some(e);
                }
                let op = self.lower_leaf(e);
                self.alias(dest, &op);
                Some(op.tokens)
            }
        }
    }

    fn rewrite_returns_expr(&self, e: &Expr) -> TokenStream {
        let mut e = e.clone();
        let mut rw = ReturnRewriter {
            label: self.body_label.clone(),
        };
        syn::visit_mut::VisitMut::visit_expr_mut(&mut rw, &mut e);
        e.to_token_stream()
    }

    /// The loop (or labelled block) a `break`/`continue` leaves: by label, else the innermost loop.
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

    fn check_inactive_cond(&mut self, cond: &Expr, what: &str) {
        let (e, is_let) = match cond {
            Expr::Let(l) => (&*l.expr, true),
            other => (other, false),
        };
        if is_let && self.is_active(e) {
            self.error(
                e.span(),
                format!(
                    "pattern matching on a differentiable value in {what} is not supported\n\
                     help: match on an inactive value (a flag, an index, `x.item() > 0.0`)"
                ),
            );
        }
    }

    fn cond_tokens(&mut self, cond: &Expr) -> TokenStream {
        if let Expr::Let(l) = cond {
            let e = self.rewrite_returns_expr(&l.expr);
            self.bind_pattern_inactive(&l.pat);
            let pat = &l.pat;
            quote!(let #pat = #e)
        } else {
            self.rewrite_returns_expr(cond)
        }
    }

    fn lower_if(&mut self, i: &syn::ExprIf, dest: Option<usize>) -> TokenStream {
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
        self.flush();
        if self.is_active(&m.expr) {
            self.error(
                m.expr.span(),
                "`match` on a differentiable value is not supported\n\
                 help: match on an inactive value (an enum flag, an index, `x.item() > 0.0`)",
            );
        }
        let scrut = self.rewrite_returns_expr(&m.expr);
        let mut arms = Vec::new();
        for arm in &m.arms {
            self.push_scope();
            self.bind_pattern_inactive(&arm.pat);
            let guard = arm.guard.as_ref().map(|(i, g)| {
                let g = self.rewrite_returns_expr(g);
                quote!(#i #g)
            });
            self.out.push(Vec::new());
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
                self.error(
                    left.span(),
                    "mutating a differentiable value in place is not supported (like PyTorch's \
                     \"a leaf Variable that requires grad is being used in an in-place operation\")\n\
                     help: build a new value instead, e.g. with tensor operations, and bind it with `let`",
                );
            }
            let l = self.rewrite_returns_expr(left);
            let r = self.rewrite_returns_expr(right);
            let op = op.map(|o| o.to_token_stream()).unwrap_or_else(|| quote!(=));
            self.emit(quote!(#l #op #r;));
            return;
        };
        let Some(id) = self.resolve(&target.to_string()) else {
            self.error(
                target.span(),
                format!(
                    "writes to globals are not supported in differentiable functions: `{target}` is not a local variable\n\
                     help: pass the value in as an argument and return the result"
                ),
            );
            return;
        };
        let active = self.is_active_binding(id);
        match op {
            None => {
                if !active && !self.is_active(right) && !is_structured(right) {
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
                        self.error(
                            op.span(),
                            format!(
                                "the operator `{}` is not differentiable",
                                op.to_token_stream()
                            ),
                        );
                        return;
                    }
                };
                let lhs = Operand {
                    tokens: target.to_token_stream(),
                    adj: active.then_some(id),
                };
                let rhs = self.lower_leaf(right);
                let res = self.binary_op(name, lhs, rhs, span);
                let t = res.tokens.clone();
                self.emit(quote!(#target = #t;));
                self.alias(Some(id), &res);
            }
        }
    }

    // ----- leaves: straight-line expressions, lowered to one VJP call per operation -------------

    fn lower_leaf(&mut self, e: &Expr) -> Operand {
        if !self.is_active(e) {
            self.check_inactive_leaf(e);
            return Operand {
                tokens: e.to_token_stream(),
                adj: None,
            };
        }
        match e {
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
                    self.error(
                        r.span(),
                        "`&mut` borrows of differentiable values are not supported: mutating a differentiable value in place is not supported\n\
                         help: build a new value instead",
                    );
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
                        self.error(
                            b.op.span(),
                            format!(
                                "expression is not differentiable: the operator `{}` has no derivative",
                                b.op.to_token_stream()
                            ),
                        );
                        return self.poisoned(e);
                    }
                };
                let l = self.lower_leaf(&b.left);
                let r = self.lower_leaf(&b.right);
                self.binary_op(name, l, r, b.op.span())
            }
            Expr::Unary(u) => match u.op {
                UnOp::Neg(_) => {
                    let x = self.lower_leaf(&u.expr);
                    let span = u.op.span();
                    let rt = rt();
                    self.emit_op(quote_spanned!(span=> #rt::neg), vec![x], span, false)
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
            },
            Expr::Cast(c) => {
                let x = self.lower_leaf(&c.expr);
                let f = match &*c.ty {
                    syn::Type::Path(p) if p.path.is_ident("f64") => "as_f64",
                    _ => "as_f32",
                };
                let f = Ident::new(f, c.ty.span());
                let rt = rt();
                self.emit_op(quote!(#rt::#f), vec![x], c.span(), false)
            }
            Expr::MethodCall(m) => self.lower_method(m),
            Expr::Call(c) => self.lower_call(c),
            Expr::Field(_) | Expr::Index(_) => {
                self.error(
                    e.span(),
                    "not supported yet: indexing or field access on a differentiable value\n\
                     help: use whole-tensor operations (`sum_axis`, `reshape`, `mm`, ..), or keep the data inactive",
                );
                self.poisoned(e)
            }
            Expr::Tuple(_) | Expr::Array(_) | Expr::Struct(_) => {
                self.error(
                    e.span(),
                    "not supported yet: a tuple, array or struct holding a differentiable value\n\
                     help: keep each differentiable value in its own variable",
                );
                self.poisoned(e)
            }
            Expr::Macro(m) => {
                self.check_macro(&m.mac);
                self.poisoned(e)
            }
            Expr::If(_) | Expr::Match(_) | Expr::Block(_) | Expr::Loop(_) => {
                self.error(
                    e.span(),
                    "not supported yet: control flow nested inside a differentiable expression\n\
                     help: compute this value in its own `let` statement, e.g. `let v = if .. { .. } else { .. };`",
                );
                self.poisoned(e)
            }
            Expr::Closure(_) => {
                self.check_inactive_leaf(e);
                self.poisoned(e)
            }
            Expr::Try(t) => {
                self.error(
                    t.question_token.span(),
                    "the `?` operator is not supported on differentiable values\n\
                     help: handle the error before the differentiable computation",
                );
                self.poisoned(e)
            }
            _ => {
                self.error(
                    e.span(),
                    "not supported yet: this expression cannot be differentiated by `#[differentiable]`",
                );
                self.poisoned(e)
            }
        }
    }

    /// After an error: keep the tokens so rustc reports nothing more confusing.
    fn poisoned(&mut self, e: &Expr) -> Operand {
        Operand {
            tokens: e.to_token_stream(),
            adj: None,
        }
    }

    /// Inactive leaves are copied verbatim, but some of them still hide things we must reject.
    fn check_inactive_leaf(&mut self, e: &Expr) {
        let mut v = LeafChecker {
            lw: self,
            errors: Vec::new(),
        };
        v.visit_expr(e);
        let errs = v.errors;
        self.errors.extend(errs);
    }

    fn binary_op(&mut self, name: &str, l: Operand, r: Operand, span: Span) -> Operand {
        let suffix = match (l.adj.is_some(), r.adj.is_some()) {
            (true, true) => "lr",
            (true, false) => "l",
            (false, true) => "r",
            (false, false) => {
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
            }
        };
        let f = Ident::new(&format!("{name}_{suffix}"), span);
        let rt = rt();
        // The pullback returns gradients for the active operands only, in operand order.
        self.emit_op(quote!(#rt::#f), vec![l, r], span, false)
    }

    /// Emits `let (t, pb) = f(args..);` and records its reverse; every operand is an input whose
    /// adjoint receives a gradient if it is active.
    fn emit_op(
        &mut self,
        f: TokenStream,
        args: Vec<Operand>,
        span: Span,
        closure: bool,
    ) -> Operand {
        let toks: Vec<&TokenStream> = args.iter().map(|a| &a.tokens).collect();
        let inputs: Vec<Option<usize>> = args.iter().filter_map(|a| a.adj.map(Some)).collect();
        self.emit_call(quote!(#f(#(#toks),*)), &inputs, span, closure)
    }

    /// Emits `let (t, pb) = call;` for a VJP-form call, records its reverse, and returns `t`.
    fn emit_call(
        &mut self,
        call: TokenStream,
        inputs: &[Option<usize>],
        span: Span,
        closure: bool,
    ) -> Operand {
        let out = self.temp();
        let t = self.temp_ident(out);
        let pb = format_ident!("__ad_pb{}", out - TEMP_BASE);
        self.emit(quote_spanned!(span=> let (#t, #pb) = #call;));
        self.record_op(out, pb, inputs, closure.then_some(span));
        Operand {
            tokens: t.to_token_stream(),
            adj: Some(out),
        }
    }

    fn lower_method(&mut self, m: &syn::ExprMethodCall) -> Operand {
        let name = m.method.to_string();
        let kind = method_kind(&name);
        let span = m.method.span();
        match kind {
            None => {
                self.error(
                    span,
                    format!(
                        "expression is not differentiable: method `{name}` has no known derivative\n\
                         help: mark the function behind `{name}` `#[differentiable]`, write a `{name}_vjp` \
                         function with the generated signature and call it as a function, \
                         or wrap the call in `no_grad(|| ..)` if no gradient should flow through it"
                    ),
                );
                self.poisoned(&Expr::MethodCall(m.clone()))
            }
            Some(MethodKind::Inactive) => self.poisoned(&Expr::MethodCall(m.clone())),
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
            Some(MethodKind::Unary) => {
                for a in &m.args {
                    if self.is_active(a) {
                        self.error(
                            a.span(),
                            format!(
                                "the argument of `{name}` cannot be differentiated: only the receiver of `{name}` is differentiable\n\
                                 help: pass an inactive value (a constant, `x.item()`, or `x.detach()`)"
                            ),
                        );
                    }
                }
                let recv = self.lower_leaf(&m.receiver);
                let f = Ident::new(&format!("{name}_vjp"), span);
                let (r, args) = (&recv.tokens, &m.args);
                self.emit_call(quote!((#r).#f(#args)), &[recv.adj], span, false)
            }
            Some(MethodKind::Binary) => {
                if m.args.len() != 1 {
                    self.error(span, format!("`{name}` takes one argument"));
                    return self.poisoned(&Expr::MethodCall(m.clone()));
                }
                let recv = self.lower_leaf(&m.receiver);
                let arg = self.lower_leaf(&m.args[0]);
                let suffix = match (recv.adj.is_some(), arg.adj.is_some()) {
                    (true, true) => "lr",
                    (true, false) => "l",
                    _ => "r",
                };
                let f = Ident::new(&format!("{name}_vjp_{suffix}"), span);
                let (r, a) = (&recv.tokens, &arg.tokens);
                let inputs: Vec<Option<usize>> = [recv.adj, arg.adj]
                    .into_iter()
                    .flatten()
                    .map(Some)
                    .collect();
                self.emit_call(quote!((#r).#f(#a)), &inputs, span, false)
            }
        }
    }

    fn lower_call(&mut self, c: &syn::ExprCall) -> Operand {
        let Expr::Path(fp) = strip_parens(&c.func) else {
            self.error(
                c.func.span(),
                "expression is not differentiable: only calls of named functions can be differentiated\n\
                 help: call a function that is `#[differentiable]` or has a hand-written `_vjp`",
            );
            return self.poisoned(&Expr::Call(c.clone()));
        };
        if fp.path.segments.last().is_some_and(|s| {
            s.ident
                .to_string()
                .starts_with(|c: char| c.is_ascii_uppercase())
        }) {
            self.error(
                c.span(),
                "not supported yet: an enum variant or tuple struct holding a differentiable value\n\
                 help: keep each differentiable value in its own variable",
            );
            return self.poisoned(&Expr::Call(c.clone()));
        }
        let mut path = fp.path.clone();
        let single = path.segments.len() == 1;
        let last = path.segments.last_mut().expect("path segment");
        let name = last.ident.to_string();
        if name == self.fn_name && single {
            self.error(
                last.ident.span(),
                format!(
                    "recursive differentiable functions are not supported: `{name}` calls itself\n\
                     help: rewrite the recursion as a loop"
                ),
            );
            return self.poisoned(&Expr::Call(c.clone()));
        }
        last.ident = Ident::new(&format!("{name}_vjp"), last.ident.span());
        let args: Vec<Operand> = c.args.iter().map(|a| self.lower_leaf(a)).collect();
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
        self.emit_op(f, args, c.span(), true)
    }
}

/// Rejects what may not hide inside verbatim code: closures capturing active values, `unsafe`,
/// `asm!`, `&mut` of active values.
struct LeafChecker<'l, 'a> {
    lw: &'l Lowerer<'a>,
    errors: Vec<syn::Error>,
}

impl<'ast> Visit<'ast> for LeafChecker<'_, '_> {
    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        if self.lw.tokens_mention_active(&c.body.to_token_stream()) {
            let params: HashSet<String> = c
                .inputs
                .iter()
                .flat_map(pat_idents)
                .map(|i| i.to_string())
                .collect();
            let mut prev_dot = false;
            let mut hit = None;
            scan_idents(&c.body.to_token_stream(), &mut prev_dot, &mut |id| {
                if hit.is_none() && !params.contains(&id.to_string()) {
                    if let Some(b) = self.lw.resolve(&id.to_string()) {
                        if self.lw.is_active_binding(b) {
                            hit = Some(id.clone());
                        }
                    }
                }
            });
            if let Some(id) = hit {
                self.errors.push(syn::Error::new(
                    c.span(),
                    format!(
                        "closures capturing differentiable values are not supported: this closure captures `{id}`\n\
                         help: write the computation inline or as a `#[differentiable]` function; \
                         `no_grad(|| ..)` may capture values whose gradient is not needed"
                    ),
                ));
            }
        }
    }
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if is_no_grad(&c.func) {
            return;
        }
        syn::visit::visit_expr_call(self, c);
    }
    fn visit_expr_unsafe(&mut self, u: &'ast syn::ExprUnsafe) {
        self.errors.push(syn::Error::new(
            u.unsafe_token.span,
            "`unsafe` blocks are not supported in differentiable functions",
        ));
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let name = macro_name(m);
        if name == "asm" {
            self.errors.push(syn::Error::new(
                m.path.span(),
                "inline assembly is not supported in differentiable functions",
            ));
        }
    }
    fn visit_expr_reference(&mut self, r: &'ast syn::ExprReference) {
        if r.mutability.is_some() && self.lw.tokens_mention_active(&r.expr.to_token_stream()) {
            self.errors.push(syn::Error::new(
                r.span(),
                "`&mut` borrows of differentiable values are not supported: mutating a differentiable value in place is not supported\n\
                 help: build a new value instead",
            ));
        }
        syn::visit::visit_expr_reference(self, r);
    }
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        // `x.push(..)`, `x.fill(..)`: in-place mutation methods on active receivers
        let name = m.method.to_string();
        if method_kind(&name).is_none()
            && (name.ends_with("_mut") || name.ends_with("_assign") || name.ends_with('_'))
            && self.lw.tokens_mention_active(&m.receiver.to_token_stream())
        {
            self.errors.push(syn::Error::new(
                m.method.span(),
                format!(
                    "mutating a differentiable value in place is not supported (`{name}`)\n\
                     help: build a new value instead"
                ),
            ));
        }
        syn::visit::visit_expr_method_call(self, m);
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

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

/// Rewrites `return e` (outside closures and nested items) into a break out of the body block.
struct ReturnRewriter {
    label: syn::Lifetime,
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
    struct J(bool);
    impl<'ast> Visit<'ast> for J {
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
    let mut j = J(false);
    j.visit_expr(e);
    j.0
}

fn is_compound(op: &BinOp) -> bool {
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

fn is_structured(e: &Expr) -> bool {
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

fn strip_parens(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip_parens(&p.expr),
        Expr::Group(g) => strip_parens(&g.expr),
        other => other,
    }
}

fn is_no_grad(f: &Expr) -> bool {
    matches!(strip_parens(f), Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "no_grad"))
}

fn is_float_type(ty: &syn::Type) -> bool {
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
fn simple_pat(p: &Pat) -> Option<(Ident, Option<&syn::Type>, Option<syn::Token![mut]>)> {
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
