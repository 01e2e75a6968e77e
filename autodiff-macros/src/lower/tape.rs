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
    /// A `#[checkpoint]` loop: the segment's record is the loop's stored state, and replaying
    /// it runs the loop's blocks again (`checkpoint.rs`).
    pub checkpoint: Option<super::checkpoint::CheckpointReplay>,
}

/// The ids of the segments inside the checkpointed loops among `segments` (ids of the whole
/// function, whatever slice is passed): their records are declared and replayed by their loop's segment, not by the
/// function's own trace.
pub fn checkpointed_segments(segments: &[Segment]) -> Vec<usize> {
    segments
        .iter()
        .filter_map(|s| s.checkpoint.as_ref())
        .flat_map(|c| c.segments.clone())
        .collect()
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
        self.segments.push(Segment {
            pbs,
            rev,
            in_loop,
            checkpoint: None,
        });
    }

    /// Registers the segment of a `#[checkpoint]` loop, whose one record `rec` is what the
    /// forward sweep stored; returns the forward code that records it.
    pub(super) fn record_checkpoint(
        &mut self,
        rec: Ident,
        replay: super::checkpoint::CheckpointReplay,
    ) -> TokenStream {
        let k = self.segments.len();
        let in_loop = self.loops.iter().any(|c| !c.is_block);
        let record = names::record(k);
        let push = if in_loop {
            quote!(#record.push((#rec,));)
        } else {
            quote!(#record = ::core::option::Option::Some((#rec,));)
        };
        let kk = proc_macro2::Literal::usize_unsuffixed(k);
        let trace = names::trace();
        self.segments.push(Segment {
            pbs: vec![rec],
            rev: TokenStream::new(),
            in_loop,
            checkpoint: Some(replay),
        });
        quote!(#push #trace.push(#kk);)
    }

    /// Reverse code that moves the adjoint of `dest` into `src` (a move, a copy, a block's value).
    pub(super) fn alias(&mut self, dest: Option<usize>, src: &Operand) {
        let Some(dest) = dest else { return };
        if let Some(s) = src.adj {
            self.assigned_active.insert(dest);
            self.note_write(dest, s);
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

    /// Records an operation whose pullback is a runtime struct (`pull`) or a user closure
    /// (`call`: the call's span and which of its arguments are active).
    fn record_op(
        &mut self,
        out: usize,
        pb: Ident,
        inputs: &[Option<usize>],
        call: Option<(Span, &[bool])>,
    ) {
        let d = self.adj_ident(out);
        let rt = names::rt();
        let (g, gs) = (names::local::grad(), names::local::grads());
        let call_span = call.map(|(span, _)| span);
        // which parameters each input and the whole step lead to (`call_activity.rs`)
        let step_test = {
            let mask = self.op_reach(out, inputs);
            self.want_test(mask)
        };
        let live: Vec<Option<(Ident, Option<TokenStream>)>> = inputs
            .iter()
            .map(|i| {
                let i = i.filter(|&i| self.is_active_binding(i))?;
                let test = self.want_test(self.reach_of(i));
                Some((self.adj_ident(i), test))
            })
            .collect();
        let accumulate = |a: &Option<(Ident, Option<TokenStream>)>, v: &Ident| match a {
            Some((a, None)) => quote!(#rt::acc(&mut #a, #v);),
            Some((a, Some(test))) => quote!(if #test { #rt::acc(&mut #a, #v); }),
            None => quote!(let _ = #v;),
        };
        let call = match (call, &live[..]) {
            // A user function's pullback: check its gradients against this call's arguments.
            (Some((span, active)), _) => {
                let n = proc_macro2::Literal::usize_unsuffixed(inputs.len());
                let grads = pick_active_grads(quote_spanned!(span=> (#pb)(#g)), &pb, active);
                quote_spanned!(span=> #rt::CallGrads::<#n>::split(#grads))
            }
            // a two-input form asked for the sides this call needs
            (None, [Some((_, ta)), Some((_, tb))]) if ta.is_some() || tb.is_some() => {
                let t = quote!(true);
                let (ta, tb) = (ta.as_ref().unwrap_or(&t), tb.as_ref().unwrap_or(&t));
                quote!(#rt::Pullback::pull_part(#pb, #g, [#ta, #tb]))
            }
            (None, _) => quote!(#rt::Pullback::pull(#pb, #g)),
        };
        let distribute = if live.len() == 1 {
            accumulate(&live[0], &gs)
        } else {
            let parts: Vec<Ident> = (0..live.len()).map(names::local::grad_part).collect();
            let accs = live.iter().zip(&parts).map(|(a, n)| accumulate(a, n));
            let span = call_span.unwrap_or_else(Span::call_site);
            let destructure = quote_spanned!(span=> let (#(#parts),*) = #gs;);
            quote!(#destructure #(#accs)*)
        };
        let step = quote! {
            let #gs = #call;
            #distribute
        };
        let step = match step_test {
            Some(test) => quote!(if #test { #step }),
            None => step,
        };
        self.cur_rev.push(quote! {
            if let ::core::option::Option::Some(#g) = ::core::option::Option::take(&mut #d) {
                #step
            }
        });
        self.cur_pbs.push(pb);
    }

    /// Emits `let (t, pb) = f(args..);` and records its reverse; every operand is an input whose
    /// adjoint receives a gradient if it is active. `user`: `f` is a user function's `_vjp`.
    pub(super) fn emit_op(
        &mut self,
        f: TokenStream,
        args: Vec<Operand>,
        span: Span,
        user: bool,
    ) -> Operand {
        let inputs: Vec<Option<usize>> = args.iter().filter_map(|a| a.adj.map(Some)).collect();
        if !user {
            let toks = args.iter().map(|a| &a.tokens);
            return self.emit_call(quote_spanned!(span=> #f(#(#toks),*)), &inputs, span, false);
        }
        let active: Vec<bool> = args.iter().map(|a| a.adj.is_some()).collect();
        let call = self.user_fn_call(&f, &args, span);
        self.emit_user_call(call, &inputs, span, &active)
    }

    /// `f(args..)` for a user function's `_vjp` `f`, requesting its arguments' activity
    /// (`call_activity.rs`): the request names `f`'s function item, bound first.
    pub(super) fn user_fn_call(
        &mut self,
        f: &TokenStream,
        args: &[Operand],
        span: Span,
    ) -> TokenStream {
        let (rt, callee) = (names::rt(), names::local::callee());
        let all: Vec<&Operand> = args.iter().collect();
        // at the call: naming the function item again checks its bounds, and a stand-in's
        // failing bound (`forward_hvp.rs`) is then reported once, at the call
        // (from the first token of `f` to its last: what rustc's span of `f` is)
        let mut ends = f.clone().into_iter().map(|t| t.span());
        let first = ends.next().unwrap_or(span);
        let last = ends.last().unwrap_or(first);
        let path = respan(quote!(#rt::Callee::), first);
        let request = respan(quote!(function(&#callee)), last);
        let request = quote!(#path #request);
        let toks = self.call_arg_tokens(request, &all);
        if self.requested {
            quote_spanned!(span=> { let #callee = #f; #callee(#(#toks),*) })
        } else {
            quote_spanned!(span=> #f(#(#toks),*))
        }
    }

    /// The tokens of a user call's arguments (the receiver first), the last one carrying the
    /// request of which are active (`call_activity.rs`) for `callee` (a `vjp::Callee`).
    pub(super) fn call_arg_tokens(
        &mut self,
        callee: TokenStream,
        args: &[&Operand],
    ) -> Vec<TokenStream> {
        let mut toks: Vec<TokenStream> = args.iter().map(|a| a.tokens.clone()).collect();
        if let Some(last) = self.request_call_activity(&callee, args) {
            *toks.last_mut().expect("two arguments or more") = last;
            self.requested = true;
        }
        toks
    }

    /// Emits `let (t, pb) = call;` for a VJP-form call, records its reverse, and returns `t`.
    pub(super) fn emit_call(
        &mut self,
        call: TokenStream,
        inputs: &[Option<usize>],
        span: Span,
        closure: bool,
    ) -> Operand {
        let active = vec![true; inputs.len()];
        self.emit_call_inner(call, inputs, closure.then_some((span, &active[..])), span)
    }

    /// `emit_call` for a user function's `_vjp`, whose arguments are active as `active` says.
    pub(super) fn emit_user_call(
        &mut self,
        call: TokenStream,
        inputs: &[Option<usize>],
        span: Span,
        active: &[bool],
    ) -> Operand {
        self.calls_user = true;
        self.emit_call_inner(call, inputs, Some((span, active)), span)
    }

    fn emit_call_inner(
        &mut self,
        call: TokenStream,
        inputs: &[Option<usize>],
        user: Option<(Span, &[bool])>,
        span: Span,
    ) -> Operand {
        let out = self.temp();
        let t = self.temp_ident(out);
        let pb = names::temp_pullback(out - TEMP_BASE);
        self.emit(quote_spanned!(span=> let (#t, #pb) = #call;));
        if std::mem::take(&mut self.requested) {
            let rt = names::rt();
            self.emit(quote!(#rt::clear_call_activity();));
        }
        if let Some((span, active)) = user {
            self.emit(wrt_check(&pb, active, span));
        }
        self.record_op(out, pb, inputs, user);
        Operand {
            tokens: t.to_token_stream(),
            adj: Some(out),
        }
    }
}

/// The gradients a user function's pullback returns, narrowed to the arguments that are active
/// at this call, through autoref specialisation on the pullback and the gradients' types:
/// - a callee narrowed with `wrt(..)` (`Narrowed<_, WRT>`) returns one gradient per `WRT`
///   parameter: those of the active arguments are kept (`vjp::SelectGrads`; the call's check
///   has made sure they are among `WRT`);
/// - a callee differentiated in every argument returns one gradient per argument: the inactive
///   ones are dropped (picked by the tuple's arity);
/// - any other pullback (a hand-written `_vjp` for this pattern) passes through unchanged.
fn pick_active_grads(grads: TokenStream, pb: &Ident, active: &[bool]) -> TokenStream {
    let n = active.len();
    if active.iter().all(|&a| a) || n < 2 {
        return grads;
    }
    let tys: Vec<Ident> = (0..n).map(|i| quote::format_ident!("__T{}", i)).collect();
    let vals: Vec<Ident> = (0..n).map(|i| quote::format_ident!("__v{}", i)).collect();
    let keep: Vec<&Ident> = vals
        .iter()
        .zip(active)
        .filter_map(|(v, &a)| a.then_some(v))
        .collect();
    let keep_tys: Vec<&Ident> = tys
        .iter()
        .zip(active)
        .filter_map(|(t, &a)| a.then_some(t))
        .collect();
    let (out_ty, out_val) = if keep.len() == 1 {
        (quote!(#(#keep_tys)*), quote!(#(#keep)*))
    } else {
        (quote!((#(#keep_tys,)*)), quote!((#(#keep,)*)))
    };
    let rt = names::rt();
    let mask = names::position_mask(active.iter().copied());
    quote! {{
        struct __AdW<'__a, P, T>(&'__a P, ::core::cell::Cell<::core::option::Option<T>>);
        impl<P, T> __AdW<'_, P, T> {
            #[inline(always)]
            fn __ad_take(&self) -> T {
                self.1.take().expect("gradients taken once")
            }
        }
        trait __AdNarrowed { type Out; fn __ad_pick(self) -> Self::Out; }
        // the pullback as recorded, or borrowed from its record while replaying
        impl<F, T: #rt::SelectGrads<W, #mask>, const W: u64> __AdNarrowed
            for &&&__AdW<'_, #rt::Narrowed<F, W>, T>
        {
            type Out = T::Out;
            #[inline(always)]
            fn __ad_pick(self) -> T::Out {
                #rt::SelectGrads::<W, #mask>::select(self.__ad_take())
            }
        }
        impl<F, T: #rt::SelectGrads<W, #mask>, const W: u64> __AdNarrowed
            for &&&__AdW<'_, &#rt::Narrowed<F, W>, T>
        {
            type Out = T::Out;
            #[inline(always)]
            fn __ad_pick(self) -> T::Out {
                #rt::SelectGrads::<W, #mask>::select(self.__ad_take())
            }
        }
        trait __AdAll { type Out; fn __ad_pick(self) -> Self::Out; }
        impl<P, #(#tys),*> __AdAll for &&__AdW<'_, P, (#(#tys,)*)> {
            type Out = #out_ty;
            #[inline(always)]
            fn __ad_pick(self) -> #out_ty {
                let (#(#vals,)*) = self.__ad_take();
                #out_val
            }
        }
        trait __AdSame { type Out; fn __ad_pick(self) -> Self::Out; }
        impl<P, T> __AdSame for &__AdW<'_, P, T> {
            type Out = T;
            #[inline(always)]
            fn __ad_pick(self) -> T {
                self.__ad_take()
            }
        }
        let __ad_w = __AdW(&#pb, ::core::cell::Cell::new(::core::option::Option::Some(#grads)));
        (&&&__ad_w).__ad_pick()
    }}
}

/// The compile-time check that a call differentiates exactly the arguments its callee does,
/// when the callee is narrowed with `wrt(..)` (see `vjp::Narrowed`).
pub(super) fn wrt_check(pb: &Ident, active: &[bool], span: Span) -> TokenStream {
    let rt = names::rt();
    let mask = names::position_mask(active.iter().copied());
    quote_spanned! {span=>
        #rt::require_wrt_match((&&&#rt::CallProbe::<_, #mask>(&#pb)).__ad_wrt_check());
    }
}

/// `ts` with every token at `span`.
fn respan(ts: TokenStream, span: Span) -> TokenStream {
    ts.into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut inner = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                inner.set_span(span);
                tt = proc_macro2::TokenTree::Group(inner);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}
