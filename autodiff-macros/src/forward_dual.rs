//! Forward mode through structs, containers, methods and calls of other functions (the parts
//! of a dual copy, `forward_tensor.rs`, that are not tensors and numbers).
//!
//! - A struct, container or tuple argument enters the copy as its form at dual numbers,
//!   `<T as autodiff::forward::Dualize>::Dual` (a derived struct's hidden twin, with the same
//!   field names), seeded with its tangent when it is differentiated and a constant otherwise.
//! - A `&self` / `self` method's copy is an associated function taking
//!   `__ad_this: &<Self as Dualize>::Dual`; its body reads `self` as `__ad_this`.
//! - A call of another function with dual arguments calls that function's own copy,
//!   `__ad_NAME_dual` (`self.other(..)` and `Self::other(..)`: `Self::__ad_other_dual`;
//!   `p.apply(..)` on an argument of a named type `P`: `<P>::__ad_apply_dual`). Every
//!   `#[differentiable]` function has one: the copy itself when it has `jvp`, a forwarding
//!   function when it is generic (it runs at dual numbers as written), and otherwise a stand-in
//!   whose bound fails at the caller with "add `#[differentiable(jvp)]` to `NAME`". In the copy
//!   that `NAME_hvp` differentiates, calls go to `__ad_NAME_hvp_dual` instead (`forward_hvp.rs`).
//! - A method called by its type's path (`Lin::forward(&self.l1, x)`) or on a local bound with
//!   its type (`let l: &Lin = ..`, whose annotation becomes `&<Lin as Dualize>::Dual`) goes to
//!   `Lin::__ad_forward_dual`; a user's method on another field, element or local is called
//!   through `autodiff::forward::DualMethod`, which `#[differentiable]` on the method's `impl`
//!   block implements (`forward_methods.rs`).
//! - A struct literal with a field at dual numbers (`Lin { w, b }`) builds the struct's form at
//!   dual numbers through its own path (`LiteralOf::<Lin> { w, b }`, `forward_struct_lit.rs`).

use crate::parse::Signature;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned, ToTokens};
use std::collections::HashSet;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Expr, ItemFn, Type};

/// The name of a function's copy at dual numbers.
pub fn copy_name(name: &syn::Ident) -> syn::Ident {
    format_ident!(
        "__ad_{}_dual",
        syn::ext::IdentExt::unraw(name),
        span = name.span()
    )
}

/// The name of a function's copy at dual numbers that reverse mode differentiates (for
/// `NAME_hvp`, forward over reverse): callers' copies call its `_vjp`.
pub fn hvp_copy_name(name: &syn::Ident) -> syn::Ident {
    format_ident!(
        "__ad_{}_hvp_dual",
        syn::ext::IdentExt::unraw(name),
        span = name.span()
    )
}

/// A struct, container or tuple type (behind at most one shared reference) that is taken at
/// dual numbers through `Dualize` when it is not differentiated: a struct (any named type other
/// than the data types and a few standard ones), or a `Vec`, `Option`, `Box`, array or tuple
/// holding tensors or structs (and, in a tuple, numbers). Tensors and containers of tensors are
/// converted by the tensor path itself; numbers and containers of numbers only stay plain.
pub fn is_dualizable(ty: &Type) -> bool {
    let inner = match ty {
        Type::Reference(r) if r.mutability.is_none() => &*r.elem,
        Type::Reference(_) => return false,
        other => other,
    };
    !crate::parse::is_tensor(inner) && holds_dual(inner)
}

/// Does a value of this type hold a tensor or a struct (every leaf of a tuple dualizable)?
fn holds_dual(ty: &Type) -> bool {
    let number = |t: &Type| crate::syntax::is_float_type(t);
    match ty {
        Type::Paren(p) => holds_dual(&p.elem),
        Type::Array(a) => holds_dual(&a.elem),
        Type::Tuple(t) => {
            t.elems.iter().all(|e| number(e) || holds_dual(e)) && t.elems.iter().any(holds_dual)
        }
        Type::Path(p) if p.qself.is_none() => {
            let Some(seg) = p.path.segments.last() else {
                return false;
            };
            let id = seg.ident.to_string();
            if id == "Tensor" {
                return true;
            }
            if matches!(id.as_str(), "Vec" | "Option" | "Box") {
                return match &seg.arguments {
                    syn::PathArguments::AngleBracketed(a) => a
                        .args
                        .iter()
                        .any(|g| matches!(g, syn::GenericArgument::Type(t) if holds_dual(t))),
                    _ => false,
                };
            }
            id.starts_with(|c: char| c.is_ascii_uppercase())
                && !crate::parse::is_data_type(ty)
                && !matches!(
                    id.as_str(),
                    "Shape" | "Range" | "HashMap" | "BTreeMap" | "HashSet" | "Rc" | "Arc"
                )
        }
        _ => false,
    }
}

