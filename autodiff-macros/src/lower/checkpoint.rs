//! `#[checkpoint(every = K)]` on a loop: the forward sweep runs the loop as written, with no
//! records, and stores the loop's state every `K` iterations; the pullback takes the blocks of
//! `K` iterations from the last to the first, restores the block's state, runs the block again
//! with recording (the body lowered as any loop body is) and reverses it at once. Memory is
//! `O(T/K)` stored states plus one block's records instead of `O(T)` records.
//!
//! What the body reads from outside the loop is found in the lowered body's identifiers:
//! bindings that are `mut` are the loop's *state* (stored at every block start), the others are
//! stored once before the loop; names the body binds itself before reading them are not inputs,
//! and a non-`mut` binding the body assigns (declared without a value) is declared again for the
//! replay (`checkpoint_inputs.rs`). A `while` condition that may change the state (`while { i
//! += 1; i < n }`, `while rng.next() < p`) runs after the state is stored and again in the
//! replay. Stored values are owned clones (`vjp::Stored`), a reference is stored as a clone of
//! what it points to and lent out again (`vjp::StoredRef`), because the pullback outlives the
//! forward sweep's borrows.

use super::checkpoint_inputs::{may_mutate, BodyNames, Inputs};
use super::{LoopCtx, Lowerer};
use crate::diagnostics as diag;
use crate::names;
use crate::syntax::strip_parens;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Attribute, Expr, Ident};

/// What the pullback needs to run a checkpointed loop's blocks again: the ids of the body's
/// segments (replayed inside each block, not by the function's own trace) and the code that
/// restores a block's state and runs it. That code reads the stored values from `ck_env()` and
/// `ck_state()` and the block length from `ck_len()`.
pub struct CheckpointReplay {
    pub segments: std::ops::Range<usize>,
    pub rerun: TokenStream,
}

pub fn ck_env() -> Ident {
    format_ident!("__ad_ck_env")
}
pub fn ck_state() -> Ident {
    format_ident!("__ad_ck_state")
}
pub fn ck_len() -> Ident {
    format_ident!("__ad_ck_len")
}

/// The `#[checkpoint(..)]` attribute of a loop, if it has one.
pub fn checkpoint_attr(attrs: &[Attribute]) -> Option<&Attribute> {
    attrs.iter().find(|a| a.path().is_ident("checkpoint"))
}

/// The `K` of `#[checkpoint(every = K)]`.
fn parse_every(attr: &Attribute) -> syn::Result<Expr> {
    if let syn::Meta::Path(path) = &attr.meta {
        return Err(diag::checkpoint_needs_every(path.span()));
    }
    let mut every = None;
    attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("every") {
            every = Some(meta.value()?.parse::<Expr>()?);
            Ok(())
        } else {
            Err(meta
                .error("unknown `#[checkpoint]` option\nhelp: write `#[checkpoint(every = K)]`"))
        }
    })?;
    every.ok_or_else(|| diag::checkpoint_needs_every(attr.span()))
}

/// Drops `#[checkpoint]` attributes (which only `#[differentiable]` understands) from loops.
/// In the user's own function (`keep_every`) the loop becomes `{ let _ = &(K); LOOP }`, so that
/// a parameter used only as the block length does not count as unused.
struct StripCheckpoints {
    keep_every: bool,
}

impl syn::visit_mut::VisitMut for StripCheckpoints {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        let attrs = match e {
            Expr::While(w) => &mut w.attrs,
            Expr::ForLoop(f) => &mut f.attrs,
            Expr::Loop(l) => &mut l.attrs,
            _ => return,
        };
        let Some(pos) = attrs.iter().position(|a| a.path().is_ident("checkpoint")) else {
            return;
        };
        let attr = attrs.remove(pos);
        attrs.retain(|a| !a.path().is_ident("checkpoint"));
        if let (true, Ok(every)) = (self.keep_every, parse_every(&attr)) {
            *e = syn::parse_quote!({ let _ = &(#every); #e });
        }
    }
}

/// The function as the user wrote it, minus the `#[checkpoint]` attributes.
pub fn strip_checkpoint_attrs(f: &syn::ItemFn) -> syn::ItemFn {
    let mut f = f.clone();
    syn::visit_mut::VisitMut::visit_item_fn_mut(&mut StripCheckpoints { keep_every: true }, &mut f);
    f
}

/// The parts of a loop the checkpointed form rebuilds.
struct LoopParts<'e> {
    label: Option<&'e syn::Label>,
    body: &'e syn::Block,
    kind: Kind<'e>,
}

enum Kind<'e> {
    While(&'e Expr),
    For(&'e syn::Pat, &'e Expr),
    Loop,
}

fn parts(e: &Expr) -> LoopParts<'_> {
    match e {
        Expr::While(w) => LoopParts {
            label: w.label.as_ref(),
            body: &w.body,
            kind: Kind::While(&w.cond),
        },
        Expr::ForLoop(f) => LoopParts {
            label: f.label.as_ref(),
            body: &f.body,
            kind: Kind::For(&f.pat, &f.expr),
        },
        Expr::Loop(l) => LoopParts {
            label: l.label.as_ref(),
            body: &l.body,
            kind: Kind::Loop,
        },
        _ => unreachable!("checkpointed loops are loops"),
    }
}

