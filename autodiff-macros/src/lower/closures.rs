//! Closures and iterator chains. A closure bound with `let` and called with active values (or
//! capturing them) is inlined at each call, as the block `{ let param = arg; body }`; an
//! iterator chain ending in `sum`, `product`, `fold`, `for_each` or `collect` over `map`,
//! `filter`, `take_while`, `take`, `skip`, `copied` and `cloned` becomes the `for` loop it
//! stands for. Both are then lowered like code the user wrote, so every captured and passed
//! value gets its gradient, and an iterator chain costs exactly what the loop costs.

use super::tape::Operand;
use super::Lowerer;
use crate::activity::closure_params;
use crate::diagnostics as diag;
use crate::names;
use crate::syntax::strip_parens;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Expr, ExprClosure, Ident, Pat};

/// A closure bound with `let`, and the bindings its free names referred to there.
pub(super) struct ClosureDef {
    closure: ExprClosure,
    captures: Vec<(String, Option<usize>)>,
}

/// One step of an iterator chain between its source and its terminal.
enum Stage<'a> {
    Map(&'a Expr),
    Filter(&'a Expr),
    TakeWhile(&'a Expr),
    Take(&'a Expr),
    Skip(&'a Expr),
    Copied,
}

/// What consumes the chain.
enum Terminal<'a> {
    Sum,
    Product,
    Fold(&'a Expr, &'a Expr),
    ForEach(&'a Expr),
    Collect,
}

impl Lowerer {
    /// `let name = |..| body;`: remembered for inlining; the binding is active when the closure
    /// captures an active value (so that using it other than by a call is refused).
    pub(super) fn register_closure(&mut self, name: &Ident, c: &ExprClosure) {
        let params = closure_params(c);
        let mut captures = Vec::new();
        crate::activity::scan_free_idents(&c.body.to_token_stream(), &mut |id| {
            let n = id.to_string();
            if !params.contains(&n) && !captures.iter().any(|(m, _)| *m == n) {
                captures.push((n.clone(), self.resolve(&n)));
            }
        });
        let active = self.is_active(&Expr::Closure(c.clone()));
        let id = self.bind(&name.to_string());
        if active {
            self.mark_active(id);
        }
        self.closures.insert(
            id,
            ClosureDef {
                closure: c.clone(),
                captures,
            },
        );
    }

    /// The registered closure a path names, if any.
    pub(super) fn closure_named(&self, e: &Expr) -> Option<usize> {
        let Expr::Path(p) = strip_parens(e) else {
            return None;
        };
        let id = self.resolve(&p.path.get_ident()?.to_string())?;
        self.closures.contains_key(&id).then_some(id)
    }

    /// `f(a, b)` for a registered closure `f`: its body, inlined.
    pub(super) fn lower_closure_call(&mut self, call: &syn::ExprCall, id: usize) -> Operand {
        let args: Vec<Expr> = call.args.iter().cloned().collect();
        match self.inline(id, &args, call.span()) {
            Some(block) => self.lower_leaf(&block),
            None => self.poisoned(&Expr::Call(call.clone())),
        }
    }

    /// The block `{ let p1 = a1; ..; body }` for the closure `id` called with `args`, after
    /// checking that its captures still name what they named where it was defined.
    fn inline(&mut self, id: usize, args: &[Expr], span: Span) -> Option<Expr> {
        let def = &self.closures[&id];
        let c = def.closure.clone();
        if c.capture.is_some() {
            // a `move` closure holds the values it captured; inlined, it would read the
            // variables as they are at the call
            if let Some((name, _)) = def
                .captures
                .iter()
                .find(|(n, _)| self.mut_names.contains(n))
            {
                self.cx.push(diag::move_closure_of_mut(span, name));
                return None;
            }
        }
        for (name, at_def) in &def.captures {
            if self.resolve(name) != *at_def {
                self.cx.push(diag::closure_capture_shadowed(span, name));
                return None;
            }
        }
        inline_closure(&c, args, span, &mut self.cx)
    }

    /// A closure given to an iterator stage: a literal closure, a registered one, or a path
    /// (`f64::sqrt`), applied to `args`.
    fn apply(&mut self, f: &Expr, args: &[Expr], span: Span) -> Option<Expr> {
        match strip_parens(f) {
            Expr::Closure(c) => inline_closure(c, args, span, &mut self.cx),
            other => match self.closure_named(other) {
                Some(id) => self.inline(id, args, span),
                None => Some(syn::parse_quote_spanned!(span=> #other(#(#args),*))),
            },
        }
    }

    /// An iterator chain ending in a consuming method, lowered as its `for` loop; `None` when
    /// `m` is not such a chain.
    pub(super) fn lower_iter_chain(&mut self, m: &syn::ExprMethodCall) -> Option<Operand> {
        let (source, stages, terminal) = parse_chain(m)?;
        let span = m.span();
        let chain = m.to_token_stream();
        let mut body: Vec<TokenStream> = Vec::new();
        let mut counters: Vec<TokenStream> = Vec::new();
        let (loop_pat, mut cur, mut prebound) = self.loop_pattern(source, &stages, &terminal);
        let mut first_stage = true;
        for stage in stages {
            let pre = if first_stage { prebound.take() } else { None };
            first_stage = false;
            match stage {
                Stage::Map(f) => {
                    let v = format_ident!("__ad_v{}", self.fresh());
                    let call = match &pre {
                        Some(rest) => self.apply(rest, &[], span)?,
                        None => self.apply(f, &[cur.clone()], span)?,
                    };
                    let call = splice(call, f, &chain, &mut body);
                    body.push(quote!(let #v = #call;));
                    cur = syn::parse_quote!(#v);
                }
                Stage::Copied => {
                    let v = format_ident!("__ad_v{}", self.fresh());
                    body.push(quote!(let #v = #cur.clone();));
                    cur = syn::parse_quote!(#v);
                }
                Stage::Filter(p) | Stage::TakeWhile(p) => {
                    let by_ref: Expr = syn::parse_quote!(&#cur);
                    let test = self.apply(p, &[by_ref], span)?;
                    let test = splice(test, p, &chain, &mut body);
                    let jump = if matches!(stage, Stage::Filter(_)) {
                        quote!(continue)
                    } else {
                        quote!(break)
                    };
                    body.push(quote!(if !(#test) { #jump; }));
                }
                Stage::Take(n) | Stage::Skip(n) => {
                    let k = format_ident!("__ad_k{}", self.fresh());
                    counters.push(quote!(let mut #k: usize = 0;));
                    body.push(if matches!(stage, Stage::Take(_)) {
                        quote!(if #k >= (#n) { break; } #k += 1;)
                    } else {
                        quote!(if #k < (#n) { #k += 1; continue; })
                    });
                }
            }
        }
        let for_each = matches!(terminal, Terminal::ForEach(_));
        let acc = format_ident!("__ad_acc{}", self.fresh());
        let (init, update, result) = match terminal {
            Terminal::Sum | Terminal::Product => {
                let sum = matches!(terminal, Terminal::Sum);
                let op = if sum { quote!(+) } else { quote!(*) };
                (
                    self.unit(m, sum),
                    quote!(#acc = #acc #op #cur;),
                    quote!(#acc),
                )
            }
            Terminal::Collect => (
                quote!(::std::vec::Vec::new()),
                quote!(#acc.push(#cur);),
                quote!(#acc),
            ),
            Terminal::Fold(init, f) => {
                let prev: Expr = syn::parse_quote!(#acc);
                let call = match &prebound {
                    Some(rest) => self.apply(rest, &[prev], span)?,
                    None => self.apply(f, &[prev, cur], span)?,
                };
                let call = splice(call, f, &chain, &mut body);
                (quote!(#init), quote!(#acc = #call;), quote!(#acc))
            }
            Terminal::ForEach(f) => {
                let call = match &prebound {
                    Some(rest) => self.apply(rest, &[], span)?,
                    None => self.apply(f, &[cur], span)?,
                };
                let call = splice(call, f, &chain, &mut body);
                (quote!(()), quote!(#call;), quote!(()))
            }
        };
        let block: Expr = syn::parse_quote_spanned! {span=> {
            let mut #acc = #init;
            #(#counters)*
            for #loop_pat in #source {
                #(#body)*
                #update
            }
            #result
        }};
        if for_each {
            // a statement: no value, so no adjoint for it
            if let Some(v) = self.lower_value(&block, None) {
                self.emit(quote!(#v;));
            }
            return Some(Operand {
                tokens: quote!(()),
                adj: None,
            });
        }
        Some(self.lower_leaf(&block))
    }
}

impl Lowerer {
    /// The chain's `for` pattern, the expression of the item it binds, and (over pairs, when
    /// the first closure takes them apart) that closure without its pair parameter.
    ///
    /// Over `zip` / `enumerate`, the first closure's tuple pattern becomes the loop's pattern,
    /// so that its parts can be elements of differentiated containers. Otherwise, over pairs,
    /// the loop's pattern is a tuple of fresh names (`(i, x)`) and the item is the tuple of
    /// them, which the closures' patterns take apart.
    fn loop_pattern(
        &mut self,
        source: &Expr,
        stages: &[Stage<'_>],
        terminal: &Terminal<'_>,
    ) -> (TokenStream, Expr, Option<Expr>) {
        let item = format_ident!("__ad_item{}", self.fresh());
        match prebind_tuple_pattern(source, stages, terminal) {
            Some((pat, rest)) => (pat, syn::parse_quote!(#item), Some(rest)),
            None if yields_tuples(source) => {
                let (pat, value) = self.fresh_item_pattern(source);
                (pat, value, None)
            }
            None => (item.to_token_stream(), syn::parse_quote!(#item), None),
        }
    }

    /// The start of `sum` (`Zero`) or `product` (`One`): the literal for `f32`/`f64`, or
    /// `num_traits`' unit of the type the turbofish names (`sum::<T>()`) or, in a function
    /// generic over a float, of the type the result is used as.
    fn unit(&self, m: &syn::ExprMethodCall, sum: bool) -> TokenStream {
        let (tr, f, literal) = if sum {
            (quote!(Zero), quote!(zero), quote!(0.0))
        } else {
            (quote!(One), quote!(one), quote!(1.0))
        };
        let named = m.turbofish.as_ref().and_then(|t| match t.args.first() {
            Some(syn::GenericArgument::Type(ty)) if t.args.len() == 1 => Some(ty.clone()),
            _ => None,
        });
        let nt = names::num_traits();
        match named {
            Some(ty) if !crate::parse::is_differentiable_type(&ty, &[]) => {
                quote!(<#ty as #nt::#tr>::#f())
            }
            None if !self.float_types.is_empty() => quote!(#nt::#tr::#f()),
            _ => literal,
        }
    }

    /// The loop pattern for the items of `source` as a tuple of fresh names, nested as `zip`
    /// and `enumerate` nest them, and the tuple expression of those names.
    fn fresh_item_pattern(&mut self, source: &Expr) -> (TokenStream, Expr) {
        match strip_parens(source) {
            Expr::MethodCall(m) if keeps_items(m) => self.fresh_item_pattern(&m.receiver),
            Expr::MethodCall(m) if m.method == "zip" && m.args.len() == 1 => {
                let (pa, va) = self.fresh_item_pattern(&m.receiver);
                let (pb, vb) = self.fresh_item_pattern(&m.args[0]);
                (quote!((#pa, #pb)), syn::parse_quote!((#va, #vb)))
            }
            Expr::MethodCall(m) if m.method == "enumerate" && m.args.is_empty() => {
                let i = format_ident!("__ad_pos{}", self.fresh());
                let (pa, va) = self.fresh_item_pattern(&m.receiver);
                (quote!((#i, #pa)), syn::parse_quote!((#i, #va)))
            }
            _ => {
                let v = format_ident!("__ad_item{}", self.fresh());
                (v.to_token_stream(), syn::parse_quote!(#v))
            }
        }
    }
}

/// `{ let p1 = a1; ..; body }`: each parameter pattern bound to its argument (a `&pat`
/// parameter to the dereferenced argument, a tuple pattern given a tuple part by part).
fn inline_closure(
    c: &ExprClosure,
    args: &[Expr],
    span: Span,
    cx: &mut crate::ctxt::Ctxt,
) -> Option<Expr> {
    if c.inputs.len() != args.len() {
        cx.push(diag::closure_arity(span, c.inputs.len(), args.len()));
        return None;
    }
    if crate::syntax::contains_return(&c.body) {
        cx.push(diag::closure_with_return(c.body.span()));
        return None;
    }
    let mut pairs = Vec::new();
    for (p, a) in c.inputs.iter().zip(args) {
        split_pattern(p, a.clone(), &mut pairs);
    }
    let lets = pairs
        .iter()
        .map(|(pat, arg)| quote_spanned!(pat.span()=> let #pat = #arg;));
    let body = &c.body;
    Some(syn::parse_quote_spanned!(span=> { #(#lets)* #body }))
}

/// `p` matched against `e` as simpler `let`s, in `out`: `&p` against `e` is `p` against `*e`
/// (`p` against `x` when `e` is `&x`), and a tuple pattern against a tuple expression (or a
/// reference to one, binding by reference as match ergonomics do) is its parts against the
/// parts, so that each part that names an element of a container stays that element.
fn split_pattern(p: &Pat, e: Expr, out: &mut Vec<(Pat, Expr)>) {
    match (p, e) {
        // binds nothing, and the parts given are names: nothing to evaluate
        (Pat::Wild(_), e) if is_name_or_ref(&e) => {}
        (Pat::Paren(pp), e) => split_pattern(&pp.pat, e, out),
        (Pat::Reference(r), Expr::Reference(er))
            if r.mutability.is_none() && er.mutability.is_none() =>
        {
            split_pattern(&r.pat, *er.expr, out)
        }
        (Pat::Reference(r), e) if r.mutability.is_none() => {
            split_pattern(&r.pat, syn::parse_quote!(*(#e)), out)
        }
        (Pat::Tuple(t), Expr::Tuple(et)) if same_arity(t, &et) => {
            for (p, e) in t.elems.iter().zip(et.elems) {
                split_pattern(p, e, out);
            }
        }
        (Pat::Tuple(t), Expr::Reference(er)) if er.mutability.is_none() => match *er.expr {
            Expr::Tuple(et) if same_arity(t, &et) => {
                for (p, e) in t.elems.iter().zip(et.elems) {
                    split_pattern(p, syn::parse_quote!(&#e), out);
                }
            }
            inner => out.push((p.clone(), syn::parse_quote!(&#inner))),
        },
        (p, e) => out.push((p.clone(), e)),
    }
}

/// `x`, `&x`, `&&x`: evaluating it does nothing.
fn is_name_or_ref(e: &Expr) -> bool {
    match e {
        Expr::Path(p) => p.path.get_ident().is_some(),
        Expr::Reference(r) => is_name_or_ref(&r.expr),
        _ => false,
    }
}

/// Does the tuple pattern name exactly the tuple's parts (no `..`)?
fn same_arity(t: &syn::PatTuple, e: &syn::ExprTuple) -> bool {
    t.elems.len() == e.elems.len() && !t.elems.iter().any(|p| matches!(p, Pat::Rest(_)))
}

/// Splits `source.stage()...terminal()` (stages listed from the source on); `None` when `m` is
/// not a consuming method of an iterator the macro recognises.
fn parse_chain(m: &syn::ExprMethodCall) -> Option<(&Expr, Vec<Stage<'_>>, Terminal<'_>)> {
    let name = m.method.to_string();
    let terminal = match (name.as_str(), m.args.len()) {
        ("sum", 0) => Terminal::Sum,
        ("product", 0) => Terminal::Product,
        ("collect", 0) => Terminal::Collect,
        ("fold", 2) => Terminal::Fold(&m.args[0], &m.args[1]),
        ("for_each", 1) => Terminal::ForEach(&m.args[0]),
        _ => return None,
    };
    let mut stages = Vec::new();
    let mut recv = strip_parens(&m.receiver);
    while let Expr::MethodCall(s) = recv {
        let stage = match (s.method.to_string().as_str(), s.args.len()) {
            ("map", 1) => Stage::Map(&s.args[0]),
            ("filter", 1) => Stage::Filter(&s.args[0]),
            ("take_while", 1) => Stage::TakeWhile(&s.args[0]),
            ("take", 1) => Stage::Take(&s.args[0]),
            ("skip", 1) => Stage::Skip(&s.args[0]),
            ("copied" | "cloned", 0) => Stage::Copied,
            _ => break,
        };
        stages.push(stage);
        recv = strip_parens(&s.receiver);
    }
    stages.reverse();
    is_iterator_source(recv).then_some((recv, stages, terminal))
}

/// `x.iter()`, `x.into_iter()`, a range, and those followed by `enumerate`, `zip`, `rev`,
/// `copied`, `cloned`, `skip`, `take` or `step_by`.
fn is_iterator_source(e: &Expr) -> bool {
    match strip_parens(e) {
        Expr::Range(_) => true,
        Expr::MethodCall(m) => match m.method.to_string().as_str() {
            "iter" | "into_iter" => m.args.is_empty(),
            "enumerate" | "zip" | "rev" | "copied" | "cloned" | "skip" | "take" | "step_by" => {
                is_iterator_source(&m.receiver)
            }
            _ => false,
        },
        _ => false,
    }
}

/// Does the iterator yield pairs (`zip` or `enumerate` last, or before adapters that keep the
/// items: `rev`, `skip`, `take`, `step_by`)?
fn yields_tuples(e: &Expr) -> bool {
    match strip_parens(e) {
        Expr::MethodCall(m) if keeps_items(m) => yields_tuples(&m.receiver),
        Expr::MethodCall(m) => m.method == "zip" || m.method == "enumerate",
        _ => false,
    }
}

/// `rev()`, `skip(n)`, `take(n)`, `step_by(n)`: the items of the receiver, fewer or reordered.
fn keeps_items(m: &syn::ExprMethodCall) -> bool {
    match m.method.to_string().as_str() {
        "rev" => m.args.is_empty(),
        "skip" | "take" | "step_by" => m.args.len() == 1,
        _ => false,
    }
}

/// A closure parameter that destructures a tuple (`(i, x)`, `(a, b): (f64, f64)`).
fn tuple_pattern(p: &Pat) -> Option<&Pat> {
    match p {
        Pat::Tuple(_) => Some(p),
        Pat::Type(t) => tuple_pattern(&t.pat),
        Pat::Paren(pp) => tuple_pattern(&pp.pat),
        _ => None,
    }
}

/// Over an iterator of pairs, the first closure's tuple parameter as the loop pattern, and the
/// closure without that parameter.
fn prebind_tuple_pattern(
    source: &Expr,
    stages: &[Stage<'_>],
    terminal: &Terminal<'_>,
) -> Option<(TokenStream, Expr)> {
    if !yields_tuples(source) {
        return None;
    }
    let (f, k) = match (stages.first(), terminal) {
        (Some(Stage::Map(f)), _) => (*f, 0),
        (None, Terminal::ForEach(f)) => (*f, 0),
        (None, Terminal::Fold(_, f)) => (*f, 1),
        _ => return None,
    };
    let Expr::Closure(c) = strip_parens(f) else {
        return None;
    };
    let pat = c.inputs.iter().nth(k).and_then(tuple_pattern)?;
    let mut rest = c.clone();
    rest.inputs = c
        .inputs
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != k)
        .map(|(_, p)| p.clone())
        .collect();
    Some((pat.to_token_stream(), Expr::Closure(rest)))
}

/// An inlined closure `{ let p = a; body }` whose parameter names occur nowhere else in the
/// chain: its `let`s go straight into the loop body and its value is `body`, so the loop body
/// stays one straight-line segment (a block would end the segment, costing a record per
/// iteration). Otherwise the block is kept, scoping the parameters.
fn splice(call: Expr, f: &Expr, chain: &TokenStream, body: &mut Vec<TokenStream>) -> Expr {
    let Expr::Block(b) = &call else {
        return call;
    };
    let n = b.block.stmts.len();
    let (lets, tail) = b.block.stmts.split_at(n.saturating_sub(1));
    let (Some(syn::Stmt::Expr(tail, None)), true) = (
        tail.first(),
        lets.iter().all(|s| matches!(s, syn::Stmt::Local(_))),
    ) else {
        return call;
    };
    if crate::syntax::is_structured(tail) {
        return call;
    }
    let count = |ts: &TokenStream, name: &str| {
        let mut k = 0;
        crate::activity::scan_free_idents(ts, &mut |id| k += usize::from(id == name));
        k
    };
    let own = f.to_token_stream();
    let names: Vec<String> = lets
        .iter()
        .filter_map(|s| match s {
            syn::Stmt::Local(l) => Some(crate::syntax::pat_idents(&l.pat)),
            _ => None,
        })
        .flatten()
        .map(|i| i.to_string())
        .collect();
    if names.iter().any(|n| count(chain, n) != count(&own, n)) {
        return call;
    }
    body.extend(lets.iter().map(ToTokens::to_token_stream));
    tail.clone()
}
