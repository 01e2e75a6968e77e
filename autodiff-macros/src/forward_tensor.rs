//! `#[differentiable(jvp)]` / `#[differentiable(hvp)]` on tensor functions: the function's body
//! runs again with tensors of dual numbers (`Tensor<Dual<E>>`, whose elements carry a tangent
//! beside each value), so forward mode covers every construct and tensor operation the body
//! uses. `NAME_jvp` seeds the differentiated arguments with their tangents, every other tensor
//! argument as a constant, and calls a copy of the function whose tensor parameters are dual;
//! `NAME_hvp` does the same with the copy's own generated `_grad` (forward over reverse;
//! `forward_hvp.rs`).
//!
//! Which parameters change type in the copy: the differentiated ones (`Tensor<E>`, `&Tensor<E>`,
//! `E`), and every other tensor or container of tensors (`&[Tensor<E>]`, `Vec<Tensor<E>>`), so
//! products between data and parameters type-check. Scalars that are not differentiated stay
//! plain numbers (dual tensors take them as constants). Structs, containers and tuples of them,
//! and `self`, go through `autodiff::forward::Dualize` (`forward_dual.rs`, which also sends
//! calls of other functions to their copies). Non-generic functions of plain numbers take the
//! same path at `Dual<f64>`. The copy is an item of its own, `__ad_NAME_dual` (an associated
//! function in an `impl`), so that other functions' copies can call it.

use crate::ctxt::Ctxt;
use crate::parse::{Options, Signature};
use crate::syntax::is_float_type;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::{GenericArgument, ItemFn, PathArguments, Type};

/// How a parameter enters the dual copy.
pub(crate) enum Conv {
    /// A differentiated tensor or scalar: seeded with its tangent.
    Seeded,
    /// A tensor or container of tensors that is not differentiated: a constant.
    Constant,
    /// A scalar of the generic element type that is not differentiated: a constant.
    ConstantScalar,
    /// A differentiated struct, container or tuple (or `self`): seeded through `Dualize`.
    SeededStruct,
    /// A struct, container or tuple (or `self`) that is not differentiated: a constant, through
    /// `Dualize`.
    ConstantStruct,
    /// Anything else: passed unchanged.
    Unchanged,
}

impl Conv {
    pub(crate) fn structured(&self) -> bool {
        matches!(self, Conv::SeededStruct | Conv::ConstantStruct)
    }
}

/// The element type a tensor type names (`f32`, `f64`, a type parameter; `Tensor` alone is
/// `f32`).
pub(crate) fn tensor_elem(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != "Tensor" {
        return None;
    }
    match &seg.arguments {
        PathArguments::None => Some(syn::parse_quote!(f32)),
        PathArguments::AngleBracketed(a) => match a.args.first()? {
            GenericArgument::Type(t @ Type::Path(p)) if p.path.get_ident().is_some() => {
                Some(t.clone())
            }
            _ => None,
        },
        PathArguments::Parenthesized(_) => None,
    }
}

pub(crate) fn strip_ref(ty: &Type) -> (&Type, Option<&syn::TypeReference>) {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => (&r.elem, Some(r)),
        _ => (ty, None),
    }
}

