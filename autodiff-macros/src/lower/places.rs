//! Parts of differentiable values: field reads (`m.w`, `m.layers[i].w`, `pair.0`), element
//! reads with an inactive index, bindings that name a part of a differentiated argument
//! (`let layer = &m.layers[i]`, `for layer in &m.layers`), and method calls on them.
//!
//! A read is an operand whose adjoint, in the pullback, is added into the matching part of the
//! root value's adjoint: the root's adjoint is created from a zero of its shape the first time a
//! part of it receives a gradient (`slot_or_zero`), and the part is reached through the same
//! fields and (recorded) indices as the read (`acc_in`). For a differentiated argument the zero
//! is built once per call; for a local value it is recorded at the read.
//!
//! A binding naming a part of a differentiated argument is an *alias*: it has no adjoint of its
//! own, and reads through it go straight to the argument's adjoint, so a loop over `&m.layers`
//! costs one recorded index per read and no zero per iteration.

use super::tape::Operand;
use super::Lowerer;
use crate::diagnostics as diag;
use crate::names;
use crate::syntax::strip_parens;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Member, Pat};

/// One step from a value to a part of it.
#[derive(Clone)]
pub(super) enum Proj {
    Field(Member),
    /// An element, at the index held by this forward local.
    Index(Ident),
    /// An element at a fixed position (`let [a, b] = ..`).
    At(usize),
    /// The value inside `Some(..)` (only where the pattern matched).
    Some,
}