/// The parameter type in the copy: `T` -> `<T as Dualize>::Dual`, keeping a reference.
pub fn dual_param_type(ty: &Type) -> Type {
    let dualize = quote!(::autodiff::forward::Dualize);
    match ty {
        Type::Reference(r) => {
            let elem = &r.elem;
            syn::parse_quote_spanned!(elem.span()=> &<#elem as #dualize>::Dual)
        }
        other => syn::parse_quote_spanned!(other.span()=> <#other as #dualize>::Dual),
    }
}

/// Methods that only read sizes: a value computed by them is not at dual numbers.
const SIZE_METHODS: &[&str] = &["shape", "len", "numel", "ndim", "dims", "size", "is_empty"];

/// Functions called with dual arguments that are not users' functions.
const NOT_USER_FNS: &[&str] = &[
    "no_grad",
    "with_tangents",
    "black_box",
    "identity",
    "drop",
    "cross_entropy",
    "mse_loss",
    "binary_cross_entropy_with_logits",
];

/// First segments of paths that are not users' modules (`std::cmp::max`, `f64::max`).
const NOT_USER_MODULES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "autodiff",
    "autodiff_runtime",
    "num_traits",
    "f32",
    "f64",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "bool",
    "char",
    "str",
];

/// Does `e` read one of `names` (other than through a size method or a cast to an integer
/// type)?
pub(crate) fn mentions(e: &Expr, names: &HashSet<String>) -> bool {
    struct M<'a>(&'a HashSet<String>, bool);
    impl<'ast> Visit<'ast> for M<'_> {
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            if let Some(id) = p.path.get_ident() {
                self.1 |= self.0.contains(&id.to_string());
            }
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            if !SIZE_METHODS.iter().any(|s| m.method == s) {
                syn::visit::visit_expr_method_call(self, m);
            }
        }
        // `(x * 3.0).floor() as usize` is a plain integer
        fn visit_expr_cast(&mut self, c: &'ast syn::ExprCast) {
            if !crate::forward_scan::is_int_type(&c.ty) {
                syn::visit::visit_expr_cast(self, c);
            }
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut m = M(names, false);
    m.visit_expr(e);
    m.1
}

/// Every name a pattern binds.
pub(crate) fn pat_names(p: &syn::Pat, out: &mut HashSet<String>) {
    struct B<'a>(&'a mut HashSet<String>);
    impl<'ast> Visit<'ast> for B<'_> {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.insert(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
    }
    B(out).visit_pat(p);
}

pub(crate) use crate::forward_locals::locals;

/// Where the copy is: for a method, how its receiver is passed on (`__ad_this` by reference or
/// by value); for every function, the named types of its parameters (for `p.apply(..)`).
pub struct CallContext {
    /// `Some(by_ref)` in a method's copy.
    pub receiver: Option<bool>,
    /// The copy is an associated function (`Self::other(..)` calls go to `Self::__ad_other_dual`).
    pub in_impl: bool,
    /// Parameter name -> its named type (`p: &Lin` -> `Lin`) and whether it is a reference.
    pub named_params: Vec<(String, Type, bool)>,
    /// The copy is `NAME_hvp`'s (differentiated in reverse mode): calls go to the callees'
    /// [`hvp_copy_name`] copies.
    pub hvp: bool,
    /// The generic arguments the function writes for type names (for struct literals).
    pub written: crate::forward_struct_lit::Written,
}

impl CallContext {
    fn callee(&self, name: &syn::Ident) -> syn::Ident {
        if self.hvp {
            hvp_copy_name(name)
        } else {
            copy_name(name)
        }
    }
}

/// Sends the calls of other functions with dual arguments to their copies, and `self` to
/// `__ad_this` (see the module documentation). `seeds`: the parameters taken at dual numbers.
/// Returns the method calls it cannot send (with `hvp`, a user's method with more than 6
/// arguments on a field, element or local whose type it does not know), as errors at the
/// calls.
pub fn rewrite_calls(
    block: &mut syn::Block,
    seeds: &HashSet<String>,
    cx: &CallContext,
) -> Vec<syn::Error> {
    let (bound, dual) = locals(block, seeds);
    let mut r = Rewrite {
        bound: &bound,
        dual: &dual,
        cx,
        typed: Vec::new(),
        errors: Vec::new(),
    };
    r.visit_block_mut(block);
    if cx.receiver.is_some() {
        RenameSelf.visit_block_mut(block);
    }
    r.errors
}

