//! Assembly of `NAME_vjp` and `NAME_grad` from the lowered body, the constant-output warning,
//! and, when the function was refused, stand-ins with the same signatures so that callers of
//! `NAME_grad` see only the real error.

use crate::lower::{Lowerer, RET};
use crate::names::{self, local};
use crate::parse::{tangent_type, Signature};
use proc_macro2::{Literal, TokenStream};
use quote::{quote, quote_spanned};
use syn::{FnArg, ItemFn};

/// The pieces of the user's signature that the generated functions repeat.
struct Header<'f> {
    f: &'f ItemFn,
    out_ty: TokenStream,
    /// What the pullback takes: the output type, or its tangent for a structured output.
    cot_ty: TokenStream,
    grads_ty: TokenStream,
    /// `NAME_grad` exists for outputs that `Seed` knows (scalars and tensors).
    with_grad: bool,
    /// `T: Tangent` for every `Float` type parameter (the adjoints of `T` values add).
    extra_bounds: Vec<TokenStream>,
    /// For a function that does not differentiate every parameter: the bitmask of the ones it
    /// does, carried by its pullback's type (`Narrowed<_, MASK>`) so that calls can check it.
    narrowed: Option<proc_macro2::Literal>,
    /// `+ use<T, ..>` for the pullback's opaque type (not borrowing the arguments' lifetimes).
    use_bound: TokenStream,
    /// `::<T, ..>` for calls of the user's function and of `NAME_vjp`.
    turbofish: TokenStream,
}