impl Lowerer {
    /// A loop marked `#[checkpoint(every = K)]` (see the module documentation).
    pub(super) fn lower_checkpointed_loop(&mut self, e: &Expr, attr: &Attribute) -> TokenStream {
        if let Some(lp) = crate::syntax::while_let_as_loop(e) {
            // `while let PAT = e { .. }` is `loop { match e { PAT => { .. } _ => break } }`
            return self.lower_checkpointed_loop(&lp, attr);
        }
        self.flush();
        let every = match parse_every(attr) {
            Ok(every) => every,
            Err(err) => {
                self.cx.push(err);
                return quote!(());
            }
        };
        let p = parts(e);
        self.check_checkpointed(&p);
        self.loops.push(LoopCtx {
            label: p.label.map(|l| l.name.ident.to_string()),
            dest: None,
            is_block: false,
        });
        let first = self.segments.len();
        self.push_scope();
        if let Kind::For(pat, iter) = p.kind {
            let raw = self.raw_read(iter);
            self.bind_pattern_from(pat, raw);
        }
        let body = self.lower_block(p.body, None);
        self.pop_scope();
        self.loops.pop();
        let segments = first..self.segments.len();
        let plain = self.plain_loop(&p);
        if segments.is_empty() {
            // nothing in the loop is differentiated: it runs as written
            return plain;
        }
        // a `while` condition that may change the state runs again in each replayed block
        let rerun_cond = match p.kind {
            Kind::While(cond) if may_mutate(cond, &self.mut_names) => Some(cond),
            _ => None,
        };
        let cond = rerun_cond.map(ToTokens::to_token_stream);
        let own = match p.kind {
            Kind::While(cond) => BodyNames::of(Some(cond), None, p.body),
            Kind::For(pat, _) => BodyNames::of(None, Some(pat), p.body),
            Kind::Loop => BodyNames::of(None, None, p.body),
        };
        let mut inputs = self.loop_inputs(&quote!(#cond #body), &own);
        inputs.rerun_cond = rerun_cond.is_some();
        self.checkpointed_forward(&p, &every, &inputs, segments, body)
    }

    /// Refuses what a block that runs again cannot do: leave the loop other than by its end or
    /// a `break` without value, a `for` over anything but a range, nesting.
    fn check_checkpointed(&mut self, p: &LoopParts) {
        let own = p.label.map(|l| l.name.ident.to_string());
        let mut jumps = Jumps {
            own,
            inner_labels: Vec::new(),
            depth: 0,
            found: None,
        };
        jumps.visit_block(p.body);
        if let Some((span, what)) = jumps.found {
            self.cx.push(diag::checkpoint_jump(span, what));
        }
        match p.kind {
            Kind::While(cond) => self.check_inactive_cond(cond, "a `while` condition"),
            Kind::For(_, iter) => {
                if !is_range_iter(iter) || self.is_active(iter) {
                    self.cx.push(diag::checkpoint_for_range(iter.span()));
                }
            }
            Kind::Loop => {}
        }
    }

    /// The loop as written, for a loop with nothing to record (the attribute dropped).
    fn plain_loop(&self, p: &LoopParts) -> TokenStream {
        let (label, body) = (p.label, self.plain_body(p.body));
        match p.kind {
            Kind::While(cond) => quote!(#label while #cond #body),
            Kind::For(pat, iter) => quote!(#label for #pat in #iter #body),
            Kind::Loop => quote!(#label loop #body),
        }
    }

    fn plain_body(&self, body: &syn::Block) -> TokenStream {
        let mut body = body.clone();
        syn::visit_mut::VisitMut::visit_block_mut(
            &mut StripCheckpoints { keep_every: false },
            &mut body,
        );
        body.to_token_stream()
    }

    /// The bindings from outside the loop that the lowered body mentions (see [`Inputs`]).
    /// Refuses those that cannot be stored (`self`, bindings to parts of arguments).
    /// A name the loop binds itself and never reads before (`own`) is not an input, even when
    /// a binding of the same name outside has been moved by then.
    fn loop_inputs(&mut self, body: &TokenStream, own: &BodyNames) -> Inputs {
        let reads_closure = own.free.iter().any(|n| {
            self.resolve(n)
                .is_some_and(|b| self.closures.contains_key(&b))
        });
        let own = BodyNames {
            reads_closure,
            ..own.clone()
        };
        let (mut env, mut state, mut deferred) = (Vec::new(), Vec::new(), Vec::new());
        let mut seen = std::collections::HashSet::new();
        let mut refused: Vec<(String, Span)> = Vec::new();
        crate::activity::scan_free_idents(body, &mut |id| {
            let name = id.to_string();
            if !seen.insert(name.clone()) {
                return;
            }
            let Some(b) = self.resolve(&name) else { return };
            if own.bound.contains(&name) && !own.free.contains(&name) && !own.reads_closure {
                return; // the body's own binding (a local closure's captures are kept)
            }
            if self.closures.contains_key(&b) {
                return; // inlined where it is called: its captures are mentioned themselves
            }
            if name == "self" || self.aliases.contains_key(&b) {
                refused.push((name, id.span()));
            } else if self.mut_names.contains(&name) {
                state.push(id.clone());
            } else if own.assigned.contains(&name) {
                // not `mut` yet assigned in the loop: declared without a value before it
                deferred.push(id.clone());
            } else {
                env.push(id.clone());
            }
        });
        for (name, at) in refused {
            self.cx.push(diag::checkpoint_capture(at, &name));
        }
        Inputs {
            env,
            state,
            deferred,
            rerun_cond: false,
        }
    }

    /// The forward code of a checkpointed loop with its record, and the segment that replays it.
    fn checkpointed_forward(
        &mut self,
        p: &LoopParts,
        every: &Expr,
        inputs: &Inputs,
        segments: std::ops::Range<usize>,
        lowered_body: TokenStream,
    ) -> TokenStream {
        let rt = names::rt();
        let n = self.fresh();
        let [k, e, s, count, it, rec] = ["every", "env", "states", "count", "iter", "record"]
            .map(|what| format_ident!("__ad_ck{}_{}", n, what));
        let store = |x: &Ident| quote!((&#rt::StoreProbe(&#x)).store());
        let env_stored = inputs.env.iter().map(store);
        let mut stored: Vec<TokenStream> = inputs.state.iter().map(store).collect();
        let (label, body) = (p.label, self.plain_body(p.body));
        let (head, next) = match p.kind {
            // the state is stored before the condition runs: the replay runs it again
            Kind::While(cond) if inputs.rerun_cond => {
                (quote!(loop), quote!(if !(#cond) { break; }))
            }
            Kind::While(cond) => (quote!(while #cond), TokenStream::new()),
            Kind::Loop => (quote!(loop), TokenStream::new()),
            Kind::For(pat, _) => {
                stored.push(store(&it));
                (
                    quote!(loop),
                    quote! {
                        let #pat = match ::core::iter::Iterator::next(&mut #it) {
                            ::core::option::Option::Some(__ad_item) => __ad_item,
                            ::core::option::Option::None => break,
                        };
                    },
                )
            }
        };
        let iter_init = match p.kind {
            Kind::For(_, iter) => {
                quote!(let mut #it = ::core::iter::IntoIterator::into_iter(#iter);)
            }
            _ => TokenStream::new(),
        };
        let every = quote_spanned!(every.span()=> #rt::checkpoint_every(#every));
        let record_push = self.checkpoint_segment(rec.clone(), p, inputs, segments, lowered_body);
        quote! {{
            let #k = #every;
            let #e = (#(#env_stored,)*);
            let mut #s = ::std::vec::Vec::new();
            let mut #count: usize = 0;
            #iter_init
            #label #head {
                if #count % #k == 0 {
                    #s.push((#(#stored,)*));
                }
                #next
                #count += 1;
                #body
            }
            let #rec = (#e, #k, #s, #count);
            #record_push
        }}
    }

    /// Registers the segment that replays the loop; returns the forward code that records it.
    fn checkpoint_segment(
        &mut self,
        rec: Ident,
        p: &LoopParts,
        inputs: &Inputs,
        segments: std::ops::Range<usize>,
        lowered_body: TokenStream,
    ) -> TokenStream {
        let (ck_env, ck_state, len) = (ck_env(), ck_state(), ck_len());
        let (env, state, deferred) = (&inputs.env, &inputs.state, &inputs.deferred);
        let env_idx = (0..env.len()).map(syn::Index::from);
        let state_idx = (0..state.len()).map(syn::Index::from);
        let it = format_ident!("__ad_ck_iter");
        let (restore_iter, next) = match p.kind {
            Kind::For(pat, _) => {
                let i = syn::Index::from(state.len());
                (
                    quote!(let mut #it = #ck_state.#i.get();),
                    quote! {
                        let #pat = match ::core::iter::Iterator::next(&mut #it) {
                            ::core::option::Option::Some(__ad_item) => __ad_item,
                            ::core::option::Option::None => ::core::unreachable!(),
                        };
                    },
                )
            }
            Kind::While(cond) if inputs.rerun_cond => (
                TokenStream::new(),
                quote! {
                    ::core::assert!(
                        #cond,
                        "#[checkpoint]: the `while` condition changed when a block of the loop ran again"
                    );
                },
            ),
            Kind::While(_) | Kind::Loop => (TokenStream::new(), TokenStream::new()),
        };
        let label = p.label;
        let rerun = quote! {{
            #(let #env = #ck_env.#env_idx.get();)*
            #(let mut #state = #ck_state.#state_idx.get();)*
            #(let mut #deferred;)*
            #restore_iter
            #label for _ in 0..#len {
                #next
                #lowered_body
            }
        }};
        self.record_checkpoint(rec, CheckpointReplay { segments, rerun })
    }
}

/// `a..b`, `a..=b`, `(a..b).rev()`, `(0..n).step_by(2)`: an iterator whose position can be
/// stored (a range is `Clone` and borrows nothing).
fn is_range_iter(e: &Expr) -> bool {
    match strip_parens(e) {
        Expr::Range(_) => true,
        Expr::MethodCall(m) => is_range_iter(&m.receiver),
        _ => false,
    }
}

/// Finds a jump that leaves a checkpointed loop other than `break;`/`continue;` of the loop
/// itself or of loops inside it, a `break` with a value out of it, or a nested checkpoint.
struct Jumps {
    own: Option<String>,
    inner_labels: Vec<String>,
    depth: usize,
    found: Option<(Span, &'static str)>,
}

impl Jumps {
    fn set(&mut self, span: Span, what: &'static str) {
        self.found.get_or_insert((span, what));
    }
    fn leaves(&self, label: Option<&syn::Lifetime>) -> bool {
        match label {
            Some(l) => {
                let name = l.ident.to_string();
                self.own.as_deref() != Some(name.as_str()) && !self.inner_labels.contains(&name)
            }
            None => false,
        }
    }
    fn targets_own(&self, label: Option<&syn::Lifetime>) -> bool {
        match label {
            Some(l) => self.own.as_deref() == Some(l.ident.to_string().as_str()),
            None => self.depth == 0,
        }
    }
    fn nested_loop(&mut self, label: Option<&syn::Label>, attrs: &[Attribute], e: &Expr) {
        if let Some(a) = checkpoint_attr(attrs) {
            self.set(a.span(), "a nested `#[checkpoint]` loop");
        }
        if let Some(l) = label {
            self.inner_labels.push(l.name.ident.to_string());
        }
        self.depth += 1;
        syn::visit::visit_expr(self, e);
        self.depth -= 1;
    }
}

impl<'ast> Visit<'ast> for Jumps {
    fn visit_expr(&mut self, e: &'ast Expr) {
        match e {
            Expr::While(w) => self.nested_loop(w.label.as_ref(), &w.attrs, e),
            Expr::ForLoop(f) => self.nested_loop(f.label.as_ref(), &f.attrs, e),
            Expr::Loop(l) => self.nested_loop(l.label.as_ref(), &l.attrs, e),
            Expr::Block(b) if b.label.is_some() => {
                let l = b.label.as_ref().expect("label");
                self.inner_labels.push(l.name.ident.to_string());
                syn::visit::visit_expr(self, e);
            }
            Expr::Return(r) => self.set(r.return_token.span, "`return`"),
            Expr::Try(t) => self.set(t.question_token.span(), "the `?` operator"),
            Expr::Break(b) => {
                if self.leaves(b.label.as_ref()) {
                    self.set(b.break_token.span, "a `break` out of the loop");
                } else if b.expr.is_some() && self.targets_own(b.label.as_ref()) {
                    self.set(b.break_token.span, "a `break` with a value");
                }
                syn::visit::visit_expr(self, e);
            }
            Expr::Continue(c) if self.leaves(c.label.as_ref()) => {
                self.set(c.continue_token.span, "a `continue` of an outer loop")
            }
            Expr::Closure(_) | Expr::Async(_) => {}
            _ => syn::visit::visit_expr(self, e),
        }
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