struct Rewrite<'a> {
    bound: &'a HashSet<String>,
    dual: &'a HashSet<String>,
    cx: &'a CallContext,
    /// Locals at dual numbers bound with a named type (`let l: &Lin = ..`): name, type, and
    /// whether it is a reference. Their annotations become the type's dual form.
    typed: Vec<(String, Type, bool)>,
    errors: Vec<syn::Error>,
}

impl Rewrite<'_> {
    fn any_dual<'e>(&self, mut args: impl Iterator<Item = &'e Expr>) -> bool {
        args.any(|a| mentions(a, self.dual))
    }

    fn call(&mut self, c: &mut syn::ExprCall) {
        let Expr::Path(p) = &mut *c.func else { return };
        if p.qself.is_some() || !self.any_dual(c.args.iter()) {
            return;
        }
        let segs = &mut p.path.segments;
        let n = segs.len();
        let user_fn = |id: &syn::Ident| {
            let s = id.to_string();
            s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && !NOT_USER_FNS.contains(&s.as_str())
        };
        let module = |id: &syn::Ident| {
            let s = id.to_string();
            s.starts_with(|c: char| c.is_ascii_lowercase())
                && !NOT_USER_MODULES.contains(&s.as_str())
        };
        let ok = match n {
            1 => !self.bound.contains(&segs[0].ident.to_string()) && user_fn(&segs[0].ident),
            2 if segs[0].ident == "Self" => self.cx.in_impl && user_fn(&segs[1].ident),
            // `Lin::forward(&self.l1, x)`: a method called by its type's path
            2 if is_user_type(&segs[0].ident) => user_fn(&segs[1].ident),
            // `m::helper(x)`, `crate::m::helper(x)`, `super::helper(x)`
            _ => segs.iter().take(n - 1).all(|s| module(&s.ident)) && user_fn(&segs[n - 1].ident),
        };
        if ok {
            let last = &mut segs[n - 1];
            last.ident = self.cx.callee(&last.ident);
            crate::forward_branches::plain_arguments(&mut c.args, self.dual, self.cx.hvp);
        }
    }

    /// `self.m(..)` in a method, `p.m(..)` on a parameter of a named type: the copy of `m`.
    fn method(&self, m: &syn::ExprMethodCall) -> Option<Expr> {
        let Expr::Path(recv) = &*m.receiver else {
            return None;
        };
        let id = recv.path.get_ident()?.to_string();
        if m.method == "clone" || !(self.dual.contains(&id) || id == "self") {
            return None;
        }
        let f = self.cx.callee(&m.method);
        let mut args = m.args.clone();
        crate::forward_branches::plain_arguments(&mut args, self.dual, self.cx.hvp);
        let (args, span) = (args.iter(), m.method.span());
        if id == "self" {
            let by_ref = self.cx.receiver?;
            let this = syn::Ident::new("__ad_this", m.receiver.span());
            let this = if by_ref {
                quote!(#this)
            } else {
                quote!(&#this)
            };
            return syn::parse2(quote_spanned!(span=> Self::#f(#this, #(#args),*))).ok();
        }
        let (_, ty, by_ref) = self
            .cx
            .named_params
            .iter()
            .chain(&self.typed)
            .find(|(n, ..)| *n == id)?;
        let recv = &m.receiver;
        let recv = if *by_ref {
            quote!(#recv)
        } else {
            quote!(&#recv)
        };
        // a generic struct's arguments are left to inference (`Scale::f`, not `<Scale<f64>>::f`):
        // its value at dual numbers is `Scale<Dual<f64>>`
        if let Type::Path(tp) = ty {
            if tp.qself.is_none() {
                let mut path = tp.path.clone();
                path.segments
                    .iter_mut()
                    .for_each(|s| s.arguments = syn::PathArguments::None);
                return syn::parse2(quote_spanned!(span=> #path::#f(#recv, #(#args),*))).ok();
            }
        }
        syn::parse2(quote_spanned!(span=> <#ty>::#f(#recv, #(#args),*))).ok()
    }
}

impl VisitMut for Rewrite<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        match e {
            Expr::Call(c) => self.call(c),
            Expr::MethodCall(m) => {
                if let Some(new) = self.method(m) {
                    *e = new;
                } else if let Some(recv) = self.unknown_receiver(m) {
                    let mut m = m.clone();
                    crate::forward_branches::plain_arguments(&mut m.args, self.dual, self.cx.hvp);
                    match crate::forward_methods::dispatch(&m, &recv, self.cx.hvp) {
                        Some(new) => *e = new,
                        None => self
                            .errors
                            .push(crate::diagnostics::forward_method_on_place(
                                m.method.span(),
                                &m.receiver,
                                &m.method,
                            )),
                    }
                }
            }
            Expr::Struct(st) => {
                crate::forward_struct_lit::rewrite(st, self.dual, &self.cx.written, self.cx.hvp)
            }
            _ => {}
        }
    }
    fn visit_local_mut(&mut self, l: &mut syn::Local) {
        if let syn::Pat::Type(pt) = &mut l.pat {
            let dual = l
                .init
                .as_ref()
                .is_some_and(|i| mentions(&i.expr, self.dual));
            if let (syn::Pat::Ident(pi), true) = (&*pt.pat, dual) {
                let (inner, by_ref) = match &*pt.ty {
                    Type::Reference(r) if r.mutability.is_none() => (&*r.elem, true),
                    other => (other, false),
                };
                let named = crate::forward_dual::is_named(inner);
                if named && is_dualizable(&pt.ty) {
                    self.typed
                        .push((pi.ident.to_string(), inner.clone(), by_ref));
                    *pt.ty = dual_param_type(&pt.ty);
                }
            }
        }
        syn::visit_mut::visit_local_mut(self, l);
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// A user's type named by one path segment (`Lin`, `Scale<f64>`): its methods' copies are its
/// associated functions. The standard containers, `Tensor` and the primitive floats are not
/// (`let v: Vec<f64> = ..; v.iter()` calls `Vec`'s own methods on dual values).
pub fn is_named(ty: &Type) -> bool {
    const NOT_USER: &[&str] = &[
        "Vec", "Option", "Box", "Rc", "Arc", "Tensor", "String", "HashMap", "BTreeMap", "VecDeque",
        "Cow", "RefCell", "Cell", "f32", "f64",
    ];
    matches!(ty, Type::Path(tp) if tp.qself.is_none()
        && tp.path.segments.len() == 1
        && !NOT_USER.iter().any(|n| tp.path.segments[0].ident == n))
}

/// Methods of containers and iterators, called on dual values as on any other.
const CONTAINER_METHODS: &[&str] = &[
    "iter",
    "iter_mut",
    "into_iter",
    "get",
    "first",
    "last",
    "map",
    "zip",
    "enumerate",
    "rev",
    "unwrap",
    "expect",
    "as_ref",
    "as_deref",
    "borrow",
    "collect",
    "cloned",
    "copied",
    "fold",
    "sum",
    "product",
    "skip",
    "take",
    "step_by",
    "chain",
    "windows",
    "chunks",
    "split_at",
    "to_vec",
    "into",
    "len",
    "is_some",
    "is_none",
    "unwrap_or",
    "is_empty",
];

/// A type name that is not one of the data types (`Lin` in `Lin::forward(..)`).
fn is_user_type(id: &syn::Ident) -> bool {
    let s = id.to_string();
    s.starts_with(|c: char| c.is_ascii_uppercase())
        && !matches!(
            s.as_str(),
            "Self"
                | "Tensor"
                | "Dual"
                | "Shape"
                | "Vec"
                | "Option"
                | "Box"
                | "Rc"
                | "Arc"
                | "String"
                | "HashMap"
                | "BTreeMap"
                | "Float"
                | "Element"
        )
}

impl Rewrite<'_> {
    /// A user's method (unknown to the table of operations) on a field, element or local at
    /// dual numbers whose type the macro does not know: the receiver (without `&` and
    /// parentheses), called through `DualMethod` (`forward_methods.rs`).
    fn unknown_receiver(&self, m: &syn::ExprMethodCall) -> Option<Expr> {
        let name = m.method.to_string();
        if crate::methods::method_kind(&name).is_some()
            || CONTAINER_METHODS.contains(&name.as_str())
            || SIZE_METHODS.contains(&name.as_str())
        {
            return None;
        }
        let mut recv = &*m.receiver;
        loop {
            recv = match recv {
                Expr::Reference(r) => &r.expr,
                Expr::Paren(p) => &p.expr,
                _ => break,
            };
        }
        let place = matches!(recv, Expr::Field(_) | Expr::Index(_) | Expr::Path(_));
        (place && mentions(recv, self.dual)).then(|| recv.clone())
    }
}

/// `self` -> `__ad_this` (the receiver's form at dual numbers).
struct RenameSelf;

impl VisitMut for RenameSelf {
    fn visit_expr_path_mut(&mut self, p: &mut syn::ExprPath) {
        if p.qself.is_none() && p.path.is_ident("self") {
            let span = p.path.segments[0].ident.span();
            p.path = syn::Path::from(syn::Ident::new("__ad_this", span));
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The copy's name for a function without `jvp` (see the module documentation): a forwarding
/// function for a generic one, a stand-in that refuses dual arguments at the caller otherwise.
/// Nothing for functions without parameters (no call of them has dual arguments).
pub fn callee_items(f: &ItemFn, sig: &Signature) -> TokenStream {
    let n = f.sig.inputs.len();
    if n == 0 || f.sig.asyncness.is_some() {
        return TokenStream::new();
    }
    let name = &f.sig.ident;
    let copy = copy_name(name);
    let vis = &f.vis;
    // (a method of a generic `impl<T: Float>` block is generic too: `self` at dual numbers is
    // the struct at `Dual<T>`, `derive/dual_elem.rs`)
    let generic = !f.sig.generics.params.is_empty() || !sig.float_params.is_empty();
    if generic && (f.sig.receiver().is_none() || !sig.impl_floats.is_empty()) {
        let Some(args) = f
            .sig
            .inputs
            .iter()
            .map(|a| match a {
                syn::FnArg::Typed(pt) => crate::parse::plain_ident(&pt.pat),
                syn::FnArg::Receiver(r) => Some(syn::Ident::new("self", r.self_token.span)),
            })
            .collect::<Option<Vec<_>>>()
        else {
            return TokenStream::new();
        };
        let this = sig.in_impl.then(|| quote!(Self::));
        let mut s = f.sig.clone();
        s.ident = copy;
        for a in s.inputs.iter_mut() {
            if let syn::FnArg::Typed(pt) = a {
                if let syn::Pat::Ident(pi) = &mut *pt.pat {
                    pi.mutability = None;
                }
            }
        }
        return quote! {
            #[doc(hidden)]
            #[inline(always)]
            #[allow(dead_code, clippy::all)]
            #vis #s { #this #name(#(#args),*) }
        };
    }
    if generic {
        return TokenStream::new();
    }
    let params: Vec<syn::Ident> = (0..n).map(|i| format_ident!("__AdA{}", i)).collect();
    let first = &params[0];
    let out = match &f.sig.output {
        // (a struct result's dual form, `<Out as Dualize>::Dual`, is not written: `Out` may be
        // a type parameter of the `impl` block, which the macro cannot tell from a struct)
        syn::ReturnType::Type(_, t) => crate::forward_tensor::dual_type(t, None).to_token_stream(),
        syn::ReturnType::Default => quote!(()),
    };
    let fwd = quote!(::autodiff::forward);
    if sig.in_impl {
        return quote! {
            #[doc(hidden)]
            #[allow(dead_code, clippy::all)]
            #vis fn #copy<#(#params),*>(#(_: #params),*) -> #out
            where #first: #fwd::MethodNeedsJvp<Self>
            {
                ::core::unreachable!()
            }
        };
    }
    let marker = marker_path(name);
    quote! {
        #[doc(hidden)]
        #[allow(dead_code, clippy::all)]
        #vis fn #copy<#(#params),*>(#(_: #params),*) -> #out
        where #first: #fwd::NeedsJvp<#marker>
        {
            ::core::unreachable!()
        }
    }
}

/// The marker type named after a free function (`__ad_NAME_marker::NAME`), which the bounds of
/// its stand-ins name so that rustc's message names the function ([`marker_items`]).
pub fn marker_path(name: &syn::Ident) -> TokenStream {
    let module = format_ident!("__ad_{}_marker", syn::ext::IdentExt::unraw(name));
    let marker = syn::ext::IdentExt::unraw(name);
    quote!(#module::#marker)
}

/// The module holding the marker of a non-generic free function with parameters (see
/// [`marker_path`]); nothing for other functions, whose stand-ins do not name one.
pub fn marker_items(f: &ItemFn, sig: &Signature) -> TokenStream {
    let plain = f.sig.generics.params.is_empty() && !sig.in_impl && f.sig.receiver().is_none();
    if !plain || f.sig.inputs.is_empty() || f.sig.asyncness.is_some() {
        return TokenStream::new();
    }
    let module = format_ident!("__ad_{}_marker", syn::ext::IdentExt::unraw(&f.sig.ident));
    let marker = syn::ext::IdentExt::unraw(&f.sig.ident);
    let vis = &f.vis;
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case, dead_code)]
        #vis mod #module {
            #[allow(non_camel_case_types)]
            pub enum #marker {}
        }
    }
}