impl<'f> Header<'f> {
    fn new(f: &'f ItemFn, sig: &Signature) -> Self {
        let tps = &sig.type_params;
        // `impl Trait` parameters (only in a refused function's stand-ins) are anonymous type
        // parameters that no `use<..>` list can name
        let anonymous_params =
            f.sig.inputs.iter().any(
                |a| matches!(a, FnArg::Typed(pt) if matches!(*pt.ty, syn::Type::ImplTrait(_))),
            );
        let rt = names::rt();
        Header {
            narrowed: sig.narrowed_mask(),
            f,
            out_ty: sig.output_type(),
            cot_ty: sig.cotangent_type(),
            grads_ty: sig.grads_type(),
            with_grad: !sig.structured_output || sig.named_output,
            // (`forward::__AdDualF64` in `hvp` copies, a concrete float type named by its path,
            // has them)
            extra_bounds: sig
                .float_params
                .iter()
                .filter(|t| !t.to_string().starts_with("__AdDualF"))
                // a float is its own tangent, also as an element of a local `Vec<T>` or a field
                // of `self` (`Quad<T>` is `Differentiable` when `T` is)
                .map(|t| {
                    quote!(#t: #rt::Tangent + #rt::SingleGrad + #rt::Differentiable<Tangent = #t>)
                })
                .collect(),
            // In a method, the `impl` block's type parameters (which the macro cannot see) must
            // all be listed in a `use<..>`, so there is none: the pullback's `impl Fn` is
            // spelled by this crate, so the capture rules of its edition (2021) apply in every
            // caller's edition: every type parameter, no lifetime of the arguments.
            use_bound: if anonymous_params || sig.in_impl {
                TokenStream::new()
            } else {
                quote!(+ use<#(#tps),*>)
            },
            turbofish: if tps.is_empty() {
                TokenStream::new()
            } else {
                quote!(::<#(#tps),*>)
            },
        }
    }

    /// `fn NAME_vjp<..>(args) -> (Out, impl Fn(Out) -> Grads) where ..` and its `_grad` sibling,
    /// with bodies from the caller.
    fn functions(&self, vjp_body: TokenStream, grad_body: TokenStream) -> TokenStream {
        // panics in the generated code (a non-scalar output's seed) point at the caller
        let f = self.f;
        let (vis, name) = (&f.vis, &f.sig.ident);
        let vjp_name = names::vjp_fn(name);
        let grad_name = names::grad_fn(name);
        let generics = &f.sig.generics;
        let mut where_clause = f.sig.generics.where_clause.clone();
        if !self.extra_bounds.is_empty() {
            let wc = where_clause.get_or_insert_with(|| syn::parse_quote!(where));
            for b in &self.extra_bounds {
                wc.predicates.push(syn::parse_quote!(#b));
            }
        }
        let where_clause = &where_clause;
        let inputs = f.sig.inputs.iter();
        let inputs2 = inputs.clone();
        let (out_ty, cot_ty, grads_ty, use_bound) =
            (&self.out_ty, &self.cot_ty, &self.grads_ty, &self.use_bound);
        let closure_ty = quote!(impl ::core::ops::Fn(#cot_ty) -> #grads_ty #use_bound);
        let pb_ty = match &self.narrowed {
            Some(mask) => {
                let rt = names::rt();
                quote!(#rt::Narrowed<#closure_ty, #mask>)
            }
            None => closure_ty,
        };
        let fn_name = name.to_string();
        let vjp_doc = format!(
            "Forward sweep of [`{fn_name}`] with its pullback (generated by `#[differentiable]`).\n\n\
             Returns the value and a pullback mapping the output's cotangent to the gradients of \
             the differentiated arguments."
        );
        let grad_doc = format!(
            "Value and gradient of [`{fn_name}`] for a scalar output (generated by `#[differentiable]`)."
        );
        let allow = allow_attrs();
        let vjp = quote! {
            #[doc = #vjp_doc]
            #allow
            #vis fn #vjp_name #generics (#(#inputs),*)
                -> (#out_ty, #pb_ty)
                #where_clause
            #vjp_body
        };
        if !self.with_grad {
            return vjp;
        }
        quote! {
            #vjp

            #[doc = #grad_doc]
            #allow
            #[track_caller]
            #vis fn #grad_name #generics (#(#inputs2),*) -> (#out_ty, #grads_ty) #where_clause
            #grad_body
        }
    }
}

impl Header<'_> {
    /// The returned pullback: `__ad_pullback`, wrapped in `Narrowed` for a narrowed function.
    fn wrap_pullback(&self) -> TokenStream {
        let rt = names::rt();
        match self.narrowed {
            Some(_) => quote!(#rt::Narrowed::new(__ad_pullback)),
            None => quote!(__ad_pullback),
        }
    }
}

/// How the pullback closure is returned: boxed first for a function that calls other
/// differentiable functions, then wrapped for a narrowed function.
///
/// A function that calls other differentiable functions may be part of a cycle of calls
/// (mutual recursion): its pullback is boxed, so that no pullback type contains itself. One
/// allocation per call of this function; leaf helpers (generic or not) stay unboxed. A
/// `Box<dyn Fn>` returned through the `impl Fn + use<T, ..>` type may only hold `'static` data,
/// so a boxed generic function requires its type parameters to be `'static` (every `Float`
/// type is: `f32`, `f64`, dual numbers); the bound is added to `NAME_vjp` and `NAME_grad` only
/// for the functions that box.
fn packaging(h: &mut Header<'_>, sig: &Signature, lw: &Lowerer) -> (TokenStream, TokenStream) {
    let (cot_ty, grads_ty) = (&h.cot_ty, &h.grads_ty);
    let boxed = if lw.calls_user_functions() {
        quote! {
            let __ad_pullback: ::std::boxed::Box<dyn ::core::ops::Fn(#cot_ty) -> #grads_ty> =
                ::std::boxed::Box::new(__ad_pullback);
        }
    } else {
        TokenStream::new()
    };
    if lw.calls_user_functions() {
        h.extra_bounds.extend(
            sig.type_params
                .iter()
                .chain(&sig.impl_floats)
                .map(|t| quote!(#t: 'static)),
        );
    }
    (boxed, h.wrap_pullback())
}

fn allow_attrs() -> TokenStream {
    quote! {
        #[allow(
            dead_code,
            unused_mut,
            unused_variables,
            unused_assignments,
            unused_labels,
            unused_parens,
            unused_braces,
            unreachable_code,
            non_snake_case,
            clippy::all,
            clippy::pedantic,
            clippy::nursery
        )]
    }
}

/// `NAME_vjp` and `NAME_grad` for a function that lowered without errors.
pub fn derivatives(f: &ItemFn, sig: &Signature, lw: &Lowerer, body: TokenStream) -> TokenStream {
    let mut h = Header::new(f, sig);
    let (boxed, wrap) = packaging(&mut h, sig, lw);
    let name = &f.sig.ident;
    let rt = names::rt();
    let prelude = names::rt_prelude_import();
    let turbofish = &h.turbofish;
    let label = &lw.body_label;
    let (zero_metas, grads_value) = gradients(sig, lw);
    let Replay {
        trace_ty,
        records,
        iters,
        arms,
        straight,
    } = replay(lw);
    let ret_adj = lw.adj_ident(RET);
    let adjoint_decls = lw
        .adjoints()
        .into_iter()
        .filter(|a| *a != ret_adj)
        .map(|a| quote!(let mut #a = ::core::option::Option::None;));
    let (trace, out, dy, step) = (
        names::trace(),
        local::out(),
        local::cotangent(),
        local::step(),
    );
    let cot_ty = &h.cot_ty;
    let fn_name = name.to_string();
    let om = local::out_meta();
    // methods and associated functions reach their siblings through `Self::`
    let self_path = if sig.in_impl {
        quote!(Self::)
    } else {
        TokenStream::new()
    };
    let (out_meta, check) = if sig.structured_output {
        (TokenStream::new(), TokenStream::new())
    } else {
        (
            quote!(let #om = #rt::CotangentCheck::cotangent_meta(&#out);),
            quote!(#rt::CotangentCheck::check_cotangent(&#om, &#dy, #fn_name);),
        )
    };
    let warning = if lw.output_is_active() {
        TokenStream::new()
    } else {
        constant_output_warning(f)
    };
    // One straight-line segment: its record says whether it ran, no trace is kept.
    let (trace_decl, sweep) = match straight {
        Some(sweep) => (quote!(let mut #trace = #rt::NoTrace;), sweep),
        None => (
            quote!(let mut #trace = #rt::Trace::<#trace_ty>::new();),
            quote! {
                for #step in #trace.iter().rev() {
                    match *#step {
                        #(#arms)*
                        _ => ::core::unreachable!(),
                    }
                }
            },
        ),
    };
    // Taken (or cleared) by every generated `NAME_vjp`, guards or not: a request left pending
    // would be taken by the next function of the same name, such as one this body calls.
    let want = if lw.uses_call_activity() {
        let w = local::want();
        let vjp = names::vjp_fn(name);
        // called by its path (its function item) or, a method, on a receiver of type `Self`
        let method = f
            .sig
            .receiver()
            .map(|_| quote!(, #rt::Callee::method_of::<Self>(#fn_name)));
        quote! {
            let #w: u64 = #rt::take_call_activity(
                &[#rt::Callee::function(&#self_path #vjp #turbofish) #method]
            );
        }
    } else {
        quote!(#rt::clear_call_activity();)
    };
    let vjp_body = quote! {{
        #[allow(unused_imports)]
        #prelude
        // which gradients the caller needs (`vjp::call_activity`)
        #want
        // the primal counts as used when its derivative is
        let _ = #self_path #name #turbofish;
        #warning
        #(#zero_metas)*
        #trace_decl
        #(#records)*
        let #out = #label: #body;
        #out_meta
        let __ad_pullback = move |#dy: #cot_ty| {
            #check
            let mut #ret_adj = ::core::option::Option::Some(#dy);
            #(#adjoint_decls)*
            #(#iters)*
            #sweep
            #grads_value
        };
        #boxed
        (#out, #wrap)
    }};
    let vjp_name = names::vjp_fn(name);
    let arg_names = sig.params.iter().map(|p| &p.ident);
    let seed = if sig.named_output {
        quote!(#rt::OutputSeed::output_seed(&__ad_y, #fn_name))
    } else {
        quote!(#rt::Seed::seed_one_for(&__ad_y, #fn_name))
    };
    let grad_body = quote! {{
        let (__ad_y, __ad_pb) = #self_path #vjp_name #turbofish (#(#arg_names),*);
        let __ad_seed = #seed;
        let __ad_g = __ad_pb(__ad_seed);
        (__ad_y, __ad_g)
    }};
    h.functions(vjp_body, grad_body)
}

/// Per differentiated parameter: what its zero gradient is built from, and the expression that
/// turns its adjoint into its gradient (a tuple of them when there are several).
fn gradients(sig: &Signature, lw: &Lowerer) -> (Vec<TokenStream>, TokenStream) {
    let rt = names::rt();
    let mut metas = Vec::new();
    let mut finishes = Vec::new();
    for (id, p) in sig.wrt_params() {
        let zm = names::zero_meta(id);
        let x = &p.ident;
        let adj = lw.adj_ident(id);
        if p.structured {
            // a zero of the argument's shape: the adjoint starts from it when a part of the
            // argument receives a gradient, and it is the gradient when nothing flows back
            let by_ref = if matches!(p.ty, syn::Type::Reference(_)) {
                quote!(#x)
            } else {
                quote!(&#x)
            };
            // spanned at the type: a type that is not `Differentiable` is reported there
            let span = syn::spanned::Spanned::span(&p.ty);
            metas.push(quote_spanned!(span=> let #zm = #rt::zero_tangent_of(#by_ref);));
            finishes.push(quote_spanned!(span=> #rt::finish_structured(#adj, &#zm)));
            continue;
        }
        // `x: &Tensor<E>` / `w: &f64`: the zero and gradient of the value behind the reference
        let by_ref = matches!(p.ty, syn::Type::Reference(_));
        let x = if by_ref { quote!(#x) } else { quote!(&#x) };
        metas.push(quote!(let #zm = #rt::ArgZero::zero_meta(#x);));
        let ty = tangent_type(&p.ty);
        finishes.push(quote!(#rt::finish::<#ty>(#adj, &#zm)));
    }
    let value = if finishes.len() == 1 {
        finishes.pop().expect("one gradient")
    } else {
        quote!((#(#finishes),*))
    };
    (metas, value)
}

/// The record storage of every segment and the match arms that replay them.
struct Replay {
    trace_ty: TokenStream,
    records: Vec<TokenStream>,
    iters: Vec<TokenStream>,
    arms: Vec<TokenStream>,
    /// For a body that is one straight-line segment (outside any loop, with pullbacks): the
    /// whole reverse sweep, replaying the segment if its record was written (it was not if the
    /// function returned before reaching its end), without a trace.
    straight: Option<TokenStream>,
}

fn replay(lw: &Lowerer) -> Replay {
    let nseg = lw.segments.len();
    let trace_ty = if nseg <= 256 {
        quote!(u8)
    } else if nseg <= 65536 {
        quote!(u16)
    } else {
        quote!(u32)
    };
    let rec_ref = local::record_ref();
    if let [seg] = lw.segments.as_slice() {
        if !seg.in_loop && !seg.pbs.is_empty() && seg.checkpoint.is_none() {
            let rec = names::record(0);
            let (pbs, rev) = (&seg.pbs, &seg.rev);
            return Replay {
                trace_ty,
                records: vec![quote!(let mut #rec = ::core::option::Option::None;)],
                iters: Vec::new(),
                arms: Vec::new(),
                straight: Some(quote! {
                    if let ::core::option::Option::Some(#rec_ref) = &#rec {
                        let (#(#pbs,)*) = #rec_ref;
                        #rev
                    }
                }),
            };
        }
    }
    // the segments inside checkpointed loops are replayed by their loop's segment
    let nested = crate::lower::checkpointed_segments(&lw.segments);
    let top: Vec<usize> = (0..nseg).filter(|k| !nested.contains(k)).collect();
    let (records, iters, arms) = replay_segments(lw, &top, &trace_ty);
    Replay {
        trace_ty,
        records,
        iters,
        arms,
        straight: None,
    }
}

/// Per segment of `ids`: its record storage, the iterator its replay pops from (in loops), and
/// its match arm.
fn replay_segments(
    lw: &Lowerer,
    ids: &[usize],
    trace_ty: &TokenStream,
) -> (Vec<TokenStream>, Vec<TokenStream>, Vec<TokenStream>) {
    let (mut records, mut iters, mut arms) = (Vec::new(), Vec::new(), Vec::new());
    let rec_ref = local::record_ref();
    for &k in ids {
        let seg = &lw.segments[k];
        let kk = Literal::usize_unsuffixed(k);
        let rev = match &seg.checkpoint {
            Some(ck) => checkpoint_replay(lw, ck, &seg.pbs[0], trace_ty),
            None => seg.rev.clone(),
        };
        if seg.pbs.is_empty() {
            arms.push(quote!(#kk => { #rev }));
            continue;
        }
        let rec = names::record(k);
        let pbs = &seg.pbs;
        let next = if seg.in_loop {
            // a few iterations' worth up front: most loops run more than once, and growing from
            // empty costs a reallocation at 4, 8 and 16 records
            let it = names::record_iter(k);
            records.push(quote!(let mut #rec = ::std::vec::Vec::with_capacity(16);));
            iters.push(quote!(let mut #it = #rec.iter().rev();));
            quote!(::core::iter::Iterator::next(&mut #it))
        } else {
            records.push(quote!(let mut #rec = ::core::option::Option::None;));
            quote!(&#rec)
        };
        arms.push(quote! {
            #kk => {
                let (#(#pbs,)*) = match #next {
                    ::core::option::Option::Some(#rec_ref) => #rec_ref,
                    ::core::option::Option::None => ::core::unreachable!(),
                };
                #rev
            }
        });
    }
    (records, iters, arms)
}

/// The replay of a `#[checkpoint]` loop whose record (stored values, block length, states,
/// iteration count) is bound to `rec`: for each block from the last, restore its state, run it
/// again with its own trace and records, and replay those backwards.
fn checkpoint_replay(
    lw: &Lowerer,
    ck: &crate::lower::CheckpointReplay,
    rec: &syn::Ident,
    trace_ty: &TokenStream,
) -> TokenStream {
    let rt = names::rt();
    let ids: Vec<usize> = ck.segments.clone().collect();
    let (records, iters, arms) = replay_segments(lw, &ids, trace_ty);
    let (env, state, len) = (
        crate::lower::ck_env(),
        crate::lower::ck_state(),
        crate::lower::ck_len(),
    );
    let (trace, step, rerun) = (names::trace(), local::step(), &ck.rerun);
    // one trace and one record `Vec` per segment, emptied for each block (allocated once)
    let cleared = ids
        .iter()
        .filter(|&&k| !lw.segments[k].pbs.is_empty())
        .map(|&k| names::record(k));
    quote! {
        let (#env, __ad_ck_every, __ad_ck_states, __ad_ck_count) = #rec;
        let mut #trace = #rt::Trace::<#trace_ty>::new();
        #(#records)*
        for __ad_ck_block in (0..#rt::checkpoint_blocks(*__ad_ck_count, *__ad_ck_every)).rev() {
            let #len = #rt::checkpoint_block_len(*__ad_ck_count, *__ad_ck_every, __ad_ck_block);
            let #state = &__ad_ck_states[__ad_ck_block];
            #trace.clear();
            #(#cleared.clear();)*
            #rerun
            #(#iters)*
            for #step in #trace.iter().rev() {
                match *#step {
                    #(#arms)*
                    _ => ::core::unreachable!(),
                }
            }
        }
    }
}

/// Stand-ins for a refused function: the same signatures, with the errors as their body, so a
/// caller's `NAME_grad(..)` type-checks and the user sees only the real error.
pub fn fallback(f: &ItemFn, sig: &Signature, errors: TokenStream) -> TokenStream {
    let h = Header::new(f, sig);
    let (cot_ty, grads_ty) = (&h.cot_ty, &h.grads_ty);
    let wrap = h.wrap_pullback();
    let vjp_body = quote! {{
        #errors
        let __ad_pullback = move |_: #cot_ty| -> #grads_ty { ::core::unreachable!() };
        (::core::unreachable!(), #wrap)
    }};
    let grad_body = quote!({ ::core::unreachable!() });
    h.functions(vjp_body, grad_body)
}

/// `NAME_vjp` and `NAME_grad` of a generic function again under the name `renamed`
/// (`renamed_vjp`, `renamed_grad`), forwarding to them: what other functions' `hvp` copies call
/// (`forward_hvp.rs`); in an `impl` block, associated functions calling `Self::NAME_vjp`.
/// Nothing for a function whose parameters are not plain names.
pub fn forwarders(f: &ItemFn, sig: &Signature, renamed: &syn::Ident) -> TokenStream {
    let Some(args) = f
        .sig
        .inputs
        .iter()
        .map(|a| match a {
            FnArg::Typed(pt) => crate::parse::plain_ident(&pt.pat),
            FnArg::Receiver(r) => Some(syn::Ident::new("self", r.self_token.span)),
        })
        .collect::<Option<Vec<_>>>()
    else {
        return TokenStream::new();
    };
    let this = sig.in_impl.then(|| quote!(Self::));
    let mut g = f.clone();
    g.sig.ident = renamed.clone();
    g.attrs.clear();
    let mut h = Header::new(&g, sig);
    // `NAME_vjp` of a function that boxes its pullback requires `'static` type parameters (of
    // the `impl` block too)
    h.extra_bounds.extend(
        sig.type_params
            .iter()
            .chain(&sig.impl_floats)
            .map(|t| quote!(#t: 'static)),
    );
    let (vjp, grad) = (names::vjp_fn(&f.sig.ident), names::grad_fn(&f.sig.ident));
    let tf = &h.turbofish;
    let vjp_body = quote!({ #this #vjp #tf (#(#args),*) });
    let grad_body = quote!({ #this #grad #tf (#(#args),*) });
    h.functions(vjp_body, grad_body)
}

/// Stable Rust has no custom warnings; a deprecated item used at the function's name produces a
/// warning that says what is wrong, where the user looks. Both live inside `NAME_vjp`'s body,
/// so the same code serves free functions and methods.
fn constant_output_warning(f: &ItemFn) -> TokenStream {
    let name = &f.sig.ident;
    let note = format!(
        "the result of `{name}` does not depend on any differentiated argument: its gradient is always zero"
    );
    let marker = names::constant_output_marker(name);
    let use_it = quote_spanned!(name.span()=> let _ = #marker;);
    quote! {
        #[deprecated(note = #note)]
        #[allow(non_camel_case_types)]
        struct #marker;
        #use_it
    }
}

/// `debug` / `AUTODIFF_DEBUG=1`: the generated code, formatted.
pub fn print_debug(ts: &TokenStream) {
    match syn::parse2::<syn::File>(ts.clone()) {
        Ok(file) => eprintln!("{}", prettyplease::unparse(&file)),
        Err(_) => eprintln!("{ts}"),
    }
}