/// The part of the adjoint `base` (an owned tangent or `&mut` one) that `projs` lead to, as a
/// `&mut` expression for `acc_in`. `replayed` holds, in order, the recorded copies of the
/// `Index` steps' indices.
pub(super) fn part_of_adjoint(
    base: TokenStream,
    projs: &[Proj],
    replayed: &mut impl Iterator<Item = Ident>,
) -> TokenStream {
    let mut dest = base;
    let mut ends_in_accessor = false;
    for p in projs {
        ends_in_accessor = false;
        match p {
            Proj::Field(Member::Named(n)) => {
                let acc = names::field_accessor(n);
                dest = quote_spanned!(n.span()=> #dest.#acc());
                ends_in_accessor = true;
            }
            Proj::Field(m @ Member::Unnamed(_)) => dest = quote!(#dest.#m),
            Proj::Index(_) => {
                let ix = replayed.next().expect("one recorded index per index step");
                dest = quote!(#dest[::core::clone::Clone::clone(#ix)]);
            }
            Proj::At(i) => dest = quote!(#dest[#i]),
            Proj::Some => {
                dest = quote!((#dest)
                    .as_mut()
                    .expect("the pattern matched `Some`, so its tangent is `Some`"));
                ends_in_accessor = true;
            }
        }
    }
    if ends_in_accessor {
        dest
    } else {
        quote!(&mut #dest)
    }
}

/// A binding that names a part of a differentiated argument.
#[derive(Clone)]
pub(super) struct Alias {
    pub root: usize,
    pub projs: Vec<Proj>,
    /// For an element of a local container (`for w in ws.iter()` over `let ws = vec![x, ..]`):
    /// the forward local holding a shared zero of the container, taken before the loop, that
    /// each read records (an `Arc` clone instead of a zero of the whole container per read).
    pub local_zero: Option<Ident>,
}

/// A step as written in the user's expression.
enum Written<'e> {
    Field(&'e Member),
    Index(&'e Expr),
}

/// `x.a[i].b` as written: the local `x` and the steps.
fn written_place(e: &Expr) -> Option<(&Ident, Vec<Written<'_>>)> {
    match strip_parens(e) {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(|id| (id, Vec::new())),
        Expr::Field(f) => {
            let (root, mut steps) = written_place(&f.base)?;
            steps.push(Written::Field(&f.member));
            Some((root, steps))
        }
        Expr::Index(i) => {
            let (root, mut steps) = written_place(&i.expr)?;
            steps.push(Written::Index(&i.index));
            Some((root, steps))
        }
        _ => None,
    }
}

/// The shape of a `for` loop's iterator over parts of a differentiated argument.
enum IterShape<'e> {
    /// `&place`, `place`, `place.iter()`, `place.into_iter()`, or one of those `.copied()`
    /// (the expression, the place): the elements of the place.
    Elems(&'e Expr, &'e Expr),
    /// `.rev()` of an iterator.
    Rev(Box<IterShape<'e>>),
    /// `.skip(n)`, `.take(n)` or `.step_by(n)` of an iterator: fewer items, each with its own
    /// position still.
    Counted(Box<IterShape<'e>>, &'e syn::ExprMethodCall),
    /// `.enumerate()` of an iterator.
    Enumerate(Box<IterShape<'e>>),
    /// `a.zip(b)`.
    Zip(Box<IterShape<'e>>, Box<IterShape<'e>>),
    /// An iterator over inactive data.
    Inactive(&'e Expr),
}

impl Lowerer {
    /// Is this binding (or the root it aliases) a differentiated struct, container or tuple?
    pub(super) fn is_structured_root(&self, id: usize) -> bool {
        self.aliases.contains_key(&id) || self.structured_params.contains(&id)
    }

    /// Does this expression name a part of a differentiated argument (through fields, indices
    /// or an alias)?
    pub(super) fn is_param_place(&self, e: &Expr) -> bool {
        written_place(e)
            .and_then(|(root, _)| self.resolve(&root.to_string()))
            .is_some_and(|id| self.is_structured_root(id))
    }

    /// Does this path name an alias?
    pub(super) fn is_alias_path(&self, p: &syn::ExprPath) -> bool {
        p.path
            .get_ident()
            .and_then(|i| self.resolve(&i.to_string()))
            .is_some_and(|id| self.aliases.contains_key(&id))
    }

    /// A method the operation table does not know, called on a differentiated argument or a
    /// part of one (`self.forward(x)`, `layer.apply(&h)`): a user method with a generated
    /// `NAME_vjp`.
    pub(super) fn is_user_method_receiver(&self, recv: &Expr) -> bool {
        let recv = match strip_parens(recv) {
            Expr::Reference(r) => &*r.expr,
            other => other,
        };
        self.is_active(recv) && (self.is_param_place(recv) || matches!(recv, Expr::Field(_)))
    }

    /// A method the operation table does not know, called on data (`cfg.scale(x)`, or
    /// `p.eval(x)` with `p` not differentiated) with active arguments: a user method whose
    /// `NAME_vjp` is called with the receiver inactive, like a free function called with data
    /// in one argument.
    pub(super) fn is_user_method_on_data(&self, m: &syn::ExprMethodCall) -> bool {
        let recv = match strip_parens(&m.receiver) {
            Expr::Reference(r) => &*r.expr,
            other => other,
        };
        written_place(recv).is_some()
            && !self.is_active(recv)
            && m.args.iter().any(|a| self.is_active(a))
    }

    /// `recv.name(args)` through `recv.name_vjp(args)`: the receiver is the first differentiated
    /// input, then the active arguments in order.
    pub(super) fn lower_user_method(&mut self, m: &syn::ExprMethodCall) -> Operand {
        let recv = self.lower_leaf(&m.receiver);
        let args: Vec<Operand> = m.args.iter().map(|a| self.lower_leaf(a)).collect();
        let inputs: Vec<Option<usize>> = std::iter::once(&recv)
            .chain(&args)
            .filter_map(|a| a.adj.map(Some))
            .collect();
        let active: Vec<bool> = std::iter::once(&recv)
            .chain(&args)
            .map(|a| a.adj.is_some())
            .collect();
        let name = m.method.to_string();
        let f = names::vjp_form(&name, m.method.span());
        let turbofish = &m.turbofish;
        let r = &recv.tokens;
        let all: Vec<&Operand> = std::iter::once(&recv).chain(&args).collect();
        // a request names the receiver's type and the method (`call_activity.rs`)
        let (rt, callee) = (names::rt(), names::local::callee());
        let a = self
            .call_arg_tokens(quote!(#callee), &all)
            .into_iter()
            .skip(1);
        let mut call = quote!((#r).#f #turbofish (#(#a),*));
        if self.requested {
            call = quote!({ let #callee = #rt::Callee::method(&(#r), #name); #call });
        }
        self.emit_user_call(call, &inputs, m.span(), &active)
    }

    /// A field or element read of an active value (or a whole alias).
    pub(super) fn lower_place_read(&mut self, e: &Expr) -> Operand {
        let Some((root_ident, steps)) = written_place(e) else {
            return self.lower_computed_field(e);
        };
        let Some(id) = self.resolve(&root_ident.to_string()) else {
            self.cx.push(diag::place_of_active(e.span()));
            return self.poisoned(e);
        };
        let local_root = !self.is_structured_root(id);
        if local_root
            && !self.structured_locals.contains(&id)
            && matches!(steps.first(), Some(Written::Index(_)))
        {
            // `t[i]` on a tensor or a number: raw data, not a part with its own gradient
            self.cx.push(diag::place_of_active(e.span()));
            return self.poisoned(e);
        }
        let (root, mut projs, shared_zero) = match self.aliases.get(&id) {
            Some(a) => (a.root, a.projs.clone(), a.local_zero.clone()),
            None => (id, Vec::new(), None),
        };
        let mut fwd = root_ident.to_token_stream();
        for step in steps {
            match step {
                Written::Field(m) => {
                    fwd = quote!(#fwd.#m);
                    projs.push(Proj::Field(m.clone()));
                }
                Written::Index(ix) => {
                    let saved = self.save_index(ix);
                    fwd = quote!(#fwd[#saved]);
                    projs.push(Proj::Index(saved));
                }
            }
        }
        let whole_alias =
            self.aliases.contains_key(&id) && matches!(strip_parens(e), Expr::Path(_));
        let zero = if let Some(shared) = shared_zero {
            // an element of a local container: the zero taken before the loop, shared
            let z = names::place_zero(self.fresh());
            self.emit(quote!(let #z = ::std::sync::Arc::clone(&#shared);));
            self.cur_pbs.push(z.clone());
            quote!(&**#z)
        } else if local_root {
            let z = names::place_zero(self.fresh());
            let rt = names::rt();
            self.emit(quote!(let #z = #rt::zero_tangent_of(&#root_ident);));
            self.cur_pbs.push(z.clone());
            quote!(#z)
        } else {
            let zm = names::zero_meta(root);
            quote!(&#zm)
        };
        let op = self.scatter_read(root, zero, fwd, &projs, e.span());
        if whole_alias {
            self.alias_reads.extend(op.adj);
        }
        op
    }

    /// `f(x).0`, `make(x).w`: the value is computed into a temporary first.
    fn lower_computed_field(&mut self, e: &Expr) -> Operand {
        let Expr::Field(f) = strip_parens(e) else {
            self.cx.push(diag::place_of_active(e.span()));
            return self.poisoned(e);
        };
        let base = self.lower_leaf(&f.base);
        let Some(root) = base.adj else {
            return self.poisoned(e);
        };
        let t = &base.tokens;
        let z = names::place_zero(self.fresh());
        let rt = names::rt();
        self.emit(quote!(let #z = #rt::zero_tangent_of(&#t);));
        self.cur_pbs.push(z.clone());
        let m = &f.member;
        let fwd = quote!(#t.#m);
        self.scatter_read(root, quote!(#z), fwd, &[Proj::Field(m.clone())], e.span())
    }

    /// Evaluates an index once in the forward code, into a local the read and its record use.
    fn save_index(&mut self, ix: &Expr) -> Ident {
        if self.is_active(ix) {
            self.cx.push(diag::active_index(ix.span()));
        }
        if matches!(strip_parens(ix), Expr::Range(_)) {
            self.cx.push(diag::range_of_active(ix.span()));
        }
        let saved = names::place_index(self.fresh());
        let ix = self.rewrite_returns_expr(ix);
        self.emit(quote!(let #saved = #ix;));
        saved
    }

    /// The operand for a read of `root` at `projs`, whose gradient the pullback adds into that
    /// part of `root`'s adjoint.
    fn scatter_read(
        &mut self,
        root: usize,
        zero: TokenStream,
        fwd: TokenStream,
        projs: &[Proj],
        span: proc_macro2::Span,
    ) -> Operand {
        let out = self.temp();
        // the indices, recorded (a fresh copy per read: one segment may read an alias twice)
        let mut replay = Vec::new();
        for p in projs {
            if let Proj::Index(ix) = p {
                let copy = names::place_index(self.fresh());
                self.emit(quote!(let #copy = ::core::clone::Clone::clone(&#ix);));
                self.cur_pbs.push(copy.clone());
                replay.push(copy);
            }
        }
        let slot = names::place_slot();
        let dest = part_of_adjoint(quote!(#slot), projs, &mut replay.into_iter());
        let (d, r) = (self.adj_ident(out), self.adj_ident(root));
        let rt = names::rt();
        let g = names::local::grad();
        self.cur_rev.push(quote_spanned! {span=>
            if let ::core::option::Option::Some(#g) = ::core::option::Option::take(&mut #d) {
                let #slot = #rt::slot_or_zero(&mut #r, #zero);
                #rt::acc_in(#dest, #g);
            }
        });
        Operand {
            tokens: fwd,
            adj: Some(out),
        }
    }

    /// `let name = &m.layers[i];` (or without `&`): `name` becomes an alias of that part of a
    /// differentiated argument. Returns `false` when the initialiser is not such a place.
    pub(super) fn try_alias_let(&mut self, name: &Ident, init: &Expr) -> bool {
        let place = match strip_parens(init) {
            Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
            other => other,
        };
        if !self.is_param_place(place) || !self.is_active(place) {
            return false;
        }
        let Some((root_ident, steps)) = written_place(place) else {
            return false;
        };
        let Some(id) = self.resolve(&root_ident.to_string()) else {
            return false;
        };
        let alias = self.extend_alias(id, steps);
        let b = self.bind(&name.to_string());
        self.mark_active(b);
        self.aliases.insert(b, alias);
        true
    }

    /// The alias for `root` (a structured argument or an alias) followed by `steps`, saving the
    /// indices in the forward code.
    fn extend_alias(&mut self, root: usize, steps: Vec<Written<'_>>) -> Alias {
        let mut alias = self.aliases.get(&root).cloned().unwrap_or(Alias {
            root,
            projs: Vec::new(),
            local_zero: None,
        });
        for step in steps {
            match step {
                Written::Field(m) => alias.projs.push(Proj::Field(m.clone())),
                Written::Index(ix) => {
                    let saved = self.save_index(ix);
                    alias.projs.push(Proj::Index(saved));
                }
            }
        }
        alias
    }

    /// `for PAT in ITER` where `ITER` walks parts of a differentiated argument (`&m.layers`,
    /// `m.layers.iter()`, with `.enumerate()`, `.zip(..)` and `.rev()` in any order): each
    /// walk over elements is enumerated where it starts, so its element's position travels
    /// with the element through the adapters, and the pattern's variables become aliases of
    /// the elements at those positions. `None` when the loop is not of that form.
    pub(super) fn container_loop(&mut self, f: &syn::ExprForLoop) -> Option<TokenStream> {
        let shape = self.iter_shape(&f.expr)?;
        if !has_elems(&shape) {
            return None;
        }
        // the places' own indices are saved before the loop
        self.push_scope();
        let pat = match self.bind_iter_pattern(&f.pat, &shape) {
            Some(pat) => pat,
            None => {
                self.cx.push(diag::destructure_active(f.pat.span()));
                f.pat.to_token_stream()
            }
        };
        let body = self.lower_block(&f.body, None);
        self.pop_scope();
        let iter = indexed_iter(&shape);
        let (attrs, label) = (&f.attrs, &f.label);
        Some(quote! {
            #(#attrs)* #label for #pat in #iter #body
        })
    }

    /// Is this `for` loop a walk over parts of a differentiated argument?
    pub(super) fn is_container_loop(&self, f: &syn::ExprForLoop) -> bool {
        self.iter_shape(&f.expr).is_some_and(|s| has_elems(&s))
    }

    /// A local container of differentiable values (`let ws = vec![x, y]`, a `Vec` filled with
    /// `push`, an array or tuple of active values).
    fn is_local_container(&self, e: &Expr) -> bool {
        let Expr::Path(p) = strip_parens(e) else {
            return false;
        };
        p.path
            .get_ident()
            .and_then(|i| self.resolve(&i.to_string()))
            .is_some_and(|id| self.structured_locals.contains(&id) && self.is_active_binding(id))
    }

    /// Does `e` name a container whose elements are differentiable parts: a differentiated
    /// argument or a part of one, or a local container of active values?
    pub(super) fn is_elems_place(&self, e: &Expr) -> bool {
        self.is_param_place(e) || self.is_local_container(e)
    }

    fn iter_shape<'e>(&self, e: &'e Expr) -> Option<IterShape<'e>> {
        let e = strip_parens(e);
        // `m.layers.iter()` over a differentiated container is active (`Scope::is_container`)
        if !self.is_active(e) {
            return Some(IterShape::Inactive(e));
        }
        match e {
            // `for w in ws` with `ws: &Vec<_>` (or by value)
            Expr::Path(_) | Expr::Field(_) if self.is_elems_place(e) => {
                Some(IterShape::Elems(e, e))
            }
            Expr::Reference(r) if r.mutability.is_none() && self.is_elems_place(&r.expr) => {
                Some(IterShape::Elems(e, &r.expr))
            }
            Expr::MethodCall(m)
                if m.args.is_empty() && (m.method == "iter" || m.method == "into_iter") =>
            {
                self.is_elems_place(&m.receiver)
                    .then_some(IterShape::Elems(e, &m.receiver))
            }
            // `place.iter().copied()`: the elements by value
            Expr::MethodCall(m)
                if m.args.is_empty() && (m.method == "copied" || m.method == "cloned") =>
            {
                match self.iter_shape(&m.receiver)? {
                    IterShape::Elems(_, place) => Some(IterShape::Elems(e, place)),
                    _ => None,
                }
            }
            Expr::MethodCall(m) if m.args.is_empty() && m.method == "rev" => {
                Some(IterShape::Rev(Box::new(self.iter_shape(&m.receiver)?)))
            }
            Expr::MethodCall(m)
                if m.args.len() == 1
                    && (m.method == "skip" || m.method == "take" || m.method == "step_by")
                    && !self.is_active(&m.args[0]) =>
            {
                Some(IterShape::Counted(
                    Box::new(self.iter_shape(&m.receiver)?),
                    m,
                ))
            }
            Expr::MethodCall(m) if m.args.is_empty() && m.method == "enumerate" => Some(
                IterShape::Enumerate(Box::new(self.iter_shape(&m.receiver)?)),
            ),
            Expr::MethodCall(m) if m.args.len() == 1 && m.method == "zip" => Some(IterShape::Zip(
                Box::new(self.iter_shape(&m.receiver)?),
                Box::new(self.iter_shape(&m.args[0])?),
            )),
            _ => None,
        }
    }

    /// Binds the loop pattern's variables: elements of differentiable places become aliases of
    /// them, at the position [`indexed_iter`] pairs them with. Returns the pattern for that
    /// iterator (each element's pattern `p` becomes `(position, p)`), or `None` when the
    /// pattern cannot name the elements.
    fn bind_iter_pattern(&mut self, pat: &Pat, shape: &IterShape<'_>) -> Option<TokenStream> {
        match shape {
            IterShape::Inactive(e) => {
                let raw = self.raw_read(e);
                self.bind_pattern_from(pat, raw);
                Some(pat.to_token_stream())
            }
            IterShape::Elems(_, place) => {
                let ident = match pat {
                    Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => &pi.ident,
                    Pat::Reference(r) => match &*r.pat {
                        Pat::Ident(pi) if pi.subpat.is_none() => &pi.ident,
                        _ => return None,
                    },
                    _ => return None,
                };
                let (root_ident, steps) = written_place(place)?;
                let root = self.resolve(&root_ident.to_string())?;
                let local = !self.is_structured_root(root);
                let mut alias = self.extend_alias(root, steps);
                let position = names::place_index(self.fresh());
                alias.projs.push(Proj::Index(position.clone()));
                if local {
                    // a local container: one zero of it before the loop, shared by the reads
                    let z = names::place_zero(self.fresh());
                    let rt = names::rt();
                    self.emit(quote!(
                        let #z = ::std::sync::Arc::new(#rt::zero_tangent_of(&#root_ident));
                    ));
                    alias.local_zero = Some(z);
                }
                let b = self.bind(&ident.to_string());
                self.mark_active(b);
                self.aliases.insert(b, alias);
                Some(quote!((#position, #pat)))
            }
            IterShape::Rev(inner) | IterShape::Counted(inner, _) => {
                self.bind_iter_pattern(pat, inner)
            }
            IterShape::Enumerate(inner) => match pat {
                Pat::Tuple(t) if t.elems.len() == 2 => {
                    self.bind_pattern_inactive(&t.elems[0]);
                    let first = &t.elems[0];
                    let second = self.bind_iter_pattern(&t.elems[1], inner)?;
                    Some(quote!((#first, #second)))
                }
                _ => None,
            },
            IterShape::Zip(a, b) => match pat {
                Pat::Tuple(t) if t.elems.len() == 2 => {
                    let first = self.bind_iter_pattern(&t.elems[0], a)?;
                    let second = self.bind_iter_pattern(&t.elems[1], b)?;
                    Some(quote!((#first, #second)))
                }
                _ => None,
            },
        }
    }
}

/// The loop's iterator with each walk over elements enumerated where it starts, so that every
/// element arrives with its position in its container whatever `rev`, `zip` and `enumerate`
/// do after it.
fn indexed_iter(shape: &IterShape<'_>) -> TokenStream {
    let it = quote!(::core::iter::Iterator);
    match shape {
        IterShape::Inactive(e) => e.to_token_stream(),
        IterShape::Elems(e, _) => {
            quote!(#it::enumerate(::core::iter::IntoIterator::into_iter(#e)))
        }
        IterShape::Rev(inner) => {
            let inner = indexed_iter(inner);
            quote!(#it::rev(#inner))
        }
        IterShape::Enumerate(inner) => {
            let inner = indexed_iter(inner);
            quote!(#it::enumerate(#inner))
        }
        IterShape::Counted(inner, m) => {
            let inner = indexed_iter(inner);
            let (method, n) = (&m.method, &m.args[0]);
            quote!(#it::#method(#inner, #n))
        }
        IterShape::Zip(a, b) => {
            let (a, b) = (indexed_iter(a), indexed_iter(b));
            quote!(#it::zip(#a, #b))
        }
    }
}

fn has_elems(shape: &IterShape<'_>) -> bool {
    match shape {
        IterShape::Elems(..) => true,
        IterShape::Inactive(_) => false,
        IterShape::Rev(i) | IterShape::Enumerate(i) | IterShape::Counted(i, _) => has_elems(i),
        IterShape::Zip(a, b) => has_elems(a) || has_elems(b),
    }
}