/// `Vec<Tensor<E>>` / `[Tensor<E>]`: the element type of the tensors inside.
fn container_elem(ty: &Type) -> Option<Type> {
    match ty {
        Type::Slice(s) => tensor_elem(&s.elem),
        Type::Path(p) => {
            let seg = p.path.segments.last()?;
            if seg.ident != "Vec" {
                return None;
            }
            match &seg.arguments {
                PathArguments::AngleBracketed(a) => match a.args.first()? {
                    GenericArgument::Type(t) => tensor_elem(t),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// The type with its tensors' element `E` replaced by `Dual<E>` (or by `alias`, a name for
/// `Dual<E>`).
pub fn dual_type(ty: &Type, alias: Option<&Type>) -> Type {
    struct Sub<'a>(Option<&'a Type>);
    impl syn::visit_mut::VisitMut for Sub<'_> {
        fn visit_type_mut(&mut self, t: &mut Type) {
            let dual = |e: &Type| -> TokenStream {
                match self.0 {
                    Some(alias) => quote!(#alias),
                    None => quote!(::autodiff::forward::Dual<#e>),
                }
            };
            if let Some(e) = tensor_elem(t) {
                let d = dual(&e);
                *t = syn::parse_quote!(::autodiff::Tensor<#d>);
                return;
            }
            if is_float_type(t) {
                let d = dual(t);
                *t = syn::parse_quote!(#d);
                return;
            }
            syn::visit_mut::visit_type_mut(self, t);
        }
    }
    let mut t = ty.clone();
    syn::visit_mut::VisitMut::visit_type_mut(&mut Sub(alias), &mut t);
    t
}

/// The parameters of a tensor function in the form forward mode needs, or `None`.
pub(crate) fn conversions(f: &ItemFn, sig: &Signature) -> Option<Vec<Conv>> {
    let generic = generic_elem(sig);
    let generic_ok = sig.type_params.is_empty() || generic.is_some();
    let receiver_ok = f.sig.receiver().is_none_or(crate::parse::receiver_type_ok);
    if !generic_ok || !receiver_ok || (generic.is_some() && sig.in_impl) {
        return None;
    }
    let is_t = |t: &Type| generic.is_some_and(|g| matches!(t, Type::Path(p) if p.path.is_ident(g)));
    // a struct or tuple result (`jvp` only); in a generic function, one holding the element
    let structured_out =
        |t: &Type| structured_output(t) && !is_t(t) && generic.is_none_or(|g| mentions_ident(t, g));
    let out_ok = sig.output.as_ref().is_some_and(|t| {
        tensor_elem(t).is_some() || is_float_type(t) || is_t(t) || structured_out(t)
    });
    let slice = |t: &Type| matches!(strip_ref(t).0, Type::Slice(_));
    if !out_ok
        || sig
            .params
            .iter()
            .any(|p| p.wrt && p.structured && slice(&p.ty))
    {
        return None;
    }
    // a non-generic function of plain numbers runs at `Dual<f64>` like a tensor function
    let mut any_tensor = tensor_elem(sig.output.as_ref()?).is_some() || generic.is_none();
    let convs = sig
        .params
        .iter()
        .map(|p| {
            let (inner, _) = strip_ref(&p.ty);
            let tensor = tensor_elem(inner).is_some();
            any_tensor |= tensor;
            if p.wrt && (p.structured || p.ident == "self") {
                Conv::SeededStruct
            } else if p.wrt {
                Conv::Seeded
            } else if tensor || container_elem(inner).is_some() {
                Conv::Constant
            } else if is_t(&p.ty) {
                Conv::ConstantScalar
            } else if p.ident == "self" || crate::forward_dual::is_dualizable(&p.ty) {
                Conv::ConstantStruct
            } else {
                Conv::Unchanged
            }
        })
        .collect::<Vec<Conv>>();
    // a generic function runs at `T = Dual<T>` as written: a struct or container that does not
    // hold `T` values is data, passed unchanged; one that does is rebuilt at `Dual<T>`
    // (`Params<T>: Dualize<Dual = Params<Dual<T>>>`, see `derive/dual_elem.rs`); a
    // differentiated one that does not hold `T` has no such form (the caller reports it)
    let convs = match generic {
        Some(g) => convs
            .into_iter()
            .zip(&sig.params)
            .map(|(c, p)| match c {
                _ if p.ident == "self" => None,
                Conv::ConstantStruct if !mentions_ident(&p.ty, g) => Some(Conv::Unchanged),
                Conv::SeededStruct if !mentions_ident(&p.ty, g) => None,
                c => Some(c),
            })
            .collect::<Option<Vec<Conv>>>()?,
        None => convs,
    };
    // (a generic function of numbers and such structs has no tensor)
    any_tensor |= generic.is_some() && convs.iter().any(Conv::structured);
    any_tensor.then_some(convs)
}

/// Does the type name `id` anywhere (`Params<T>`, `&[T; 3]`)?
pub(crate) fn mentions_ident(ty: &Type, id: &syn::Ident) -> bool {
    ty.to_token_stream()
        .into_iter()
        .any(|t| contains_ident(t, id))
}

fn contains_ident(t: proc_macro2::TokenTree, id: &syn::Ident) -> bool {
    match t {
        proc_macro2::TokenTree::Ident(i) => i == *id,
        proc_macro2::TokenTree::Group(g) => g.stream().into_iter().any(|t| contains_ident(t, id)),
        _ => false,
    }
}

/// A result that is a struct, container or tuple (not a number or a tensor): the copy returns
/// its form at dual numbers, `<Out as Dualize>::Dual`.
pub(crate) fn structured_output(ty: &Type) -> bool {
    !matches!(ty, Type::Reference(_)) && crate::forward_dual::is_dualizable(ty)
}

/// The copy's result type: tensors and numbers at dual numbers (`dual_type`), a struct,
/// container or tuple as its `Dualize` form.
pub(crate) fn copy_output_type(ty: &Type, alias: Option<&Type>) -> Type {
    if structured_output(ty) {
        crate::forward_dual::dual_param_type(ty)
    } else {
        dual_type(ty, alias)
    }
}

/// The one type parameter of a function generic over its element type (`fn f<T: Element>`).
pub(crate) fn generic_elem(sig: &Signature) -> Option<&syn::Ident> {
    match (sig.type_params.as_slice(), sig.float_params.as_slice()) {
        ([t], [e]) if t == e => Some(t),
        _ => None,
    }
}

/// The copy of the function at dual numbers: same body (without `#[checkpoint]` attributes),
/// converted parameter and result types.
pub(crate) fn dual_copy(
    f: &ItemFn,
    sig: &Signature,
    convs: &[Conv],
    name: &syn::Ident,
    alias: Option<&Type>,
) -> (ItemFn, Vec<syn::Error>) {
    let mut copy = crate::lower::strip_checkpoint_attrs(f);
    copy.sig.ident = name.clone();
    copy.attrs.retain(|a| a.path().is_ident("allow"));
    let mut receiver = None;
    for (k, arg) in copy.sig.inputs.iter_mut().enumerate() {
        match arg {
            syn::FnArg::Typed(pt) => {
                if k < sig.params.len() && convs[k].structured() {
                    *pt.ty = crate::forward_dual::dual_param_type(&pt.ty);
                } else if k < sig.params.len() && !matches!(convs[k], Conv::Unchanged) {
                    *pt.ty = dual_type(&pt.ty, alias);
                }
            }
            syn::FnArg::Receiver(r) => {
                let by_ref = r.reference.is_some();
                let dual = crate::forward_dual::dual_param_type(&r.ty);
                receiver = Some(by_ref);
                *arg = syn::parse_quote!(__ad_this: #dual);
            }
        }
    }
    if let syn::ReturnType::Type(_, t) = &mut copy.sig.output {
        **t = copy_output_type(t, alias);
    }
    // plain number parameters, compared with and passed to methods of dual values
    let plain: Vec<syn::Ident> = sig
        .params
        .iter()
        .zip(convs)
        .filter(|(p, c)| matches!(c, Conv::Unchanged) && is_float_type(&p.ty))
        .map(|(p, _)| p.ident.clone())
        .collect();
    let seeds = sig
        .params
        .iter()
        .zip(convs)
        .filter(|(_, c)| !matches!(c, Conv::Unchanged))
        .map(|(p, _)| p.ident.to_string())
        .collect();
    let names: Vec<String> = sig.params.iter().map(|p| p.ident.to_string()).collect();
    crate::forward_closure_names::rename(&mut copy.block, &names);
    let (_, dual) = crate::forward_dual::locals(&copy.block, &seeds);
    let refused = crate::forward_rewrite::rewrite(&mut copy.block, &dual, alias.is_some(), alias);
    crate::forward_literals::rewrite(&mut copy.block, alias.is_some(), &plain);
    let mut errors = {
        let named_params = sig
            .params
            .iter()
            .zip(convs)
            .filter(|(p, c)| c.structured() && p.ident != "self")
            .filter_map(|(p, _)| {
                let (inner, by_ref) = strip_ref(&p.ty);
                let named = crate::forward_dual::is_named(inner);
                named.then(|| (p.ident.to_string(), inner.clone(), by_ref.is_some()))
            })
            .collect();
        let cx = crate::forward_dual::CallContext {
            receiver,
            in_impl: sig.in_impl,
            named_params,
            hvp: alias.is_some(),
            written: crate::forward_struct_lit::Written::of(f),
        };
        crate::forward_dual::rewrite_calls(&mut copy.block, &seeds, &cx)
    };
    rename_self_calls(&mut copy.block, &f.sig.ident, name);
    // users' methods named `len`, `size`, .. on structs at dual numbers (`forward/size.rs`):
    // called in the jvp copy, refused in the hvp copy
    let sizes = match alias {
        None => quote!(::autodiff::forward::UserSizeMethods),
        Some(_) => quote!(::autodiff::forward::UserSizeMethodsHvp),
    };
    copy.block.stmts.insert(
        0,
        syn::parse_quote!(#[allow(unused_imports)] use #sizes as _;),
    );
    errors.extend(refused);
    (copy, errors)
}

/// A recursive function's calls of itself, in its copy, call the copy (at dual numbers).
fn rename_self_calls(block: &mut syn::Block, from: &syn::Ident, to: &syn::Ident) {
    struct Rename<'a>(&'a syn::Ident, &'a syn::Ident);
    impl syn::visit_mut::VisitMut for Rename<'_> {
        fn visit_expr_call_mut(&mut self, c: &mut syn::ExprCall) {
            syn::visit_mut::visit_expr_call_mut(self, c);
            if let syn::Expr::Path(p) = &mut *c.func {
                if p.path.is_ident(self.0) {
                    p.path = syn::Path::from(self.1.clone());
                }
            }
        }
        fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    }
    syn::visit_mut::VisitMut::visit_block_mut(&mut Rename(from, to), block);
}

/// The arguments of the call to the dual copy (after `prelude`'s conversions), and the tangent
/// parameters (`prefix` + name, of the parameter's own type).
pub(crate) fn call_args(
    sig: &Signature,
    convs: &[Conv],
    prefix: &str,
) -> (TokenStream, Vec<TokenStream>, Vec<TokenStream>) {
    let fwd = quote!(::autodiff::forward);
    let mut prelude = TokenStream::new();
    let (mut args, mut tangents) = (Vec::new(), Vec::new());
    for (p, conv) in sig.params.iter().zip(convs) {
        let x = &p.ident;
        let (inner, by_ref) = strip_ref(&p.ty);
        let amp = by_ref.map(|_| quote!(&));
        let local = format_ident!("__ad_dual_{}", x);
        match conv {
            Conv::Seeded => {
                let d = format_ident!("{}{}", prefix, x);
                let ty = &p.ty;
                tangents.push(quote!(#d: #ty));
                if tensor_elem(inner).is_some() {
                    prelude.extend(quote!(let #local = #fwd::dual_tensor(&#x, &#d);));
                    args.push(quote!(#amp #local));
                } else if by_ref.is_some() {
                    // `s: &f64`: the copy takes `&Dual<f64>`
                    args.push(quote!(&#fwd::Dual::new(*#x, *#d)));
                } else {
                    args.push(quote!(#fwd::Dual::new(#x, #d)));
                }
            }
            Conv::Constant if tensor_elem(inner).is_some() => {
                prelude.extend(quote!(let #local = #fwd::dual_constant(&#x);));
                args.push(quote!(#amp #local));
            }
            Conv::Constant => {
                prelude.extend(quote! {
                    let #local: ::std::vec::Vec<_> =
                        #x.iter().map(|__ad_t| #fwd::dual_constant(__ad_t)).collect();
                });
                args.push(quote!(#amp #local));
            }
            Conv::ConstantScalar => args.push(quote!(#fwd::Dual::constant(#x))),
            Conv::SeededStruct => {
                let d = format_ident!("{}{}", prefix, x);
                let t = crate::parse::structured_tangent(&p.ty);
                if by_ref.is_some() {
                    tangents.push(quote!(#d: &#t));
                    args.push(quote!(&#fwd::dualize_seed(#x, #d)));
                } else {
                    tangents.push(quote!(#d: #t));
                    args.push(quote!(#fwd::dualize_seed(&#x, &#d)));
                }
            }
            Conv::ConstantStruct if by_ref.is_some() => {
                args.push(quote!(&#fwd::dualize_constant(#x)))
            }
            Conv::ConstantStruct => args.push(quote!(#fwd::dualize_constant(&#x))),
            Conv::Unchanged => args.push(x.to_token_stream()),
        }
    }
    (prelude, args, tangents)
}

/// `NAME_jvp` (and `NAME_hvp`) for a tensor function; `None` when the function does not have
/// the form (the caller reports it).
pub fn generate(
    f: &ItemFn,
    opts: &Options,
    sig: &Signature,
    cx: &mut Ctxt,
    span: Span,
) -> Option<TokenStream> {
    let convs = conversions(f, sig)?;
    if let Some(t) = generic_elem(sig) {
        let mut out = crate::forward_dual::callee_items(f, sig);
        out.extend(crate::forward_generic::instantiated(
            f, opts, sig, &convs, t, cx, span,
        )?);
        return Some(out);
    }
    let name = &f.sig.ident;
    let (vis, inputs) = (&f.vis, f.sig.inputs.iter().collect::<Vec<_>>());
    let out_ty = sig.output.clone()?;
    let fwd = quote!(::autodiff::forward);
    let mut out = TokenStream::new();
    if opts.jvp {
        let copy_name = crate::forward_dual::copy_name(name);
        let (copy, errors) = dual_copy(f, sig, &convs, &copy_name, None);
        if !errors.is_empty() {
            errors.into_iter().for_each(|e| cx.push(e));
            return None;
        }
        let (prelude, args, tangents) = call_args(sig, &convs, "d_");
        let jvp_name = format_ident!("{}_jvp", name);
        let doc = jvp_doc(name);
        let callee = if sig.in_impl {
            quote!(Self::#copy_name)
        } else {
            quote!(#copy_name)
        };
        // a struct or tuple result splits through `Dualize`, into its tangent type
        let (split, tan_ty) = if structured_output(&out_ty) {
            let t = crate::parse::structured_tangent(&out_ty);
            (quote!(<#out_ty as #fwd::Dualize>::split), t)
        } else {
            (quote!(#fwd::SplitDual::split_dual), quote!(#out_ty))
        };
        out.extend(quote! {
            #[doc(hidden)]
            #[allow(unused_mut, unused_variables, unused_parens, dead_code, clippy::all)]
            #copy
            #[doc = #doc]
            #[allow(clippy::too_many_arguments, clippy::type_complexity)]
            #[track_caller]
            #vis fn #jvp_name(#(#inputs,)* #(#tangents),*) -> (#out_ty, #tan_ty) {
                #fwd::with_tangents(|| {
                    #prelude
                    #split(#callee(#(#args),*))
                })
            }
        });
    } else {
        out.extend(crate::forward_dual::callee_items(f, sig));
    }
    if opts.hvp {
        out.extend(crate::forward_hvp::hvp(f, sig, &convs, cx, span)?);
    }
    Some(out)
}

pub(crate) fn jvp_doc(name: &syn::Ident) -> String {
    format!(
        "Value and directional derivative of [`{name}`] (forward mode, generated by \
         `#[differentiable(jvp)]`): one tangent per differentiated argument, in order, of the \
         argument's type, and the output's tangent `J·v`."
    )
}

pub(crate) fn hvp_doc(name: &syn::Ident) -> String {
    format!(
        "Value, gradient and Hessian-vector product `H·v` of [`{name}`] (exact, forward over \
         reverse; generated by `#[differentiable(hvp)]`): one direction per differentiated \
         argument, in order, of the argument's type."
    )
}

/// The one element type of the function's tensors and scalars, if they agree.
pub(crate) fn single_elem(sig: &Signature) -> Option<Type> {
    let mut elems = sig
        .params
        .iter()
        .map(|p| &p.ty)
        .chain(sig.output.as_ref())
        .filter_map(|t| {
            let (inner, _) = strip_ref(t);
            tensor_elem(inner)
                .or_else(|| container_elem(inner))
                .or_else(|| is_float_type(inner).then(|| inner.clone()))
        });
    let first = elems.next()?;
    elems.all(|e| e == first).then_some(first)
}
