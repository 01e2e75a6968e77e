//! Values built from several differentiable values, and taken apart again: tuples, arrays,
//! struct literals and `vec![..]` (whose pullback splits the aggregate's tangent over its
//! elements), destructuring `let` patterns (whose pullback reassembles it), `Vec::push` in a
//! loop, and `Tensor::cat` / `Tensor::stack` / `Tensor::where_cond` over such values.

use super::places::{part_of_adjoint, Proj};
use super::tape::Operand;
use super::Lowerer;
use crate::diagnostics as diag;
use crate::names;
use crate::syntax::strip_parens;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Member, Pat};

/// How an aggregate's tangent is split over its elements in the pullback.
enum Split {
    /// `Some(x)`: an `Option`, whose tangent is an `Option`.
    Some,
    Tuple,
    Array,
    Vec,
    Struct(Vec<Member>),
}

impl Lowerer {
    /// `(a, b)`, `[a, b]`, `vec![a, b]`, `Layer { w, b }` with active elements.
    pub(super) fn lower_aggregate(&mut self, e: &Expr) -> Operand {
        let (elems, split): (Vec<&Expr>, Split) = match e {
            Expr::Tuple(t) => (t.elems.iter().collect(), Split::Tuple),
            Expr::Array(a) => (a.elems.iter().collect(), Split::Array),
            Expr::Struct(s) => {
                if let Some(rest) = &s.rest {
                    if self.is_active(rest) {
                        self.cx.push(diag::aggregate_of_active(rest.span()));
                        return self.poisoned(e);
                    }
                }
                let members = s.fields.iter().map(|f| f.member.clone()).collect();
                (
                    s.fields.iter().map(|f| &f.expr).collect(),
                    Split::Struct(members),
                )
            }
            _ => {
                self.cx.push(diag::aggregate_of_active(e.span()));
                return self.poisoned(e);
            }
        };
        let ops: Vec<Operand> = elems.iter().map(|x| self.lower_leaf(x)).collect();
        let toks: Vec<&TokenStream> = ops.iter().map(|o| &o.tokens).collect();
        let value = match (e, &split) {
            (Expr::Struct(s), Split::Struct(members)) => {
                let (path, rest) = (&s.path, s.rest.as_ref().map(|r| quote!(.. #r)));
                let qself = s.qself.as_ref().map(|q| q.ty.to_token_stream());
                let path = match qself {
                    Some(q) => quote!(<#q>::#path),
                    None => path.to_token_stream(),
                };
                quote!(#path { #(#members: #toks,)* #rest })
            }
            (Expr::Array(_), _) => quote!([#(#toks),*]),
            _ => quote!((#(#toks,)*)),
        };
        self.build_aggregate(value, &ops, split, e.span())
    }

    /// `Some(x)` with an active `x`.
    pub(super) fn lower_some(&mut self, c: &syn::ExprCall) -> Operand {
        let x = self.lower_leaf(&c.args[0]);
        let t = &x.tokens;
        let value = quote!(::core::option::Option::Some(#t));
        self.build_aggregate(value, &[x], Split::Some, c.span())
    }

    /// `vec![a, b]` with active elements.
    pub(super) fn lower_vec_macro(&mut self, m: &syn::ExprMacro) -> Operand {
        let parsed = m
            .mac
            .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated);
        let Ok(elems) = parsed else {
            // `vec![x; n]`: n copies of one value
            self.cx.push(diag::aggregate_of_active(m.span()));
            return self.poisoned(&Expr::Macro(m.clone()));
        };
        let ops: Vec<Operand> = elems.iter().map(|x| self.lower_leaf(x)).collect();
        let toks = ops.iter().map(|o| &o.tokens);
        let value = quote!(::std::vec![#(#toks),*]);
        self.build_aggregate(value, &ops, Split::Vec, m.span())
    }

    fn build_aggregate(
        &mut self,
        value: TokenStream,
        ops: &[Operand],
        split: Split,
        span: proc_macro2::Span,
    ) -> Operand {
        let out = self.temp();
        let t = self.temp_ident(out);
        let anchor = names::place_zero(self.fresh());
        let rt = names::rt();
        self.emit(quote_spanned!(span=> let #t = #value;));
        self.emit(quote!(let #anchor = #rt::TangentOf::of(&#t);));
        self.mark_active(out);
        let parts: Vec<Ident> = (0..ops.len())
            .map(|i| format_ident!("__ad_p{}", i))
            .collect();
        let g = names::local::grad();
        let unpack = match &split {
            // a `None` cotangent is a zero: the element gets nothing
            Split::Some => TokenStream::new(),
            Split::Tuple => quote!(let (#(#parts,)*) = #g;),
            Split::Array => quote!(let [#(#parts),*] = #g;),
            Split::Vec => {
                let it = format_ident!("__ad_it");
                let takes = parts.iter().map(|p| {
                    quote!(let #p = ::core::iter::Iterator::next(&mut #it).expect("vec! tangent length");)
                });
                quote!(let mut #it = ::core::iter::IntoIterator::into_iter(#g); #(#takes)*)
            }
            Split::Struct(members) => {
                let takes = members
                    .iter()
                    .zip(ops)
                    .zip(&parts)
                    .filter(|((_, o), _)| o.adj.is_some())
                    .map(|((m, _), p)| quote_spanned!(m.span()=> let #p = #g.#m;));
                quote!(#(#takes)*)
            }
        };
        let accs = ops.iter().zip(&parts).filter_map(|(o, p)| {
            let a = o.adj.filter(|&a| self.is_active_binding(a))?;
            let a = self.adj_ident(a);
            Some(quote!(#rt::acc(&mut #a, #p);))
        });
        let d = self.adj_ident(out);
        let accs: Vec<TokenStream> = accs.collect();
        let body = match &split {
            Split::Some => {
                let p = &parts[0];
                quote!(if let ::core::option::Option::Some(#p) = #g { #(#accs)* })
            }
            _ => quote!(#unpack #(#accs)*),
        };
        self.cur_rev.push(quote! {
            if let ::core::option::Option::Some(#g) = (*#anchor).take(&mut #d) {
                #body
            }
        });
        self.cur_pbs.push(anchor);
        Operand {
            tokens: t.to_token_stream(),
            adj: Some(out),
        }
    }

    /// `let (a, b) = v;`, `let Layer { w, b } = v;`, `let [x, y] = v;` with `v` active: each
    /// variable is active, and the pullback puts their gradients back together (a zero of
    /// `v`'s shape for the parts that received none).
    pub(super) fn lower_destructure(&mut self, local: &syn::Local, init: &Expr) {
        self.lower_destructure_else(local, init, None);
    }

    /// The same with an `else` block (`let Some(y) = f(x) else { return .. };`): the block is
    /// lowered like any block, and the parts are reassembled only when the pattern matched.
    pub(super) fn lower_destructure_else(
        &mut self,
        local: &syn::Local,
        init: &Expr,
        els: Option<(&syn::Token![else], &Expr)>,
    ) {
        let mut parts = Vec::new();
        if !pattern_parts(&local.pat, Vec::new(), &mut parts) {
            self.cx.push(diag::destructure_active(local.pat.span()));
            return;
        }
        let v = self.lower_leaf(init);
        let (val, z) = (
            names::place_zero(self.fresh()),
            names::place_zero(self.fresh()),
        );
        let rt = names::rt();
        let t = &v.tokens;
        self.emit(quote!(let #val = #t;));
        self.emit(quote!(let #z = #rt::zero_tangent_of(&#val);));
        let pat = &local.pat;
        match els {
            Some((else_token, block)) => {
                let block = self.lower_else_block(block);
                self.emit(quote!(let #pat = #val #else_token #block;));
            }
            None => self.emit(quote!(let #pat = #val;)),
        }
        self.reassemble(&parts, &z, v.adj);
    }

    /// Binds the variables of a destructuring pattern as active, and pushes the reverse code
    /// that puts their gradients back together into the whole value's adjoint, starting from
    /// the recorded zero `z` of its shape.
    pub(super) fn reassemble(
        &mut self,
        parts: &[(Ident, Vec<Proj>)],
        z: &Ident,
        whole: Option<usize>,
    ) {
        let rt = names::rt();
        let slot = names::place_slot();
        let g = names::local::grad();
        let mut any = Vec::new();
        let mut fills = Vec::new();
        for (ident, projs) in parts {
            let b = self.bind(&ident.to_string());
            self.mark_active(b);
            if !self.is_active_binding(b) {
                continue;
            }
            let a = self.adj_ident(b);
            any.push(quote!(#a.is_some()));
            let dest = part_of_adjoint(quote!(#slot), projs, &mut std::iter::empty());
            fills.push(quote! {
                if let ::core::option::Option::Some(#g) = ::core::option::Option::take(&mut #a) {
                    #rt::acc_in(#dest, #g);
                }
            });
        }
        let whole = whole.filter(|&w| self.is_active_binding(w));
        if let (Some(w), false) = (whole, any.is_empty()) {
            let w = self.adj_ident(w);
            self.cur_rev.push(quote! {
                if #(#any)||* {
                    let mut #slot = ::core::clone::Clone::clone(#z);
                    #(#fills)*
                    #rt::acc(&mut #w, #slot);
                }
            });
        }
        self.cur_pbs.push(z.clone());
    }

    /// `outs.push(h)` on a local `Vec`: the `Vec` becomes active, and the pullback pops the
    /// gradient of the last element pushed.
    pub(super) fn lower_push(&mut self, m: &syn::ExprMethodCall, recv: usize) -> Operand {
        let v = self.lower_leaf(&m.args[0]);
        self.mark_active(recv);
        self.structured_locals.insert(recv);
        let (r, t) = (&m.receiver, &v.tokens);
        self.emit(quote_spanned!(m.method.span()=> #r.push(#t);));
        if self.is_active_binding(recv) {
            let rt = names::rt();
            let slot = self.adj_ident(recv);
            let rev = match v.adj.filter(|&a| self.is_active_binding(a)) {
                Some(a) => {
                    let a = self.adj_ident(a);
                    quote!(#rt::pop_into(&mut #slot, &mut #a);)
                }
                None => quote!(#rt::pop_discard(&mut #slot);),
            };
            self.cur_rev.push(rev);
        }
        Operand {
            tokens: quote!(()),
            adj: None,
        }
    }

    /// `Tensor::cat(&[&a, &b], dim)` / `Tensor::stack(..)` over an array literal: one
    /// gradient per listed tensor.
    pub(super) fn lower_join_literal(
        &mut self,
        c: &syn::ExprCall,
        fp: &syn::ExprPath,
        list: &syn::ExprArray,
    ) -> Operand {
        let ops: Vec<Operand> = list.elems.iter().map(|x| self.lower_leaf(x)).collect();
        let mut path = fp.path.clone();
        let last = path.segments.last_mut().expect("path segment");
        last.ident = names::vjp_form(&last.ident.to_string(), last.ident.span());
        let toks = ops.iter().map(|o| &o.tokens);
        let dim = &c.args[1];
        let out = self.temp();
        let t = self.temp_ident(out);
        let pb = names::temp_pullback(out - super::TEMP_BASE);
        self.emit(quote_spanned!(c.span()=> let (#t, #pb) = #path(&[#(#toks),*], #dim);));
        let rt = names::rt();
        let (g, gs, it) = (
            names::local::grad(),
            names::local::grads(),
            format_ident!("__ad_it"),
        );
        let accs = ops.iter().map(|o| match o.adj.filter(|&a| self.is_active_binding(a)) {
            Some(a) => {
                let a = self.adj_ident(a);
                quote!(if let ::core::option::Option::Some(#g) = ::core::iter::Iterator::next(&mut #it) {
                    #rt::acc(&mut #a, #g);
                })
            }
            None => quote!(let _ = ::core::iter::Iterator::next(&mut #it);),
        });
        let d = self.adj_ident(out);
        self.cur_rev.push(quote! {
            if let ::core::option::Option::Some(#g) = ::core::option::Option::take(&mut #d) {
                let #gs = #rt::Pullback::pull(#pb, #g);
                let mut #it = ::core::iter::IntoIterator::into_iter(#gs);
                #(#accs)*
            }
        });
        self.cur_pbs.push(pb);
        Operand {
            tokens: t.to_token_stream(),
            adj: Some(out),
        }
    }
}

/// The variables of a destructuring pattern with the path from the whole value to each;
/// `false` for patterns the pullback cannot reassemble (`..` in a tuple or slice, bindings by
/// reference, `x @ pat`).
pub(super) fn pattern_parts(
    pat: &Pat,
    prefix: Vec<Proj>,
    out: &mut Vec<(Ident, Vec<Proj>)>,
) -> bool {
    let sub = |prefix: &[Proj], p: Proj| {
        let mut v = prefix.to_vec();
        v.push(p);
        v
    };
    match pat {
        // `None`, `Act::Relu`-like names: a constant or a unit variant, no binding
        Pat::Ident(pi) if pi.ident.to_string().starts_with(char::is_uppercase) => true,
        Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
            out.push((pi.ident.clone(), prefix));
            true
        }
        Pat::Wild(_) | Pat::Lit(_) | Pat::Range(_) | Pat::Path(_) => true,
        Pat::Paren(p) => pattern_parts(&p.pat, prefix, out),
        Pat::Type(t) => pattern_parts(&t.pat, prefix, out),
        Pat::Tuple(t) => {
            !t.elems.iter().any(|e| matches!(e, Pat::Rest(_)))
                && t.elems
                    .iter()
                    .enumerate()
                    .all(|(i, e)| pattern_parts(e, sub(&prefix, Proj::Field(Member::from(i))), out))
        }
        // `Some(x)` of an `Option`, whose tangent is an `Option` too
        Pat::TupleStruct(t) if t.path.is_ident("Some") && t.elems.len() == 1 => {
            pattern_parts(&t.elems[0], sub(&prefix, Proj::Some), out)
        }
        Pat::TupleStruct(t) => {
            !t.elems.iter().any(|e| matches!(e, Pat::Rest(_)))
                && t.elems
                    .iter()
                    .enumerate()
                    .all(|(i, e)| pattern_parts(e, sub(&prefix, Proj::Field(Member::from(i))), out))
        }
        Pat::Struct(s) => s
            .fields
            .iter()
            .all(|f| pattern_parts(&f.pat, sub(&prefix, Proj::Field(f.member.clone())), out)),
        Pat::Slice(s) => {
            !s.elems.iter().any(|e| matches!(e, Pat::Rest(_)))
                && s.elems
                    .iter()
                    .enumerate()
                    .all(|(i, e)| pattern_parts(e, sub(&prefix, Proj::At(i)), out))
        }
        _ => false,
    }
}

/// `Tensor::cat` / `Tensor::stack` (also `Tensor::<E>::..`) with an array literal as the list.
pub(super) fn join_literal<'c>(
    fp: &syn::ExprPath,
    c: &'c syn::ExprCall,
) -> Option<&'c syn::ExprArray> {
    let segs = &fp.path.segments;
    let name = segs.last()?.ident.to_string();
    if segs.len() != 2 || segs[0].ident != "Tensor" || !matches!(name.as_str(), "cat" | "stack") {
        return None;
    }
    if c.args.len() != 2 {
        return None;
    }
    let list = match strip_parens(&c.args[0]) {
        Expr::Reference(r) => strip_parens(&r.expr),
        other => other,
    };
    match list {
        Expr::Array(a) => Some(a),
        _ => None,
    }
}
