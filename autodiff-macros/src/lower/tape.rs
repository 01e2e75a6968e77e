//! Segments, records and operands: what the forward sweep saves and what the pullback replays.

use super::{Lowerer, TEMP_BASE};
use crate::names;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::Ident;

/// A maximal straight-line run of active operations: the pullbacks its execution records and
/// the reverse code that consumes them.
pub struct Segment {
    pub pbs: Vec<Ident>,
    pub rev: TokenStream,
    /// Inside a loop the segment may run many times (its records go in a `Vec`); outside, at
    /// most once per call (an `Option` is enough and allocates nothing).
    pub in_loop: bool,
}

/// An operand of an operation: how the forward code names it, and whose adjoint receives its
/// gradient (`None` for constants and other inactive values).
pub(super) struct Operand {
    pub tokens: TokenStream,
    pub adj: Option<usize>,
}

impl Lowerer {
    /// Ends the current segment: its pullbacks are pushed as one record and its id onto the
    /// trace, so the pullback can replay it.
    pub(super) fn flush(&mut self) {
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
        let rec = names::record(k);
        if !pbs.is_empty() {
            if in_loop {
                self.emit(quote!(#rec.push((#(#pbs,)*));));
            } else {
                self.emit(quote!(#rec = ::core::option::Option::Some((#(#pbs,)*));));
            }
        }
        let kk = proc_macro2::Literal::usize_unsuffixed(k);
        let trace = names::trace();
        self.emit(quote!(#trace.push(#kk);));
        self.segments.push(Segment { pbs, rev, in_loop });
    }

    /// Reverse code that moves the adjoint of `dest` into `src` (a move, a copy, a block's value).
    pub(super) fn alias(&mut self, dest: Option<usize>, src: &Operand) {
        let Some(dest) = dest else { return };
        if src.adj.is_some() {
            self.assigned_active.insert(dest);
        }
        if !self.is_active_binding(dest) {
            return;
        }
        let d = self.adj_ident(dest);
        let rt = names::rt();
        let g = names::local::grad();
        match src.adj {
            Some(s) if self.is_active_binding(s) => {
                let s = self.adj_ident(s);
                self.cur_rev.push(quote! {
                    if let ::core::option::Option::Some(#g) = ::core::option::Option::take(&mut #d) {
                        #rt::acc(&mut #s, #g);
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
        let rt = names::rt();
        let (g, gs) = (names::local::grad(), names::local::grads());
        let call = match call_span {
            // A user function's pullback: check its gradients against this call's arguments.
            Some(span) => {
                let n = proc_macro2::Literal::usize_unsuffixed(inputs.len());
                quote_spanned!(span=> #rt::CallGrads::<#n>::split((#pb)(#g)))
            }
            None => quote!(#rt::Pullback::pull(#pb, #g)),
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
                Some(a) => quote!(#rt::acc(&mut #a, #gs);),
                None => quote!(let _ = #gs;),
            }
        } else {
            let parts: Vec<Ident> = (0..live.len()).map(names::local::grad_part).collect();
            let accs = live.iter().zip(&parts).map(|(a, n)| match a {
                Some(a) => quote!(#rt::acc(&mut #a, #n);),
                None => quote!(let _ = #n;),
            });
            let span = call_span.unwrap_or_else(Span::call_site);
            let destructure = quote_spanned!(span=> let (#(#parts),*) = #gs;);
            quote!(#destructure #(#accs)*)
        };
        self.cur_rev.push(quote! {
            if let ::core::option::Option::Some(#g) = ::core::option::Option::take(&mut #d) {
                let #gs = #call;
                #distribute
            }
        });
        self.cur_pbs.push(pb);
    }

    /// Emits `let (t, pb) = f(args..);` and records its reverse; every operand is an input whose
    /// adjoint receives a gradient if it is active.
    pub(super) fn emit_op(
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
    pub(super) fn emit_call(
        &mut self,
        call: TokenStream,
        inputs: &[Option<usize>],
        span: Span,
        closure: bool,
    ) -> Operand {
        let out = self.temp();
        let t = self.temp_ident(out);
        let pb = names::temp_pullback(out - TEMP_BASE);
        self.emit(quote_spanned!(span=> let (#t, #pb) = #call;));
        self.record_op(out, pb, inputs, closure.then_some(span));
        Operand {
            tokens: t.to_token_stream(),
            adj: Some(out),
        }
    }
}
